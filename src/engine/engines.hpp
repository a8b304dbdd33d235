// The ways to wait. Each takes URLs from the CrawlRun and hands Results back to it; nothing else.
#pragma once

#include "corocrawl/options.hpp"
#include "engine/crawl_run.hpp"

namespace corocrawl::engine {

// C++20 coroutines on one io_context: `concurrency` fetches in flight on `io_threads` threads.
void run_async(CrawlRun& run, const CrawlOptions& options);

// Blocking requests on `threads` worker threads (pool mode); with one, on the calling thread,
// one URL after another (sync mode).
void run_blocking(CrawlRun& run, const CrawlOptions& options, std::size_t threads);

// The Result for a URL whose fetch threw (only resource exhaustion can): it still gets a record.
Result internal_failure(std::size_t index, std::string url, const std::exception& error);

}  // namespace corocrawl::engine
