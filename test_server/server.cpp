// The test server's I/O, in the shape of Asio's C++20 examples: listener() accepts connections and
// spawns one session() coroutine per connection; Server and serve() run them on threads until
// stopped. What to answer is decided in routes.cpp.
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "routes.hpp"
#include "test_server.hpp"

namespace corocrawl::test_server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using namespace std::chrono_literals;

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
// server stops (which destroys the waiting coroutine).
asio::awaitable<void> discard_until_closed(beast::tcp_stream& stream) {
    std::array<char, 4096> scratch;
    for (;;) {
        auto [error, size] =
            co_await stream.async_read_some(asio::buffer(scratch), nothrow_awaitable);
        if (error) co_return;
    }
}

// Answers a request the parser rejected, then closes. Closing with unread input would make the
// kernel send a reset that can destroy the answer before the client reads it, so half-close first
// and drain for a moment.
asio::awaitable<void> reject(beast::tcp_stream& stream, http::status status) {
    auto response = rejection(status);
    stream.expires_after(write_timeout);
    auto [error, size] = co_await http::async_write(stream, response, nothrow_awaitable);
    if (error) co_return;
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(linger_timeout);
    co_await discard_until_closed(stream);
}

// One connection: read a request, let the route table answer it, wait the reply's delay, write it;
// again while the client keeps the connection alive.
asio::awaitable<void> session(beast::tcp_stream stream, const Context& context) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(max_header_bytes);
        parser.body_limit(max_request_body_bytes);
        stream.expires_after(context.options.header_timeout);  // also bounds an idle keep-alive
        auto [read_error, read_size] =
            co_await http::async_read(stream, buffer, parser, nothrow_awaitable);
        if (read_error) {
            if (auto status = rejection_status(read_error)) co_await reject(stream, *status);
            co_return;
        }
        ++context.stats.requests;

        auto reply = route(parser.get(), context.options.delay);
        if (reply.hang) {
            stream.expires_never();
            co_await discard_until_closed(stream);
            co_return;
        }
        if (reply.delay > 0ms) {  // a timer, so other connections go on meanwhile
            asio::steady_timer timer(stream.get_executor(), reply.delay);
            co_await timer.async_wait(nothrow_awaitable);
        }
        stream.expires_after(write_timeout);  // the read's expiry may have passed during the delay
        auto [write_error, write_size] =
            co_await http::async_write(stream, reply.response, nothrow_awaitable);
        if (write_error) co_return;
        if (!reply.response.keep_alive()) {
            beast::error_code ignored;
            stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
            co_return;
        }
    }
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
        asio::co_spawn(executor, session(std::move(stream), context), report_failure);
    }
}

// Resolves and binds `bind:port`. Throws boost::system::system_error when it cannot.
tcp::acceptor open_acceptor(asio::io_context& io, const ServerOptions& options) {
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(options.bind, std::to_string(options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service);
    return tcp::acceptor(io, endpoints.begin()->endpoint());  // open, reuse_address, bind, listen
}

std::string url_of(const tcp::endpoint& endpoint) {
    auto address = endpoint.address();
    auto host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return "http://" + host + ":" + std::to_string(endpoint.port());
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
    Context context{options, stats};

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
    return url_of(state_->endpoint);
}

const ServerStats& Server::stats() const noexcept {
    return state_->stats;
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
    ServerStats stats;
    Context context{options, stats};
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

    std::cout << "serving " << url_of(acceptor->local_endpoint()) << std::endl;
    asio::co_spawn(io, listener(std::move(*acceptor), context), report_failure);

    auto threads = start_threads(io, thread_count - 1);
    io.run();
    for (auto& thread : threads) thread.join();
    return 0;  // destroying `io` ends the sessions still open
}

}  // namespace corocrawl::test_server
