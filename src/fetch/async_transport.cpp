#include "fetch/async_transport.hpp"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include "fetch/happy_eyeballs.hpp"
#include "fetch/http_core.hpp"
#include "fetch/response_reader.hpp"
#include "fetch/tls.hpp"

namespace corocrawl::fetch {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using namespace asio::experimental::awaitable_operators;

// Errors come back as values, never as exceptions: the core decides what they mean.
constexpr auto nothrow_awaitable = asio::as_tuple(asio::use_awaitable);

std::string peer_address(const tcp::socket& socket) {
    beast::error_code error;
    const auto endpoint = socket.remote_endpoint(error);
    return error ? std::string() : endpoint.address().to_string();
}

// Asks the proxy on `stream` for a tunnel to the URL; false (reported to the core) if refused.
asio::awaitable<bool> open_tunnel(beast::tcp_stream& stream, Exchange& exchange) {
    const Request request = exchange.tunnel_request();
    auto [write_error, written] = co_await http::async_write(stream, request, nothrow_awaitable);
    if (write_error) {
        exchange.on_failure({write_error, Phase::tunnel, false, false});
        co_return false;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel starts right after it
    auto [read_error, read] =
        co_await http::async_read_header(stream, buffer, parser, nothrow_awaitable);
    if (read_error) {
        exchange.on_failure({read_error, Phase::tunnel, false, parser.got_some()});
        co_return false;
    }
    co_return exchange.on_tunnel_response(parser.get().base());
}

// Connects to the first of `endpoints` that answers, Happy Eyeballs style (RFC 8305): families
// interleaved, a new attempt every 250 ms (or as soon as every earlier one has failed), the
// first to connect wins and the others are closed. Bounded by `deadline`.
asio::awaitable<std::tuple<beast::error_code, std::optional<tcp::socket>>> connect_first(
    const std::vector<tcp::endpoint>& endpoints, Clock::time_point deadline) {
    const auto executor = co_await asio::this_coro::executor;
    const auto ordered = interleave_families(endpoints);
    // Each attempt reports (index, error) here; shared, since a closed loser reports late.
    using Reports = asio::experimental::concurrent_channel<void(beast::error_code, std::size_t,
                                                                beast::error_code)>;
    const auto reports =
        std::make_shared<Reports>(executor, std::max<std::size_t>(1, ordered.size()));
    std::vector<std::unique_ptr<tcp::socket>> sockets;
    AttemptSchedule schedule(ordered.size(), Clock::now());
    asio::steady_timer timer(executor);
    beast::error_code error = asio::error::host_not_found;
    std::optional<std::size_t> winner;
    while (!schedule.exhausted()) {
        const auto now = Clock::now();
        while (const auto index = schedule.start(now)) {
            sockets.push_back(std::make_unique<tcp::socket>(executor));
            sockets.back()->async_connect(ordered[*index],
                                          [reports, index = *index](beast::error_code failed) {
                                              reports->try_send(beast::error_code{}, index, failed);
                                          });
        }
        if (now >= deadline) {
            error = beast::error::timeout;
            break;
        }
        timer.expires_at(std::min(schedule.next_start(), deadline));
        auto event = co_await (reports->async_receive(nothrow_awaitable) ||
                               timer.async_wait(nothrow_awaitable));
        if (event.index() == 1) continue;  // an attempt is due, or the deadline has come
        const auto [ignored, index, failed] = std::get<0>(event);
        if (!failed) {
            winner = index;
            break;
        }
        error = failed;
        schedule.failed(index, Clock::now());
    }
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        if (winner && i == *winner) continue;
        beast::error_code ignored;
        sockets[i]->close(ignored);  // its attempt reports operation_aborted, to nobody
    }
    if (!winner) co_return std::tuple{error, std::nullopt};
    co_return std::tuple{beast::error_code{}, std::optional(std::move(*sockets[*winner]))};
}

// Resolves, connects (to the proxy, if any; through its tunnel for https) and for https shakes
// hands, bounded by the connect deadline; nothing on failure (reported to the core).
asio::awaitable<std::optional<AsyncConnection>> connect(Exchange& exchange, const Send& send,
                                                        AsyncContext& context) {
    const auto deadline = exchange.connect_deadline();
    const Url& url = send.url;
    const Url& peer = send.proxy ? *send.proxy : url;
    const Resolution resolution = co_await context.dns.resolve(peer.host, peer.port, deadline);
    if (resolution.error) {
        exchange.on_failure({resolution.error, Phase::resolve, false, false});
        co_return std::nullopt;
    }
    auto [connect_error, socket] = co_await connect_first(resolution.endpoints, deadline);
    if (connect_error) {
        exchange.on_failure({connect_error, Phase::connect, false, false});
        co_return std::nullopt;
    }
    beast::tcp_stream stream(std::move(*socket));
    stream.expires_at(deadline);  // the tunnel and the handshake too
    if (send.tunnelled() && !co_await open_tunnel(stream, exchange)) co_return std::nullopt;
    if (!url.is_https()) co_return AsyncConnection(std::move(stream));

    TlsStream tls(std::move(stream), context.tls.get());
    prepare_tls_client(tls.native_handle(), url);
    auto [handshake_error] =
        co_await tls.async_handshake(asio::ssl::stream_base::client, nothrow_awaitable);
    if (handshake_error) {
        exchange.on_failure({handshake_error, Phase::handshake, false, false,
                             tls_failure_detail(tls.native_handle(), handshake_error)});
        co_return std::nullopt;
    }
    co_return AsyncConnection(std::move(tls));
}

// Writes the request and reads the response on `stream`; true when the connection may be kept.
template <class Stream>
asio::awaitable<bool> exchange_over(Stream& stream, RoundTrip& trip) {
    beast::get_lowest_layer(stream).expires_at(trip.deadline());
    auto [write_error, written] =
        co_await asio::async_write(stream, trip.request_bytes(), nothrow_awaitable);
    if (!trip.on_written(write_error)) co_return false;
    for (;;) {
        auto [error, read] = co_await stream.async_read_some(trip.read_buffer(), nothrow_awaitable);
        const auto next = trip.on_read(read, error);
        if (next == RoundTrip::Next::failed) co_return false;
        if (next == RoundTrip::Next::done) break;
    }
    co_return trip.finish(peer_address(beast::get_lowest_layer(stream).socket()));
}

// One request and its response on a pooled or new connection; the outcome goes to the core.
asio::awaitable<void> send_and_receive(Exchange& exchange, const Send& send,
                                       AsyncContext& context) {
    std::optional<AsyncConnection> connection =
        send.fresh_connection ? std::nullopt : context.pool.take(send.connection_key);
    const bool reused = connection.has_value();
    if (!reused) {
        auto connected = co_await connect(exchange, send, context);
        if (!connected) co_return;
        connection.emplace(std::move(*connected));
    }
    exchange.timings().connected = Clock::now();
    RoundTrip trip(exchange, send, reused);

    const bool keep_alive =
        co_await std::visit([&](auto& stream) { return exchange_over(stream, trip); }, *connection);
    if (keep_alive) {
        std::visit([](auto& stream) { beast::get_lowest_layer(stream).expires_never(); },
                   *connection);
        context.pool.give_back(send.connection_key, std::move(*connection));
    }
}

}  // namespace

AsyncContext::AsyncContext(const FetchOptions& options, LazyTlsContext& tls,
                           asio::any_io_executor executor, std::shared_ptr<DnsCache> dns_cache)
    : tls(tls), dns(std::move(executor), DnsConfig(options, std::move(dns_cache))) {}

asio::awaitable<Result> fetch_async(InputLine input, const FetchOptions& options,
                                    AsyncContext& context) {
    Exchange exchange(std::move(input), options, &context.slow_down);
    for (;;) {
        const Action action = exchange.next();
        if (const auto* wait = std::get_if<Wait>(&action)) {
            asio::steady_timer timer(co_await asio::this_coro::executor, wait->duration);
            co_await timer.async_wait(nothrow_awaitable);
        } else if (const auto* send = std::get_if<Send>(&action)) {
            co_await send_and_receive(exchange, *send, context);
        } else {
            break;
        }
    }
    co_return exchange.take_result();
}

}  // namespace corocrawl::fetch
