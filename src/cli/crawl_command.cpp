// `corocrawl crawl`: reads URLs, crawls them, runs the XPath expressions on each page as it
// completes (a done-callback), and writes one record per URL.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/crawl_options.hpp"
#include "cli/files.hpp"
#include "cli/interrupt.hpp"
#include "cli/link_following.hpp"
#include "cli/progress.hpp"
#include "corocrawl/crawler.hpp"
#include "corocrawl/sink.hpp"
#include "corocrawl/state.hpp"
#include "corocrawl/timeline.hpp"
#include "corocrawl/xpath.hpp"
#include "sink/warc_writer.hpp"

namespace corocrawl::cli {
namespace {

// "; links: 14000 found, 990 followed, 12000 seen before, ..." — what became of the links,
// when there were any.
std::string links_summary(const FrontierCounts& counts) {
    if (counts.discovered == 0) return {};
    std::string text = "; links: " + std::to_string(counts.discovered) + " found, " +
                       std::to_string(counts.admitted - counts.seeds) + " followed";
    for (const auto& [count, what] : {std::pair{counts.duplicates, "seen before"},
                                      {counts.out_of_scope, "out of scope"},
                                      {counts.filtered, "filtered"},
                                      {counts.too_deep, "too deep"},
                                      {counts.over_limit, "over --max-pages"},
                                      {counts.unsupported, "not http(s)"}}) {
        if (count > 0) text += ", " + std::to_string(count) + " " + what;
    }
    return text;
}

// "; robots.txt: 3 fetched, 12 disallowed by robots.txt", when it was asked for.
std::string robots_summary(const FrontierCounts& counts) {
    if (counts.robots_fetched == 0) return {};
    return "; robots.txt: " + std::to_string(counts.robots_fetched) + " fetched, " +
           std::to_string(counts.robots_disallowed) + " disallowed by robots.txt";
}

std::string summary(const CrawlStats& stats) {
    char line[200];
    std::snprintf(
        line, sizeof line, "corocrawl: %zu URLs, %zu ok, %zu failed%s in %.3f s (%.1f pages/s)",
        stats.urls, stats.ok, stats.failed,
        stats.cancelled ? (" (" + std::to_string(stats.cancelled) + " cancelled)").c_str() : "",
        static_cast<double>(stats.wall.count()) / 1000.0, stats.pages_per_second());
    return line + links_summary(stats.frontier) + robots_summary(stats.frontier) +
           (stats.interrupted ? ", interrupted" : "");
}

// --state DIR, opened (or made) for this command; a usage error when it cannot be used.
std::unique_ptr<CrawlState> open_state(const CrawlCommand& command) {
    if (command.state.empty()) return nullptr;
    try {
        return CrawlState::open(command.state, state_identity(command), command.state_force);
    } catch (const StateError& e) {
        throw CLI::ValidationError("--state", command.state + ": " + e.what());
    }
}

// What the state keeps of a record: as this crawl's format writes it, and as JSON Lines.
RecordFormatter kept_record(const SinkOptions& options) {
    SinkOptions as_jsonl = options;
    as_jsonl.format = Format::jsonl;
    return [options, as_jsonl](const Result& result) {
        StoredRecord record;
        record.output = format_record(result, options);
        if (options.format != Format::jsonl) record.jsonl = format_record(result, as_jsonl);
        return record;
    };
}

int run_crawl(CrawlCommand& command) {
    // Everything that can be wrong with the command line is found here, before any traffic, and
    // before an output file is truncated.
    settle_options(command);
    const XPathSet fields = compile_fields(command.fields);
    std::ifstream input_file;
    std::istream* input = open_input(command.input, input_file);
    command.sink.extracting = !command.fields.empty();
    const std::unique_ptr<CrawlState> state = open_state(command);
    std::ofstream output_file, timeline_file;
    // A worker of a shared crawl started again adds to its records, and loses none.
    if (!command.output.empty())
        open_for_writing(output_file, command.output, "--output", command.shared.has_value());
    if (!command.timeline.empty()) open_for_writing(timeline_file, command.timeline, "--timeline");
    std::optional<WarcWriter> warc;
    if (!command.warc.path.empty()) {
        try {
            warc.emplace(command.warc);
        } catch (const std::runtime_error& e) {
            throw CLI::ValidationError("--warc", e.what());
        }
        command.crawl.fetch.keep_wire_bytes = true;
    }

    Crawler crawler(command.crawl);
    if (command.shared) crawler.share_frontier(*command.shared);
    std::optional<LinkFollower> follower;
    if (command.crawl.frontier.recursive || !command.sitemaps.empty() ||
        command.crawl.frontier.sitemaps_from_robots) {
        try {
            follower.emplace(crawler, command.crawl.frontier, command.follow);
        } catch (const InvalidXPath& e) {
            throw CLI::ValidationError("--follow", e.what());
        }
        for (const auto& sitemap : command.sitemaps) follower->add_sitemap(sitemap);
    }
    InterruptWatcher interrupt([&crawler] { crawler.cancel(); });
    std::ostream& out = command.output.empty() ? std::cout : output_file;
    Sink sink(out, std::cerr, command.sink);
    if (state) {
        crawler.keep_state(*state, kept_record(command.sink));
        if (state->resumed()) {
            // -o FILE is brought in line with the state: every record it kept, once; the URLs it
            // did not finish follow as this run finishes them. (Stdout has had them already.)
            if (output_file.is_open())
                state->for_each_record(
                    [&](std::string_view record) { sink.write_formatted(record); });
            if (!command.quiet) {
                std::cerr << "corocrawl: resuming " << command.state << ": "
                          << state->summary().finished() << " URLs finished before" << std::endl;
            }
        }
    }
    std::optional<ProgressLine> progress;
    progress.emplace(std::cerr, command.progress);
    // The total is known for arguments and a file (counted on the side: a huge list does not hold
    // up the first request); stdin has none.
    std::jthread counter;
    if (command.progress && input != &std::cin && !follower) {  // links have no total
        const std::size_t arguments = count_url_arguments(command.urls, command.shard);
        progress->set_total(arguments);
        if (input) {
            counter = std::jthread([&, arguments](std::stop_token stop) {
                const auto lines = count_url_lines(command.input, command.shard, stop);
                if (!stop.stop_requested()) progress->set_total(arguments + lines);
            });
        }
    }

    // The done-callback: extraction runs as each page completes, like the seed's
    // task.add_done_callback(parse).
    crawler.on_done([&](Result& result) {
        const auto content_type = result.header("content-type");
        if (result.ok() && command.sink.extracting && XPathSet::is_html(content_type)) {
            result.extractions =
                fields.extract(result.body, content_type, result.final_url, command.absolute);
        }
        sink.write(result);
        if (warc) {
            warc->write(result);
            result.exchanges.clear();  // their bytes are on disk: free them before the next page
        }
        progress->count(result);
    });
    if (follower) crawler.on_done([&follower](Result& result) { (*follower)(result); });
    // Registered last, so the parse phase it draws includes the extraction above.
    std::optional<Timeline> timeline;
    if (timeline_file.is_open()) {
        timeline.emplace();
        crawler.on_done([&timeline](Result& result) { timeline->record(result); });
    }

    std::vector<std::string> seeds = command.urls;
    seeds.insert(seeds.end(), command.sitemaps.begin(), command.sitemaps.end());
    UrlSource source(seeds, input, input == &std::cin, command.shard);
    CrawlStats stats;
    try {
        stats = crawler.run(&source);
    } catch (const StateError& e) {  // what the state holds could not be read back
        std::cerr << "corocrawl: --state " << command.state << ": " << e.what() << std::endl;
        return 2;
    } catch (const SharedFrontierError& e) {  // before any request
        std::cerr << "corocrawl: --frontier: " << e.what() << std::endl;
        return 2;
    }
    sink.finish();
    counter = {};  // stops and joins the count before the line it reports to goes
    progress.reset();
    if (timeline)
        timeline->write_svg(timeline_file,
                            {command.crawl.mode, workers(command.crawl), stats.wall});
    if (!command.quiet) {
        if (state && stats.interrupted)
            std::cerr << "corocrawl: the same command resumes from " << command.state << '\n';
        if (command.shared && stats.interrupted) {
            std::cerr << "corocrawl: its unfinished URLs went back to " << command.frontier
                      << '\n';
        }
        std::cerr << summary(stats) << std::endl;
    }
    if (warc && !warc->error().empty()) {
        std::cerr << "corocrawl: WARC output stopped: " << warc->error() << std::endl;
        return stats.interrupted ? 130 : 1;
    }
    if (stats.interrupted) return 130;
    return stats.failed > 0 ? 1 : 0;
}

}  // namespace

void add_crawl_command(CLI::App& app, int& exit_status) {
    auto command = std::make_shared<CrawlCommand>();
    CLI::App* crawl = app.add_subcommand("crawl", "Fetch URLs concurrently and extract with XPath");

    add_crawl_options(*crawl, *command);
    crawl->callback([command, &exit_status] { exit_status = run_crawl(*command); });
}

}  // namespace corocrawl::cli
