// The ways to wait. Each takes URLs from the CrawlRun and hands Results back to it; nothing else.
#pragma once

#include "corocrawl/options.hpp"
#include "engine/crawl_run.hpp"

namespace corocrawl::engine {

// C++20 coroutines on one io_context: `concurrency` fetches in flight on `io_threads` threads.
void run_async(CrawlRun& run, const CrawlOptions& options);

}  // namespace corocrawl::engine
