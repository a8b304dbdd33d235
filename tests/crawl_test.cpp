// The crawler library against the real bundled server over loopback (async mode).
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "corocrawl/crawler.hpp"
#include "corocrawl/xpath.hpp"
#include "crawl_support.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;

struct CrawlFixture : ::testing::Test {
    test_server::Server server{test_server::ServerOptions{.port = 0, .delay = 300ms}};
    CrawlOptions options;

    std::string url(const std::string& path) const { return server.base_url() + path; }

    std::map<std::size_t, Result> crawl(const std::vector<std::string>& urls,
                                        CrawlStats* stats = nullptr) {
        return testing::crawl_all(options, urls, stats);
    }
};

TEST_F(CrawlFixture, SeedPagesOverlapAndTheirLinkIsExtracted) {
    Crawler crawler(options);
    const XPathSet xpath({R"(//a[@id="feng"]/@href)"});
    std::mutex mutex;
    std::vector<std::string> hrefs;
    const auto parse = [&](Result& result) {
        ASSERT_TRUE(result.ok()) << result.error->message;
        auto extracted =
            xpath.extract(result.body, result.header("content-type"), result.final_url);
        std::lock_guard lock(mutex);
        for (auto& value : extracted.at(0).values) hrefs.push_back(value);
    };
    for (const char* page : {"/bobo", "/jay", "/tom"})
        crawler.add(url(page)).add_done_callback(parse);

    const CrawlStats stats = crawler.run();
    EXPECT_EQ(hrefs, std::vector<std::string>(3, "http://www.haha.com"));
    EXPECT_EQ(stats.ok, 3u);
    // Three 300 ms waits at once take about 300 ms; one after another would take 900.
    EXPECT_LT(stats.wall, 750ms);
}

TEST_F(CrawlFixture, TaskCallbacksRunOnceAndBeforeTheCrawlWideOne) {
    Crawler crawler(options);
    std::vector<std::string> calls;
    std::mutex mutex;
    Task& task = crawler.add(url("/page/1"));
    task.add_done_callback([&](Result& r) {
        std::lock_guard lock(mutex);
        calls.push_back("task " + std::to_string(r.status));
        r.extractions.push_back({"marker", {"set by task"}});
    });
    crawler.on_done([&](Result& r) {
        std::lock_guard lock(mutex);
        calls.push_back("crawl " + r.extractions.at(0).values.at(0));
    });
    crawler.run();
    EXPECT_EQ(calls, (std::vector<std::string>{"task 200", "crawl set by task"}));
}

TEST_F(CrawlFixture, RedirectChainIsFollowedToItsEnd) {
    const auto results = crawl({url("/redirect/3")});
    const Result& r = results.at(0);
    ASSERT_TRUE(r.ok()) << r.error->message;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.final_url, url("/redirect/0"));
}

TEST_F(CrawlFixture, RedirectChainIsCapped) {
    options.fetch.max_redirects = 2;
    const Result r = crawl({url("/redirect/5")}).at(0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, ErrorKind::too_many_redirects);
}

TEST_F(CrawlFixture, RedirectLoopIsDetected) {
    const Result r = crawl({url("/loop/a")}).at(0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, ErrorKind::too_many_redirects);
    EXPECT_NE(r.error->message.find("loop"), std::string::npos) << r.error->message;
}

TEST_F(CrawlFixture, NotFoundIsAnHttpStatusFailure) {
    const Result r = crawl({url("/no/such/page")}).at(0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, ErrorKind::http_status);
    EXPECT_EQ(r.status, 404);
}

TEST_F(CrawlFixture, BadInputLinesBecomeRecordsAndTheCrawlGoesOn) {
    const auto results = crawl({"not a url", url("/page/1"), "ftp://example.com/file", ""});
    ASSERT_EQ(results.size(), 4u);
    EXPECT_EQ(results.at(0).error->kind, ErrorKind::invalid_url);
    EXPECT_TRUE(results.at(1).ok());
    EXPECT_EQ(results.at(2).error->kind, ErrorKind::unsupported_scheme);
    EXPECT_EQ(results.at(3).error->kind, ErrorKind::invalid_url);
}

TEST_F(CrawlFixture, RefusedConnectionIsAConnectFailure) {
    options.fetch.retries = 0;
    const auto port = testing::closed_port();
    const Result r = crawl({"http://127.0.0.1:" + std::to_string(port) + "/"}).at(0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, ErrorKind::connect);
}

TEST_F(CrawlFixture, SlowServerIsATimeout) {
    options.fetch.timeout = 300ms;
    options.fetch.retries = 0;
    const auto started = Clock::now();
    const Result r = crawl({url("/page/1?delay=3000")}).at(0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, ErrorKind::timeout);
    EXPECT_LT(Clock::now() - started, 2s);
}

TEST_F(CrawlFixture, BodyOverTheLimitIsRefused) {
    options.fetch.max_body = 1000;
    const auto results = crawl({url("/bytes/100000"), url("/bytes/500")});
    EXPECT_EQ(results.at(0).error->kind, ErrorKind::body_too_large);
    EXPECT_TRUE(results.at(1).ok());
    EXPECT_EQ(results.at(1).body.size(), 500u);
}

TEST_F(CrawlFixture, UserAgentNamesTheCrawler) {
    const Result r = crawl({url("/echo")}).at(0);
    ASSERT_TRUE(r.ok());
    EXPECT_NE(r.body.find("corocrawl/" + std::string(version())), std::string::npos) << r.body;
}

TEST_F(CrawlFixture, KeepAliveConnectionsAreReused) {
    options.concurrency = 10;
    const auto urls = testing::page_urls(server.base_url(), 200);
    CrawlStats stats;
    const auto results = crawl(urls, &stats);
    EXPECT_EQ(stats.ok, 200u);
    // Ten requests in flight need ten connections; reuse keeps it there (a little slack for
    // a connection the server closed between requests).
    EXPECT_LE(server.stats().connections.load(), 12u);
}

TEST_F(CrawlFixture, ManyUrlsAtHighConcurrencyEachGetExactlyOneRecord) {
    options.concurrency = 500;
    const auto urls = testing::page_urls(server.base_url(), 2000);
    CrawlStats stats;
    const auto results = crawl(urls, &stats);
    ASSERT_EQ(results.size(), 2000u);
    for (std::size_t i = 0; i < 2000; ++i) {
        ASSERT_TRUE(results.at(i).ok()) << i;
        ASSERT_EQ(results.at(i).url, urls[i]);
    }
    EXPECT_EQ(stats.urls, 2000u);
}

TEST_F(CrawlFixture, SeveralIoThreadsDeliverEveryRecordOnce) {
    options.io_threads = 4;
    options.concurrency = 50;
    const auto urls = testing::page_urls(server.base_url(), 1000);
    CrawlStats stats;
    const auto results = crawl(urls, &stats);
    EXPECT_EQ(results.size(), 1000u);
    EXPECT_EQ(stats.ok, 1000u);
    // Each slot holds at most one connection, whichever loop's pool it lives in.
    EXPECT_LE(server.stats().connections.load(), 55u);
    // Slots are dealt round the four event loops (slot % 4): every loop fetched pages.
    std::set<std::size_t> loops;
    for (const auto& [index, result] : results) loops.insert(result.worker % 4);
    EXPECT_EQ(loops.size(), 4u);
}

TEST_F(CrawlFixture, ParseThreadsDeliverEveryRecord) {
    options.parse_threads = 3;
    const auto urls = testing::page_urls(server.base_url(), 300);
    CrawlStats stats;
    const auto results = crawl(urls, &stats);
    EXPECT_EQ(results.size(), 300u);
    EXPECT_EQ(stats.ok, 300u);
}

TEST_F(CrawlFixture, CancelReportsEveryUnfinishedUrlAsCancelled) {
    std::vector<std::string> urls{url("/page/1")};
    for (int i = 0; i < 50; ++i) urls.push_back(url("/hang"));
    Crawler crawler(options);
    std::mutex mutex;
    std::map<std::size_t, Result> results;
    crawler.on_done([&](Result& result) {
        std::lock_guard lock(mutex);
        results.emplace(result.index, result);
        if (result.index == 0) crawler.cancel();  // from a done-callback, as a user might
    });
    UrlSource source(urls);
    const CrawlStats stats = crawler.run(&source);

    EXPECT_TRUE(stats.interrupted);
    ASSERT_EQ(results.size(), urls.size());
    EXPECT_TRUE(results.at(0).ok());
    for (std::size_t i = 1; i < urls.size(); ++i) {
        ASSERT_FALSE(results.at(i).ok());
        EXPECT_EQ(results.at(i).error->kind, ErrorKind::cancelled);
    }
    EXPECT_EQ(stats.cancelled, 50u);
}

}  // namespace
}  // namespace corocrawl
