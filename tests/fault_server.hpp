// A deliberately broken HTTP server for the fault tests. The bundled server is Beast, and Beast
// only ever writes well-formed messages; the faults below need raw bytes on a socket: a response
// dripped a byte a second, cut short, reset, garbage, a bad chunk size, a 1 MiB header line, a
// body that never ends. Each path misbehaves in one way; any other path is a 404.
//
//   /drip              a small 200 response written one byte per second
//   /short-body        Content-Length: 1000, then 20 bytes, then the server closes
//   /garbage           bytes that are not HTTP at all, then close
//   /reset-mid-body    Content-Length: 100000, 1000 bytes, then a TCP reset (SO_LINGER 0)
//   /bad-chunk         Transfer-Encoding: chunked, one good chunk, then the size "zz"
//   /huge-header       a 1 MiB header line
//   /big-body          Content-Length: 8 MiB, and the 8 MiB
//   /endless-chunks    Transfer-Encoding: chunked, 64 KiB chunks until the client goes away
//   /bad-utf8          text/html; charset=utf-8, with bytes that are not UTF-8 in the title
//   /bad-gbk           text/html; charset=gbk, with byte pairs GBK does not define in the title
//   /nested            a <title>, then 100,000 nested <div>s around <p id="deep">
//
// Asio C++20 coroutines in the style of its examples, on loopback port 0, on a thread of its own
// from construction to destruction. One response per connection.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>

namespace corocrawl::testing {

namespace fault {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

inline asio::awaitable<bool> write_all(tcp::socket& socket, std::string_view bytes) {
    auto [error, written] = co_await asio::async_write(socket, asio::buffer(bytes), nothrow);
    co_return !error;
}

inline asio::awaitable<void> sleep(std::chrono::milliseconds duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(nothrow);
}

inline std::string head(std::string_view status_and_headers) {
    return "HTTP/1.1 " + std::string(status_and_headers) + "\r\nConnection: close\r\n\r\n";
}

inline std::string html_head(std::size_t content_length, std::string_view charset = "utf-8") {
    return head("200 OK\r\nContent-Type: text/html; charset=" + std::string(charset) +
                "\r\nContent-Length: " + std::to_string(content_length));
}

inline std::string page(std::string_view title_bytes) {
    return "<html><head><title>" + std::string(title_bytes) +
           "</title></head><body><p>fault</p></body></html>";
}

// Writes `bytes`, then `filler` again and again until `total` bytes are out or the client leaves.
inline asio::awaitable<void> write_until_gone(tcp::socket& socket, std::string bytes,
                                              std::string_view filler, std::size_t total) {
    if (!co_await write_all(socket, bytes)) co_return;
    for (std::size_t sent = 0; sent < total; sent += filler.size()) {
        if (!co_await write_all(socket, filler)) co_return;
    }
}

inline asio::awaitable<void> respond(tcp::socket& socket, std::string_view path) {
    if (path == "/drip") {
        const std::string body = page("drip");
        const std::string response = html_head(body.size()) + body;
        for (const char byte : response) {
            if (!co_await write_all(socket, {&byte, 1})) co_return;
            co_await sleep(1s);
        }
    } else if (path == "/short-body") {
        co_await write_all(socket, html_head(1000) + "<html><head><title>c");
        socket.shutdown(tcp::socket::shutdown_send);
    } else if (path == "/garbage") {
        constexpr char garbage[] = "\x16\x03\x01 SSH-2.0-not-http \x00\xff\r\n\r\n";
        co_await write_all(socket, {garbage, sizeof garbage - 1});
    } else if (path == "/reset-mid-body") {
        if (!co_await write_all(socket, html_head(100'000) + std::string(1000, 'x'))) co_return;
        co_await sleep(200ms);  // the client has the header by now: the reset cuts the body
        socket.set_option(asio::socket_base::linger(true, 0));
        socket.close();
    } else if (path == "/bad-chunk") {
        co_await write_all(socket, head("200 OK\r\nContent-Type: text/html\r\n"
                                        "Transfer-Encoding: chunked") +
                                       "6\r\n<html>\r\nzz\r\nnot a chunk\r\n0\r\n\r\n");
    } else if (path == "/huge-header") {
        co_await write_all(socket, "HTTP/1.1 200 OK\r\nX-Huge: " + std::string(1 << 20, 'h') +
                                       "\r\nContent-Length: 0\r\n\r\n");
    } else if (path == "/big-body") {
        constexpr std::size_t size = 8 << 20;
        co_await write_until_gone(socket, html_head(size), std::string(64 << 10, 'x'), size);
    } else if (path == "/endless-chunks") {
        const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
        co_await write_until_gone(socket,
                                  head("200 OK\r\nContent-Type: text/html\r\n"
                                       "Transfer-Encoding: chunked"),
                                  chunk, std::size_t(-1));
    } else if (path == "/bad-utf8") {
        // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate.
        const std::string body = page("ok \x80 \xc3 \xc0\xaf \xed\xa0\x80 end");
        co_await write_all(socket, html_head(body.size()) + body);
    } else if (path == "/bad-gbk") {
        // "中" in GBK, then 0x81 0x20 and a lone 0xff: no GBK character.
        const std::string body = page("ok \xd6\xd0 \x81\x20 \xff end");
        co_await write_all(socket, html_head(body.size(), "gbk") + body);
    } else if (path == "/nested") {
        std::string body = "<html><head><title>deep</title></head><body>";
        for (int i = 0; i < 100'000; ++i) body += "<div>";
        body += "<p id=\"deep\">bottom</p></body></html>";
        co_await write_all(socket, html_head(body.size()) + body);
    } else {
        co_await write_all(socket, head("404 Not Found\r\nContent-Length: 0"));
    }
}

// Reads one request's head and answers it as its path says.
inline asio::awaitable<void> session(tcp::socket socket) {
    std::string request;
    auto [error, length] = co_await asio::async_read_until(
        socket, asio::dynamic_buffer(request, 64 << 10), "\r\n\r\n", nothrow);
    if (error) co_return;
    // "GET /path?query HTTP/1.1"
    const auto start = request.find(' ') + 1, end = request.find_first_of(" ?", start);
    co_await respond(socket, std::string_view(request).substr(start, end - start));
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
}

inline asio::awaitable<void> listener(tcp::acceptor& acceptor) {
    for (;;) {
        auto [error, socket] = co_await acceptor.async_accept(nothrow);
        if (error == asio::error::operation_aborted) co_return;
        if (error) {
            co_await sleep(10ms);  // out of descriptors, say: wait for some to close, do not spin
            continue;
        }
        co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
    }
}

}  // namespace fault

class FaultServer {
  public:
    FaultServer() {
        fault::asio::co_spawn(io_, fault::listener(acceptor_), fault::asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~FaultServer() {
        io_.stop();
        thread_.join();
    }
    FaultServer(const FaultServer&) = delete;
    FaultServer& operator=(const FaultServer&) = delete;

    std::string url(std::string_view path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
    }

  private:
    fault::asio::io_context io_;
    fault::tcp::acceptor acceptor_{io_, {fault::asio::ip::make_address("127.0.0.1"), 0}};
    const unsigned short port_ = acceptor_.local_endpoint().port();  // read before the thread runs
    std::thread thread_;
};

}  // namespace corocrawl::testing
