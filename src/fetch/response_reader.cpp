#include "fetch/response_reader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
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

RoundTrip::RoundTrip(Exchange& exchange, const Send& send, bool reused)
    : exchange_(exchange),
      send_(send),
      reused_(reused),
      reader_(parser_, exchange.keeps_wire_bytes()) {
    exchange_.prepare(parser_, send_.request);
}

bool RoundTrip::on_written(const boost::system::error_code& error) {
    if (error) exchange_.on_failure({error, Phase::write, reused_, false});
    return !error;
}

RoundTrip::Next RoundTrip::on_read(std::size_t bytes, boost::system::error_code error) {
    buffer_.commit(bytes);
    if (error == boost::asio::error::eof) {
        reader_.end_of_stream(error);
    } else if (!error) {
        reader_.parse(buffer_, error);
    }
    if (!header_seen_ && reader_.header_done()) {
        header_seen_ = true;
        exchange_.timings().first_byte = Clock::now();
    }
    if (error) {
        exchange_.on_failure({error, Phase::read, reused_, reader_.got_some()});
        return Next::failed;
    }
    return reader_.done() ? Next::done : Next::read;
}

bool RoundTrip::finish(std::string peer_address) {
    exchange_.timings().received = Clock::now();
    Response response = parser_.release();
    const bool keep_alive = response.keep_alive();
    exchange_.on_response(std::move(response),
                          {std::move(peer_address), reader_.take_wire_bytes()});
    return keep_alive;
}

}  // namespace corocrawl::fetch
