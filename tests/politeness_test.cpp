// Politeness, proven from the server's side: the bundled server records, per Host, when each
// request arrived and how many were in progress at once, and answers robots.txt per host name
// (test_server/robots_cases.hpp). Every host name resolves to the one server through --resolve.
// The real binary, in every mode.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <numeric>

#include "records.hpp"
#include "robots_cases.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using testing::kind_of;
using testing::message_of;
using testing::run_corocrawl;

struct Politeness : ::testing::TestWithParam<std::string> {
    test_server::Server server{
        test_server::ServerOptions{.port = 0, .delay = 0ms, .record_hosts = true}};
    const std::string port = std::to_string(server.port());

    std::string url(const std::string& host, const std::string& path) const {
        return "http://" + host + ":" + port + path;
    }
    // Runs `crawl -f jsonl` with every host of `hosts` resolved to the server; the records by
    // URL.
    std::map<std::string, boost::json::object> crawl(const std::vector<std::string>& hosts,
                                                     std::vector<std::string> args,
                                                     testing::Run* run_out = nullptr) {
        std::vector<std::string> all{"crawl", "-m", GetParam(), "-f", "jsonl"};
        for (const auto& host : hosts) {
            all.push_back("--resolve");
            all.push_back(host + ":" + port + ":127.0.0.1");
        }
        all.insert(all.end(), args.begin(), args.end());
        const auto run = run_corocrawl(all);
        std::map<std::string, boost::json::object> records;
        for (const auto& line : testing::lines(run.out)) {
            auto record = boost::json::parse(line).as_object();
            const std::string key(record.at("url").as_string());
            EXPECT_FALSE(records.contains(key)) << key << " twice";
            records[key] = std::move(record);
        }
        if (run_out) *run_out = run;
        return records;
    }
    // The gaps between the arrivals of `host`'s requests.
    std::vector<std::chrono::milliseconds> gaps(const std::string& host) const {
        const auto records = server.host_records();
        std::vector<std::chrono::milliseconds> gaps;
        const auto found = records.find(host);
        if (found == records.end()) return gaps;
        const auto& arrivals = found->second.arrivals;
        for (std::size_t k = 1; k < arrivals.size(); ++k) {
            gaps.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(arrivals[k] -
                                                                                 arrivals[k - 1]));
        }
        return gaps;
    }
};

TEST_P(Politeness, PerHostHoldsEveryHostToItsLimitAndTheHostsGoOnTogether) {
    const std::vector<std::string> hosts{"a.test", "b.test", "c.test"};
    std::vector<std::string> args{"-c", "30", "-t", "30", "--per-host", "2"};
    for (const auto& host : hosts) {
        for (int k = 0; k < 6; ++k)
            args.push_back(url(host, "/page/" + std::to_string(k) + "?delay=150"));
    }
    testing::Run run;
    const auto records = crawl(hosts, args, &run);
    ASSERT_EQ(records.size(), 18u) << run.err;
    for (const auto& [url, record] : records) EXPECT_EQ(kind_of(record), "ok") << url;
    const auto seen = server.host_records();
    for (const auto& host : hosts) {
        ASSERT_TRUE(seen.contains(host)) << host;
        EXPECT_EQ(seen.at(host).requests, 6u) << host;
        // (sync mode has one request in flight in all.)
        EXPECT_EQ(seen.at(host).max_concurrent, GetParam() == "sync" ? 1u : 2u) << host;
    }
    // The hosts go on together: each one's first request arrives during the first round of
    // 150 ms, not after the others' (sync mode has one request in flight in all).
    if (GetParam() != "sync") {
        auto first = seen.at(hosts[0]).arrivals.front();
        for (const auto& host : hosts) first = std::min(first, seen.at(host).arrivals.front());
        for (const auto& host : hosts)
            EXPECT_LT(seen.at(host).arrivals.front() - first, 140ms) << host;
    }
}

TEST_P(Politeness, DelaySeparatesTheRequestsToAHostAndOnlyThose) {
    const std::vector<std::string> hosts{"slow.test", "quick.test"};
    std::vector<std::string> args{"--per-host", "4", "--delay", "0.25"};
    for (int k = 0; k < 4; ++k) args.push_back(url("slow.test", "/page/" + std::to_string(k)));
    for (int k = 0; k < 4; ++k) args.push_back(url("quick.test", "/page/" + std::to_string(k)));
    testing::Run run;
    const auto records = crawl(hosts, args, &run);
    ASSERT_EQ(records.size(), 8u) << run.err;
    for (const auto& host : hosts) {
        // The delay separates the starts of requests; the server sees a request that had to
        // connect arrive that much later than one on a kept connection, hence the margin.
        const auto between = gaps(host);
        ASSERT_EQ(between.size(), 3u) << host;
        for (const auto gap : between) EXPECT_GE(gap, 200ms) << host;
        EXPECT_GE(between[0] + between[1] + between[2], 700ms) << host;
    }
    // The delay is each host's own: both hosts' first requests go at once, not 0.25 s apart.
    const auto seen = server.host_records();
    const auto apart =
        seen.at("slow.test").arrivals.front() - seen.at("quick.test").arrivals.front();
    EXPECT_LT(std::chrono::abs(apart), 200ms);
}

TEST_P(Politeness, ASlowHostDoesNotHoldUpTheOthers) {
    const std::vector<std::string> hosts{"slow.test", "quick.test"};
    std::vector<std::string> args{"-c", "8", "-t", "8", "--per-host", "1"};
    for (int k = 0; k < 3; ++k)
        args.push_back(url("slow.test", "/page/" + std::to_string(k) + "?delay=600"));
    for (int k = 0; k < 10; ++k) args.push_back(url("quick.test", "/page/" + std::to_string(k)));
    crawl(hosts, args);
    const auto seen = server.host_records();
    ASSERT_TRUE(seen.contains("quick.test"));
    ASSERT_TRUE(seen.contains("slow.test"));
    ASSERT_EQ(seen.at("quick.test").arrivals.size(), 10u);
    // Behind each slow page, in sync mode; else all of the quick host's pages during the first.
    const auto& slow = seen.at("slow.test").arrivals;
    const auto& quick = seen.at("quick.test").arrivals;
    if (GetParam() != "sync") {
        EXPECT_LT(quick.back() - slow.front(), 500ms);
    }
}

TEST_P(Politeness, ATooManyRequestsAnswerHoldsBackTheWholeHost) {
    const std::vector<std::string> hosts{"busy.test"};
    const std::string key = "politeness-" + GetParam();
    // Without the pause, the next page would start 0.2 s after the 429.
    std::vector<std::string> args{
        "--per-host", "4", "--delay", "0.2",
        url("busy.test", "/flaky/" + key + "?fail=1&status=429&retry_after=1")};
    for (int k = 0; k < 3; ++k) args.push_back(url("busy.test", "/page/" + std::to_string(k)));
    const auto records = crawl(hosts, args);
    ASSERT_EQ(records.size(), 4u);
    const auto& flaky = records.at(args[4]);
    EXPECT_EQ(kind_of(flaky), "ok");
    EXPECT_EQ(flaky.at("attempts").as_int64(), 2);  // one 429, then the page
    // Retry-After: 1 held every URL of the host back, not only the one it answered.
    const auto seen = server.host_records().at("busy.test");
    ASSERT_EQ(seen.arrivals.size(), 5u);
    EXPECT_GE(seen.arrivals[1] - seen.arrivals[0], 990ms);
}

TEST_P(Politeness, AutothrottleFollowsTheLatencyAndBacksOffOnA503) {
    const std::vector<std::string> hosts{"throttled.test"};
    std::vector<std::string> args{"--autothrottle", "--per-host", "1", "--retries", "0"};
    for (int k = 0; k < 3; ++k)
        args.push_back(url("throttled.test", "/page/" + std::to_string(k) + "?delay=100"));
    args.push_back(url("throttled.test", "/status/503"));
    args.push_back(url("throttled.test", "/page/3"));
    args.push_back(url("throttled.test", "/page/4"));
    crawl(hosts, args);
    // 1 s to start with; then halfway towards the 100 ms latency after each answer (550, 325,
    // 212 ms); the 503 makes it 1 s again.
    const auto between = gaps("throttled.test");
    ASSERT_EQ(between.size(), 5u);
    EXPECT_GE(between[0], 900ms);
    EXPECT_LT(between[1], between[0]);
    EXPECT_GE(between[1], 450ms);
    EXPECT_LT(between[2], between[1]);
    EXPECT_LT(between[3], between[2]);
    EXPECT_GE(between[4], 900ms);
}

// robots.txt, each outcome RFC 9309 names, on a URL list with --robots obey.
TEST_P(Politeness, RobotsTxtOutcomes) {
    const std::vector<std::string> hosts{"robots-private.test",  "robots-404.test",
                                         "robots-500.test",      "robots-hang.test",
                                         "robots-redirect.test", "robots-too-many-redirects.test",
                                         "robots-huge.test",     "robots-gzip.test"};
    std::vector<std::string> args{"--robots", "obey", "--timeout", "1", "--per-host", "4"};
    for (const auto& host : hosts) {
        for (const char* path :
             {"/site/private/x", "/site/private/open", "/site/early-blocked/x", "/page/1"}) {
            args.push_back(url(host, path));
        }
    }
    testing::Run run;
    const auto records = crawl(hosts, args, &run);
    ASSERT_EQ(records.size(), 4 * hosts.size()) << run.err;
    const auto outcome = [&](const std::string& host, const std::string& path) {
        const auto& record = records.at(url(host, path));
        return kind_of(record) == "robots" ? "refused" : "fetched";
    };
    // The private rules (directly, through a redirect, or gzip'd): the folder refused, its
    // Allow and the rest fetched.
    for (const char* host : {"robots-private.test", "robots-redirect.test", "robots-gzip.test"}) {
        EXPECT_EQ(outcome(host, "/site/private/x"), "refused") << host;
        EXPECT_EQ(outcome(host, "/site/private/open"), "fetched") << host;
        EXPECT_EQ(outcome(host, "/page/1"), "fetched") << host;
        EXPECT_NE(
            message_of(records.at(url(host, "/site/private/x"))).find("Disallow: /site/private/"),
            std::string::npos);
    }
    // Unavailable (a 4xx, or more than five redirects): everything allowed.
    for (const char* host : {"robots-404.test", "robots-too-many-redirects.test"}) {
        for (const char* path : {"/site/private/x", "/site/early-blocked/x", "/page/1"})
            EXPECT_EQ(outcome(host, path), "fetched") << host << path;
    }
    // Unreachable (a 5xx, a timeout): nothing fetched, robots.txt asked for again, each URL's
    // record says why.
    for (const char* host : {"robots-500.test", "robots-hang.test"}) {
        for (const char* path : {"/site/private/open", "/page/1"}) {
            const auto& record = records.at(url(host, path));
            EXPECT_EQ(kind_of(record), "robots") << host << path;
            EXPECT_NE(message_of(record).find("could not be fetched"), std::string::npos)
                << message_of(record);
        }
        EXPECT_EQ(server.robots_requests(host), 3u) << host;
    }
    // Oversized: the first 500 KiB are the rules, the rule beyond them is not.
    EXPECT_EQ(outcome("robots-huge.test", "/site/early-blocked/x"), "refused");
    EXPECT_EQ(outcome("robots-huge.test", "/site/private/x"), "fetched");

    // From the server's side: robots.txt once per origin that answered, and no refused URL
    // ever requested.
    const auto seen = server.host_records();
    for (const auto& host : hosts) {
        if (host != "robots-500.test" && host != "robots-hang.test") {
            EXPECT_EQ(server.robots_requests(host), 1u) << host;
        }
        for (const auto& target : seen.at(host).targets) {
            const auto record = records.find(url(host, target));
            if (record != records.end()) {
                EXPECT_NE(kind_of(record->second), "robots") << target;
            }
        }
    }
}

TEST_P(Politeness, ARecursiveCrawlObeysRobotsTxtAndItsCrawlDelayByDefault) {
    const std::vector<std::string> hosts{"robots-private.test"};
    testing::Run run;
    const auto records = crawl(hosts,
                               {"-r", url("robots-private.test", "/site/page/0?n=6&fan=2&extras=0"),
                                url("robots-private.test", "/site/private/x")},
                               &run);
    ASSERT_EQ(records.size(), 7u) << run.err;
    EXPECT_EQ(kind_of(records.at(url("robots-private.test", "/site/private/x"))), "robots");
    EXPECT_EQ(server.robots_requests("robots-private.test"), 1u);
    // Crawl-delay: 0.2 between every two requests, robots.txt's included (less the time the
    // first took to connect, as the server sees it).
    const auto between = gaps("robots-private.test");
    ASSERT_EQ(between.size(), 6u);
    for (const auto gap : between) EXPECT_GE(gap, 150ms);
    EXPECT_GE(std::accumulate(between.begin(), between.end(), 0ms), 1'150ms);
    EXPECT_NE(run.err.find("1 disallowed by robots.txt"), std::string::npos) << run.err;

    // --robots ignore: not even asked for.
    const auto ignored =
        crawl(hosts, {"-r", "--robots", "ignore", url("robots-private.test", "/site/private/x")});
    EXPECT_EQ(kind_of(ignored.begin()->second),
              "http_status");  // fetched: the site has no such page
    EXPECT_EQ(server.robots_requests("robots-private.test"), 1u);
}

TEST_P(Politeness, AListIgnoresRobotsTxtByDefault) {
    const std::vector<std::string> hosts{"robots-private.test"};
    const auto records = crawl(hosts, {url("robots-private.test", "/site/private/x")});
    EXPECT_EQ(kind_of(records.begin()->second), "http_status");
    EXPECT_EQ(server.robots_requests("robots-private.test"), 0u);
}

TEST_P(Politeness, TheGroupIsChosenByTheProductTokenOfTheUserAgent) {
    const std::vector<std::string> hosts{"agent.test"};
    server.set_robots("agent.test", {.status = 200,
                                     .body = "User-agent: OtherBot\nDisallow: /\n\n"
                                             "User-agent: *\nDisallow: /private\n"});
    const auto kind = [&](std::vector<std::string> args, const std::string& path) {
        args.insert(args.begin(), {"--robots", "obey"});
        args.push_back(url("agent.test", path));
        return kind_of(crawl(hosts, args).begin()->second);
    };
    EXPECT_EQ(kind({}, "/page/1"), "ok");  // corocrawl: the * group
    EXPECT_EQ(kind({}, "/private"), "robots");
    EXPECT_EQ(kind({"--robots-agent", "otherbot"}, "/page/1"), "robots");  // any case
    EXPECT_EQ(kind({"-A", "OtherBot/2.1 (+https://example.com/bot)"}, "/page/1"), "robots");
    EXPECT_EQ(kind({"-A", "OtherBot/2.1", "--robots-agent", "corocrawl"}, "/page/1"), "ok");
}

TEST_P(Politeness, SitemapAutoCrawlsTheSitemapsRobotsTxtNames) {
    const std::vector<std::string> hosts{"auto.test"};
    const std::string sitemap = url("auto.test", "/site/sitemap.xml?n=5&fan=2");
    server.set_robots("auto.test",
                      {.status = 200, .body = "User-agent: *\nSitemap: " + sitemap + "\n"});
    testing::Run run;
    const auto records = crawl(hosts, {"--sitemap", "auto", url("auto.test", "/page/1")}, &run);
    // The seed, the sitemap, and what it lists: the 5 pages and 5 orphans.
    ASSERT_EQ(records.size(), 12u) << run.err;
    EXPECT_EQ(std::string(records.at(sitemap).at("referrer").as_string()),
              url("auto.test", "/robots.txt"));
    for (const char* folder : {"page", "orphan"}) {
        for (int k = 0; k < 5; ++k) {
            const auto listed =
                records.find(url("auto.test", "/site/" + std::string(folder) + "/" +
                                                  std::to_string(k) + "?n=5&fan=2"));
            ASSERT_NE(listed, records.end()) << folder << k;
            EXPECT_EQ(std::string(listed->second.at("referrer").as_string()), sitemap);
        }
    }
    // It reads robots.txt, so it cannot do without.
    const auto refused = run_corocrawl(
        {"crawl", "--sitemap", "auto", "--robots", "ignore", url("auto.test", "/page/1")});
    EXPECT_EQ(refused.status, 2);
    EXPECT_NE(refused.err.find("--sitemap auto"), std::string::npos) << refused.err;
}

INSTANTIATE_TEST_SUITE_P(EveryMode, Politeness, ::testing::Values("async", "pool", "sync"));

}  // namespace
}  // namespace corocrawl
