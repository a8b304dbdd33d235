// `corocrawl crawl`: reads URLs, crawls them, runs the XPath expressions on each page as it
// completes (a done-callback), and writes one record per URL.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/fields.hpp"
#include "cli/files.hpp"
#include "cli/interrupt.hpp"
#include "cli/progress.hpp"
#include "corocrawl/crawler.hpp"
#include "corocrawl/sink.hpp"
#include "corocrawl/timeline.hpp"
#include "corocrawl/xpath.hpp"
#include "sink/warc_writer.hpp"

namespace corocrawl::cli {
namespace {

struct CrawlCommand {
    CrawlOptions crawl;
    std::vector<std::string> urls;
    std::string input;
    std::vector<std::string> xpaths;    // -x, in order
    std::vector<std::string> css;       // -s, in order
    std::vector<FieldArgument> fields;  // both, in command-line order
    std::string output;
    std::string timeline;  // FILE.svg; empty: none
    WarcOptions warc;
    SinkOptions sink;
    bool absolute = false;
    bool quiet = false;
    bool progress = isatty(STDERR_FILENO) != 0;
    // The command line speaks seconds; the library milliseconds.
    double timeout_s = seconds(crawl.fetch.timeout);
    double connect_timeout_s = seconds(crawl.fetch.connect_timeout);
    double retry_delay_s = seconds(crawl.fetch.retry_delay);
    std::vector<std::string> headers;  // "Name: value"
    std::string data;                  // STRING, or @FILE
    std::optional<std::string> proxy;  // given: both schemes, the environment ignored

    static double seconds(std::chrono::milliseconds ms) { return ms.count() / 1000.0; }
};

std::chrono::milliseconds milliseconds(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

constexpr const char* examples = R"(Examples:
  corocrawl crawl http://127.0.0.1:5000/bobo http://127.0.0.1:5000/jay -x '//a[@id="feng"]/@href'
  corocrawl crawl -i urls.txt -x '//title/text()' -f jsonl -o results.jsonl
  corocrawl crawl -i urls.txt -s 'title=title::text' -s 'links=a::attr(href)' --first -f jsonl
  cat urls.txt | corocrawl crawl -i - -x '//a/@href' --absolute --with-url

Exit status: 0 all URLs ok, 1 some URL failed, 2 usage error (nothing fetched), 130 interrupted.)";

// "Name: value" as curl takes it.
Header parse_header(const std::string& text) {
    const auto colon = text.find(':');
    if (colon == std::string::npos)
        throw CLI::ValidationError("--header", "'" + text + "' is not 'Name: value'");
    const auto value_start = text.find_first_not_of(" \t", colon + 1);
    return Header{text.substr(0, colon),
                  value_start == std::string::npos ? std::string() : text.substr(value_start)};
}

// The proxy environment variables as curl reads them: http_proxy only in lower case (a CGI
// program gets HTTP_PROXY from a request header), the others in either case.
void proxies_from_environment(FetchOptions& fetch) {
    const auto variable = [](std::initializer_list<const char*> names) {
        for (const char* name : names) {
            if (const char* value = std::getenv(name); value && *value) return std::string(value);
        }
        return std::string();
    };
    const std::string all = variable({"all_proxy", "ALL_PROXY"});
    fetch.http_proxy = variable({"http_proxy"});
    fetch.https_proxy = variable({"https_proxy", "HTTPS_PROXY"});
    if (fetch.http_proxy.empty()) fetch.http_proxy = all;
    if (fetch.https_proxy.empty()) fetch.https_proxy = all;
    if (fetch.no_proxy.empty()) fetch.no_proxy = variable({"no_proxy", "NO_PROXY"});
}

// -d STRING, or -d @FILE for the file's contents.
std::string request_body(const std::string& data) {
    if (!data.starts_with('@')) return data;
    std::ifstream file(data.substr(1), std::ios::binary);
    if (!file)
        throw CLI::ValidationError("--data",
                                   "cannot read " + data.substr(1) + ": " + std::strerror(errno));
    return std::string(std::istreambuf_iterator<char>(file), {});
}

std::string summary(const CrawlStats& stats) {
    char line[200];
    std::snprintf(
        line, sizeof line, "corocrawl: %zu URLs, %zu ok, %zu failed%s in %.3f s (%.1f pages/s)%s",
        stats.urls, stats.ok, stats.failed,
        stats.cancelled ? (" (" + std::to_string(stats.cancelled) + " cancelled)").c_str() : "",
        static_cast<double>(stats.wall.count()) / 1000.0, stats.pages_per_second(),
        stats.interrupted ? ", interrupted" : "");
    return line;
}

// Turns the command line into library options, and rejects what cannot work.
void settle_options(CrawlCommand& command) {
    if (command.urls.empty() && command.input.empty()) {
        throw CLI::ValidationError(
            "no URLs: give them as arguments, or -i FILE, or -i - for stdin");
    }
    FetchOptions& fetch = command.crawl.fetch;
    fetch.timeout = milliseconds(command.timeout_s);
    fetch.connect_timeout = milliseconds(command.connect_timeout_s);
    fetch.retry_delay = milliseconds(command.retry_delay_s);
    for (const auto& header : command.headers) fetch.headers.push_back(parse_header(header));
    if (!command.data.empty()) fetch.body = request_body(command.data);
    if (command.proxy) {
        fetch.http_proxy = fetch.https_proxy = *command.proxy;
    } else {
        proxies_from_environment(fetch);
    }
    try {
        validate(command.crawl);
    } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError(e.what());
    }
}

int run_crawl(CrawlCommand& command) {
    // Everything that can be wrong with the command line is found here, before any traffic, and
    // before an output file is truncated.
    settle_options(command);
    const XPathSet fields = compile_fields(command.fields);
    std::ifstream input_file;
    std::istream* input = open_input(command.input, input_file);
    std::ofstream output_file, timeline_file;
    if (!command.output.empty()) open_for_writing(output_file, command.output, "--output");
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
    command.sink.extracting = !command.fields.empty();

    Crawler crawler(command.crawl);
    InterruptWatcher interrupt([&crawler] { crawler.cancel(); });
    std::ostream& out = command.output.empty() ? std::cout : output_file;
    Sink sink(out, std::cerr, command.sink);
    std::optional<ProgressLine> progress;
    progress.emplace(std::cerr, command.progress);

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
    // Registered last, so the parse phase it draws includes the extraction above.
    std::optional<Timeline> timeline;
    if (timeline_file.is_open()) {
        timeline.emplace();
        crawler.on_done([&timeline](Result& result) { timeline->record(result); });
    }

    UrlSource source(command.urls, input, input == &std::cin);
    const CrawlStats stats = crawler.run(&source);
    sink.finish();
    progress.reset();
    if (timeline) timeline->write_svg(timeline_file, command.crawl, stats);
    if (!command.quiet) std::cerr << summary(stats) << std::endl;
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
    crawl->footer(examples);

    crawl->add_option("urls", command->urls, "URLs to crawl (http or https)");
    crawl->add_option("-i,--input", command->input,
                      "Read URLs from FILE, one a line ('-': stdin); "
                      "blank lines and # comments are skipped");
    CLI::Option* xpath_option =
        crawl
            ->add_option("-x,--xpath", command->xpaths,
                         "[NAME=]XPATH to evaluate on every page (repeatable)")
            ->allow_extra_args(false);  // one value per -x: what follows is a URL
    CLI::Option* css_option =
        crawl
            ->add_option("-s,--css", command->css,
                         "[NAME=]CSS selector (parsel's: ::text, ::attr(NAME)), compiled to XPath "
                         "(repeatable)")
            ->allow_extra_args(false);
    crawl->add_flag("--first", command->sink.first,
                    "Keep only the first value of each field (jsonl: a string, or null)");
    crawl->add_flag("--with-field", command->sink.with_field,
                    "text: prefix each value with FIELD<TAB> (its NAME, or the expression)");

    const std::map<std::string, Format> formats{
        {"text", Format::text}, {"jsonl", Format::jsonl}, {"csv", Format::csv}};
    crawl->add_option("-f,--format", command->sink.format, "Output format: text, jsonl or csv")
        ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case))
        ->default_str("text");
    crawl->add_option("-o,--output", command->output, "Write records to FILE instead of stdout");
    crawl->add_option(
        "--timeline", command->timeline,
        "Write the crawl's timeline to FILE.svg: one row per worker, one bar per request");
    crawl->add_option("--warc", command->warc.path,
                      "Write every HTTP exchange (redirects and retries too) to FILE.warc.gz, "
                      "WARC 1.1, one gzip member per record");
    crawl
        ->add_option("--warc-max-size", command->warc.max_size,
                     "Start a new WARC file past this size (suffixes: KiB, MiB, ...): "
                     "FILE-00001.warc.gz, ...; 0: one file")
        ->transform(CLI::AsSizeValue(false));
    crawl->add_flag("--with-url", command->sink.with_url, "text: prefix each value with URL<TAB>");
    crawl->add_flag("--ordered", command->sink.ordered, "Write records in input order");
    crawl->add_flag("--absolute", command->absolute,
                    "Resolve URL-valued results (href, src, ...) against the page's final URL");

    std::map<std::string, Mode> modes;
    for (const Mode mode : all_modes) modes.emplace(mode_name(mode), mode);
    crawl
        ->add_option("-m,--mode", command->crawl.mode,
                     "How to wait: async (coroutines), pool (blocking threads), sync (one by one)")
        ->transform(CLI::CheckedTransformer(modes, CLI::ignore_case))
        ->default_str(std::string(mode_name(CrawlOptions{}.mode)));
    crawl->add_option("-t,--threads", command->crawl.threads, "pool: worker threads")
        ->check(CLI::Range(1, 10'000));
    crawl
        ->add_option("-c,--concurrency", command->crawl.concurrency,
                     "async: requests in flight at once")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
    crawl
        ->add_option("--io-threads", command->crawl.io_threads,
                     "async: threads running the event loop")
        ->check(CLI::Range(1, 256));
    crawl
        ->add_option("--parse-threads", command->crawl.parse_threads,
                     "Threads running done-callbacks (XPath); 0: on the fetching thread")
        ->check(CLI::Range(0, 256));
    crawl
        ->add_option("--timeout", command->timeout_s,
                     "Seconds for a whole request, redirects included")
        ->check(CLI::PositiveNumber);
    crawl
        ->add_option("--connect-timeout", command->connect_timeout_s,
                     "Seconds to resolve and connect")
        ->check(CLI::PositiveNumber);
    crawl->add_option("--max-redirects", command->crawl.fetch.max_redirects, "Redirects to follow")
        ->check(CLI::Range(0, 100));
    crawl
        ->add_option("--max-body", command->crawl.fetch.max_body,
                     "Largest body accepted, in bytes (suffixes: KiB, MiB, ...)")
        ->transform(CLI::AsSizeValue(false));
    crawl->add_option("-A,--user-agent", command->crawl.fetch.user_agent, "User-Agent header")
        ->default_str("corocrawl/" + std::string(version()));

    auto& fetch = command->crawl.fetch;
    crawl->add_option("-X,--method", fetch.method, "Request method")
        ->default_str("GET, or POST with -d");
    crawl
        ->add_option("-H,--header", command->headers,
                     "Extra header 'Name: value' (repeatable; 'Name:' removes a default one)")
        ->allow_extra_args(false);
    crawl->add_option("-d,--data", command->data, "Request body: STRING, or @FILE (implies POST)");
    crawl->add_option("--cookie", fetch.cookie, "Cookie header value, e.g. 'a=1; b=2'");
    crawl->add_flag("--compressed,!--no-compressed", fetch.compressed,
                    "Ask for gzip, deflate, br and zstd, and decode them");
    crawl
        ->add_option("--retries", fetch.retries,
                     "Retries after a failed connection, a timeout, 429, 502, 503 or 504")
        ->check(CLI::Range(0, 100));
    crawl
        ->add_option("--retry-delay", command->retry_delay_s,
                     "Seconds before the first retry; doubled each time, with jitter")
        ->check(CLI::NonNegativeNumber);
    crawl->add_flag("--retry-all", fetch.retry_all, "Retry non-idempotent requests (POST) too");
    crawl->add_option("--proxy", command->proxy,
                      "HTTP proxy http://HOST:PORT for every URL (CONNECT tunnels for https); "
                      "default: http_proxy, https_proxy, all_proxy from the environment");
    crawl->add_option("--noproxy", fetch.no_proxy,
                      "Hosts or domains reached without the proxy, comma-separated ('*': all); "
                      "default: no_proxy from the environment");
    crawl
        ->add_option("--cacert", fetch.cacert,
                     "Trust the CA certificates in this PEM file instead of the system's")
        ->check(CLI::ExistingFile);
    crawl->add_flag("-k,--insecure", fetch.insecure,
                    "Do not verify TLS certificates (UNSAFE: anyone on the path can read and "
                    "change the pages)");

    crawl->add_flag("-q,--quiet", command->quiet, "No summary line on stderr");
    crawl->add_flag("--progress,!--no-progress", command->progress,
                    "Progress line on stderr (default: when stderr is a terminal)");

    crawl->callback([crawl, xpath_option, css_option, command, &exit_status] {
        // -x and -s fields keep their command-line order, interleaved.
        std::size_t next_xpath = 0, next_css = 0;
        for (const CLI::Option* option : crawl->parse_order()) {
            if (option == xpath_option && next_xpath < command->xpaths.size()) {
                command->fields.push_back({command->xpaths[next_xpath++], false});
            } else if (option == css_option && next_css < command->css.size()) {
                command->fields.push_back({command->css[next_css++], true});
            }
        }
        exit_status = run_crawl(*command);
    });
}

}  // namespace corocrawl::cli
