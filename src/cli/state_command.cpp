// `corocrawl state DIR`: what a --state DIR holds, its records as JSON Lines, and failed URLs put
// back to be fetched again by the next run of the crawl.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "corocrawl/state.hpp"

namespace corocrawl::cli {
namespace {

struct StateCommand {
    std::string dir;
    bool export_records = false;
    std::vector<std::string> retry;  // error kinds' names
};

// "http_status" -> ErrorKind::http_status, by the names records use.
ErrorKind error_kind(const std::string& name) {
    for (int kind = 0; kind <= static_cast<int>(ErrorKind::cancelled); ++kind) {
        if (to_string(static_cast<ErrorKind>(kind)) == name) return static_cast<ErrorKind>(kind);
    }
    throw CLI::ValidationError("--retry", "not an error kind: " + name);
}

void print_summary(std::ostream& out, const CrawlState::Summary& summary) {
    out << "admitted: " << summary.admitted << '\n'
        << "finished: " << summary.finished() << '\n'
        << "ok: " << summary.ok << '\n'
        << "failed: " << summary.failures();
    std::string kinds;
    for (const auto& [kind, count] : summary.failed)
        kinds += (kinds.empty() ? "" : ", ") + kind + " " + std::to_string(count);
    if (!kinds.empty()) out << " (" << kinds << ')';
    out << '\n'
        << "waiting: " << summary.waiting << '\n'
        << "in flight at the last stop: " << summary.in_flight << '\n'
        << "hosts: " << summary.hosts << '\n';
}

int run_state(const StateCommand& command) {
    std::vector<ErrorKind> kinds;
    for (const auto& name : command.retry) kinds.push_back(error_kind(name));
    std::unique_ptr<CrawlState> state;
    try {
        state = CrawlState::inspect(command.dir);
    } catch (const StateError& e) {
        throw CLI::ValidationError("--state", command.dir + ": " + e.what());
    }
    if (!kinds.empty()) {
        std::cerr << "corocrawl: " << state->retry(kinds) << " URLs put back" << std::endl;
    }
    if (command.export_records) {
        state->for_each_jsonl([](std::string_view record) { std::cout << record; });
        std::cout.flush();
    } else if (kinds.empty()) {
        std::cout << "state: " << command.dir << '\n';
        print_summary(std::cout, state->summary());
    }
    return std::cout ? 0 : 1;
}

}  // namespace

void add_state_command(CLI::App& app, int& exit_status) {
    auto command = std::make_shared<StateCommand>();
    CLI::App* state = app.add_subcommand("state", "Show, export or retry what a --state DIR holds");
    state->add_option("dir", command->dir, "The crawl's --state DIR")
        ->required()
        ->option_text("DIR");
    state->add_flag("--export", command->export_records,
                    "Write every finished URL's record as JSON Lines, in admission order");
    state
        ->add_option("--retry", command->retry,
                     "Put finished URLs that failed with these error kinds back, for the next "
                     "run of the crawl to fetch again")
        ->delimiter(',')
        ->option_text("KIND,...");
    state->footer(
        "Examples:\n"
        "  corocrawl state crawl-state\n"
        "  corocrawl state crawl-state --export > records.jsonl\n"
        "  corocrawl state crawl-state --retry timeout,connect   (then run the crawl again)");
    state->callback([command, &exit_status] { exit_status = run_state(*command); });
}

}  // namespace corocrawl::cli
