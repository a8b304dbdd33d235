// The three ways to wait: the records each must produce, and the timing each model implies.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "corocrawl/crawler.hpp"
#include "corocrawl/xpath.hpp"
#include "crawl_support.hpp"
#include "self_signed_certificate.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;

struct Modes : ::testing::TestWithParam<Mode> {
    test_server::Server server{test_server::ServerOptions{.port = 0, .delay = 300ms}};
    CrawlOptions options;

    std::string url(const std::string& path) const { return server.base_url() + path; }

    std::map<std::size_t, Result> crawl(Mode mode, const std::vector<std::string>& urls,
                                        CrawlStats* stats = nullptr) {
        options.mode = mode;
        return testing::crawl_all(options, urls, stats);
    }
};

// What a record must say, written out: the shared core's answer for each URL, whatever the mode.
struct ExpectedRecord {
    std::string url;
    std::string final_url;
    int status = 0;
    std::string kind;                 // "ok", or the error kind
    std::vector<std::string> titles;  // //title/text() on an ok page
    std::vector<std::string> feng;    // //a[@id="feng"]/@href on an ok page
    int attempts = 0;
    std::size_t bytes = npos;  // checked unless npos
    static constexpr std::size_t npos = std::size_t(-1);
};

// The record in the same terms, the XPath run on the body as the CLI's done-callback would.
ExpectedRecord observed(const Result& r) {
    ExpectedRecord seen;
    seen.url = r.url;
    seen.final_url = r.final_url;
    seen.status = r.status;
    seen.kind = r.ok() ? "ok" : to_string(r.error->kind);
    seen.attempts = r.attempts;
    seen.bytes = r.bytes;
    if (r.ok()) {
        static const XPathSet xpaths({"//title/text()", R"(//a[@id="feng"]/@href)"});
        const auto extractions = xpaths.extract(r.body, r.header("Content-Type"), r.final_url);
        seen.titles = extractions.at(0).values;
        seen.feng = extractions.at(1).values;
    }
    return seen;
}

void expect_record(const Result& actual, const ExpectedRecord& expected) {
    const ExpectedRecord seen = observed(actual);
    EXPECT_EQ(seen.url, expected.url);
    EXPECT_EQ(seen.final_url, expected.final_url) << expected.url;
    EXPECT_EQ(seen.status, expected.status) << expected.url;
    EXPECT_EQ(seen.kind, expected.kind)
        << expected.url << ": " << (actual.error ? actual.error->message : "");
    EXPECT_EQ(seen.titles, expected.titles) << expected.url;
    EXPECT_EQ(seen.feng, expected.feng) << expected.url;
    EXPECT_EQ(seen.attempts, expected.attempts) << expected.url;
    if (expected.bytes != ExpectedRecord::npos) {
        EXPECT_EQ(seen.bytes, expected.bytes) << expected.url;
    }
}

TEST_P(Modes, EveryModeProducesTheExpectedRecordsOnAMixedList) {
    options.fetch.timeout = 1s;
    options.fetch.retries = 0;  // retries are tested on their own; here they would only add time
    const auto tls = testing::make_self_signed_certificate("IP:127.0.0.1");
    const test_server::Server https{{.port = 0,
                                     .delay = 0ms,
                                     .tls_certificate_pem = tls.certificate_pem,
                                     .tls_private_key_pem = tls.private_key_pem}};
    options.fetch.cacert = testing::scratch_path("ca.pem");
    std::ofstream(options.fetch.cacert) << tls.certificate_pem;

    const std::string haha = "http://www.haha.com";
    const std::string closed = "http://127.0.0.1:" + std::to_string(testing::closed_port()) + "/";
    const std::vector<ExpectedRecord> expected{
        {url("/bobo?delay=0"), url("/bobo?delay=0"), 200, "ok", {"bobo"}, {haha}, 1},
        {url("/status/404"), url("/status/404"), 404, "http_status", {}, {}, 1},
        {url("/redirect/2"), url("/redirect/0"), 200, "ok", {"redirect 0"}, {haha}, 1},
        {"not a url", "", 0, "invalid_url", {}, {}, 0, 0},
        {closed, closed, 0, "connect", {}, {}, 1, 0},
        {url("/hang"), url("/hang"), 0, "timeout", {}, {}, 1, 0},
        // The loop is seen when /loop/b points back: the record ends there, without a status.
        {url("/loop/a"), url("/loop/b"), 0, "too_many_redirects", {}, {}, 1},
        {url("/bytes/2000"), url("/bytes/2000"), 200, "ok", {}, {haha}, 1, 2000},
        {url("/gzip/page/3"), url("/gzip/page/3"), 200, "ok", {"page 3"}, {haha}, 1},
        {https.base_url() + "/page/4",
         https.base_url() + "/page/4",
         200,
         "ok",
         {"page 4"},
         {haha},
         1},
    };
    std::vector<std::string> urls;
    for (const auto& record : expected) urls.push_back(record.url);
    const auto actual = crawl(GetParam(), urls);
    ASSERT_EQ(actual.size(), urls.size());
    for (std::size_t i = 0; i < urls.size(); ++i) expect_record(actual.at(i), expected[i]);
    std::remove(options.fetch.cacert.c_str());
}

TEST_P(Modes, KeepAliveIsUsedInEveryMode) {
    options.threads = 2;
    options.concurrency = 2;
    const auto urls = testing::page_urls(server.base_url(), 40);
    CrawlStats stats;
    crawl(GetParam(), urls, &stats);
    EXPECT_EQ(stats.ok, 40u);
    EXPECT_LE(server.stats().connections.load(), 3u);
}

INSTANTIATE_TEST_SUITE_P(EveryMode, Modes, ::testing::Values(Mode::async, Mode::pool, Mode::sync),
                         [](const auto& info) { return std::string(mode_name(info.param)); });

struct Timing : Modes {};

TEST_F(Timing, PoolOfFourTakesTwoRoundsForEightUrls) {
    options.threads = 4;
    std::vector<std::string> urls;
    for (int i = 0; i < 8; ++i) urls.push_back(url("/bobo"));
    CrawlStats stats;
    crawl(Mode::pool, urls, &stats);
    EXPECT_EQ(stats.ok, 8u);
    EXPECT_GE(stats.wall, 600ms);   // two rounds of 300 ms
    EXPECT_LT(stats.wall, 1500ms);  // not eight (2.4 s)
}

TEST_F(Timing, SyncWaitsForEachInTurnAndAsyncOverlapsThem) {
    const std::vector<std::string> urls{url("/bobo"), url("/jay"), url("/tom")};
    CrawlStats sync, async;
    crawl(Mode::sync, urls, &sync);
    crawl(Mode::async, urls, &async);
    EXPECT_GE(sync.wall, 900ms);
    EXPECT_LT(async.wall, 750ms);
}

TEST_F(Timing, HungServerIsATimeoutInPoolMode) {
    options.fetch.timeout = 1s;
    options.fetch.retries = 0;
    CrawlStats stats;
    const auto results = crawl(Mode::pool, {url("/hang")}, &stats);
    EXPECT_EQ(results.at(0).error->kind, ErrorKind::timeout);
    EXPECT_GE(stats.wall, 900ms);
    EXPECT_LT(stats.wall, 2500ms);
}

TEST_F(Timing, CancelEndsBlockedWorkersPromptly) {
    options.threads = 4;
    options.mode = Mode::pool;
    CrawlStats stats;
    const auto results =
        testing::crawl_all(options, std::vector<std::string>(20, url("/hang")), &stats, 300ms);
    std::size_t cancelled = 0;
    for (const auto& [index, result] : results)
        cancelled += result.error && result.error->kind == ErrorKind::cancelled;
    EXPECT_TRUE(stats.interrupted);
    EXPECT_EQ(cancelled, 20u);
    EXPECT_LT(stats.wall, 2s);  // not the 30 s default timeout
}

}  // namespace
}  // namespace corocrawl
