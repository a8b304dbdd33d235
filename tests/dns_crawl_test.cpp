// Name resolution end to end: the real `corocrawl` asks the DNS test server (dns_server.hpp) over
// loopback for names that point at the bundled HTTP server, in every mode.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "dns_server.hpp"
#include "records.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using test_server::DnsServer;
using test_server::DnsServerOptions;
using testing::kind_of;
using testing::run_corocrawl;

const std::vector<std::string> every_mode = {"async", "pool", "sync"};

std::vector<boost::json::object> records_of(const testing::Run& run) {
    std::vector<boost::json::object> records;
    for (const auto& line : testing::lines(run.out))
        records.push_back(boost::json::parse(line).as_object());
    return records;
}

std::vector<std::string> kinds_of(const testing::Run& run) {
    std::vector<std::string> kinds;
    for (const auto& record : records_of(run)) kinds.push_back(kind_of(record));
    return kinds;
}

class DnsCrawl : public ::testing::Test {
  protected:
    test_server::Server http{{.port = 0, .delay = 0ms}};
    std::string port = std::to_string(http.port());

    std::string url(const std::string& host, const std::string& path = "/page/1") const {
        return "http://" + host + ":" + port + path;
    }
    // `corocrawl crawl -f jsonl` asking `dns`, with `extra` arguments and `urls`.
    testing::Run crawl(const DnsServer& dns, std::vector<std::string> extra,
                       const std::vector<std::string>& urls,
                       const testing::Interrupt& interrupt = {}) {
        std::vector<std::string> args = {"crawl",         "-q",         "-f", "jsonl",
                                         "--dns-servers", dns.address()};
        args.insert(args.end(), extra.begin(), extra.end());
        std::string input;
        for (const auto& u : urls) input += u + "\n";
        args.insert(args.end(), {"-i", "-"});
        return run_corocrawl(args, input, interrupt);
    }
};

// 200 names behind a DNS that takes 100 ms per answer: one after another that is 20 s; looked
// up at once, a fraction of a second (measured: 0.25 s async, 1.35 s pool -t 16 of 13 rounds).
TEST_F(DnsCrawl, ManyNamesBehindASlowDnsAreLookedUpAtOnce) {
    DnsServer dns({.delay = 100ms});
    std::vector<std::string> urls;
    for (int i = 0; i < 200; ++i)
        urls.push_back(url(std::string("h").append(std::to_string(i)).append(".test")));
    for (const auto& mode : {std::vector<std::string>{"-m", "async"},
                             std::vector<std::string>{"-m", "pool", "-t", "16"}}) {
        const auto run = crawl(dns, mode, urls);
        EXPECT_EQ(run.status, 0) << mode[1] << ": " << run.err;
        const auto kinds = kinds_of(run);
        EXPECT_EQ(kinds.size(), 200u) << mode[1];
        EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "ok"), 200) << mode[1];
        EXPECT_LT(run.elapsed, 8s * testing::sanitizer_factor) << mode[1];
    }
    EXPECT_GE(dns.queries(), 2 * 200u * 2);  // A and AAAA per name, per mode
}

// A DNS server that never answers: every record a dns or timeout error within about
// --connect-timeout (c-ares alone would go on for 2 + 4 + 8 s), in every mode.
TEST_F(DnsCrawl, ADnsServerThatNeverAnswersEndsWithinTheConnectTimeout) {
    DnsServer dns({.silent = true});
    for (const auto& mode : every_mode) {
        const auto run = crawl(dns, {"-m", mode, "--connect-timeout", "1", "--retries", "0"},
                               {url("a.test"), url("b.test")});
        EXPECT_EQ(run.status, 1) << mode;
        for (const auto& kind : kinds_of(run))
            EXPECT_TRUE(kind == "timeout" || kind == "dns") << mode << ": " << kind;
        EXPECT_EQ(kinds_of(run).size(), 2u) << mode;
        const auto rounds = mode == "sync" ? 2 : 1;
        EXPECT_LT(run.elapsed, (rounds * 1s + 2s) * testing::sanitizer_factor) << mode;
        EXPECT_GE(run.elapsed, 900ms) << mode;
    }
}

TEST_F(DnsCrawl, CtrlCStopsLookupsThatHang) {
    DnsServer dns({.silent = true});
    for (const auto& mode : every_mode) {
        const auto run = crawl(dns, {"-m", mode, "--connect-timeout", "30"},
                               {url("a.test"), url("b.test")}, testing::Interrupt(500ms));
        EXPECT_EQ(run.status, 130) << mode << ": " << run.err;
        const auto kinds = kinds_of(run);
        EXPECT_EQ(kinds, (std::vector<std::string>{"cancelled", "cancelled"})) << mode;
        EXPECT_LT(run.elapsed, 5s * testing::sanitizer_factor) << mode;
    }
}

// NXDOMAIN is a dns record, and the negative answer is cached: a second URL on the same name
// sends no query.
TEST_F(DnsCrawl, NxdomainIsADnsRecordAndIsCachedBriefly) {
    DnsServer dns({.nxdomain = {"gone.test"}});
    const auto once = crawl(dns, {"-m", "sync"}, {url("gone.test")});
    EXPECT_EQ(kinds_of(once), std::vector<std::string>{"dns"});
    const std::size_t one_lookup = dns.queries_for("gone.test");
    ASSERT_GT(one_lookup, 0u);
    for (const auto& mode : {"sync", "pool"}) {  // pool: one thread, so the lookups come in turn
        const std::size_t before = dns.queries_for("gone.test");
        const auto twice =
            crawl(dns, {"-m", mode, "-t", "1"}, {url("gone.test", "/a"), url("gone.test", "/b")});
        EXPECT_EQ(kinds_of(twice), (std::vector<std::string>{"dns", "dns"})) << mode;
        EXPECT_EQ(dns.queries_for("gone.test") - before, one_lookup) << mode;
    }
    const std::size_t before = dns.queries_for("gone.test");
    const auto async = crawl(dns, {"-c", "1"}, {url("gone.test", "/a"), url("gone.test", "/b")});
    EXPECT_EQ(kinds_of(async), (std::vector<std::string>{"dns", "dns"}));
    EXPECT_EQ(dns.queries_for("gone.test") - before, one_lookup);
}

// An answer is kept for its TTL, and no longer: with a TTL of 1 s a name is asked again 1.5 s
// later, with 300 s it is not. (Connection: close, so the second URL needs a new connection.)
TEST_F(DnsCrawl, AnswersAreKeptForTheirTtl) {
    DnsServer dns({.ttls = {{"short.test", 1}}});
    for (const auto& mode : every_mode) {
        const std::size_t short_before = dns.queries_for("short.test");
        const std::size_t long_before = dns.queries_for("long.test");
        const auto run =
            crawl(dns, {"-m", mode, "-c", "1", "-t", "1", "-H", "Connection: close"},
                  {url("short.test", "/page/1?delay=1500"), url("short.test", "/page/2"),
                   url("long.test", "/page/1?delay=1500"), url("long.test", "/page/2")});
        EXPECT_EQ(run.status, 0) << mode << ": " << run.err;
        const std::size_t short_queries = dns.queries_for("short.test") - short_before;
        const std::size_t long_queries = dns.queries_for("long.test") - long_before;
        EXPECT_GT(long_queries, 0u) << mode;
        EXPECT_EQ(short_queries, 2 * long_queries) << mode;
    }
}

TEST_F(DnsCrawl, ResolveEntriesAnswerWithoutAnyQuery) {
    DnsServer dns({});
    for (const auto& mode : every_mode) {
        const auto run = crawl(dns, {"-m", mode, "--resolve", "pinned.test:" + port + ":127.0.0.1"},
                               {url("pinned.test"), url("PINNED.test", "/page/2")});
        EXPECT_EQ(run.status, 0) << mode << ": " << run.err;
        EXPECT_EQ(kinds_of(run), (std::vector<std::string>{"ok", "ok"})) << mode;
    }
    EXPECT_EQ(dns.queries(), 0u);
    // Another port of the same host is not covered by the entry: DNS is asked.
    const auto other = crawl(dns, {"--resolve", "pinned.test:1:127.0.0.1"}, {url("pinned.test")});
    EXPECT_EQ(kinds_of(other), std::vector<std::string>{"ok"});
    EXPECT_GT(dns.queries(), 0u);
}

TEST_F(DnsCrawl, MalformedDnsOptionsAreUsageErrors) {
    for (const auto& bad : {std::vector<std::string>{"--resolve", "no-port.test"},
                            std::vector<std::string>{"--resolve", "a.test:80:nowhere"},
                            std::vector<std::string>{"--dns-servers", "not-an-address"}}) {
        auto args = std::vector<std::string>{"crawl", url("a.test")};
        args.insert(args.end(), bad.begin(), bad.end());
        const auto run = run_corocrawl(args);
        EXPECT_EQ(run.status, 2) << bad[1] << ": " << run.err;
        EXPECT_EQ(run.out, "") << bad[1];
    }
}

// Happy Eyeballs: the name has an IPv6 address where nothing listens and an IPv4 one where the
// HTTP server does (and the reverse): the refused family is left for the other, at once.
TEST_F(DnsCrawl, HappyEyeballsFallsBackToTheFamilyThatAnswers) {
    std::unique_ptr<test_server::Server> v6;
    try {
        v6 = std::make_unique<test_server::Server>(
            test_server::ServerOptions{.bind = "::1", .port = 0, .delay = 0ms});
    } catch (const std::exception& e) {
        GTEST_SKIP() << "no IPv6 loopback: " << e.what();
    }
    const std::string v4_port = port, v6_port = std::to_string(v6->port());
    // v4.test: AAAA ::1 on the v4 server's port (nothing there on ::1), A 127.0.0.1 (the server).
    // v6.test: AAAA ::1 (the v6 server), A 127.0.0.2 on the v6 server's port (nothing there).
    DnsServer dns(
        {.a = {{"v6.test", "127.0.0.2"}}, .aaaa = {{"v4.test", "::1"}, {"v6.test", "::1"}}});
    for (const auto& mode : every_mode) {
        const auto run = crawl(
            dns, {"-m", mode, "--retries", "0"},
            {"http://v4.test:" + v4_port + "/page/1", "http://v6.test:" + v6_port + "/page/1"});
        EXPECT_EQ(kinds_of(run), (std::vector<std::string>{"ok", "ok"})) << mode << ": " << run.err;
        EXPECT_LT(run.elapsed, 3s * testing::sanitizer_factor) << mode;
    }
    EXPECT_GT(v6->stats().requests.load(), 0u);
}

}  // namespace
}  // namespace corocrawl
