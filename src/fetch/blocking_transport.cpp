#include "fetch/blocking_transport.hpp"

#include <sys/socket.h>

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

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

constexpr std::size_t read_size = 64 * 1024;  // as Beast's http::read asks for at most

std::string peer_address(const tcp::socket& socket) {
    error_code error;
    const auto endpoint = socket.remote_endpoint(error);
    return error ? std::string() : endpoint.address().to_string();
}

// Connects to one endpoint, bounded by `deadline`. Asio's own blocking connect waits without
// limit, hence the non-blocking connect and poll.
std::optional<BlockingSocket> connect_endpoint(const tcp::endpoint& endpoint,
                                               Clock::time_point deadline, BlockingContext& context,
                                               error_code& error) {
    BlockingSocket socket(tcp::socket(context.io, endpoint.protocol()), context.cancel_fd);
    socket.expires_at(deadline);
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
    error_code error;
    tcp::resolver resolver(context.io);
    const auto endpoints = resolver.resolve(peer.host, peer.port, error);
    if (error) {
        exchange.on_failure({error, Phase::resolve, false, false});
        return std::nullopt;
    }
    std::optional<BlockingSocket> socket;
    for (const auto& entry : endpoints) {
        socket = connect_endpoint(entry.endpoint(), deadline, context, error);
        if (socket || error == asio::error::operation_aborted || error == beast::error::timeout)
            break;
    }
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
bool exchange_over(Stream& stream, Exchange& exchange, const Send& send, bool reused) {
    error_code error;
    beast::get_lowest_layer(stream).expires_at(exchange.deadline());
    asio::write(stream, asio::buffer(send.wire_request), error);
    if (error) {
        exchange.on_failure({error, Phase::write, reused, false});
        return false;
    }

    beast::flat_buffer buffer;
    ResponseParser parser;
    exchange.prepare(parser, send.request);
    ResponseReader reader(parser, exchange.keeps_wire_bytes());
    bool header_seen = false;
    while (!reader.done()) {
        const std::size_t read = stream.read_some(buffer.prepare(read_size), error);
        buffer.commit(read);
        if (error == asio::error::eof) {
            reader.end_of_stream(error);
        } else if (!error) {
            reader.parse(buffer, error);
        }
        if (!header_seen && reader.header_done()) {
            header_seen = true;
            exchange.timings().first_byte = Clock::now();
        }
        if (error) {
            exchange.on_failure({error, Phase::read, reused, reader.got_some()});
            return false;
        }
    }
    exchange.timings().received = Clock::now();

    Response response = parser.release();
    const bool keep_alive = response.keep_alive();
    exchange.on_response(
        std::move(response),
        {peer_address(beast::get_lowest_layer(stream).socket()), reader.take_wire_bytes()});
    return keep_alive;
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

    const bool keep_alive = std::visit(
        [&](auto& stream) { return exchange_over(stream, exchange, send, reused); }, *connection);
    if (keep_alive) {
        std::visit([](auto& stream) { beast::get_lowest_layer(stream).expires_never(); },
                   *connection);
        context.pool.give_back(send.connection_key, std::move(*connection));
    }
}

}  // namespace

BlockingContext::BlockingContext(const FetchOptions& options, int cancel_fd)
    : tls(options), cancel_fd(cancel_fd) {}

Result fetch_blocking(InputLine input, const FetchOptions& options, BlockingContext& context) {
    Exchange exchange(std::move(input), options);
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
