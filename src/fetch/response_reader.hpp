// One request's round trip on a connection, as both transports drive it, and the reader under
// it. Sans-IO: the transports write and read; this decides what each write and read meant.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "fetch/http_core.hpp"

namespace corocrawl::fetch {

// Feeds what a transport reads to the response parser, and keeps a copy of exactly the bytes the
// parser consumed when asked to: the response as it was on the wire, before any decoding (for
// WARC).
class ResponseReader {
  public:
    ResponseReader(ResponseParser& parser, bool keep_wire_bytes)
        : parser_(parser), keep_(keep_wire_bytes) {}

    // Parses what was read into `buffer`, and drops what was used from it (the rest waits for the
    // next read). `error` is set for a malformed response or a limit passed; an incomplete header
    // is not an error, just a need for more.
    void parse(boost::beast::flat_buffer& buffer, boost::system::error_code& error);

    // The peer closed the connection: that ends a body delimited by the close (as Beast's read
    // does); anything else is an error.
    void end_of_stream(boost::system::error_code& error);

    bool done() const { return parser_.is_done(); }
    bool header_done() const { return parser_.is_header_done(); }
    bool got_some() const { return parser_.got_some(); }
    std::string take_wire_bytes() { return std::move(wire_); }

  private:
    ResponseParser& parser_;
    bool keep_;
    std::string wire_;
};

// A transport writes request_bytes(), reports the write to on_written(), then reads into
// read_buffer() and reports each read to on_read() until it answers `done` or `failed`, and for
// `done` calls finish(). Failures are reported to the exchange here, with the phase they
// happened in; the first byte's time is taken here.
class RoundTrip {
  public:
    enum class Next { read, done, failed };

    RoundTrip(Exchange& exchange, const Send& send, bool reused);

    boost::asio::const_buffer request_bytes() const noexcept {
        return boost::asio::buffer(send_.wire_request);
    }
    // Every wait of the round trip ends by then.
    Clock::time_point deadline() const noexcept { return exchange_.deadline(); }
    // False when the write failed (reported).
    bool on_written(const boost::system::error_code& error);

    // As Beast's own reads size it: from 512 bytes, growing with what the buffer already holds,
    // at most 64 KiB. A fixed 64 KiB per read cost every small page (and each of 10,000
    // connections waiting at once) a 64 KiB allocation.
    boost::asio::mutable_buffer read_buffer() {
        return buffer_.prepare(boost::beast::read_size(buffer_, max_read_size));
    }
    Next on_read(std::size_t bytes, boost::system::error_code error);

    // Hands the response to the exchange; true when the connection may be kept for another.
    bool finish(std::string peer_address);

  private:
    static constexpr std::size_t max_read_size = 64 * 1024;

    Exchange& exchange_;
    const Send& send_;
    bool reused_;
    boost::beast::flat_buffer buffer_;
    ResponseParser parser_;
    ResponseReader reader_;
    bool header_seen_ = false;
};

}  // namespace corocrawl::fetch
