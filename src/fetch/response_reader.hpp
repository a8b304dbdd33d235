// Feeds what a transport reads to the response parser, and keeps a copy of exactly the bytes the
// parser consumed when asked to: the response as it was on the wire, before any decoding (for
// WARC). Sans-IO: both transports read, this decides what the bytes were.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "fetch/http_core.hpp"

namespace corocrawl::fetch {

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

}  // namespace corocrawl::fetch
