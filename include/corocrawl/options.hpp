// Every tunable of a crawl, each default written once, here. `--help` prints these defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace corocrawl {

std::string_view version() noexcept;

enum class Mode { async, pool, sync };

// How one URL is fetched: the sans-IO HTTP core reads these.
struct FetchOptions {
    std::chrono::milliseconds connect_timeout{10'000};  // resolve + connect (+ TLS handshake)
    std::chrono::milliseconds timeout{30'000};          // whole request, all redirects included
    int max_redirects = 10;
    std::size_t max_body = 16 * 1024 * 1024;  // bytes, after decoding
    std::size_t max_header = 64 * 1024;       // bytes of response header
    std::string user_agent;                   // empty: "corocrawl/VERSION"
};

struct CrawlOptions {
    Mode mode = Mode::async;
    std::size_t concurrency = 100;  // async: requests in flight at once
    std::size_t io_threads = 1;     // async: threads running the event loop
    std::size_t parse_threads = 0;  // done-callbacks on a worker pool; 0: on the fetching thread
    std::size_t threads = 8;        // pool: worker threads
    FetchOptions fetch;
};

}  // namespace corocrawl
