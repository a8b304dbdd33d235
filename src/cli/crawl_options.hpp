// The options of `corocrawl crawl`: what the command line holds, the table that registers each
// flag with CLI11 (its name, help text and default, shown by --help), and the step that turns
// them into library options. Steps that add flags add them here, in one place.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/fields.hpp"
#include "corocrawl/options.hpp"
#include "corocrawl/shard.hpp"
#include "corocrawl/sink.hpp"
#include "corocrawl/shared_frontier.hpp"
#include "corocrawl/state.hpp"
#include "sink/warc_writer.hpp"

namespace corocrawl::cli {

struct CrawlCommand {
    CrawlOptions crawl;  // the library's options; their defaults are written there, once
    std::vector<std::string> urls;
    std::string input;
    Shard shard;  // --shard I/N: the input lines this process takes (all by default)
    std::vector<std::string> xpaths;    // -x, in order
    std::vector<std::string> css;       // -s, in order
    std::vector<FieldArgument> fields;  // both, in command-line order
    std::string output;
    std::string state;  // --state DIR; empty: nothing outlives the process
    bool state_force = false;
    std::string frontier;  // --frontier ADDRESS; empty: this process's own frontier
    double lease_timeout_s = 60;
    unsigned lease_attempts = 3;
    std::optional<SharedFrontierOptions> shared;  // --frontier, as settled
    std::string timeline;  // FILE.svg; empty: none
    WarcOptions warc;
    SinkOptions sink;
    bool absolute = false;
    bool quiet = false;
    bool progress;  // default: when stderr is a terminal
    // The command line speaks seconds; the library milliseconds.
    double timeout_s = seconds(crawl.fetch.timeout);
    double connect_timeout_s = seconds(crawl.fetch.connect_timeout);
    double retry_delay_s = seconds(crawl.fetch.retry_delay);
    std::vector<std::string> headers;  // "Name: value"
    std::string data;                  // STRING, or @FILE
    std::optional<std::string> proxy;  // given: both schemes, the environment ignored
    // Link following: --follow implies -r; depth and page limits take "inf".
    std::vector<std::string> follow;    // XPaths choosing the links instead of the default
    std::vector<std::string> sitemaps;  // --sitemap URLs
    std::string max_depth = limit_text(crawl.frontier.max_depth);
    std::string max_pages = limit_text(crawl.frontier.max_pages);
    // Politeness: unset, the frontier's defaults (which depend on -r).
    std::optional<double> delay_s;
    double max_delay_s = seconds(crawl.frontier.max_delay);

    CrawlCommand();
    static double seconds(std::chrono::milliseconds ms) { return ms.count() / 1000.0; }
    static std::string limit_text(std::size_t limit) {
        return limit == unlimited ? "inf" : std::to_string(limit);
    }
};

// Registers every flag of `crawl` on `app`, bound to `command`.
void add_crawl_options(CLI::App& app, CrawlCommand& command);

// Turns the command line into library options, and rejects (CLI::ValidationError) what cannot
// work, before any traffic.
void settle_options(CrawlCommand& command);

// What makes a --state DIR this command's crawl: what it admits and what its records look like,
// as settled; not how fast or how politely it goes, which may change from run to run.
CrawlState::Identity state_identity(const CrawlCommand& command);

}  // namespace corocrawl::cli
