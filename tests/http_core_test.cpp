// The sans-IO HTTP core driven by hand: every protocol decision, without a socket.
#include "fetch/http_core.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

#include "compression.hpp"
#include "fetch/body_decoder.hpp"
#include "fetch/retry_policy.hpp"

namespace corocrawl::fetch {
namespace {

using namespace std::chrono_literals;

Response response(unsigned status, std::string body = "", std::vector<Header> headers = {}) {
    Response r{static_cast<http::status>(status), 11};
    for (const auto& h : headers) r.set(h.name, h.value);
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
}

// A copy: Send holds references into the Exchange, which outlives the Action it came in.
Send expect_send(const Action& action) {
    EXPECT_TRUE(std::holds_alternative<Send>(action));
    return std::get<Send>(action);
}

std::string compress(std::string_view text, int window_bits) {
    z_stream stream{};
    deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&stream, text.size()) + 32, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    stream.avail_in = static_cast<uInt>(text.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

struct Core : ::testing::Test {
    FetchOptions options;
};

TEST_F(Core, BuildsTheRequestFromTheOptions) {
    options.headers = {{"X-Token", "abc"}, {"Accept", "text/html"}, {"User-Agent", ""}};
    options.cookie = "a=1; b=2";
    options.body = "q=1";
    Exchange exchange({0, "http://example.com:8080/p?x=1"}, options);
    const Request& request = expect_send(exchange.next()).request;
    EXPECT_EQ(request.method(), http::verb::post);  // a body implies POST
    EXPECT_EQ(request.target(), "/p?x=1");
    EXPECT_EQ(request[http::field::host], "example.com:8080");
    EXPECT_EQ(request["X-Token"], "abc");
    EXPECT_EQ(request[http::field::accept], "text/html");   // the user's header wins
    EXPECT_EQ(request.count(http::field::user_agent), 0u);  // "Name:" removes it
    EXPECT_EQ(request[http::field::cookie], "a=1; b=2");
    EXPECT_EQ(request[http::field::accept_encoding], "gzip, deflate, br, zstd");
    EXPECT_EQ(request[http::field::content_type], "application/x-www-form-urlencoded");
    EXPECT_EQ(request.body(), "q=1");
    EXPECT_EQ(request[http::field::content_length], "3");
}

TEST_F(Core, TheWireRequestIsTheSerialisedRequest) {
    options.body = "q=1";
    Exchange exchange({0, "http://example.com/p"}, options);
    const Send send = expect_send(exchange.next());
    EXPECT_TRUE(send.wire_request.starts_with("POST /p HTTP/1.1\r\nHost: example.com\r\n"))
        << send.wire_request;
    EXPECT_TRUE(send.wire_request.ends_with("Content-Length: 3\r\n\r\nq=1")) << send.wire_request;
    exchange.on_response(response(200, "ok"));
    EXPECT_TRUE(exchange.take_result().exchanges.empty()) << "kept only when asked";
}

TEST_F(Core, WireExchangesKeepEveryAttemptButNotAStaleConnectionsResend) {
    options.keep_wire_bytes = true;
    options.retry_delay = 0ms;
    Exchange exchange({0, "http://h.example/a"}, options);
    expect_send(exchange.next());
    exchange.on_response(response(302, "", {{"Location", "/b"}}), {"192.0.2.1", "HTTP/1.1 302 x"});
    expect_send(exchange.next());
    exchange.on_response(response(503), {"192.0.2.1", "HTTP/1.1 503 y"});
    ASSERT_TRUE(std::holds_alternative<Wait>(exchange.next()));
    expect_send(exchange.next());
    // A pooled connection the server had closed: the request goes out again, unanswered first.
    exchange.on_failure({boost::asio::error::connection_reset, Phase::read, true, false});
    const Send again = expect_send(exchange.next());
    exchange.on_response(response(200, "body"), {"192.0.2.2", "HTTP/1.1 200 z"});
    const Result result = exchange.take_result();
    ASSERT_EQ(result.exchanges.size(), 3u);
    EXPECT_EQ(result.exchanges[0].url, "http://h.example/a");
    EXPECT_EQ(result.exchanges[1].url, "http://h.example/b");
    EXPECT_EQ(result.exchanges[1].response, "HTTP/1.1 503 y");
    EXPECT_EQ(result.exchanges[2].url, "http://h.example/b");
    EXPECT_EQ(result.exchanges[2].ip_address, "192.0.2.2");
    EXPECT_EQ(result.exchanges[2].payload, "body");
    EXPECT_EQ(result.exchanges[2].request, again.wire_request);
}

TEST_F(Core, InvalidUrlFinishesWithoutARequest) {
    Exchange exchange({3, "ftp://example.com/"}, options);
    EXPECT_TRUE(std::holds_alternative<Finished>(exchange.next()));
    const Result result = exchange.take_result();
    EXPECT_EQ(result.index, 3u);
    EXPECT_EQ(result.attempts, 0);
    EXPECT_EQ(result.error->kind, ErrorKind::unsupported_scheme);
}

TEST_F(Core, SeeOtherTurnsPostIntoGetAndTemporaryRedirectKeepsIt) {
    options.body = "q=1";
    Exchange see_other({0, "http://h.example/form"}, options);
    expect_send(see_other.next());
    see_other.on_response(response(303, "", {{"Location", "/done"}}));
    const Request& get = expect_send(see_other.next()).request;
    EXPECT_EQ(get.method(), http::verb::get);
    EXPECT_EQ(get.target(), "/done");
    EXPECT_TRUE(get.body().empty());
    EXPECT_EQ(get.count(http::field::content_type), 0u);

    Exchange temporary({0, "http://h.example/form"}, options);
    expect_send(temporary.next());
    temporary.on_response(response(307, "", {{"Location", "https://other.example/form2"}}));
    const Send post = expect_send(temporary.next());
    EXPECT_EQ(post.request.method(), http::verb::post);
    EXPECT_EQ(post.request.body(), "q=1");
    EXPECT_EQ(post.url.origin(), "https://other.example:443");
}

TEST_F(Core, ServiceUnavailableTwiceThenOkTakesThreeAttempts) {
    options.retry_delay = 10ms;
    Exchange exchange({0, "http://h.example/"}, options);
    for (int i = 0; i < 2; ++i) {
        expect_send(exchange.next());
        exchange.on_response(response(503));
        ASSERT_TRUE(std::holds_alternative<Wait>(exchange.next()));
    }
    expect_send(exchange.next());
    exchange.on_response(response(200, "fine"));
    EXPECT_TRUE(std::holds_alternative<Finished>(exchange.next()));
    const Result result = exchange.take_result();
    EXPECT_TRUE(result.ok());
    EXPECT_EQ(result.attempts, 3);
    EXPECT_EQ(result.body, "fine");
}

TEST_F(Core, RetriesRunOutIntoAnHttpStatusFailure) {
    options.retries = 0;
    Exchange exchange({0, "http://h.example/"}, options);
    expect_send(exchange.next());
    exchange.on_response(response(503));
    EXPECT_TRUE(std::holds_alternative<Finished>(exchange.next()));
    const Result result = exchange.take_result();
    EXPECT_EQ(result.error->kind, ErrorKind::http_status);
    EXPECT_EQ(result.status, 503);
    EXPECT_EQ(result.attempts, 1);
}

TEST_F(Core, RetryAfterIsHonouredUpToTheCap) {
    Exchange polite({0, "http://h.example/"}, options);
    expect_send(polite.next());
    polite.on_response(response(429, "", {{"Retry-After", "1"}}));
    const Action wait = polite.next();
    ASSERT_TRUE(std::holds_alternative<Wait>(wait));
    EXPECT_EQ(std::get<Wait>(wait).duration, 1000ms);

    Exchange greedy({0, "http://h.example/"}, options);
    expect_send(greedy.next());
    greedy.on_response(response(429, "", {{"Retry-After", "86400"}}));
    EXPECT_TRUE(std::holds_alternative<Finished>(greedy.next()));
    const Result result = greedy.take_result();
    EXPECT_EQ(result.error->kind, ErrorKind::http_status);
    EXPECT_NE(result.error->message.find("Retry-After 86400 s"), std::string::npos)
        << result.error->message;
}

TEST_F(Core, PostIsNotRetriedUnlessAsked) {
    options.body = "x";
    Exchange exchange({0, "http://h.example/"}, options);
    expect_send(exchange.next());
    exchange.on_response(response(503));
    EXPECT_TRUE(std::holds_alternative<Finished>(exchange.next()));

    options.retry_all = true;
    Exchange forced({0, "http://h.example/"}, options);
    expect_send(forced.next());
    forced.on_response(response(503));
    EXPECT_TRUE(std::holds_alternative<Wait>(forced.next()));
}

TEST_F(Core, FailedConnectionsAreRetriedThenTyped) {
    options.retries = 1;
    Exchange exchange({0, "http://h.example/"}, options);
    const Failure refused{boost::asio::error::connection_refused, Phase::connect, false, false};
    expect_send(exchange.next());
    exchange.on_failure(refused);
    ASSERT_TRUE(std::holds_alternative<Wait>(exchange.next()));
    expect_send(exchange.next());
    exchange.on_failure(refused);
    EXPECT_TRUE(std::holds_alternative<Finished>(exchange.next()));
    const Result result = exchange.take_result();
    EXPECT_EQ(result.error->kind, ErrorKind::connect);
    EXPECT_EQ(result.attempts, 2);
}

TEST_F(Core, StalePooledConnectionIsRetriedOnceOnAFreshOne) {
    Exchange exchange({0, "http://h.example/"}, options);
    EXPECT_FALSE(expect_send(exchange.next()).fresh_connection);
    exchange.on_failure({boost::asio::error::connection_reset, Phase::write, true, false});
    const Send again = expect_send(exchange.next());
    EXPECT_TRUE(again.fresh_connection);
    exchange.on_response(response(200));
    EXPECT_EQ(exchange.take_result().attempts, 1);  // the stale connection's fault, not the URL's
}

TEST_F(Core, ErrorsAreTypedByWhereTheyHappened) {
    const auto kind_of = [&](Failure failure) {
        FetchOptions no_retries = options;
        no_retries.retries = 0;
        Exchange exchange({0, "https://h.example/"}, no_retries);
        expect_send(exchange.next());
        exchange.on_failure(failure);
        return exchange.take_result().error->kind;
    };
    EXPECT_EQ(kind_of({boost::asio::error::host_not_found, Phase::resolve, false, false}),
              ErrorKind::dns);
    EXPECT_EQ(kind_of({boost::beast::error::timeout, Phase::read, false, true}),
              ErrorKind::timeout);
    EXPECT_EQ(kind_of({boost::asio::error::operation_aborted, Phase::read, false, true}),
              ErrorKind::cancelled);
    EXPECT_EQ(kind_of({http::error::body_limit, Phase::read, false, true}),
              ErrorKind::body_too_large);
    EXPECT_EQ(kind_of({http::error::bad_chunk, Phase::read, false, true}), ErrorKind::protocol);
    EXPECT_EQ(kind_of({boost::asio::error::connection_reset, Phase::handshake, false, false}),
              ErrorKind::tls);
}

TEST_F(Core, OversizedResponseHeaderIsAProtocolErrorNamingTheLimit) {
    options.retries = 0;
    options.max_header = 1000;
    Exchange exchange({0, "http://h.example/"}, options);
    expect_send(exchange.next());
    exchange.on_failure({http::error::header_limit, Phase::read, false, true});
    const Result result = exchange.take_result();
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->kind, ErrorKind::protocol);
    EXPECT_EQ(result.error->message, "response header larger than 1000 bytes");
}

TEST_F(Core, CompressedBodiesAreDecoded) {
    const std::string page = "<html><body>" + std::string(5000, 'x') + "</body></html>";
    for (const auto& [encoding, bits] :
         {std::pair{"gzip", 15 + 16}, {"deflate", 15}, {"deflate", -15}}) {
        Exchange exchange({0, "http://h.example/"}, options);
        expect_send(exchange.next());
        exchange.on_response(response(200, compress(page, bits), {{"Content-Encoding", encoding}}));
        const Result result = exchange.take_result();
        ASSERT_TRUE(result.ok()) << encoding << " " << bits << ": " << result.error->message;
        EXPECT_EQ(result.body, page);
        EXPECT_LT(result.bytes, page.size());  // bytes counts what came over the wire
    }
    using test_server::Compression;
    for (const auto format : {Compression::brotli, Compression::zstd}) {
        const std::string encoding(test_server::content_encoding(format));
        Exchange exchange({0, "http://h.example/"}, options);
        expect_send(exchange.next());
        exchange.on_response(
            response(200, test_server::compress(page, format), {{"Content-Encoding", encoding}}));
        const Result result = exchange.take_result();
        ASSERT_TRUE(result.ok()) << encoding << ": " << result.error->message;
        EXPECT_EQ(result.body, page) << encoding;
        EXPECT_LT(result.bytes, page.size());
    }
}

TEST(BodyDecoder, BrotliAndZstdBombsStopAtTheLimit) {
    using test_server::Compression;
    for (const auto format : {Compression::brotli, Compression::zstd}) {
        const std::string bomb = test_server::compressed_zeros(50'000'000, format);
        ASSERT_LT(bomb.size(), 100'000u);
        const auto encoding = test_server::content_encoding(format);
        const auto decoded = decode_body(bomb, encoding, 1'000'000);
        ASSERT_TRUE(std::holds_alternative<Error>(decoded)) << encoding;
        EXPECT_EQ(std::get<Error>(decoded).kind, ErrorKind::body_too_large) << encoding;
        // Exactly at the limit is still whole.
        const auto exact = decode_body(bomb, encoding, 50'000'000);
        ASSERT_TRUE(std::holds_alternative<std::string>(exact)) << std::get<Error>(exact).message;
        EXPECT_EQ(std::get<std::string>(exact).size(), 50'000'000u);
    }
}

TEST(BodyDecoder, BrotliAndZstdCorruptTruncatedOrTrailedByGarbageAreDecodeErrors) {
    using test_server::Compression;
    const std::string page = "<html><body>" + std::string(5000, 'x') + "hello</body></html>";
    for (const auto format : {Compression::brotli, Compression::zstd}) {
        const auto encoding = test_server::content_encoding(format);
        const std::string whole = test_server::compress(page, format);
        const auto kind_of = [&](const std::string& body) {
            const auto decoded = decode_body(body, encoding, 1'000'000);
            return std::holds_alternative<Error>(decoded) ? std::get<Error>(decoded).kind
                                                          : ErrorKind::cancelled;  // no error
        };
        EXPECT_EQ(kind_of(test_server::corrupted(page, format)), ErrorKind::decode) << encoding;
        EXPECT_EQ(kind_of(whole.substr(0, whole.size() - 1)), ErrorKind::decode) << encoding;
        EXPECT_EQ(kind_of(whole.substr(0, whole.size() / 2)), ErrorKind::decode) << encoding;
        EXPECT_EQ(kind_of(""), ErrorKind::decode) << encoding;
        EXPECT_EQ(kind_of(whole + "garbage"), ErrorKind::decode) << encoding;
        EXPECT_EQ(std::get<std::string>(decode_body(whole, encoding, 1'000'000)), page);
        // Upper case, as some servers send it.
        EXPECT_EQ(std::get<std::string>(
                      decode_body(whole, format == Compression::zstd ? "ZSTD" : "BR", 1'000'000)),
                  page);
    }
    // Two zstd frames back to back are one body, as two gzip members are.
    const std::string two = test_server::compress("one ", Compression::zstd) +
                            test_server::compress("two", Compression::zstd);
    EXPECT_EQ(std::get<std::string>(decode_body(two, "zstd", 1000)), "one two");
}

TEST(BodyDecoder, BombStopsAtTheLimit) {
    const std::string bomb = compress(std::string(50'000'000, '\0'), 15 + 16);
    ASSERT_LT(bomb.size(), 100'000u);
    const auto decoded = decode_body(bomb, "gzip", 1'000'000);
    ASSERT_TRUE(std::holds_alternative<Error>(decoded));
    EXPECT_EQ(std::get<Error>(decoded).kind, ErrorKind::body_too_large);
}

TEST(BodyDecoder, CorruptOrTruncatedStreamIsADecodeError) {
    std::string gzip = compress("hello hello hello", 15 + 16);
    std::string corrupt = gzip;
    corrupt[12] ^= 0x55;
    EXPECT_EQ(std::get<Error>(decode_body(corrupt, "gzip", 1000)).kind, ErrorKind::decode);
    EXPECT_EQ(std::get<Error>(decode_body(gzip.substr(0, gzip.size() / 2), "gzip", 1000)).kind,
              ErrorKind::decode);
    EXPECT_EQ(std::get<Error>(decode_body("x", "compress", 1000)).kind, ErrorKind::decode);
    EXPECT_EQ(std::get<std::string>(decode_body("plain", "identity", 1000)), "plain");
}

TEST(RetryPolicy, RetryAfterReadsSecondsAndDates) {
    const auto now =
        std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
    EXPECT_EQ(parse_retry_after("120", now), std::chrono::milliseconds(120'000));
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now),
              std::chrono::milliseconds(60'000));
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
              std::chrono::milliseconds(0));
    EXPECT_FALSE(parse_retry_after("", now));
    EXPECT_FALSE(parse_retry_after("soon", now));
    EXPECT_FALSE(parse_retry_after("-5", now));
}

// Found by the response fuzzer: a year outside 1678-2262 overflowed system_clock (UB).
TEST(RetryPolicy, RetryAfterDatesOfAnyYear) {
    const auto now = std::chrono::system_clock::from_time_t(784111777);
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 1007 07:28:00 GMT", now),
              std::chrono::milliseconds(0));
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 9999 07:28:00 GMT", now),
              std::chrono::seconds(1LL << 32));
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:38 GMT", now),
              std::chrono::milliseconds(1000));
}

TEST(RetryPolicy, BackoffDoublesWithJitter) {
    FetchOptions options;
    options.retry_delay = 100ms;
    for (int i = 0; i < 50; ++i) {
        const auto first = backoff(options, 1), third = backoff(options, 3);
        EXPECT_GE(first, 50ms);
        EXPECT_LT(first, 150ms);
        EXPECT_GE(third, 200ms);
        EXPECT_LT(third, 600ms);
    }
}

}  // namespace
}  // namespace corocrawl::fetch
