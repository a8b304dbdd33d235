#include "fetch/response_reader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace corocrawl::fetch {

void ResponseReader::parse(boost::beast::flat_buffer& buffer, boost::system::error_code& error) {
    const auto data = buffer.data();
    std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    std::size_t used_in_all = 0;
    while (!bytes.empty() && !parser_.is_done()) {
        error = {};
        const std::size_t used =
            parser_.put(boost::asio::buffer(bytes.data(), bytes.size()), error);
        if (keep_) wire_.append(bytes.data(), used);
        bytes.remove_prefix(used);
        used_in_all += used;
        if (error == http::error::need_more) {
            error = {};  // the header is not complete yet: read on
            break;
        }
        if (error || used == 0) break;
    }
    buffer.consume(used_in_all);
}

void ResponseReader::end_of_stream(boost::system::error_code& error) {
    error = {};
    if (parser_.got_some()) {
        parser_.put_eof(error);
    } else {
        error = http::error::end_of_stream;
    }
}

}  // namespace corocrawl::fetch
