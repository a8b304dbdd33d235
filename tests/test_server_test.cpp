// The bundled test server, checked over loopback with a plain synchronous Beast client: every
// route, the protocol edges (404, 405, 400, 431, HEAD, keep-alive, HTTP/1.0), delays, timeouts and
// stopping.
#include "test_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "raw_connection.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using corocrawl::test_server::Server;
using corocrawl::test_server::ServerOptions;
using corocrawl::testing::RawConnection;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Response = http::response<http::string_body>;

constexpr std::string_view html_type = "text/html; charset=utf-8";
constexpr std::string_view feng_link = R"(<a id="feng" href="http://www.haha.com">)";

ServerOptions quick_options() {
    ServerOptions options;
    options.port = 0;
    options.delay = 100ms;
    return options;
}

std::size_t count(std::string_view text, std::string_view part) {
    std::size_t found = 0;
    for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) {
        ++found;
    }
    return found;
}

http::request<http::string_body> make_request(http::verb method, std::string target,
                                              unsigned version = 11) {
    http::request<http::string_body> request{method, target, version};
    request.set(http::field::host, "127.0.0.1");
    return request;
}

Response fetch(const Server& server, std::string target, http::verb method = http::verb::get) {
    RawConnection connection(server.port());
    return connection.exchange(make_request(method, std::move(target)));
}

// For client threads: a failure is reported, not thrown into std::terminate.
void reporting_failures(auto&& action) {
    try {
        action();
    } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
    }
}

std::chrono::milliseconds time_of(auto&& action) {
    auto start = Clock::now();
    action();
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// ---- the routes ---------------------------------------------------------------------------------

TEST(TestServerRoutes, SeedPagesAreChineseHtmlWithOneFengLink) {
    Server server(quick_options());
    for (std::string name : {"bobo", "jay", "tom"}) {
        SCOPED_TRACE(name);
        auto response = fetch(server, "/" + name);
        EXPECT_EQ(response.result(), http::status::ok);
        EXPECT_EQ(response[http::field::content_type], html_type);
        const auto& body = response.body();
        EXPECT_EQ(count(body, "<title>" + name + "</title>"), 1u);
        EXPECT_EQ(count(body, feng_link), 1u);
        EXPECT_EQ(count(body, R"(<a id="feng")"), 1u);
        EXPECT_NE(body.find(R"(<meta charset="UTF-8">)"), std::string::npos);
        EXPECT_NE(body.find("的"), std::string::npos);  // Chinese text, sent as UTF-8
        EXPECT_GE(count(body, "<ul"), 2u);
        EXPECT_GE(count(body, "<li><a href="), 4u);
    }
}

TEST(TestServerRoutes, IndexLinksTheSeedPagesWithoutDelay) {
    ServerOptions options = quick_options();
    options.delay = 5s;  // the index must not wait for it
    Server server(options);
    Response response;
    auto elapsed = time_of([&] { response = fetch(server, "/"); });
    EXPECT_LT(elapsed, 2s);
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(response[http::field::content_type], html_type);
    for (auto href : {R"(href="/bobo")", R"(href="/jay")", R"(href="/tom")"}) {
        EXPECT_EQ(count(response.body(), href), 1u) << href;
    }
}

TEST(TestServerRoutes, SyntheticPagesLinkToDerivedPages) {
    Server server(quick_options());
    auto response = fetch(server, "/page/5");
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(response[http::field::content_type], html_type);
    const auto& body = response.body();
    EXPECT_EQ(count(body, "<title>page 5</title>"), 1u);
    EXPECT_EQ(count(body, feng_link), 1u);
    EXPECT_EQ(count(body, R"(<a class="next")"), 3u);
    // (5*7+1)%1000, (5*13+5)%1000, 5+1
    for (auto href : {R"(href="/page/36")", R"(href="/page/70")", R"(href="/page/6")"}) {
        EXPECT_EQ(count(body, href), 1u) << href;
    }
    EXPECT_EQ(fetch(server, "/page/5").body(), body) << "pages are deterministic";
    EXPECT_NE(count(fetch(server, "/page/999").body(), R"(href="/page/994")"), 0u);  // 6994 % 1000

    for (auto bad : {"/page/abc", "/page/-1", "/page/", "/page/1/2", "/page/1x"}) {
        EXPECT_EQ(fetch(server, bad).result(), http::status::not_found) << bad;
    }
}

TEST(TestServerRoutes, StatusRouteAnswersWithThatStatus) {
    Server server(quick_options());
    auto teapot = fetch(server, "/status/418");
    EXPECT_EQ(teapot.result_int(), 418u);
    EXPECT_EQ(teapot[http::field::content_type], html_type);
    EXPECT_NE(teapot.body().find("418"), std::string::npos);

    auto unavailable = fetch(server, "/status/503");
    EXPECT_EQ(unavailable.result_int(), 503u);
    EXPECT_NE(unavailable.body().find("503"), std::string::npos);

    auto unusual = fetch(server, "/status/599");
    EXPECT_EQ(unusual.result_int(), 599u);

    auto no_content = fetch(server, "/status/204");
    EXPECT_EQ(no_content.result(), http::status::no_content);
    EXPECT_TRUE(no_content.body().empty());

    for (auto bad : {"/status/100", "/status/150", "/status/600", "/status/abc", "/status/20"}) {
        EXPECT_EQ(fetch(server, bad).result(), http::status::bad_request) << bad;
    }
}

TEST(TestServerRoutes, RedirectChainCountsDownWithRelativeLocations) {
    Server server(quick_options());
    RawConnection connection(server.port());
    std::string target = "/redirect/3?code=307";
    for (int left = 2; left >= 0; --left) {
        auto response = connection.exchange(make_request(http::verb::get, target));
        ASSERT_EQ(response.result(), http::status::temporary_redirect) << target;
        std::string expected = "/redirect/" + std::to_string(left) + "?code=307";
        ASSERT_EQ(response[http::field::location], expected);
        target = expected;
    }
    auto end = connection.exchange(make_request(http::verb::get, target));
    EXPECT_EQ(end.result(), http::status::ok);
    EXPECT_EQ(count(end.body(), feng_link), 1u);

    auto plain = fetch(server, "/redirect/1");
    EXPECT_EQ(plain.result(), http::status::found);  // 302 by default
    EXPECT_EQ(plain[http::field::location], "/redirect/0");
    for (auto code : {301, 303, 308}) {
        auto response = fetch(server, "/redirect/2?code=" + std::to_string(code));
        EXPECT_EQ(response.result_int(), static_cast<unsigned>(code));
    }
    EXPECT_EQ(fetch(server, "/redirect/2?code=200").result(), http::status::bad_request);
    EXPECT_EQ(fetch(server, "/redirect/x").result(), http::status::not_found);
}

TEST(TestServerRoutes, RedirectToSendsTheDecodedUrl) {
    Server server(quick_options());
    auto absolute =
        fetch(server, "/redirect-to?url=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1&code=301");
    EXPECT_EQ(absolute.result(), http::status::moved_permanently);
    EXPECT_EQ(absolute[http::field::location], "https://example.com/a?b=1");

    auto relative = fetch(server, "/redirect-to?url=/page/7");
    EXPECT_EQ(relative.result(), http::status::found);
    EXPECT_EQ(relative[http::field::location], "/page/7");

    EXPECT_EQ(fetch(server, "/redirect-to").result(), http::status::bad_request);
    EXPECT_EQ(fetch(server, "/redirect-to?url=/a%0d%0aX-Injected:%201").result(),
              http::status::bad_request);
}

TEST(TestServerRoutes, LoopRedirectsBackAndForth) {
    Server server(quick_options());
    auto a = fetch(server, "/loop/a");
    EXPECT_EQ(a.result(), http::status::found);
    EXPECT_EQ(a[http::field::location], "/loop/b");
    auto b = fetch(server, "/loop/b");
    EXPECT_EQ(b.result(), http::status::found);
    EXPECT_EQ(b[http::field::location], "/loop/a");
}

TEST(TestServerRoutes, BytesPageHasExactlyTheAskedSize) {
    Server server(quick_options());
    auto page = fetch(server, "/bytes/1000");
    EXPECT_EQ(page.result(), http::status::ok);
    EXPECT_EQ(page[http::field::content_type], html_type);
    EXPECT_EQ(page.body().size(), 1000u);
    EXPECT_EQ(page[http::field::content_length], "1000");
    EXPECT_TRUE(page.body().starts_with("<html><body>"));
    EXPECT_TRUE(page.body().ends_with("</body></html>"));
    EXPECT_EQ(count(page.body(), feng_link), 1u);

    EXPECT_EQ(fetch(server, "/bytes/3000000").body().size(), 3'000'000u);
    EXPECT_EQ(fetch(server, "/bytes/10").body().size(), 10u);
    EXPECT_EQ(fetch(server, "/bytes/0").body().size(), 0u);
    EXPECT_EQ(fetch(server, "/bytes/104857601").result(), http::status::bad_request);
}

TEST(TestServerRoutes, EchoReflectsWhatTheClientSent) {
    Server server(quick_options());
    RawConnection connection(server.port());
    auto request = make_request(http::verb::post, "/echo?x=1");
    request.set("X-Custom-Thing", "hello there");
    request.body() = R"(payload "quoted")";
    auto response = connection.exchange(request);
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(response[http::field::content_type], "application/json");

    auto echoed = boost::json::parse(response.body()).as_object();
    EXPECT_EQ(echoed.at("method").as_string(), "POST");
    EXPECT_EQ(echoed.at("target").as_string(), "/echo?x=1");
    EXPECT_EQ(echoed.at("body").as_string(), R"(payload "quoted")");
    const auto& headers = echoed.at("headers").as_object();
    EXPECT_EQ(headers.at("x-custom-thing").as_string(), "hello there");
    EXPECT_EQ(headers.at("host").as_string(), "127.0.0.1");
    EXPECT_EQ(headers.at("content-length").as_string(), "16");

    auto put = connection.exchange(make_request(http::verb::put, "/echo"));
    EXPECT_EQ(boost::json::parse(put.body()).at("method").as_string(), "PUT");
}

TEST(TestServerRoutes, LinksPageHasEveryRelativeShape) {
    Server server(quick_options());
    auto response = fetch(server, "/links");
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(response[http::field::content_type], html_type);
    for (auto href :
         {"/page/1", "page/2", "../x", "?q=1", "//other.example/y", "https://abs.example/z"}) {
        EXPECT_EQ(count(response.body(), std::string(R"(<a class="rel" href=")") + href + '"'), 1u)
            << href;
    }
}

TEST(TestServerRoutes, HangNeverAnswers) {
    Server server(quick_options());
    RawConnection connection(server.port());
    auto hang = make_request(http::verb::get, "/hang");
    connection.send_request(hang);
    EXPECT_FALSE(connection.readable_within(400ms));
    EXPECT_EQ(server.stats().requests, 1u);
}

// ---- the protocol -------------------------------------------------------------------------------

TEST(TestServerProtocol, UnknownPathIs404) {
    Server server(quick_options());
    auto response = fetch(server, "/no/such/page");
    EXPECT_EQ(response.result(), http::status::not_found);
    EXPECT_EQ(response[http::field::content_type], html_type);
    EXPECT_NE(response.body().find("404"), std::string::npos);
    EXPECT_EQ(fetch(server, "/bobo/").result(), http::status::not_found);
    EXPECT_EQ(fetch(server, "/nowhere", http::verb::post).result(), http::status::not_found);
}

TEST(TestServerProtocol, OtherMethodsOnGetRoutesAre405WithAllow) {
    Server server(quick_options());
    for (auto method : {http::verb::post, http::verb::put, http::verb::delete_}) {
        auto response = fetch(server, "/bobo", method);
        EXPECT_EQ(response.result(), http::status::method_not_allowed);
        EXPECT_EQ(response[http::field::allow], "GET, HEAD");
    }
}

TEST(TestServerProtocol, MalformedRequestIs400AndClosed) {
    Server server(quick_options());
    RawConnection connection(server.port());
    connection.send("this is not http\r\n\r\n");
    auto response = connection.read_response();
    EXPECT_EQ(response.result(), http::status::bad_request);
    EXPECT_FALSE(response.keep_alive());
    EXPECT_TRUE(connection.closed_within(2s));
}

TEST(TestServerProtocol, OversizedHeaderIs431AndClosed) {
    Server server(quick_options());
    RawConnection connection(server.port());
    auto request = make_request(http::verb::get, "/page/1");
    request.set("X-Huge", std::string(20'000, 'a'));
    auto response = connection.exchange(request);
    EXPECT_EQ(response.result(), http::status::request_header_fields_too_large);
    EXPECT_TRUE(connection.closed_within(2s));
}

TEST(TestServerProtocol, HeadHasTheGetLengthAndNoBody) {
    Server server(quick_options());
    RawConnection connection(server.port());
    auto head = connection.exchange(make_request(http::verb::head, "/page/3"));
    EXPECT_EQ(head.result(), http::status::ok);
    EXPECT_EQ(head[http::field::content_type], html_type);
    auto get = connection.exchange(make_request(http::verb::get, "/page/3"));
    // Had the HEAD answer carried a body, these bytes would have broken the GET's response.
    EXPECT_EQ(get.result(), http::status::ok);
    EXPECT_TRUE(get.body().starts_with("<!DOCTYPE html>"));
    EXPECT_EQ(head[http::field::content_length], std::to_string(get.body().size()));
    EXPECT_FALSE(connection.readable_within(100ms)) << "nothing beyond the two responses";

    auto bytes = fetch(server, "/bytes/5000", http::verb::head);
    EXPECT_EQ(bytes[http::field::content_length], "5000");
}

TEST(TestServerProtocol, KeepAliveServesSeveralRequestsOnOneConnection) {
    Server server(quick_options());
    RawConnection connection(server.port());
    for (auto target : {"/", "/page/1", "/status/404", "/page/2"}) {
        auto response = connection.exchange(make_request(http::verb::get, target));
        EXPECT_TRUE(response.keep_alive()) << target;
        EXPECT_NE(response[http::field::content_length], "") << target;
    }
    EXPECT_EQ(server.stats().connections, 1u);
    EXPECT_EQ(server.stats().requests, 4u);
}

TEST(TestServerProtocol, Http10ClosesUnlessKeepAliveIsAsked) {
    Server server(quick_options());
    {
        RawConnection connection(server.port());
        auto response = connection.exchange(make_request(http::verb::get, "/page/1", 10));
        EXPECT_EQ(response.result(), http::status::ok);
        EXPECT_EQ(response.version(), 10u);
        EXPECT_FALSE(response.keep_alive());
        EXPECT_TRUE(connection.closed_within(2s));
    }
    {
        RawConnection connection(server.port());
        auto request = make_request(http::verb::get, "/page/1", 10);
        request.keep_alive(true);
        EXPECT_TRUE(connection.exchange(request).keep_alive());
        EXPECT_EQ(connection.exchange(request).result(), http::status::ok);
    }
    EXPECT_EQ(server.stats().connections, 2u);
}

// ---- delays, timeouts, stopping -----------------------------------------------------------------

TEST(TestServerTiming, DelayQueryOverridesTheDelay) {
    Server server(quick_options());  // seed pages wait 100 ms
    EXPECT_GE(time_of([&] { fetch(server, "/page/1?delay=300"); }), 300ms);
    EXPECT_GE(time_of([&] { fetch(server, "/jay"); }), 100ms);
    EXPECT_GE(time_of([&] { fetch(server, "/tom?delay=250"); }), 250ms);
    EXPECT_EQ(fetch(server, "/page/1?delay=soon").result(), http::status::bad_request);
    EXPECT_EQ(fetch(server, "/page/1?delay=3600001").result(), http::status::bad_request);
}

TEST(TestServerTiming, DelaysOverlap) {
    Server server(quick_options());  // one thread: only the timers' asynchrony lets them overlap
    constexpr int clients = 20;
    std::vector<http::status> statuses(clients);
    auto elapsed = time_of([&] {
        std::vector<std::jthread> threads;
        for (int i = 0; i < clients; ++i) {
            threads.emplace_back([&, i] {
                reporting_failures(
                    [&] { statuses[i] = fetch(server, "/bobo?delay=300").result(); });
            });
        }
    });
    for (auto status : statuses) EXPECT_EQ(status, http::status::ok);
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 3s) << "20 delays of 300 ms should overlap, not add up to 6 s";
    EXPECT_EQ(server.stats().connections, static_cast<std::size_t>(clients));
}

TEST(TestServerTiming, SeveralThreadsServeConcurrentClients) {
    ServerOptions options = quick_options();
    options.threads = 3;
    Server server(options);
    constexpr int clients = 12;
    std::vector<std::size_t> sizes(clients);
    {
        std::vector<std::jthread> threads;
        for (int i = 0; i < clients; ++i) {
            threads.emplace_back([&, i] {
                reporting_failures([&] {
                    RawConnection connection(server.port());
                    for (int n = 0; n < 5; ++n) {
                        auto target = "/bytes/" + std::to_string(1000 * (i + 1) + n);
                        auto response = connection.exchange(make_request(http::verb::get, target));
                        sizes[i] += response.body().size();
                    }
                });
            });
        }
    }
    for (int i = 0; i < clients; ++i) EXPECT_EQ(sizes[i], 5u * 1000 * (i + 1) + 10) << i;
    EXPECT_EQ(server.stats().requests, 5u * clients);
}

TEST(TestServerTiming, SlowHeaderClientIsDropped) {
    ServerOptions options = quick_options();
    options.header_timeout = 300ms;
    Server server(options);
    RawConnection connection(server.port());
    connection.send("GET /pag");
    std::chrono::milliseconds elapsed{};
    bool closed = false;
    elapsed = time_of([&] { closed = connection.closed_within(2s); });
    EXPECT_TRUE(closed);
    EXPECT_GE(elapsed, 200ms) << "dropped before its header timeout";
}

TEST(TestServerTiming, StopEndsWaitingAndHangingSessionsPromptly) {
    ServerOptions options = quick_options();
    options.delay = 60s;
    auto server = std::make_unique<Server>(options);
    auto port = server->port();
    RawConnection hanging(port), waiting(port), idle(port);
    auto hang = make_request(http::verb::get, "/hang");
    auto bobo = make_request(http::verb::get, "/bobo");
    hanging.send_request(hang);
    waiting.send_request(bobo);
    for (auto deadline = Clock::now() + 2s;
         server->stats().requests < 2 && Clock::now() < deadline;) {
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_EQ(server->stats().requests, 2u);

    EXPECT_LT(time_of([&] { server->stop(); }), 2s);
    EXPECT_TRUE(hanging.closed_within(1s));
    EXPECT_TRUE(waiting.closed_within(1s));
    EXPECT_TRUE(idle.closed_within(1s));
    server->stop();  // idempotent

    asio::io_context io;
    tcp::socket late(io);
    beast::error_code error;
    late.connect({asio::ip::make_address("127.0.0.1"), port}, error);
    EXPECT_EQ(error, asio::error::connection_refused) << "the listening socket is closed";
    EXPECT_LT(time_of([&] { server.reset(); }), 1s);
}

TEST(TestServerServe, BindFailureReturnsNonZero) {
    Server server(quick_options());
    ServerOptions taken = quick_options();
    taken.port = server.port();
    testing::internal::CaptureStderr();
    int status = corocrawl::test_server::serve(taken);
    auto message = testing::internal::GetCapturedStderr();
    EXPECT_NE(status, 0);
    EXPECT_NE(message.find("cannot listen"), std::string::npos) << message;
}

}  // namespace
