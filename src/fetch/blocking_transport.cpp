#include "fetch/blocking_transport.hpp"

#include <sys/socket.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "fetch/http_core.hpp"

namespace corocrawl::fetch {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Connects to the first endpoint that answers, each attempt bounded by the connect deadline.
// Asio's own blocking connect waits without limit, hence the non-blocking connect and poll.
std::optional<BlockingSocket> connect_endpoint(const tcp::endpoint& endpoint, Exchange& exchange,
                                               BlockingContext& context, error_code& error) {
    BlockingSocket socket(tcp::socket(context.io, endpoint.protocol()), context.cancel_fd);
    socket.expires_at(exchange.connect_deadline());
    if (::connect(socket.socket().native_handle(), endpoint.data(),
                  static_cast<socklen_t>(endpoint.size())) != 0) {
        if (errno != EINPROGRESS) {
            error = error_code(errno, asio::error::get_system_category());
            return std::nullopt;
        }
        if (!socket.wait(POLLOUT, error)) return std::nullopt;
        int status = 0;
        socklen_t length = sizeof status;
        getsockopt(socket.socket().native_handle(), SOL_SOCKET, SO_ERROR, &status, &length);
        if (status != 0) {
            error = error_code(status, asio::error::get_system_category());
            return std::nullopt;
        }
    }
    return socket;
}

std::optional<BlockingSocket> connect(Exchange& exchange, const Url& url, BlockingContext& context) {
    error_code error;
    tcp::resolver resolver(context.io);
    const auto endpoints = resolver.resolve(url.host, url.port, error);
    if (error) {
        exchange.on_failure({error, Phase::resolve, false, false});
        return std::nullopt;
    }
    for (const auto& entry : endpoints) {
        if (auto socket = connect_endpoint(entry.endpoint(), exchange, context, error)) return socket;
        if (error == asio::error::operation_aborted || error == boost::beast::error::timeout) break;
    }
    exchange.on_failure({error, Phase::connect, false, false});
    return std::nullopt;
}

// One request and its response on a pooled or new connection; the outcome goes to the core.
void send_and_receive(Exchange& exchange, const Send& send, BlockingContext& context) {
    const std::string origin = send.url.origin();
    std::optional<BlockingSocket> socket =
        send.fresh_connection ? std::nullopt : context.pool.take(origin);
    const bool reused = socket.has_value();
    if (!reused) {
        auto connected = connect(exchange, send.url, context);
        if (!connected) return;
        socket.emplace(std::move(*connected));
    }
    Timings& timings = exchange.timings();
    timings.connected = Clock::now();

    error_code error;
    socket->expires_at(exchange.deadline());
    http::write(*socket, send.request, error);
    if (error) return exchange.on_failure({error, Phase::write, reused, false});

    boost::beast::flat_buffer buffer;
    ResponseParser parser;
    exchange.prepare(parser, send.request);
    http::read_header(*socket, buffer, parser, error);
    if (error) return exchange.on_failure({error, Phase::read, reused, parser.got_some()});
    timings.first_byte = Clock::now();
    http::read(*socket, buffer, parser, error);
    if (error) return exchange.on_failure({error, Phase::read, reused, true});
    timings.received = Clock::now();

    Response response = parser.release();
    if (response.keep_alive()) {
        socket->expires_never();
        context.pool.give_back(origin, std::move(*socket));
    }
    exchange.on_response(std::move(response));
}

}  // namespace

Result fetch_blocking(InputLine input, const FetchOptions& options, BlockingContext& context) {
    Exchange exchange(std::move(input), options);
    for (;;) {
        const Action action = exchange.next();
        const auto* send = std::get_if<Send>(&action);
        if (!send) break;
        send_and_receive(exchange, *send, context);
    }
    return exchange.take_result();
}

}  // namespace corocrawl::fetch
