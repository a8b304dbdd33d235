// Runs a crawl through the library and collects what it delivered, for the integration tests.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "corocrawl/crawler.hpp"

namespace corocrawl::testing {

// `count` distinct small pages of the bundled server at `base`: /page/0, /page/1, ...
inline std::vector<std::string> page_urls(const std::string& base, int count) {
    std::vector<std::string> urls;
    for (int i = 0; i < count; ++i) urls.push_back(base + "/page/" + std::to_string(i));
    return urls;
}

// Crawls `urls` and returns every Result by input index, failing the test on a second record for
// one input. With `cancel_after`, another thread cancels the crawl after that long.
inline std::map<std::size_t, Result> crawl_all(
    const CrawlOptions& options, const std::vector<std::string>& urls, CrawlStats* stats = nullptr,
    std::chrono::milliseconds cancel_after = std::chrono::milliseconds(0)) {
    Crawler crawler(options);
    std::mutex mutex;
    std::map<std::size_t, Result> results;
    crawler.on_done([&](Result& result) {
        std::lock_guard lock(mutex);
        EXPECT_TRUE(results.emplace(result.index, result).second)
            << "two records for input " << result.index;
    });
    std::jthread canceller;
    if (cancel_after.count() > 0) {
        canceller = std::jthread([&crawler, cancel_after] {
            std::this_thread::sleep_for(cancel_after);
            crawler.cancel();
        });
    }
    UrlSource source(urls);
    const CrawlStats s = crawler.run(&source);
    if (stats) *stats = s;
    return results;
}

}  // namespace corocrawl::testing
