#include "cli/crawl_options.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <utility>

#include "cli/choices.hpp"
#include "corocrawl/crawler.hpp"  // validate()

namespace corocrawl::cli {
namespace {

constexpr const char* examples = R"(Examples:
  corocrawl crawl http://127.0.0.1:5000/bobo http://127.0.0.1:5000/jay -x '//a[@id="feng"]/@href'
  corocrawl crawl -i urls.txt -x '//title/text()' -f jsonl -o results.jsonl
  corocrawl crawl -i urls.txt -s 'title=title::text' -s 'links=a::attr(href)' --first -f jsonl
  cat urls.txt | corocrawl crawl -i - -x '//a/@href' --absolute --with-url
  corocrawl crawl -r -l inf 'http://127.0.0.1:5000/site/page/0' -x '//title/text()' -f jsonl

Exit status: 0 all URLs ok, 1 some URL failed, 2 usage error (nothing fetched), 130 interrupted.)";

std::chrono::milliseconds milliseconds(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

// A byte count as --max-body takes it: "16MiB" rather than 16777216.
std::string size_text(std::size_t bytes) {
    for (const auto& [unit, size] :
         {std::pair{"GiB", 1ULL << 30}, {"MiB", 1ULL << 20}, {"KiB", 1ULL << 10}}) {
        if (bytes >= size && bytes % size == 0) return std::to_string(bytes / size) + unit;
    }
    return std::to_string(bytes);
}

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

// -l and --max-pages: a count, or "inf" for no limit.
std::size_t parse_limit(const std::string& text, const char* option) {
    if (text == "inf") return unlimited;
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        throw CLI::ValidationError(option, "'" + text + "' is not a count or 'inf'");
    }
    return value;
}

}  // namespace

CrawlCommand::CrawlCommand() : progress(isatty(STDERR_FILENO) != 0) {}

void add_crawl_options(CLI::App& app, CrawlCommand& command) {
    app.footer(examples);
    app.add_option("urls", command.urls, "URLs to crawl (http or https)")->option_text("URL");
    app.add_option("-i,--input", command.input,
                   "Read URLs from FILE, one a line ('-': stdin); "
                   "blank lines and # comments are skipped")
        ->option_text("FILE");
    // --shard: the filter is UrlSource's (arguments, file and stdin alike), the hash shard.hpp's.
    app.add_option_function<std::string>(
           "--shard",
           [&command](const std::string& text) {
               try {
                   command.shard = parse_shard(text);
               } catch (const std::invalid_argument& e) {
                   throw CLI::ValidationError("--shard", e.what());
               }
           },
           "Take only the input URLs (arguments, -i) whose host name hashes to I of N "
           "(FNV-1a 64 of the lower-cased host, mod N; a line that is not a URL: of its text), "
           "so N processes split one list with no coordination, each host in one of them. "
           "Links found with -r are not sharded: --scope host keeps them on their seed's host "
           "(with domain or any, two shards may fetch one page)")
        ->option_text("I/N")
        ->default_str("0/1");
    CLI::Option* xpath = app.add_option("-x,--xpath", command.xpaths,
                                        "[NAME=]XPATH to evaluate on every page (repeatable)")
                             ->allow_extra_args(false)  // one value per -x: what follows is a URL
                             ->option_text("[NAME=]XPATH");
    CLI::Option* css = app.add_option("-s,--css", command.css,
                                      "[NAME=]CSS selector (parsel's: ::text, ::attr(NAME)), "
                                      "compiled to XPath (repeatable)")
                           ->allow_extra_args(false)
                           ->option_text("[NAME=]SELECTOR");
    // -x and -s fields keep their command-line order, interleaved.
    app.parse_complete_callback([&app, &command, xpath, css] {
        std::size_t next_xpath = 0, next_css = 0;
        for (const CLI::Option* option : app.parse_order()) {
            if (option == xpath && next_xpath < command.xpaths.size()) {
                command.fields.push_back({command.xpaths[next_xpath++], false});
            } else if (option == css && next_css < command.css.size()) {
                command.fields.push_back({command.css[next_css++], true});
            }
        }
    });
    app.add_flag("--first", command.sink.first,
                 "Keep only the first value of each field (jsonl: a string, or null)");
    app.add_flag("--with-field", command.sink.with_field,
                 "text: prefix each value with FIELD<TAB> (its NAME, or the expression)");

    app.add_option("-f,--format", command.sink.format, "Output format")
        ->transform(choices<Format>(
            {{"text", Format::text}, {"jsonl", Format::jsonl}, {"csv", Format::csv}}))
        ->default_str("text");
    app.add_option("-o,--output", command.output, "Write records to FILE instead of stdout")
        ->option_text("FILE");
    app.add_option(
           "--timeline", command.timeline,
           "Write the crawl's timeline to FILE.svg: one row per worker, one bar per request")
        ->option_text("FILE.svg");
    app.add_option("--warc", command.warc.path,
                   "Write every HTTP exchange (redirects and retries too) to FILE.warc.gz, "
                   "WARC 1.1, one gzip member per record")
        ->option_text("FILE.warc.gz");
    app.add_option("--warc-max-size", command.warc.max_size,
                   "Start a new WARC file past this size (suffixes: KiB, MiB, ...): "
                   "FILE-00001.warc.gz, ...; 0: one file")
        ->transform(CLI::AsSizeValue(false))
        ->option_text("SIZE");
    app.add_option("--state", command.state,
                   "Keep the crawl in DIR, and resume it from there when run again: after "
                   "Ctrl-C, kill -9 or a crash, -o FILE ends with one record per URL")
        ->option_text("DIR");
    app.add_flag("--state-force", command.state_force,
                 "Carry on with a --state DIR another command made, as this command");
    app.add_option("--seen-in-memory", command.crawl.frontier.seen_in_memory,
                   "With --state: seen URLs remembered in memory (~20 bytes each); the state "
                   "holds the rest")
        ->option_text("N");
    app.add_option("--frontier", command.frontier,
                   "Share the crawl with every process given the same ADDRESS, on any machine: "
                   "redis://HOST:PORT/NAME or unix:///PATH?name=NAME (a Redis server's)")
        ->check([](const std::string& address) {
            return address.empty() ? std::string("an empty address") : std::string();
        })
        ->option_text("ADDRESS");
    app.add_option("--lease-timeout", command.lease_timeout_s,
                   "With --frontier: seconds a URL stays leased to a worker that stops renewing "
                   "it (dead or hung), before another worker gets it")
        ->option_text("SECONDS");
    app.add_option("--lease-attempts", command.lease_attempts,
                   "With --frontier: leases of one URL that may expire before it gets a "
                   "worker_lost record instead")
        ->option_text("N");
    app.add_flag("--with-url", command.sink.with_url, "text: prefix each value with URL<TAB>");
    app.add_flag("--ordered", command.sink.ordered, "Write records in input order");
    app.add_flag("--absolute", command.absolute,
                 "Resolve URL-valued results (href, src, ...) against the page's final URL");

    FrontierOptions& frontier = command.crawl.frontier;
    app.add_flag("-r,--recursive", frontier.recursive,
                 "Follow links (a/area href, frame/iframe src) within the scope");
    app.add_option("--follow", command.follow,
                   "XPath choosing the links to follow instead (repeatable; implies -r)")
        ->option_text("XPATH");
    app.add_option("-l,--depth", command.max_depth,
                   "Links to follow from a seed (seeds: 0), or inf")
        ->option_text("N");
    app.add_option("--max-pages", command.max_pages, "URLs to crawl in all, seeds included, or inf")
        ->option_text("N");
    app.add_option("--scope", frontier.scope, "Links followed: the seeds' hosts, domains, or any")
        ->transform(
            choices<Scope>({{"host", Scope::host}, {"domain", Scope::domain}, {"any", Scope::any}}))
        ->default_str("host");
    app.add_option("--include", frontier.include,
                   "Follow only links whose canonical URL matches REGEX (RE2; repeatable)")
        ->option_text("REGEX");
    app.add_option("--exclude", frontier.exclude,
                   "Do not follow links whose canonical URL matches REGEX (RE2; repeatable)")
        ->option_text("REGEX");
    app.add_flag("--follow-nofollow", frontier.follow_nofollow,
                 "Follow rel=nofollow links (and those of meta robots nofollow pages) too");
    app.add_option("--order", frontier.order, "Breadth-first or depth-first")
        ->transform(choices<CrawlOrder>({{"bfs", CrawlOrder::bfs}, {"dfs", CrawlOrder::dfs}}))
        ->default_str("bfs");
    app.add_flag("--keep-query-order", frontier.keep_query_order,
                 "Compare URLs with their query parameters as given, not sorted");
    app.add_option(
           "--sitemap", command.sitemaps,
           "Crawl the pages a sitemap (or sitemap index, gzip'd or not) lists (repeatable); "
           "auto: those robots.txt names")
        ->option_text("URL");

    app.add_option("--per-host", frontier.per_host, "Requests in flight to one host at once")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
        ->option_text("N")
        ->default_str("2 with -r, else no limit");
    app.add_option("--delay", command.delay_s,
                   "Seconds between the starts of two requests to one host (a host is an "
                   "origin: scheme, name and port)")
        ->check(CLI::NonNegativeNumber)
        ->option_text("SECONDS")
        ->default_str("0, or robots.txt's Crawl-delay");
    app.add_flag("--random-delay", frontier.random_delay, "Each delay x0.5 to x1.5, at random");
    app.add_flag("--autothrottle", frontier.autothrottle,
                 "Adapt each host's delay to its latency, and back off on 429, 503 and timeouts "
                 "(--delay is then the least)");
    app.add_option("--autothrottle-target", frontier.autothrottle_target,
                   "--autothrottle: requests in flight a host is to see, on average")
        ->check(CLI::PositiveNumber)
        ->option_text("N");
    app.add_option("--max-delay", command.max_delay_s,
                   "Seconds a host's delay may reach, by --autothrottle or Crawl-delay")
        ->check(CLI::NonNegativeNumber)
        ->option_text("SECONDS");
    app.add_option("--robots", frontier.robots, "robots.txt (RFC 9309): obey or ignore")
        ->transform(
            choices<RobotsPolicy>({{"obey", RobotsPolicy::obey}, {"ignore", RobotsPolicy::ignore}}))
        ->default_str("obey with -r, else ignore");
    app.add_option("--robots-agent", frontier.robots_agent,
                   "The product token robots.txt groups are matched against")
        ->option_text("TOKEN")
        ->default_str("that of -A: corocrawl");

    app.add_option("-m,--mode", command.crawl.mode,
                   "How to wait: async (coroutines), pool (blocking threads), sync (one by one)")
        ->transform(mode_choices())
        ->default_str(std::string(mode_name(CrawlOptions{}.mode)));
    app.add_option("-t,--threads", command.crawl.threads, "pool: worker threads")
        ->check(CLI::Range(1, 10'000));
    app.add_option("-c,--concurrency", command.crawl.concurrency,
                   "async: requests in flight at once")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
    app.add_option("--io-threads", command.crawl.io_threads, "async: event loops, one thread each")
        ->check(CLI::Range(1, 256))
        ->default_str("one per core");  // not this machine's count: the man page is built once
    app.add_option("--parse-threads", command.crawl.parse_threads,
                   "Threads running done-callbacks (XPath); 0: on the fetching thread")
        ->check(CLI::Range(0, 256));
    app.add_option("--timeout", command.timeout_s,
                   "Seconds for a whole request, redirects included")
        ->check(CLI::PositiveNumber)
        ->option_text("SECONDS");
    app.add_option("--connect-timeout", command.connect_timeout_s, "Seconds to resolve and connect")
        ->check(CLI::PositiveNumber)
        ->option_text("SECONDS");
    app.add_option("--max-redirects", command.crawl.fetch.max_redirects, "Redirects to follow")
        ->check(CLI::Range(0, 100));
    app.add_option("--max-body", command.crawl.fetch.max_body,
                   "Largest body accepted, in bytes (suffixes: KiB, MiB, ...)")
        ->transform(CLI::AsSizeValue(false))
        ->default_str(size_text(CrawlOptions{}.fetch.max_body))
        ->option_text("SIZE");
    app.add_option("-A,--user-agent", command.crawl.fetch.user_agent, "User-Agent header")
        ->default_str("corocrawl/" + std::string(version()))
        ->option_text("TEXT");

    FetchOptions& fetch = command.crawl.fetch;
    app.add_option("-X,--method", fetch.method, "Request method")
        ->default_str("GET, or POST with -d")
        ->option_text("METHOD");
    app.add_option("-H,--header", command.headers,
                   "Extra header 'Name: value' (repeatable; 'Name:' removes a default one)")
        ->allow_extra_args(false)
        ->option_text("'NAME: VALUE'");
    app.add_option("-d,--data", command.data, "Request body: STRING, or @FILE (implies POST)")
        ->option_text("STRING|@FILE");
    app.add_option("--cookie", fetch.cookie, "Cookie header value, e.g. 'a=1; b=2'")
        ->option_text("'NAME=VALUE; ...'");
    app.add_flag("--compressed,!--no-compressed", fetch.compressed,
                 "Ask for gzip, deflate, br and zstd, and decode them (on by default)");
    app.add_option("--retries", fetch.retries,
                   "Retries after a failed connection, a timeout, 429, 502, 503 or 504")
        ->check(CLI::Range(0, 100));
    app.add_option("--retry-delay", command.retry_delay_s,
                   "Seconds before the first retry; doubled each time, with jitter")
        ->check(CLI::NonNegativeNumber)
        ->option_text("SECONDS");
    app.add_flag("--retry-all", fetch.retry_all, "Retry non-idempotent requests (POST) too");
    app.add_option("--proxy", command.proxy,
                   "HTTP proxy http://HOST:PORT for every URL (CONNECT tunnels for https); "
                   "default: http_proxy, https_proxy, all_proxy from the environment")
        ->option_text("URL");
    app.add_option("--noproxy", fetch.no_proxy,
                   "Hosts or domains reached without the proxy, comma-separated ('*': all); "
                   "default: no_proxy from the environment")
        ->option_text("HOSTS");
    app.add_option("--dns-servers", fetch.dns_servers,
                   "DNS servers to ask instead of /etc/resolv.conf's, comma-separated "
                   "([ADDR]:PORT for IPv6 with a port)")
        ->option_text("ADDR[:PORT],...");
    app.add_option("--resolve", fetch.resolve,
                   "Reach HOST:PORT at ADDR without any DNS query (repeatable; ADDR may be [v6])")
        ->allow_extra_args(false)
        ->option_text("HOST:PORT:ADDR");
    app.add_option("--cacert", fetch.cacert,
                   "Trust the CA certificates in this PEM file instead of the system's")
        ->check(CLI::ExistingFile)
        ->option_text("FILE");
    app.add_flag("-k,--insecure", fetch.insecure,
                 "Do not verify TLS certificates (UNSAFE: anyone on the path can read and "
                 "change the pages)");

    app.add_flag("-q,--quiet", command.quiet, "No summary line on stderr");
    app.add_flag("--progress,!--no-progress", command.progress,
                 "Progress line on stderr (default: when stderr is a terminal)");
}

namespace {

void settle_shared_frontier(CrawlCommand& command) {
    if (command.frontier.empty()) return;
    SharedFrontierOptions shared;
    try {
        shared.redis = parse_redis_address(command.frontier);
    } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError("--frontier", e.what());
    }
    if (!(command.lease_timeout_s >= 0.1))
        throw CLI::ValidationError("--lease-timeout must be at least 0.1 s");
    if (command.lease_attempts == 0)
        throw CLI::ValidationError("--lease-attempts must be at least 1");
    if (!command.shard.whole()) {
        throw CLI::ValidationError(
            "--shard and --frontier: a shared frontier hands each URL to one process already");
    }
    if (!command.state.empty()) {
        throw CLI::ValidationError(
            "--state and --frontier: a shared crawl is kept in Redis already (a worker started "
            "again rejoins it, and -o FILE is appended to)");
    }
    if (command.sink.ordered) {
        throw CLI::ValidationError(
            "--ordered cannot be kept with --frontier: each process writes its records as it "
            "finishes them");
    }
    if (command.crawl.frontier.autothrottle) {
        throw CLI::ValidationError(
            "--autothrottle does not work with --frontier yet: give --delay (it holds for all "
            "the processes together)");
    }
    shared.lease_timeout = milliseconds(command.lease_timeout_s);
    shared.lease_attempts = command.lease_attempts;
    command.shared = std::move(shared);
}

}  // namespace

void settle_options(CrawlCommand& command) {
    FrontierOptions& frontier = command.crawl.frontier;
    if (std::erase(command.sitemaps, "auto") > 0) {
        if (frontier.robots == RobotsPolicy::ignore)
            throw CLI::ValidationError("--sitemap auto reads robots.txt: not with --robots ignore");
        frontier.robots = RobotsPolicy::obey;
        frontier.sitemaps_from_robots = true;
    }
    if (command.urls.empty() && command.input.empty() && command.sitemaps.empty()) {
        throw CLI::ValidationError(
            "no URLs: give them as arguments, or -i FILE, or -i - for stdin, or --sitemap URL");
    }
    if (!command.state.empty() && command.sink.ordered) {
        throw CLI::ValidationError(
            "--ordered cannot be kept with --state: a resumed crawl's records come in the "
            "order its URLs finish");
    }
    if (command.state.empty() && command.state_force)
        throw CLI::ValidationError("--state-force is for a --state DIR");
    if (frontier.seen_in_memory == 0)
        throw CLI::ValidationError("--seen-in-memory must be at least 1");
    settle_shared_frontier(command);
    frontier.max_depth = parse_limit(command.max_depth, "--depth");
    frontier.max_pages = parse_limit(command.max_pages, "--max-pages");
    if (!command.follow.empty()) frontier.recursive = true;
    // A redirect in a recursive crawl is a link like any other: its target passes the
    // frontier's gate (scope, seen), so a page reached both ways is fetched once.
    if (frontier.recursive) command.crawl.fetch.follow_redirects = false;
    if (command.delay_s) frontier.delay = milliseconds(*command.delay_s);
    frontier.max_delay = milliseconds(command.max_delay_s);
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

CrawlState::Identity state_identity(const CrawlCommand& command) {
    const auto lines = [](const std::vector<std::string>& values) {
        std::string text;
        for (const auto& value : values) text += (text.empty() ? "" : " ") + value;
        return text;
    };
    const auto yes_no = [](bool flag) { return std::string(flag ? "yes" : "no"); };
    std::string fields;
    for (const auto& field : command.fields)
        fields += (fields.empty() ? "" : " ") + std::string(field.css ? "-s " : "-x ") + field.text;
    const FrontierOptions& frontier = command.crawl.frontier;
    constexpr const char* scopes[] = {"host", "domain", "any"};
    constexpr const char* orders[] = {"bfs", "dfs"};
    constexpr const char* formats[] = {"text", "jsonl", "csv"};
    return {
        {"the seed URLs (arguments)", lines(command.urls)},
        {"--input", command.input},
        {"--shard", command.shard.whole() ? std::string() : command.shard.text()},
        {"--sitemap", lines(command.sitemaps) + (frontier.sitemaps_from_robots ? " auto" : "")},
        {"the fields (-x, -s)", fields},
        {"--recursive", yes_no(frontier.recursive)},
        {"--follow", lines(command.follow)},
        {"--depth", CrawlCommand::limit_text(frontier.max_depth)},
        {"--max-pages", CrawlCommand::limit_text(frontier.max_pages)},
        {"--scope", scopes[static_cast<int>(frontier.scope)]},
        {"--include", lines(frontier.include)},
        {"--exclude", lines(frontier.exclude)},
        {"--follow-nofollow", yes_no(frontier.follow_nofollow)},
        {"--order", orders[static_cast<int>(frontier.order)]},
        {"--keep-query-order", yes_no(frontier.keep_query_order)},
        {"--format", formats[static_cast<int>(command.sink.format)]},
        {"--first", yes_no(command.sink.first)},
        {"--with-url", yes_no(command.sink.with_url)},
        {"--with-field", yes_no(command.sink.with_field)},
        {"--absolute", yes_no(command.absolute)},
    };
}

}  // namespace corocrawl::cli
