// `corocrawl frontier ADDRESS`: a shared crawl (--frontier) as Redis holds it — what waits, what
// is leased, what is done, per host — and, with --clear, the crawl deleted. Nothing else ever
// deletes it: a worker that exits leaves the crawl to the others.
#include <boost/json.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "corocrawl/shared_frontier.hpp"

namespace corocrawl::cli {
namespace {

struct FrontierCommand {
    std::string address;
    bool json = false;
    bool clear = false;
};

boost::json::object as_json(const SharedCrawlStatus& status) {
    boost::json::object hosts;
    for (const auto& [origin, host] : status.hosts)
        hosts[origin] = {{"waiting", host.waiting}, {"in_flight", host.in_flight}};
    return {{"admitted", status.admitted},   {"waiting", status.waiting},
            {"in_flight", status.in_flight}, {"done", status.done},
            {"seen", status.seen},           {"expired", status.expired},
            {"gave_up", status.gave_up},     {"late", status.late},
            {"workers", status.workers},     {"robots_fetched", status.robots_fetched},
            {"redis_memory", status.memory}, {"hosts", std::move(hosts)}};
}

void print_text(std::ostream& out, const SharedCrawlStatus& status) {
    out << "admitted: " << status.admitted << '\n'
        << "waiting: " << status.waiting << '\n'
        << "in flight: " << status.in_flight << '\n'
        << "done: " << status.done << '\n'
        << "seen: " << status.seen << '\n'
        << "leases expired: " << status.expired << " (URLs given up on: " << status.gave_up
        << ", acknowledgements that found their lease gone: " << status.late << ")\n"
        << "workers alive: " << status.workers << '\n'
        << "robots.txt fetched: " << status.robots_fetched << '\n'
        << "redis memory: " << status.memory << " bytes\n";
    for (const auto& [origin, host] : status.hosts) {
        out << "host " << origin << ": " << host.waiting << " waiting, " << host.in_flight
            << " in flight\n";
    }
}

int run_frontier(const FrontierCommand& command) {
    RedisAddress address;
    try {
        address = parse_redis_address(command.address);
    } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError("address", e.what());
    }
    try {
        if (command.clear) {
            const std::size_t keys = clear_shared_crawl(address);
            std::cerr << "corocrawl: " << address.name << " cleared (" << keys << " keys)"
                      << std::endl;
            return 0;
        }
        const SharedCrawlStatus status = shared_crawl_status(address);
        if (command.json) {
            std::cout << boost::json::serialize(as_json(status)) << '\n';
        } else {
            print_text(std::cout, status);
        }
    } catch (const SharedFrontierError& e) {
        std::cerr << "corocrawl: " << e.what() << std::endl;
        return 1;
    }
    return std::cout.flush() ? 0 : 1;
}

}  // namespace

void add_frontier_command(CLI::App& app, int& exit_status) {
    auto command = std::make_shared<FrontierCommand>();
    CLI::App* frontier =
        app.add_subcommand("frontier", "Show or clear a crawl shared through Redis (--frontier)");
    frontier
        ->add_option("address", command->address,
                     "The crawl's redis://HOST:PORT/NAME or unix:///PATH?name=NAME")
        ->required()
        ->option_text("ADDRESS");
    frontier->add_flag("--json", command->json, "Print the counts as one JSON object");
    frontier->add_flag("--clear", command->clear,
                       "Delete the crawl: every URL, lease and fingerprint it holds");
    frontier->footer(
        "Examples:\n"
        "  corocrawl frontier redis://10.0.0.5:6379/shop\n"
        "  corocrawl frontier unix:///run/redis/redis.sock?name=shop --json\n"
        "  corocrawl frontier redis://10.0.0.5:6379/shop --clear");
    frontier->callback([command, &exit_status] { exit_status = run_frontier(*command); });
}

}  // namespace corocrawl::cli
