// One synchronous client connection to a server on 127.0.0.1, for tests that send raw bytes (or
// whole requests) and watch how the server answers, and whether it closes.
#pragma once

#include <poll.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string_view>

namespace corocrawl::testing {

class RawConnection {
  public:
    using Response = boost::beast::http::response<boost::beast::http::string_body>;

    explicit RawConnection(unsigned short port) {
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    }

    // False when the server has closed (or reset) the connection meanwhile.
    bool send(std::string_view bytes) {
        boost::system::error_code error;
        boost::asio::write(socket_, boost::asio::buffer(bytes), error);
        return !error;
    }

    // Throws when the server closes instead, or sends no HTTP.
    Response read_response(bool to_head = false) {
        boost::beast::http::response_parser<boost::beast::http::string_body> parser;
        parser.body_limit(200 << 20);
        parser.skip(to_head);  // a response to HEAD has no body, whatever Content-Length says
        boost::beast::http::read(socket_, buffer_, parser);
        return parser.release();
    }

    // Writes a whole request, without waiting for its answer.
    void send_request(boost::beast::http::request<boost::beast::http::string_body>& request) {
        request.prepare_payload();
        boost::beast::http::write(socket_, request);
    }

    Response exchange(boost::beast::http::request<boost::beast::http::string_body> request) {
        send_request(request);
        return read_response(request.method() == boost::beast::http::verb::head);
    }

    // Whether bytes (or the close) arrive within `limit`.
    bool readable_within(std::chrono::milliseconds limit) {
        pollfd descriptor{socket_.native_handle(), POLLIN, 0};
        return ::poll(&descriptor, 1, static_cast<int>(limit.count())) > 0;
    }

    // Whether the server closes the connection within `limit`; bytes before the close are dropped.
    bool closed_within(std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left <= std::chrono::milliseconds(0) || !readable_within(left)) return false;
            std::array<char, 4096> scratch;
            boost::system::error_code error;
            socket_.read_some(boost::asio::buffer(scratch), error);
            if (error) return true;  // end of stream or reset
        }
    }

  private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_{io_};
    boost::beast::flat_buffer buffer_;
};

}  // namespace corocrawl::testing
