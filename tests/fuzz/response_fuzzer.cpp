// Fuzz target: the response decoding core (src/fetch/http_core, body_decoder, extract/charset).
//
// Besides, the whole input goes straight through each body decoder (gzip, deflate, br, zstd) as a
// compressed body: whatever the bytes, a decoder returns a body within the bound or a decode or
// body_too_large error.
//
// Input: the bytes a server sends on one connection, possibly several responses back to back.
// One Exchange for a fixed GET is driven the way the transports drive it: each Send reads the
// next response from the remaining bytes through the transports' ResponseReader with the limits
// the core sets (Exchange::prepare), and the core decides redirects, retries, decoding and the
// error kind. The wire bytes kept for WARC must be exactly the bytes the reader consumed.
// Then the body's charset is detected as the XPath extraction would.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "extract/charset.hpp"
#include "fetch/body_decoder.hpp"
#include "fetch/http_core.hpp"
#include "fetch/response_reader.hpp"
#include "fuzz_check.hpp"

namespace {

namespace http = boost::beast::http;
using corocrawl::ErrorKind;
using corocrawl::fuzz::check;

// Small limits keep every input quick and its memory bounded (a gzip bomb stops at max_body).
corocrawl::FetchOptions fuzz_options() {
    corocrawl::FetchOptions options;
    options.max_body = 256 * 1024;
    options.max_header = 16 * 1024;
    options.max_redirects = 5;
    options.retries = 2;
    options.keep_wire_bytes = true;
    return options;
}

// Reads one response from the front of `bytes`, as http::read does from a socket whose peer
// closes after the last byte; the outcome goes to the exchange. True when the connection
// would be kept alive.
bool read_response(corocrawl::fetch::Exchange& exchange, const corocrawl::fetch::Send& send,
                   std::string_view& bytes, bool reused) {
    corocrawl::fetch::ResponseParser parser;
    exchange.prepare(parser, send.request);
    corocrawl::fetch::ResponseReader reader(parser, exchange.keeps_wire_bytes());
    boost::beast::flat_buffer buffer;
    const auto copied = boost::asio::buffer_copy(buffer.prepare(bytes.size()),
                                                 boost::asio::buffer(bytes.data(), bytes.size()));
    buffer.commit(copied);
    boost::system::error_code error;
    reader.parse(buffer, error);
    // What is left does not complete the message: the peer closes here.
    if (!error && !reader.done()) reader.end_of_stream(error);
    const std::size_t consumed = bytes.size() - buffer.size();
    const std::string_view consumed_bytes = bytes.substr(0, consumed);
    bytes.remove_prefix(consumed);
    if (error) {
        exchange.on_failure({error, corocrawl::fetch::Phase::read, reused, reader.got_some()});
        return false;
    }
    auto wire = reader.take_wire_bytes();
    check(wire == consumed_bytes, "the wire bytes are the bytes the response was parsed from");
    auto response = parser.release();
    const bool keep_alive = response.keep_alive();
    exchange.on_response(std::move(response), {"192.0.2.1", std::move(wire)});
    return keep_alive;
}

bool is_response_error(ErrorKind kind) {
    return kind == ErrorKind::http_status || kind == ErrorKind::too_many_redirects ||
           kind == ErrorKind::body_too_large || kind == ErrorKind::protocol ||
           kind == ErrorKind::decode || kind == ErrorKind::invalid_url ||
           kind == ErrorKind::unsupported_scheme;
}

bool known_encoding(const std::string& encoding) {
    return encoding == "UTF-8" || encoding == "WINDOWS-1252" || encoding == "GBK" ||
           encoding == "CP932" || encoding == "EUC-JP" || encoding == "KOI8-R" ||
           encoding == "UTF-16LE";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const corocrawl::FetchOptions options = fuzz_options();
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string_view bytes = input;

    corocrawl::fetch::Exchange exchange({0, "http://fuzz.example/dir/page?q=1"}, options);
    // Each URL of the redirect chain gets 1 + retries attempts, plus one fresh connection each.
    const int action_limit = (options.max_redirects + 1) * (2 * (options.retries + 1) + 1) + 1;
    int actions = 0;
    bool keep_alive = false;
    for (;;) {
        check(++actions <= action_limit, "an exchange ends within a bounded number of actions");
        const auto action = exchange.next();
        if (std::holds_alternative<corocrawl::fetch::Finished>(action)) break;
        if (const auto* wait = std::get_if<corocrawl::fetch::Wait>(&action)) {
            check(wait->duration.count() >= 0, "a wait is not negative");
            continue;  // only the decision matters here, not the sleep
        }
        const auto& send = std::get<corocrawl::fetch::Send>(action);
        check(send.proxy == nullptr, "no proxy is configured");
        const bool reused = keep_alive && !send.fresh_connection;
        keep_alive = read_response(exchange, send, bytes, reused);
    }
    const corocrawl::Result result = exchange.take_result();

    check(result.attempts >= 1, "at least one request was sent");
    check(!result.exchanges.empty(), "every request sent is an exchange kept");
    for (const auto& wire : result.exchanges) {
        check(wire.request.starts_with("GET "), "the request bytes are the request", wire.request);
        check(wire.response.size() <= input.size(), "no more response bytes than were received");
    }
    check(result.bytes <= input.size(), "no more body bytes than were received");
    if (result.error) {
        check(is_response_error(result.error->kind), "the error is one a response can cause",
              result.error->message);
        check(!result.error->message.empty(), "an error says what happened");
    } else {
        check(result.status >= 200 && result.status <= 299, "ok means a 2xx status");
        check(result.body.size() <= options.max_body, "the decoded body is within max_body");
    }
    auto final_url = corocrawl::parse_url(result.final_url);
    check(std::holds_alternative<corocrawl::Url>(final_url) &&
              std::get<corocrawl::Url>(final_url).text == result.final_url,
          "the final URL is a normalised URL", result.final_url);

    const std::string_view content_type = result.header("Content-Type");
    const auto charset =
        corocrawl::charset::detect_charset(result.body, content_type, known_encoding);
    check(known_encoding(charset.encoding) || charset.encoding == "UTF-16BE",
          "the charset is a supported one, from a byte-order mark or UTF-8", charset.encoding);
    check(charset.bom_length <= result.body.size(), "the byte-order mark is inside the body");

    for (const std::string_view encoding : {"gzip", "deflate", "br", "zstd"}) {
        const auto decoded = corocrawl::fetch::decode_body(std::string(input), encoding, 64 * 1024);
        if (const auto* error = std::get_if<corocrawl::Error>(&decoded)) {
            check(error->kind == ErrorKind::decode || error->kind == ErrorKind::body_too_large,
                  "a body decoder fails only as decode or body_too_large", error->message);
        } else {
            check(std::get<std::string>(decoded).size() <= 64 * 1024,
                  "a decoded body is within the bound", encoding);
        }
    }
    return 0;
}
