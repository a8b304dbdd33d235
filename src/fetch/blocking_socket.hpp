// A TCP socket for the blocking transport: reads and writes block the calling thread, as in the
// thread-pool model, but every wait ends at a deadline or when the crawl is cancelled — a hung
// server cannot hold a worker past --timeout. (Beast's tcp_stream bounds only asynchronous waits.)
#pragma once

#include <poll.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/system_error.hpp>

#include "corocrawl/result.hpp"

namespace corocrawl::fetch {

class BlockingSocket {
  public:
    // `cancel_fd` becomes readable when the crawl is cancelled (an eventfd shared by all workers).
    BlockingSocket(boost::asio::ip::tcp::socket socket, int cancel_fd)
        : socket_(std::move(socket)), cancel_fd_(cancel_fd) {
        socket_.non_blocking(true);
    }

    // What asio::ssl::stream needs of the layer below it.
    using executor_type = boost::asio::ip::tcp::socket::executor_type;
    using lowest_layer_type = boost::asio::ip::tcp::socket::lowest_layer_type;
    executor_type get_executor() noexcept { return socket_.get_executor(); }
    lowest_layer_type& lowest_layer() noexcept { return socket_.lowest_layer(); }

    void expires_at(Clock::time_point deadline) noexcept { deadline_ = deadline; }
    void expires_never() noexcept { deadline_ = Clock::time_point::max(); }

    // SyncReadStream / SyncWriteStream, as Beast's blocking http::read and http::write want them.
    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& error) {
        return transfer(POLLIN, error, [&] { return socket_.read_some(buffers, error); });
    }
    template <class ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers, boost::system::error_code& error) {
        return transfer(POLLOUT, error, [&] { return socket_.write_some(buffers, error); });
    }
    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers) {
        return or_throw([&](auto& error) { return read_some(buffers, error); });
    }
    template <class ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers) {
        return or_throw([&](auto& error) { return write_some(buffers, error); });
    }

    // Blocks until the socket is ready for `events`; false (and `error` set) on the deadline or
    // cancellation.
    bool wait(short events, boost::system::error_code& error);
    // Sleeps for `duration` unless the crawl is cancelled first (then false).
    static bool sleep(std::chrono::milliseconds duration, int cancel_fd);

    boost::asio::ip::tcp::socket& socket() noexcept { return socket_; }

  private:
    template <class Operation>
    std::size_t transfer(short events, boost::system::error_code& error, Operation operation) {
        for (;;) {
            const std::size_t n = operation();
            if (error != boost::asio::error::would_block) return n;
            if (!wait(events, error)) return 0;
        }
    }
    template <class Operation>
    static std::size_t or_throw(Operation operation) {
        boost::system::error_code error;
        const std::size_t n = operation(error);
        if (error) throw boost::system::system_error(error);
        return n;
    }

    boost::asio::ip::tcp::socket socket_;
    int cancel_fd_;
    Clock::time_point deadline_ = Clock::time_point::max();
};

}  // namespace corocrawl::fetch
