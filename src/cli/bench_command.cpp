// `corocrawl bench`: the seed's lesson in numbers. The same URL list is crawled in each mode, each
// run a `corocrawl crawl` child process of its own, and a table says what each mode cost.
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/bench_report.hpp"
#include "cli/child_process.hpp"
#include "cli/choices.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/interrupt.hpp"
#include "corocrawl/options.hpp"
#include "corocrawl/url_source.hpp"
#include "corocrawl/xpath.hpp"
#include "test_server.hpp"

namespace corocrawl::cli {
namespace {

double seconds(std::chrono::milliseconds ms) {
    return static_cast<double>(ms.count()) / 1000.0;
}

struct BenchCommand {  // every default is written here, once; --help shows them
    std::vector<std::string> urls;
    std::string input;
    std::vector<std::string> xpaths;
    std::vector<Mode> modes{std::begin(all_modes), std::end(all_modes)};  // slowest first
    std::size_t threads = CrawlOptions{}.threads;
    std::optional<std::size_t> concurrency;  // unset: the number of URLs for the bundled pages,
                                             // else the crawl's default
    std::size_t repeat = 1;
    // Without URLs: the bundled server's pages.
    std::size_t n = 3;
    double delay_s = seconds(test_server::ServerOptions{}.delay);
    double estimate_above_s = 60;  // a mode expected to take longer is estimated, not run...
    bool full = false;             // ...unless --full
    bool json = false;
    std::string timeline;  // PREFIX: each mode's chart goes to PREFIX-MODE.svg
};

constexpr const char* examples = R"(Examples:
  corocrawl bench                    the seed's lesson: /bobo /jay /tom (2 s each) in each mode
  corocrawl bench --n 999            999 of them: sync and pool estimated, async run
  corocrawl bench -i urls.txt -x '//title/text()' --repeat 3 --json
  corocrawl bench --timeline run     also writes run-sync.svg, run-pool.svg, run-async.svg

Each run is a `corocrawl crawl` child process, so its time and peak memory are its own.)";

// A run that did not finish as a crawl does (exit status 0, or 1 when some URL failed).
struct RunFailed : std::runtime_error {
    RunFailed(int status, const std::string& what) : std::runtime_error(what), status(status) {}
    int status;
};

// The seed's pages, `n` of them: /bobo /jay /tom in turn; beyond three, each with a query of its
// own so that every URL is a different one.
std::vector<std::string> bundled_urls(const std::string& base, std::size_t n) {
    constexpr std::array<const char*, 3> pages{"/bobo", "/jay", "/tom"};
    std::vector<std::string> urls;
    for (std::size_t i = 0; i < n; ++i) {
        urls.push_back(base + pages[i % pages.size()]);
        if (n > pages.size()) urls.back() += "?n=" + std::to_string(i);
    }
    return urls;
}

// The URL arguments, then the -i file or stdin, with `corocrawl crawl`'s rules for lines.
std::vector<std::string> given_urls(const BenchCommand& command) {
    std::ifstream file;
    UrlSource source(command.urls, open_input(command.input, file));
    std::vector<std::string> urls;
    while (auto line = source.next()) urls.push_back(std::move(line->text));
    return urls;
}

std::size_t workers(Mode mode, const BenchCommand& command, std::size_t concurrency) {
    switch (mode) {
        case Mode::pool:
            return command.threads;
        case Mode::async:
            return concurrency;
        case Mode::sync:
            break;
    }
    return 1;
}

// Counts the ok and failed records of a JSON Lines output.
void count_records(const std::string& path, ModeFigures& figures) {
    std::ifstream records(path);
    figures.ok = figures.failed = 0;
    for (std::string line; std::getline(records, line);) {
        const auto record = boost::json::parse(line);
        ++(record.at("ok").as_bool() ? figures.ok : figures.failed);
    }
}

// Runs `corocrawl crawl` in `mode` over the URLs in `url_file`, `repeat` times.
ModeFigures run_mode(Mode mode, std::size_t workers, const std::string& url_file,
                     const BenchCommand& command, const std::atomic<bool>& interrupted) {
    const ScratchFile records("corocrawl-bench"), errors("corocrawl-bench");
    const std::string name(mode_name(mode));
    std::vector<std::string> argv{
        "/proc/self/exe", "crawl", "-i",           url_file, "-m",           name, "-f",
        "jsonl",          "-o",    records.path(), "-q",     "--no-progress"};
    if (mode == Mode::pool) argv.insert(argv.end(), {"-t", std::to_string(workers)});
    if (mode == Mode::async) argv.insert(argv.end(), {"-c", std::to_string(workers)});
    for (const auto& xpath : command.xpaths) argv.insert(argv.end(), {"-x", xpath});
    if (!command.timeline.empty()) {
        argv.insert(argv.end(), {"--timeline", command.timeline + "-" + name + ".svg"});
    }

    ModeFigures figures;
    figures.mode = name;
    figures.workers = workers;
    for (std::size_t i = 0; i < command.repeat; ++i) {
        if (interrupted) throw RunFailed(130, "interrupted");
        if (isatty(STDERR_FILENO)) {
            std::cerr << "corocrawl bench: " << name << ", run " << i + 1 << " of "
                      << command.repeat << "...\r" << std::flush;
        }
        const ChildRun run = run_child(argv, "/dev/null", errors.path());
        if (run.exit_status != 0 && run.exit_status != 1) {
            throw RunFailed(run.exit_status, "the " + name + " run ended with status " +
                                                 std::to_string(run.exit_status) + ": " +
                                                 read_file(errors.path()));
        }
        figures.runs.push_back(run.wall.count());
        figures.peak_rss_kib = std::max(figures.peak_rss_kib, run.peak_rss_kib);
    }
    if (isatty(STDERR_FILENO)) std::cerr << "\033[K" << std::flush;
    count_records(records.path(), figures);
    return figures;
}

// The bundled pages all answer after the same delay, so W workers take ceil(N / W) rounds of it.
ModeFigures estimate_mode(Mode mode, std::size_t workers, std::size_t urls, double delay_s) {
    const auto rounds = (urls + workers - 1) / workers;
    const double estimate = static_cast<double>(rounds) * delay_s;
    char note[200];
    std::snprintf(note, sizeof note,
                  "estimated, not run (--full runs it): %zu URLs on %zu %s = %zu rounds x %g s "
                  "= %g s",
                  urls, workers, workers == 1 ? "worker" : "workers", rounds, delay_s, estimate);
    ModeFigures figures;
    figures.mode = mode_name(mode);
    figures.workers = workers;
    figures.estimate = estimate;
    figures.note = note;
    return figures;
}

int run_bench(const BenchCommand& command) {
    // Everything that can be wrong with the command line is found here, before any traffic.
    try {
        XPathSet check(command.xpaths);
    } catch (const InvalidXPath& e) {
        throw CLI::ValidationError("--xpath", e.what());
    }
    // Ctrl-C reaches the running child as well (one process group), which ends its crawl; the
    // bench then stops instead of starting the next run, and removes its scratch files. Created
    // before the server's threads, which inherit the blocked signals.
    std::atomic<bool> interrupted{false};
    const InterruptWatcher watcher([&interrupted] { interrupted = true; });

    const bool bundled = command.urls.empty() && command.input.empty();
    std::optional<test_server::Server> server;
    BenchFigures figures;
    figures.repeat = command.repeat;
    std::vector<std::string> urls;
    if (bundled) {
        server.emplace(
            test_server::ServerOptions{.port = 0,
                                       .delay = std::chrono::round<std::chrono::milliseconds>(
                                           std::chrono::duration<double>(command.delay_s))});
        urls = bundled_urls(server->base_url(), command.n);
        char input[160];
        std::snprintf(input, sizeof input, "the bundled server's /bobo /jay /tom (%g s each)",
                      command.delay_s);
        figures.input = input;
    } else {
        urls = given_urls(command);
        figures.input = command.input.empty()  ? "from the arguments"
                        : command.input == "-" ? "from stdin"
                                               : "from " + command.input;
    }
    figures.urls = urls.size();
    const ScratchFile url_file("corocrawl-bench");
    {
        std::ofstream out(url_file.path());
        for (const auto& url : urls) out << url << '\n';
    }
    const auto concurrency = command.concurrency.value_or(
        bundled ? std::max<std::size_t>(1, urls.size()) : CrawlOptions{}.concurrency);

    try {
        for (const Mode mode : command.modes) {
            const auto w = workers(mode, command, concurrency);
            auto estimate = estimate_mode(mode, w, urls.size(), command.delay_s);
            const bool too_long =
                bundled && !command.full && *estimate.estimate > command.estimate_above_s;
            figures.modes.push_back(too_long
                                        ? std::move(estimate)
                                        : run_mode(mode, w, url_file.path(), command, interrupted));
        }
    } catch (const RunFailed& e) {
        const bool by_user = e.status == 130 || interrupted;
        std::cerr << "corocrawl bench: " << (by_user ? "interrupted" : e.what()) << std::endl;
        return by_user ? 130 : 1;
    }
    if (command.json) {
        std::cout << boost::json::serialize(to_json(figures)) << std::endl;
    } else {
        print_table(std::cout, figures);
    }
    return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_status) {
    auto command = std::make_shared<BenchCommand>();
    CLI::App* bench = app.add_subcommand(
        "bench", "Crawl the same URLs in each mode and compare time, speed and memory");
    bench->footer(examples);

    auto* urls = bench
                     ->add_option("urls", command->urls,
                                  "URLs to crawl (default: the bundled server's pages)")
                     ->option_text("URL");
    auto* input = bench
                      ->add_option("-i,--input", command->input,
                                   "Read URLs from FILE, one a line ('-': stdin)")
                      ->option_text("FILE");
    bench->add_option("-x,--xpath", command->xpaths, "XPath to evaluate on every page (repeatable)")
        ->option_text("XPATH");
    bench->add_option("--modes", command->modes, "Modes to compare, in this order")
        ->delimiter(',')
        ->transform(mode_choices())
        ->default_str("sync,pool,async");
    bench->add_option("-t,--threads", command->threads, "pool: worker threads")
        ->check(CLI::Range(1, 10'000));
    bench->add_option("-c,--concurrency", command->concurrency, "async: requests in flight at once")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
        ->default_str("the number of URLs for the bundled pages, else " +
                      std::to_string(CrawlOptions{}.concurrency));
    bench->add_option("--repeat", command->repeat, "Runs per mode; the table shows the median")
        ->check(CLI::Range(1, 1000));
    bench->add_option("--n", command->n, "Bundled pages: how many URLs (/bobo /jay /tom in turn)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
        ->excludes(urls)
        ->excludes(input);
    bench->add_option("--delay", command->delay_s, "Bundled pages: seconds each takes to answer")
        ->check(CLI::Range(0.0, 3600.0));
    bench
        ->add_option(
            "--estimate-above", command->estimate_above_s,
            "Bundled pages: a mode expected to take longer (seconds) is estimated, not run")
        ->check(CLI::Range(0.0, 86'400.0));
    bench->add_flag("--full", command->full, "Run every mode, however long it takes");
    bench->add_flag("--json", command->json, "Print the figures as JSON instead of a table");
    bench
        ->add_option("--timeline", command->timeline,
                     "Write each mode's timeline to PREFIX-MODE.svg (of its last run)")
        ->option_text("PREFIX");

    bench->callback([command, &exit_status] { exit_status = run_bench(*command); });
}

}  // namespace corocrawl::cli
