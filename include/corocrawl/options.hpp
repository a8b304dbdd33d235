// Every tunable of a crawl, each default written once, here. `--help` prints these defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "corocrawl/result.hpp"

namespace corocrawl {

std::string_view version() noexcept;

// The machine's cores (at least 1): async mode's default number of event loops.
std::size_t cores() noexcept;

enum class Mode { async, pool, sync };
inline constexpr Mode all_modes[] = {Mode::sync, Mode::pool, Mode::async};  // slowest first

// The name `-m` takes and reports print: "async", "pool", "sync".
std::string_view mode_name(Mode mode) noexcept;

// How one URL is fetched: the sans-IO HTTP core reads these.
struct FetchOptions {
    std::chrono::milliseconds connect_timeout{10'000};  // resolve + connect (+ TLS handshake)
    std::chrono::milliseconds timeout{30'000};          // one attempt, its redirects included
    int max_redirects = 10;
    std::size_t max_body = 16 * 1024 * 1024;  // bytes, after decoding
    std::size_t max_header = 64 * 1024;       // bytes of response header

    // The request.
    std::string method;               // empty: GET, or POST when there is a body
    std::vector<Header> headers;      // added to (and replacing) the default ones
    std::optional<std::string> body;  // sent as application/x-www-form-urlencoded unless a
                                      // Content-Type header says otherwise
    std::string user_agent;           // empty: "corocrawl/VERSION"
    std::string cookie;               // "a=b; c=d", sent as the Cookie header
    bool compressed = true;           // ask for gzip, deflate, br and zstd, and decode them
    bool keep_wire_bytes = false;     // keep every exchange's bytes in Result::exchanges (WARC)

    // Retries: failed connections, timeouts, 429, 502, 503 and 504.
    int retries = 2;
    std::chrono::milliseconds retry_delay{500};         // backoff base: 1x, 2x, 4x ... with jitter
    std::chrono::milliseconds retry_after_max{60'000};  // a longer Retry-After is not waited for
    bool retry_all = false;                             // retry non-idempotent methods (POST) too

    // Proxies, "http://host:port" (empty: none): absolute-form requests for http URLs, CONNECT
    // tunnels for https. The CLI fills them from --proxy, or from the environment as curl does.
    std::string http_proxy;
    std::string https_proxy;
    std::string no_proxy;  // comma-separated hosts or domains reached directly; "*": all

    // DNS, through c-ares: A and AAAA together, /etc/hosts and /etc/resolv.conf honoured.
    std::string dns_servers;           // "ADDR[:PORT],..." instead of resolv.conf's (curl's
                                       // --dns-servers; an IPv6 ADDR with a port as [ADDR]:PORT)
    std::vector<std::string> resolve;  // "HOST:PORT:ADDR" entries answered without any query
                                       // (curl's --resolve; ADDR may be [v6])

    // Redirects: followed here (up to max_redirects), or, when false, the 3xx response is the
    // final and successful one and its Location the caller's business (a recursive crawl hands
    // it to the frontier, which checks its scope and whether it was seen).
    bool follow_redirects = true;

    // TLS.
    std::string cacert;     // a PEM file of CAs to trust instead of the system's
    bool insecure = false;  // skip certificate verification (unsafe)
};

// Which links a crawl follows (its scope) and how far.
enum class Scope {
    host,    // the seeds' hosts
    domain,  // the seeds' registrable domains (the Public Suffix List, via libpsl)
    any,     // anywhere
};
enum class CrawlOrder { bfs, dfs };
enum class RobotsPolicy { obey, ignore };
inline constexpr std::size_t unlimited = static_cast<std::size_t>(-1);

// What the frontier admits. Seeds are always admitted; links found on pages (and the Locations
// of redirects, in a recursive crawl) pass the gate below.
struct FrontierOptions {
    // Links are followed: the seeds are remembered too, so a link back to one is not fetched
    // again. (Off, a plain URL list costs no memory per URL, however long.)
    bool recursive = false;
    // Links from the seeds (depth 0). wget's default: deep enough for a site's structure, and a
    // page that links one level deeper forever (a calendar, a trap) stops there.
    std::size_t max_depth = 5;
    // URLs admitted in all, seeds included: a bound however wide each level is. `unlimited`: none.
    std::size_t max_pages = 100'000;
    Scope scope = Scope::host;
    std::vector<std::string> include;  // RE2 patterns: a link must match one (none: any)
    std::vector<std::string> exclude;  // RE2 patterns: a link matching one is not followed
    CrawlOrder order = CrawlOrder::bfs;
    bool keep_query_order = false;  // compare URLs with their query as given, not sorted
    bool follow_nofollow = false;   // follow rel="nofollow" links too

    // Politeness: a host is an origin (scheme, host and port), as for robots.txt. Unset means
    // the default, which depends on whether links are followed: see the functions below.
    std::optional<std::size_t> per_host;  // requests in flight to one host at once
    // Between the starts of two requests to one host; unset: none, or robots.txt's Crawl-delay.
    std::optional<std::chrono::milliseconds> delay;
    bool random_delay = false;  // each delay x0.5 to x1.5, as wget and Scrapy do
    // Adapt each host's delay to its latency (Scrapy's AutoThrottle) and back off on 429, 503
    // and timeouts; --delay is then the least delay.
    bool autothrottle = false;
    double autothrottle_target = 1.0;             // requests in flight a host is to see, on average
    std::chrono::milliseconds max_delay{30'000};  // bounds autothrottle and Crawl-delay
    std::optional<RobotsPolicy> robots;
    std::string robots_agent;  // the product token robots.txt groups are matched against;
                               // empty: that of the User-Agent ("corocrawl")
    // robots.txt's Sitemap: lines are offered as sitemaps (Hop::sitemap, robots.txt the
    // referrer): --sitemap auto.
    bool sitemaps_from_robots = false;

    // With --state: how many seen URLs' fingerprints memory holds (about 20 bytes each); the
    // state's database holds them all, and is asked about the rest.
    std::size_t seen_in_memory = 2'000'000;
};

// The defaults: polite when following links (2 per host, robots.txt obeyed); for a list of URLs,
// its owner's business, as with curl (no per-host bound, robots.txt ignored).
std::size_t per_host_limit(const FrontierOptions& options) noexcept;
RobotsPolicy robots_policy(const FrontierOptions& options) noexcept;

struct CrawlOptions {
    Mode mode = Mode::async;
    std::size_t concurrency = 100;     // async: requests in flight at once
    std::size_t io_threads = cores();  // async: event loops, one thread each
    std::size_t parse_threads = 0;     // done-callbacks on a worker pool; 0: on the fetching thread
    std::size_t threads = 8;           // pool: worker threads
    FetchOptions fetch;
    FrontierOptions frontier;
};

// How many requests a crawl with these options keeps going at once: its concurrency slots
// (async), its threads (pool), or 1 (sync).
std::size_t workers(const CrawlOptions& options) noexcept;

}  // namespace corocrawl
