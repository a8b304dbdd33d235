// The test server's I/O, in the shape of Asio's C++20 examples: listener() accepts connections and
// spawns one session coroutine per connection (plain, or TLS: a handshake, then the same session);
// Server and serve() run them on threads until stopped. What to answer is decided in routes.cpp.
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "host_header.hpp"
#include "host_records.hpp"
#include "routes.hpp"
#include "test_server.hpp"

namespace corocrawl::test_server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using namespace std::chrono_literals;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Awaiting with this returns the error code in a tuple instead of throwing it.
constexpr auto nothrow_awaitable = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t max_header_bytes = 16 * 1024;        // more: 431
constexpr std::uint64_t max_request_body_bytes = 8 << 20;  // more: 413
constexpr auto write_timeout = 60s;  // a client that stops reading its response is dropped
constexpr auto linger_timeout = 1s;  // how long a rejected client may go on sending before we close

// What every session reads. It outlives the io_context the sessions run on, so references are safe.
struct Context {
    const ServerOptions& options;
    ServerStats& stats;
    RouteMemory& memory;
    HostRecords& hosts;
    asio::ssl::context* tls;  // null: plain HTTP
};

// co_spawn's completion handler. Sessions deal with their own I/O errors, so whatever arrives here
// is unexpected: print it, and never let it escape into io_context::run().
void report_failure(std::exception_ptr failure) {
    if (!failure) return;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& error) {
        std::cerr << "test server: " << error.what() << '\n';
    } catch (...) {
        std::cerr << "test server: unknown exception\n";
    }
}

// The status that tells a client why its request could not be read; none when there is nobody to
// tell (the client closed, went quiet past the header timeout, or the connection broke).
std::optional<http::status> rejection_status(beast::error_code error) {
    if (error == http::error::header_limit) return http::status::request_header_fields_too_large;
    if (error == http::error::body_limit) return http::status::payload_too_large;
    bool parse_error = error.category() == make_error_code(http::error::bad_method).category();
    if (parse_error && error != http::error::end_of_stream &&
        error != http::error::partial_message) {
        return http::status::bad_request;
    }
    return std::nullopt;
}

// Reads and throws away whatever arrives until the peer closes, the stream's expiry passes, or the
// server stops (which destroys the waiting coroutine). Raw TCP: under TLS, the bytes are records
// nobody needs to decrypt.
asio::awaitable<void> discard_until_closed(beast::tcp_stream& stream) {
    std::array<char, 4096> scratch;
    for (;;) {
        auto [error, size] =
            co_await stream.async_read_some(asio::buffer(scratch), nothrow_awaitable);
        if (error) co_return;
    }
}

// Ends what we send: a TCP half-close; under TLS, a close_notify first (waiting a moment for the
// peer's, as TLS asks).
asio::awaitable<void> finish_sending(beast::tcp_stream& stream) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    co_return;
}

asio::awaitable<void> finish_sending(TlsStream& stream) {
    beast::get_lowest_layer(stream).expires_after(linger_timeout);
    co_await stream.async_shutdown(nothrow_awaitable);
    co_await finish_sending(beast::get_lowest_layer(stream));
}

// Answers a request the parser rejected, then closes. Closing with unread input would make the
// kernel send a reset that can destroy the answer before the client reads it, so half-close first
// and drain for a moment.
template <class Stream>
asio::awaitable<void> reject(Stream& stream, http::status status) {
    auto& tcp_layer = beast::get_lowest_layer(stream);
    auto response = rejection(status);
    tcp_layer.expires_after(write_timeout);
    auto [error, size] = co_await http::async_write(stream, response, nothrow_awaitable);
    if (error) co_return;
    co_await finish_sending(stream);
    tcp_layer.expires_after(linger_timeout);
    co_await discard_until_closed(tcp_layer);
}

// One connection, plain or TLS: read a request, let the route table answer it, wait the reply's
// delay, write it; again while the client keeps the connection alive.
template <class Stream>
asio::awaitable<void> serve_requests(Stream& stream, const Context& context) {
    auto& tcp_layer = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(max_header_bytes);
        parser.body_limit(max_request_body_bytes);
        tcp_layer.expires_after(context.options.header_timeout);  // also bounds an idle keep-alive
        auto [read_error, read_size] =
            co_await http::async_read(stream, buffer, parser, nothrow_awaitable);
        if (read_error) {
            if (auto status = rejection_status(read_error)) co_await reject(stream, *status);
            co_return;
        }
        ++context.stats.requests;
        // Occupies the request's host until its response is written, or the session ends.
        auto visit = context.hosts.arrive(parser.get());

        auto reply = route(parser.get(), context.options.delay, context.memory, context.hosts);
        if (reply.hang) {
            tcp_layer.expires_never();
            co_await discard_until_closed(tcp_layer);
            co_return;
        }
        if (reply.delay > 0ms) {  // a timer, so other connections go on meanwhile
            asio::steady_timer timer(stream.get_executor(), reply.delay);
            co_await timer.async_wait(nothrow_awaitable);
        }
        tcp_layer.expires_after(write_timeout);  // the read's expiry may have passed meanwhile
        auto [write_error, write_size] =
            co_await http::async_write(stream, reply.response, nothrow_awaitable);
        if (write_error) co_return;
        visit.leave();
        if (!reply.response.keep_alive()) {
            co_await finish_sending(stream);
            co_return;
        }
    }
}

asio::awaitable<void> plain_session(beast::tcp_stream stream, const Context& context) {
    co_await serve_requests(stream, context);
}

// The handshake is bounded like a request's headers: a client that never finishes it is dropped.
asio::awaitable<void> tls_session(beast::tcp_stream stream, const Context& context) {
    TlsStream tls_stream(std::move(stream), *context.tls);
    beast::get_lowest_layer(tls_stream).expires_after(context.options.header_timeout);
    auto [error] =
        co_await tls_stream.async_handshake(asio::ssl::stream_base::server, nothrow_awaitable);
    if (error) co_return;  // e.g. the client rejected our certificate
    if (SSL_session_reused(tls_stream.native_handle()) == 1) ++context.stats.tls_resumed;
    co_await serve_requests(tls_stream, context);
}

asio::awaitable<void> listener(tcp::acceptor acceptor, const Context& context) {
    for (;;) {
        // Each connection gets its own strand: the stream's timeout handler and the session's
        // resumptions then never run at the same time, however many threads run the io_context.
        auto [error, socket] = co_await acceptor.async_accept(
            asio::make_strand(acceptor.get_executor()), nothrow_awaitable);
        if (error == asio::error::operation_aborted) co_return;
        if (error) {  // e.g. out of file descriptors: give closing connections a moment to free
                      // some
            asio::steady_timer pause(acceptor.get_executor(), 50ms);
            co_await pause.async_wait(nothrow_awaitable);
            continue;
        }
        ++context.stats.connections;
        beast::tcp_stream stream(std::move(socket));
        auto executor = stream.get_executor();
        if (context.tls) {
            asio::co_spawn(executor, tls_session(std::move(stream), context), report_failure);
        } else {
            asio::co_spawn(executor, plain_session(std::move(stream), context), report_failure);
        }
    }
}

// Resolves and binds `bind:port`. Throws boost::system::system_error when it cannot.
tcp::acceptor open_acceptor(asio::io_context& io, const ServerOptions& options) {
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(options.bind, std::to_string(options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service);
    tcp::acceptor acceptor(io, endpoints.begin()->endpoint(), true, false);  // open, reuse, bind
    // As deep an accept queue as the kernel allows (net.core.somaxconn caps it; Asio's default is
    // the header's SOMAXCONN, 4096): a burst of connections past the queue is dropped, and each
    // dropped client waits a whole second to send its SYN again.
    acceptor.listen(std::numeric_limits<int>::max());
    return acceptor;
}

// The TLS context for the options' certificate chain and key; none for plain HTTP (both empty).
// Throws std::invalid_argument for only one of them, boost::system::system_error for bad PEM.
std::optional<asio::ssl::context> tls_context_for(const ServerOptions& options) {
    const bool has_certificate = !options.tls_certificate_pem.empty();
    if (has_certificate != !options.tls_private_key_pem.empty()) {
        throw std::invalid_argument("TLS needs both a certificate chain and a private key");
    }
    if (!has_certificate) return std::nullopt;
    std::optional<asio::ssl::context> tls(std::in_place, asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    tls->use_certificate_chain(asio::buffer(options.tls_certificate_pem));
    tls->use_private_key(asio::buffer(options.tls_private_key_pem), asio::ssl::context::pem);
    return tls;
}

std::string url_of(const tcp::endpoint& endpoint, bool tls) {
    auto address = endpoint.address();
    auto host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return (tls ? "https://" : "http://") + host + ":" + std::to_string(endpoint.port());
}

// 10,000 simultaneous connections need more descriptors than the usual soft limit of 1024.
void raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);  // best effort: the server works without it, just smaller
    }
}

std::vector<std::thread> start_threads(asio::io_context& io, unsigned count) {
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < count; ++i) threads.emplace_back([&io] { io.run(); });
    return threads;
}

}  // namespace

// ---- Server: for tests, on background threads -------------------------------------------------

struct Server::State {
    explicit State(ServerOptions server_options) : options(std::move(server_options)) {}

    // Declared before `io`, so they outlive every session: the sessions refer to them.
    ServerOptions options;
    ServerStats stats;
    RouteMemory memory;
    HostRecords hosts{options.record_hosts};
    std::optional<asio::ssl::context> tls = tls_context_for(options);
    Context context{options, stats, memory, hosts, tls ? &*tls : nullptr};

    // Stopping destroys it, and with it the listener and every session — waiting, hanging or
    // not — closing their sockets. That is the whole of the cancellation.
    std::optional<asio::io_context> io;
    tcp::endpoint endpoint;
    std::vector<std::thread> threads;
    std::mutex stopping;
};

Server::Server(ServerOptions options) : state_(std::make_unique<State>(std::move(options))) {
    auto& state = *state_;
    auto thread_count = std::max(1u, state.options.threads);
    state.io.emplace(static_cast<int>(thread_count));
    auto acceptor = open_acceptor(*state.io, state.options);
    state.endpoint = acceptor.local_endpoint();
    asio::co_spawn(*state.io, listener(std::move(acceptor), state.context), report_failure);
    state.threads = start_threads(*state.io, thread_count);
}

Server::~Server() {
    stop();
}

unsigned short Server::port() const noexcept {
    return state_->endpoint.port();
}

std::string Server::base_url() const {
    return url_of(state_->endpoint, state_->tls.has_value());
}

const ServerStats& Server::stats() const noexcept {
    return state_->stats;
}

void Server::set_robots(std::string host, RobotsReply reply) {
    state_->memory.set_robots(host_name(host), std::move(reply));
}

std::size_t Server::robots_requests(std::string_view host) const {
    return state_->memory.robots_requests(host_name(host));
}

std::map<std::string, HostRecord> Server::host_records() const {
    return state_->hosts.snapshot();
}

// Idempotent; must not be called from a handler running on the server's own threads.
void Server::stop() {
    std::lock_guard lock(state_->stopping);
    if (!state_->io) return;
    state_->io->stop();
    for (auto& thread : state_->threads) thread.join();
    state_->threads.clear();
    state_->io.reset();
}

// ---- serve(): for `corocrawl serve`, until a signal -------------------------------------------

int serve(const ServerOptions& options) {
    raise_open_file_limit();
    std::optional<asio::ssl::context> tls;
    try {
        tls = tls_context_for(options);
    } catch (const std::exception& error) {
        std::cerr << "corocrawl serve: unusable TLS certificate or key: " << error.what() << '\n';
        return 1;
    }
    ServerStats stats;
    RouteMemory memory;
    HostRecords hosts{options.record_hosts};
    Context context{options, stats, memory, hosts, tls ? &*tls : nullptr};
    auto thread_count = std::max(1u, options.threads);
    asio::io_context io(static_cast<int>(thread_count));

    std::optional<tcp::acceptor> acceptor;
    try {
        acceptor = open_acceptor(io, options);
    } catch (const boost::system::system_error& error) {
        std::cerr << "corocrawl serve: cannot listen on " << options.bind << " port "
                  << options.port << ": " << error.code().message() << '\n';
        return 1;
    }
    // Registered before the "serving" line, so a script that signals as soon as it reads the line
    // still gets a clean stop.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](beast::error_code, int) { io.stop(); });

    std::cout << "serving " << url_of(acceptor->local_endpoint(), tls.has_value()) << std::endl;
    asio::co_spawn(io, listener(std::move(*acceptor), context), report_failure);

    auto threads = start_threads(io, thread_count - 1);
    io.run();
    for (auto& thread : threads) thread.join();
    return 0;  // destroying `io` ends the sessions still open
}

}  // namespace corocrawl::test_server
