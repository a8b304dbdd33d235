// The test server's side of politeness: robots.txt chosen per Host (the built-in robots-CASE
// hosts, Server::set_robots, the per-host count) and the per-host record of arrivals and
// concurrency (ServerOptions::record_hosts, Server::host_records, GET /hosts), checked over
// loopback with requests that name their Host.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "fetch/body_decoder.hpp"
#include "raw_connection.hpp"
#include "robots_cases.hpp"
#include "serve_process.hpp"
#include "test_server.hpp"

namespace {

namespace http = boost::beast::http;
namespace ts = corocrawl::test_server;
using corocrawl::testing::RawConnection;
using corocrawl::testing::ServeProcess;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Response = RawConnection::Response;
using Request = http::request<http::string_body>;

ts::ServerOptions quick_options(bool record_hosts = false) {
    ts::ServerOptions options;
    options.port = 0;
    options.delay = 100ms;
    options.record_hosts = record_hosts;
    return options;
}

Request request_to(std::string host, std::string target) {
    Request request{http::verb::get, target, 11};
    request.set(http::field::host, host);
    return request;
}

Response fetch(unsigned short port, std::string host, std::string target) {
    RawConnection connection(port);
    return connection.exchange(request_to(std::move(host), std::move(target)));
}

Response fetch(const ts::Server& server, std::string host, std::string target) {
    return fetch(server.port(), std::move(host), std::move(target));
}

// "NAME:PORT", as a client that reached `server` as NAME sends it.
std::string host_port(const ts::Server& server, std::string_view name) {
    return std::string(name) + ":" + std::to_string(server.port());
}

std::size_t count(std::string_view text, std::string_view part) {
    std::size_t found = 0;
    for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) {
        ++found;
    }
    return found;
}

// Follows 301s on one connection from `target` under `host`, at most `limit` of them: the
// redirects seen and the last response.
std::pair<int, Response> follow(const ts::Server& server, const std::string& host,
                                std::string target, int limit) {
    RawConnection connection(server.port());
    int redirects = 0;
    for (;;) {
        auto response = connection.exchange(request_to(host, target));
        if (response.result() != http::status::moved_permanently || redirects == limit) {
            return {redirects, response};
        }
        ++redirects;
        target = std::string(response[http::field::location]);
        EXPECT_TRUE(target.starts_with("/robots/")) << "stays on the same host: " << target;
    }
}

// ---- the built-in cases --------------------------------------------------------------------

TEST(RobotsCases, AllowAndPrivateAreTheExactTexts) {
    ts::Server server(quick_options());
    auto allow = fetch(server, host_port(server, "robots-allow.test"), "/robots.txt");
    EXPECT_EQ(allow.result(), http::status::ok);
    EXPECT_EQ(allow[http::field::content_type], "text/plain; charset=utf-8");
    EXPECT_EQ(allow.body(), ts::robots_allow_text);

    const auto host = host_port(server, "robots-private.test");
    auto text = fetch(server, host, "/robots.txt");
    EXPECT_EQ(text.result(), http::status::ok);
    EXPECT_EQ(text.body(), ts::robots_private_text(host));
    EXPECT_TRUE(text.body().starts_with(ts::robots_private_rules));
    EXPECT_EQ(count(text.body(), "\nSitemap: http://" + host + "/site/sitemap.xml\n"), 1u);
    EXPECT_EQ(count(text.body(), "Disallow: /site/private/\n"), 1u);
    EXPECT_EQ(count(text.body(), "Allow: /site/private/open\n"), 1u);
    EXPECT_EQ(count(text.body(), "Crawl-delay: 0.2\n"), 1u);

    // The name is case-insensitive; only its first label chooses.
    EXPECT_EQ(fetch(server, "ROBOTS-Allow.Example", "/robots.txt").body(), ts::robots_allow_text);
}

TEST(RobotsCases, StatusCasesAndOtherHosts) {
    ts::Server server(quick_options());
    for (int code : {404, 500, 503}) {
        auto host = host_port(server, "robots-" + std::to_string(code) + ".test");
        EXPECT_EQ(fetch(server, host, "/robots.txt").result_int(), static_cast<unsigned>(code));
    }
    for (auto host : {"127.0.0.1", "site-a.test", "robots-nonsense.test", "robots-.test",
                      "allow.robots-allow.test", "xrobots-allow.test"}) {
        EXPECT_EQ(fetch(server, host, "/robots.txt").result(), http::status::not_found) << host;
    }
}

TEST(RobotsCases, RedirectLeadsToThePrivateTextOnTheSameHost) {
    ts::Server server(quick_options());
    const auto host = host_port(server, "robots-redirect.test");
    auto first = fetch(server, host, "/robots.txt");
    EXPECT_EQ(first.result(), http::status::moved_permanently);
    EXPECT_EQ(first[http::field::location], "/robots/private.txt");

    auto [redirects, last] = follow(server, host, "/robots.txt", 10);
    EXPECT_EQ(redirects, 1);
    EXPECT_EQ(last.result(), http::status::ok);
    EXPECT_EQ(last.body(), ts::robots_private_text(host));
}

TEST(RobotsCases, RedirectLoopNeverEnds) {
    ts::Server server(quick_options());
    auto [redirects, last] = follow(server, "robots-redirect-loop.test", "/robots.txt", 50);
    EXPECT_EQ(redirects, 50);
    EXPECT_EQ(last.result(), http::status::moved_permanently);
}

TEST(RobotsCases, TooManyRedirectsIsSixThenThePrivateText) {
    ts::Server server(quick_options());
    const std::string host = "robots-too-many-redirects.test";
    auto [redirects, last] = follow(server, host, "/robots.txt", 10);
    EXPECT_EQ(redirects, ts::robots_redirect_hops);
    EXPECT_EQ(redirects, 6);
    EXPECT_EQ(last.result(), http::status::ok);
    EXPECT_EQ(last.body(), ts::robots_private_text(host));

    auto [after_five, fifth] = follow(server, host, "/robots.txt", 5);
    EXPECT_EQ(after_five, 5);
    EXPECT_EQ(fifth.result(), http::status::moved_permanently) << "a crawler following 5 fails";
}

TEST(RobotsCases, HugeHasItsLateRulePastTheParseLimit) {
    ts::Server server(quick_options());
    auto huge = fetch(server, "robots-huge.test", "/robots.txt");
    ASSERT_EQ(huge.result(), http::status::ok);
    const std::string_view body = huge.body();
    EXPECT_EQ(body.size(), ts::robots_huge_size);
    EXPECT_GT(body.size(), 600u * 1024);
    EXPECT_TRUE(body.starts_with(ts::robots_huge_early_rules));

    EXPECT_EQ(body.find(ts::robots_huge_late_rule), ts::robots_huge_late_rule_offset);
    EXPECT_GT(ts::robots_huge_late_rule_offset, 500u * 1024);
    EXPECT_EQ(count(body, ts::robots_huge_late_rule), 1u);
    EXPECT_EQ(body[ts::robots_huge_late_rule_offset - 1], '\n') << "the rule starts a line";
    EXPECT_EQ(count(body.substr(0, ts::robots_parse_limit), "Disallow: /site/\n"), 0u);

    // Between the rules, comment lines only.
    std::size_t lines = 0, comments = 0;
    for (std::size_t at = 0; at < body.size(); at = body.find('\n', at) + 1) {
        ++lines;
        if (body[at] == '#') ++comments;
    }
    EXPECT_EQ(lines - comments, 3u);  // User-agent, the early Disallow, the late one
    EXPECT_TRUE(body.ends_with("\n"));
}

TEST(RobotsCases, GzipIsEncodedOnlyWhenAccepted) {
    ts::Server server(quick_options());
    const std::string host = "robots-gzip.test";
    auto ask = [&](std::string accept) {
        auto request = request_to(host, "/robots.txt");
        if (!accept.empty()) request.set(http::field::accept_encoding, accept);
        return RawConnection(server.port()).exchange(request);
    };
    for (auto accept : {"gzip", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.5"}) {
        SCOPED_TRACE(accept);
        auto encoded = ask(accept);
        EXPECT_EQ(encoded.result(), http::status::ok);
        EXPECT_EQ(encoded[http::field::content_encoding], "gzip");
        EXPECT_NE(encoded.body(), ts::robots_private_text(host));
        auto decoded = corocrawl::fetch::decode_body(encoded.body(), "gzip", 1 << 20);
        ASSERT_TRUE(std::holds_alternative<std::string>(decoded));
        EXPECT_EQ(std::get<std::string>(decoded), ts::robots_private_text(host));
    }
    for (auto accept : {"", "identity", "br, zstd", "gzip;q=0", "gzip; q=0.000"}) {
        SCOPED_TRACE(accept);
        auto plain = ask(accept);
        EXPECT_EQ(plain[http::field::content_encoding], "");
        EXPECT_EQ(plain.body(), ts::robots_private_text(host));
    }
}

TEST(RobotsCases, HangHoldsItsHostUntilTheClientCloses) {
    ts::Server server(quick_options(true));
    {
        RawConnection hanging(server.port());
        auto request = request_to("robots-hang.test", "/robots.txt");
        hanging.send_request(request);
        EXPECT_FALSE(hanging.readable_within(300ms)) << "a client with a short timeout gives up";
        EXPECT_EQ(server.robots_requests("robots-hang.test"), 1u);
    }  // closed: the server notices and lets the host go
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(fetch(server, "robots-hang.test", "/page/1").result(), http::status::ok);
    auto records = server.host_records();
    EXPECT_EQ(records["robots-hang.test"].requests, 2u);
    EXPECT_EQ(records["robots-hang.test"].max_concurrent, 1u) << "the hang's slot was freed";
}

// ---- registered replies and the count ------------------------------------------------------

TEST(RobotsRegistry, SetRobotsOverridesPerHost) {
    ts::Server server(quick_options());
    const std::string disallow_all = "User-agent: *\nDisallow: /\n";
    server.set_robots("Robots-Allow.test", {.status = 200, .body = disallow_all});
    server.set_robots("slow.test", {.status = 503, .body = "later", .delay = 300ms});

    auto overridden = fetch(server, host_port(server, "robots-allow.test"), "/robots.txt");
    EXPECT_EQ(overridden.result(), http::status::ok);
    EXPECT_EQ(overridden[http::field::content_type], "text/plain; charset=utf-8");
    EXPECT_EQ(overridden.body(), disallow_all);

    const auto start = Clock::now();
    auto slow = fetch(server, "slow.test", "/robots.txt");
    EXPECT_GE(Clock::now() - start, 300ms);
    EXPECT_EQ(slow.result(), http::status::service_unavailable);
    EXPECT_EQ(slow.body(), "later");

    EXPECT_EQ(fetch(server, "robots-private.test", "/robots.txt").body(),
              ts::robots_private_text("robots-private.test"))
        << "other hosts keep their answer";
    EXPECT_EQ(fetch(server, "other.test", "/robots.txt").result(), http::status::not_found);

    server.set_robots("slow.test", {.status = 200, .body = "now"});  // replaced
    EXPECT_EQ(fetch(server, "slow.test", "/robots.txt").body(), "now");
}

TEST(RobotsRegistry, RequestsAreCountedPerHost) {
    ts::Server server(quick_options());
    EXPECT_EQ(server.robots_requests("a.test"), 0u);
    fetch(server, "a.test", "/robots.txt");
    fetch(server, host_port(server, "A.Test"), "/robots.txt");
    fetch(server, "robots-redirect.test", "/robots.txt");
    fetch(server, "robots-redirect.test", "/robots/private.txt");  // not robots.txt
    fetch(server, "a.test", "/page/1");
    EXPECT_EQ(server.robots_requests("a.test"), 2u);
    EXPECT_EQ(server.robots_requests("A.TEST:1234"), 2u) << "any case, any port";
    EXPECT_EQ(server.robots_requests("robots-redirect.test"), 1u);
    EXPECT_EQ(server.robots_requests("b.test"), 0u);
}

// ---- host records --------------------------------------------------------------------------

TEST(HostRecords, ConcurrentDelayedRequestsOfOneHostCountTwo) {
    ts::Server server(quick_options(true));
    RawConnection first(server.port()), second(server.port());
    auto a = request_to("busy.test:80", "/site/page/1?delay=300");
    auto b = request_to("BUSY.test", "/page/2?delay=300");
    first.send_request(a);
    second.send_request(b);
    EXPECT_EQ(first.read_response().result(), http::status::ok);
    EXPECT_EQ(second.read_response().result(), http::status::ok);

    auto records = server.host_records();
    ASSERT_EQ(records.size(), 1u);
    const auto& busy = records.at("busy.test");
    EXPECT_EQ(busy.requests, 2u);
    EXPECT_EQ(busy.max_concurrent, 2u);
    EXPECT_EQ(busy.arrivals.size(), 2u);
    EXPECT_EQ(busy.targets.size(), 2u);
}

TEST(HostRecords, SequentialRequestsCountOneAndTheirGapsAreMeasured) {
    ts::Server server(quick_options(true));
    RawConnection connection(server.port());  // keep-alive: the next arrives right after
    const auto start = Clock::now();
    for (auto target : {"/page/1?delay=150", "/site/page/2?delay=150", "/robots.txt"}) {
        connection.exchange(request_to("calm.test", target));
    }
    const auto elapsed = Clock::now() - start;

    const auto calm = server.host_records().at("calm.test");
    EXPECT_EQ(calm.requests, 3u);
    EXPECT_EQ(calm.max_concurrent, 1u);
    EXPECT_EQ(calm.targets, (std::vector<std::string>{"/page/1?delay=150", "/site/page/2?delay=150",
                                                      "/robots.txt"}));
    ASSERT_EQ(calm.arrivals.size(), 3u);
    for (std::size_t i = 1; i < 3; ++i) {
        EXPECT_GE(calm.arrivals[i] - calm.arrivals[i - 1], 150ms) << "each waited for the last";
    }
    EXPECT_LE(calm.arrivals[2] - calm.arrivals[0], elapsed);
}

TEST(HostRecords, HostsAreKeptApart) {
    ts::Server server(quick_options(true));
    RawConnection a(server.port()), b(server.port());
    auto to_a = request_to("a.test", "/page/1?delay=300");
    auto to_b = request_to("b.test", "/page/1?delay=300");
    a.send_request(to_a);
    b.send_request(to_b);
    a.read_response();
    b.read_response();
    fetch(server, "b.test", "/page/2");

    auto records = server.host_records();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records["a.test"].requests, 1u);
    EXPECT_EQ(records["a.test"].max_concurrent, 1u) << "b.test's request is not a.test's";
    EXPECT_EQ(records["b.test"].requests, 2u);
    EXPECT_EQ(records["b.test"].max_concurrent, 1u);
    EXPECT_EQ(records["b.test"].targets.back(), "/page/2");
}

TEST(HostRecords, ManyThreadsRecordEveryRequestInOrder) {
    auto options = quick_options(true);
    options.threads = 3;
    ts::Server server(options);
    constexpr int clients = 8, each = 5;
    {
        std::vector<std::jthread> threads;
        for (int i = 0; i < clients; ++i) {
            threads.emplace_back([&] {
                RawConnection connection(server.port());
                for (int n = 0; n < each; ++n) {
                    connection.exchange(request_to("crowd.test", "/page/1?delay=20"));
                }
            });
        }
    }
    const auto crowd = server.host_records().at("crowd.test");
    EXPECT_EQ(crowd.requests, std::size_t{clients * each});
    EXPECT_EQ(crowd.arrivals.size(), crowd.requests);
    EXPECT_GE(crowd.max_concurrent, 2u);
    EXPECT_LE(crowd.max_concurrent, std::size_t{clients});
    EXPECT_TRUE(std::is_sorted(crowd.arrivals.begin(), crowd.arrivals.end()));
}

TEST(HostRecords, NothingIsRecordedUnlessAsked) {
    ts::Server server(quick_options());
    fetch(server, "a.test", "/page/1");
    EXPECT_TRUE(server.host_records().empty());
    auto report = fetch(server, "127.0.0.1", "/hosts");
    EXPECT_EQ(report.result(), http::status::ok);
    EXPECT_EQ(report[http::field::content_type], "application/json");
    EXPECT_EQ(report.body(), "{}");
}

TEST(HostRecords, HostsRouteReportsThemAsJson) {
    ts::Server server(quick_options(true));
    RawConnection connection(server.port());
    for (int i = 0; i < 3; ++i) connection.exchange(request_to("j.test", "/page/1?delay=100"));
    fetch(server, "k.test:8080", "/robots.txt");

    auto report = boost::json::parse(fetch(server, "127.0.0.1", "/hosts").body()).as_object();
    ASSERT_EQ(report.size(), 2u) << "its own request is not recorded";
    const auto& j = report.at("j.test").as_object();
    EXPECT_EQ(j.at("requests").to_number<std::size_t>(), 3u);
    EXPECT_EQ(j.at("max_concurrent").to_number<std::size_t>(), 1u);
    const auto& gaps = j.at("gaps_ms").as_array();
    ASSERT_EQ(gaps.size(), 2u);
    const auto arrivals = server.host_records().at("j.test").arrivals;
    for (std::size_t i = 0; i < 2; ++i) {
        const std::chrono::duration<double, std::milli> gap = arrivals[i + 1] - arrivals[i];
        EXPECT_DOUBLE_EQ(gaps[i].as_double(), gap.count());
        EXPECT_GE(gaps[i].as_double(), 100.0);
    }
    const auto& k = report.at("k.test").as_object();
    EXPECT_EQ(k.at("requests").to_number<std::size_t>(), 1u);
    EXPECT_TRUE(k.at("gaps_ms").as_array().empty());
}

TEST(HostRecords, ServeCommandRecordsWithItsFlag) {
    ServeProcess serve({"--record-hosts"});
    fetch(serve.port(), "cli.test", "/page/1");
    fetch(serve.port(), "cli.test", "/page/2");
    auto report = boost::json::parse(fetch(serve.port(), "127.0.0.1", "/hosts").body());
    EXPECT_EQ(report.at("cli.test").at("requests").to_number<std::size_t>(), 2u);
    EXPECT_EQ(report.at("cli.test").at("gaps_ms").as_array().size(), 1u);

    ServeProcess quiet;
    fetch(quiet.port(), "cli.test", "/page/1");
    EXPECT_EQ(fetch(quiet.port(), "127.0.0.1", "/hosts").body(), "{}");
}

}  // namespace
