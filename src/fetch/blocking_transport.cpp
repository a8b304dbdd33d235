#include "fetch/blocking_transport.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "fetch/happy_eyeballs.hpp"
#include "fetch/http_core.hpp"
#include "fetch/response_reader.hpp"
#include "fetch/tls.hpp"

namespace corocrawl::fetch {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using TlsStream = asio::ssl::stream<BlockingSocket>;

std::string peer_address(const tcp::socket& socket) {
    error_code error;
    const auto endpoint = socket.remote_endpoint(error);
    return error ? std::string() : endpoint.address().to_string();
}

// Connects to the first of `endpoints` that answers, Happy Eyeballs style (RFC 8305): families
// interleaved, a new non-blocking connect every 250 ms (or as soon as every earlier one has
// failed), all of them waited for in one poll(), the first to connect wins and the others are
// closed. Bounded by `deadline` and the crawl's cancellation.
std::optional<BlockingSocket> connect_first(const std::vector<tcp::endpoint>& endpoints,
                                            Clock::time_point deadline, BlockingContext& context,
                                            error_code& error) {
    const auto ordered = interleave_families(endpoints);
    AttemptSchedule schedule(ordered.size(), Clock::now());
    std::vector<std::optional<tcp::socket>> sockets(ordered.size());  // the attempts in flight
    const auto won = [&](tcp::socket&& socket) {
        BlockingSocket connected(std::move(socket), context.cancel_fd);
        connected.expires_at(deadline);  // the tunnel and the handshake too
        return connected;
    };
    error = asio::error::host_not_found;
    while (!schedule.exhausted()) {
        auto now = Clock::now();
        while (const auto index = schedule.start(now)) {
            const auto& endpoint = ordered[*index];
            tcp::socket socket(context.io, endpoint.protocol());
            socket.non_blocking(true);
            if (::connect(socket.native_handle(), endpoint.data(),
                          static_cast<socklen_t>(endpoint.size())) == 0) {
                return won(std::move(socket));
            }
            if (errno == EINPROGRESS) {
                sockets[*index].emplace(std::move(socket));
            } else {
                error = error_code(errno, asio::error::get_system_category());
                schedule.failed(*index, now);
            }
        }
        if (schedule.exhausted()) break;
        if (now >= deadline) {
            error = beast::error::timeout;
            break;
        }
        std::vector<pollfd> fds;
        std::vector<std::size_t> attempt_of;
        for (std::size_t i = 0; i < sockets.size(); ++i) {
            if (!sockets[i]) continue;
            fds.push_back({sockets[i]->native_handle(), POLLOUT, 0});
            attempt_of.push_back(i);
        }
        fds.push_back({context.cancel_fd, POLLIN, 0});
        const auto wake = std::min(schedule.next_start(), deadline);
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - now);
        const int ready = ::poll(fds.data(), fds.size(),
                                 static_cast<int>(std::clamp<long long>(wait.count(), 0, 60'000)));
        if (ready < 0 && errno != EINTR) {
            error = error_code(errno, asio::error::get_system_category());
            break;
        }
        if (fds.back().revents & POLLIN) {
            error = asio::error::operation_aborted;
            break;
        }
        now = Clock::now();
        for (std::size_t k = 0; k + 1 < fds.size(); ++k) {
            if (!fds[k].revents) continue;
            const std::size_t i = attempt_of[k];
            int status = 0;
            socklen_t length = sizeof status;
            getsockopt(fds[k].fd, SOL_SOCKET, SO_ERROR, &status, &length);
            if (status == 0) return won(std::move(*sockets[i]));
            error = error_code(status, asio::error::get_system_category());
            sockets[i].reset();
            schedule.failed(i, now);
        }
    }
    return std::nullopt;  // the attempts still in flight are closed with their sockets
}

// Asks the proxy on `socket` for a tunnel to the URL; false (reported to the core) if refused.
bool open_tunnel(BlockingSocket& socket, Exchange& exchange) {
    error_code error;
    http::write(socket, exchange.tunnel_request(), error);
    if (error) {
        exchange.on_failure({error, Phase::tunnel, false, false});
        return false;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel starts right after it
    http::read_header(socket, buffer, parser, error);
    if (error) {
        exchange.on_failure({error, Phase::tunnel, false, parser.got_some()});
        return false;
    }
    return exchange.on_tunnel_response(parser.get().base());
}

// Resolves, connects (to the proxy, if any; through its tunnel for https) to the first endpoint
// that answers and for https shakes hands, bounded by the connect deadline; nothing on failure
// (reported to the core).
std::optional<BlockingConnection> connect(Exchange& exchange, const Send& send,
                                          BlockingContext& context) {
    const auto deadline = exchange.connect_deadline();
    const Url& url = send.url;
    const Url& peer = send.proxy ? *send.proxy : url;
    const Resolution resolution = context.dns.resolve(peer.host, peer.port, deadline);
    if (resolution.error) {
        exchange.on_failure({resolution.error, Phase::resolve, false, false});
        return std::nullopt;
    }
    error_code error;
    std::optional<BlockingSocket> socket =
        connect_first(resolution.endpoints, deadline, context, error);
    if (!socket) {
        exchange.on_failure({error, Phase::connect, false, false});
        return std::nullopt;
    }
    if (send.tunnelled() && !open_tunnel(*socket, exchange)) return std::nullopt;
    if (!url.is_https()) return BlockingConnection(std::move(*socket));

    TlsStream tls(std::move(*socket), context.tls.get());
    prepare_tls_client(tls.native_handle(), url);
    tls.handshake(asio::ssl::stream_base::client, error);
    if (error) {
        exchange.on_failure({error, Phase::handshake, false, false,
                             tls_failure_detail(tls.native_handle(), error)});
        return std::nullopt;
    }
    return BlockingConnection(std::move(tls));
}

// Writes the request and reads the response on `stream`; true when the connection may be kept.
template <class Stream>
bool exchange_over(Stream& stream, RoundTrip& trip) {
    beast::get_lowest_layer(stream).expires_at(trip.deadline());
    error_code error;
    asio::write(stream, trip.request_bytes(), error);
    if (!trip.on_written(error)) return false;
    for (;;) {
        const std::size_t read = stream.read_some(trip.read_buffer(), error);
        const auto next = trip.on_read(read, error);
        if (next == RoundTrip::Next::failed) return false;
        if (next == RoundTrip::Next::done) break;
    }
    return trip.finish(peer_address(beast::get_lowest_layer(stream).socket()));
}

// One request and its response on a pooled or new connection; the outcome goes to the core.
void send_and_receive(Exchange& exchange, const Send& send, BlockingContext& context) {
    std::optional<BlockingConnection> connection =
        send.fresh_connection ? std::nullopt : context.pool.take(send.connection_key);
    const bool reused = connection.has_value();
    if (!reused) {
        auto connected = connect(exchange, send, context);
        if (!connected) return;
        connection.emplace(std::move(*connected));
    }
    exchange.timings().connected = Clock::now();
    RoundTrip trip(exchange, send, reused);

    const bool keep_alive =
        std::visit([&](auto& stream) { return exchange_over(stream, trip); }, *connection);
    if (keep_alive) {
        std::visit([](auto& stream) { beast::get_lowest_layer(stream).expires_never(); },
                   *connection);
        context.pool.give_back(send.connection_key, std::move(*connection));
    }
}

}  // namespace

BlockingContext::BlockingContext(const FetchOptions& options, int cancel_fd,
                                 std::shared_ptr<DnsCache> dns_cache)
    : tls(options),
      cancel_fd(cancel_fd),
      dns(DnsConfig(options, std::move(dns_cache)), cancel_fd) {}

Result fetch_blocking(InputLine input, const FetchOptions& options, BlockingContext& context) {
    Exchange exchange(std::move(input), options, &context.slow_down);
    for (;;) {
        const Action action = exchange.next();
        if (const auto* wait = std::get_if<Wait>(&action)) {
            if (!BlockingSocket::sleep(wait->duration, context.cancel_fd)) {
                exchange.on_failure({asio::error::operation_aborted, Phase::connect, false, false});
            }
        } else if (const auto* send = std::get_if<Send>(&action)) {
            send_and_receive(exchange, *send, context);
        } else {
            break;
        }
    }
    return exchange.take_result();
}

}  // namespace corocrawl::fetch
