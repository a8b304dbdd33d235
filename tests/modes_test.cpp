// The three ways to wait: the same records from each, and the timing each model implies.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "corocrawl/crawler.hpp"
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

// What a record says, without what may differ between runs (timings).
std::string summary(const Result& r) {
    return r.url + " -> " + r.final_url + " " + std::to_string(r.status) + " " +
           (r.ok() ? std::string("ok") : std::string(to_string(r.error->kind))) + " " +
           std::to_string(r.bytes) + " bytes, " + std::to_string(r.attempts) + " attempts";
}

TEST_P(Modes, EveryModeProducesTheSameRecordsOnAMixedList) {
    options.fetch.timeout = 1s;
    options.fetch.retries = 0;  // retries are tested on their own; here they would only add time
    const auto tls = testing::make_self_signed_certificate("IP:127.0.0.1");
    const test_server::Server https{{.port = 0,
                                     .delay = 0ms,
                                     .tls_certificate_pem = tls.certificate_pem,
                                     .tls_private_key_pem = tls.private_key_pem}};
    options.fetch.cacert = testing::scratch_path("ca.pem");
    std::ofstream(options.fetch.cacert) << tls.certificate_pem;

    const std::vector<std::string> urls{
        url("/bobo?delay=0"),
        url("/status/404"),
        url("/redirect/2"),
        "not a url",
        "http://127.0.0.1:" + std::to_string(testing::closed_port()) + "/",
        url("/hang"),
        url("/loop/a"),
        url("/bytes/2000"),
        url("/gzip/page/3"),
        https.base_url() + "/page/4"};
    const auto expected = crawl(Mode::async, urls);
    const auto actual = crawl(GetParam(), urls);
    ASSERT_EQ(actual.size(), urls.size());
    for (std::size_t i = 0; i < urls.size(); ++i) {
        EXPECT_EQ(summary(actual.at(i)), summary(expected.at(i)));
        EXPECT_EQ(actual.at(i).body, expected.at(i).body) << urls[i];
    }
    EXPECT_EQ(actual.at(5).error->kind, ErrorKind::timeout);
    EXPECT_TRUE(actual.at(8).ok() && actual.at(9).ok()) << "gzip and https";
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

INSTANTIATE_TEST_SUITE_P(BlockingModes, Modes, ::testing::Values(Mode::pool, Mode::sync),
                         [](const auto& info) {
                             return info.param == Mode::pool ? "pool" : "sync";
                         });

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
