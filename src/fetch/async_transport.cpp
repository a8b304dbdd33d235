#include "fetch/async_transport.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "fetch/http_core.hpp"

namespace corocrawl::fetch {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// Errors come back as values, never as exceptions: the core decides what they mean.
constexpr auto nothrow_awaitable = asio::as_tuple(asio::use_awaitable);

// Resolves and connects, bounded by the connect deadline; nothing on failure (reported).
asio::awaitable<std::optional<beast::tcp_stream>> connect(Exchange& exchange, const Url& url) {
    const auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(url.host, url.port, nothrow_awaitable);
    if (resolve_error) {
        exchange.on_failure({resolve_error, Phase::resolve, false, false});
        co_return std::nullopt;
    }
    beast::tcp_stream stream(executor);
    stream.expires_at(exchange.connect_deadline());
    auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, nothrow_awaitable);
    if (connect_error) {
        exchange.on_failure({connect_error, Phase::connect, false, false});
        co_return std::nullopt;
    }
    co_return stream;
}

// One request and its response on a pooled or new connection; the outcome goes to the core.
asio::awaitable<void> send_and_receive(Exchange& exchange, const Send& send,
                                       AsyncConnectionPool& pool) {
    const std::string origin = send.url.origin();
    std::optional<beast::tcp_stream> stream =
        send.fresh_connection ? std::nullopt : pool.take(origin);
    const bool reused = stream.has_value();
    if (!reused) {
        auto connected = co_await connect(exchange, send.url);
        if (!connected) co_return;
        stream.emplace(std::move(*connected));
    }
    Timings& timings = exchange.timings();
    timings.connected = Clock::now();

    stream->expires_at(exchange.deadline());
    auto [write_error, written] = co_await http::async_write(*stream, send.request, nothrow_awaitable);
    if (write_error) {
        exchange.on_failure({write_error, Phase::write, reused, false});
        co_return;
    }

    beast::flat_buffer buffer;
    ResponseParser parser;
    exchange.prepare(parser, send.request);
    auto [header_error, header_bytes] =
        co_await http::async_read_header(*stream, buffer, parser, nothrow_awaitable);
    if (header_error) {
        exchange.on_failure({header_error, Phase::read, reused, parser.got_some()});
        co_return;
    }
    timings.first_byte = Clock::now();
    auto [body_error, body_bytes] = co_await http::async_read(*stream, buffer, parser, nothrow_awaitable);
    if (body_error) {
        exchange.on_failure({body_error, Phase::read, reused, true});
        co_return;
    }
    timings.received = Clock::now();

    Response response = parser.release();
    if (response.keep_alive()) {
        stream->expires_never();
        pool.give_back(origin, std::move(*stream));
    }
    exchange.on_response(std::move(response));
}

}  // namespace

asio::awaitable<Result> fetch_async(InputLine input, const FetchOptions& options,
                                    AsyncConnectionPool& pool) {
    Exchange exchange(std::move(input), options);
    for (;;) {
        const Action action = exchange.next();
        const auto* send = std::get_if<Send>(&action);
        if (!send) break;
        co_await send_and_receive(exchange, *send, pool);
    }
    co_return exchange.take_result();
}

}  // namespace corocrawl::fetch
