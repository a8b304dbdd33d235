// A minimal HTTP forward proxy for tests, on loopback: absolute-form requests are forwarded (a
// new upstream connection each), CONNECT opens a byte tunnel. It counts what it was asked.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url.hpp>
#include <string>
#include <thread>

namespace corocrawl::testing {

class ForwardProxy {
  public:
    // With `refuse_tunnels`, every CONNECT is answered 403.
    explicit ForwardProxy(bool refuse_tunnels = false)
        : refuse_tunnels_(refuse_tunnels),
          acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        boost::asio::co_spawn(io_, listen(), boost::asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~ForwardProxy() {
        io_.stop();
        thread_.join();
    }

    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    }

    std::atomic<std::size_t> forwarded{0};  // absolute-form requests
    std::atomic<std::size_t> tunnels{0};    // CONNECT requests

  private:
    using tcp = boost::asio::ip::tcp;
    static constexpr auto nothrow = boost::asio::as_tuple(boost::asio::use_awaitable);

    boost::asio::awaitable<void> listen() {
        for (;;) {
            auto [error, client] = co_await acceptor_.async_accept(nothrow);
            if (error) co_return;
            boost::asio::co_spawn(io_, session(std::move(client)), boost::asio::detached);
        }
    }

    boost::asio::awaitable<std::optional<tcp::socket>> connect_to(std::string_view host,
                                                                  std::string_view port) {
        tcp::resolver resolver(io_);
        auto [resolve_error, endpoints] = co_await resolver.async_resolve(host, port, nothrow);
        if (resolve_error) co_return std::nullopt;
        tcp::socket upstream(io_);
        auto [connect_error, endpoint] =
            co_await boost::asio::async_connect(upstream, endpoints, nothrow);
        if (connect_error) co_return std::nullopt;
        co_return upstream;
    }

    static boost::asio::awaitable<void> pipe(tcp::socket& from, tcp::socket& to) {
        std::array<char, 16 * 1024> chunk;
        for (;;) {
            auto [read_error, n] =
                co_await from.async_read_some(boost::asio::buffer(chunk), nothrow);
            if (read_error) break;
            auto [write_error, m] = co_await boost::asio::async_write(
                to, boost::asio::buffer(chunk.data(), n), nothrow);
            if (write_error) break;
        }
        boost::system::error_code ignored;
        to.shutdown(tcp::socket::shutdown_send, ignored);
    }

    boost::asio::awaitable<void> session(tcp::socket client) {
        namespace http = boost::beast::http;
        using namespace boost::asio::experimental::awaitable_operators;
        boost::beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> request;
            auto [read_error, n] = co_await http::async_read(client, buffer, request, nothrow);
            if (read_error) co_return;
            if (request.method() == http::verb::connect) {
                ++tunnels;
                const std::string authority(request.target());
                const auto colon = authority.rfind(':');
                std::optional<tcp::socket> upstream;
                if (!refuse_tunnels_)
                    upstream = co_await connect_to(authority.substr(0, colon),
                                                   authority.substr(colon + 1));
                const std::string_view answer =
                    upstream ? "HTTP/1.1 200 Connection established\r\n\r\n"
                             : "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
                co_await boost::asio::async_write(client, boost::asio::buffer(answer), nothrow);
                if (upstream) co_await (pipe(client, *upstream) && pipe(*upstream, client));
                co_return;
            }
            ++forwarded;
            auto url = boost::urls::parse_uri(request.target());
            if (!url) co_return;
            const std::string port = url->has_port() ? std::string(url->port()) : "80";
            auto upstream = co_await connect_to(url->host(), port);
            if (!upstream) co_return;
            request.target(url->encoded_target());
            co_await http::async_write(*upstream, request, nothrow);
            boost::beast::flat_buffer upstream_buffer;
            http::response<http::string_body> response;
            auto [response_error, m] =
                co_await http::async_read(*upstream, upstream_buffer, response, nothrow);
            if (response_error) co_return;
            response.keep_alive(request.keep_alive());
            co_await http::async_write(client, response, nothrow);
        }
    }

    bool refuse_tunnels_;
    boost::asio::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
};

}  // namespace corocrawl::testing
