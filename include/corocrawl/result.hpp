// What one crawled URL produced: the record every mode hands to done-callbacks and sinks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corocrawl {

enum class ErrorKind {
    invalid_url,         // the input line is not a URL
    unsupported_scheme,  // a URL, but not http or https
    dns,                 // the host name did not resolve
    connect,             // TCP connect failed (refused, unreachable)
    tls,                 // handshake or certificate verification failed
    timeout,             // connect or total request time exceeded
    http_status,         // the final response was not 2xx
    too_many_redirects,  // redirect limit reached, or a loop
    body_too_large,      // body (decoded) larger than the limit
    protocol,            // the peer did not speak valid HTTP/1.1
    decode,              // corrupt gzip/deflate/br/zstd body
    proxy,               // the proxy could not be reached or refused the request
    robots,              // robots.txt disallows it, or could not be fetched (not fetched)
    worker_lost,         // its lease expired again and again: the workers given it died or hung
    cancelled,           // interrupted before it finished
};

// The stable lower-case name used in every output format ("http_status", ...).
std::string_view to_string(ErrorKind kind) noexcept;

struct Error {
    ErrorKind kind;
    std::string message;
};

using Clock = std::chrono::steady_clock;

// When each phase of the final attempt ended; unset phases stay at the epoch.
struct Timings {
    Clock::time_point start;       // the fetch was started
    Clock::time_point connected;   // resolve + connect (+ TLS) done, or a pooled connection taken
    Clock::time_point first_byte;  // response header received
    Clock::time_point received;    // body received
    Clock::time_point done;        // done-callbacks finished
};

struct Header {
    std::string name;
    std::string value;
};

// The values one field (an XPath expression, or a CSS selector compiled to one) produced on the
// page.
struct Extraction {
    std::string expression;  // the field's key: its NAME, else the expression as given
    std::vector<std::string> values;
};

// One line of the input, as the engine hands it to a fetch.
struct InputLine {
    std::size_t index;  // 0-based position among the URL lines (blank and # lines not counted)
    std::string text;   // trimmed of surrounding white space
    std::uint64_t end_offset = 0;  // where a file or stdin stands after it (0 for an argument)
};

// One request and its response as they were on the wire, kept for WARC output
// (FetchOptions::keep_wire_bytes): every attempt, redirects and retries included.
struct WireExchange {
    std::string url;         // the request's target URI
    std::string ip_address;  // of the peer that answered (the proxy, through one); "" if unknown
    // When the request was sent.
    std::chrono::system_clock::time_point date;
    // The bytes sent.
    std::string request;
    // The bytes received, header and body, before any decoding; "" when no whole response came.
    std::string response;
    // The response's entity body: transfer coding removed, content coding kept.
    std::string payload;
};

struct Result {
    std::size_t index = 0;        // position in the input (0-based): the order `--ordered` restores
    std::size_t worker = 0;       // which concurrency slot (async) or thread (pool) fetched it
    std::string url;              // as given in the input, or as resolved from a link
    std::size_t depth = 0;        // links followed from a seed to reach it (seeds: 0)
    std::string referrer;         // the page that linked it (or redirected to it); "" for a seed
    std::string final_url;        // after redirects; empty when no request was made
    int status = 0;               // final HTTP status; 0 when no response arrived
    std::vector<Header> headers;  // of the final response
    std::string body;             // of the final response, decoded
    std::size_t bytes = 0;        // body bytes as received on the wire (before decoding)
    int attempts = 0;             // requests sent for the final URL (1 + retries)
    std::chrono::milliseconds elapsed{0};
    Timings timings;
    std::optional<Error> error;
    std::vector<Extraction> extractions;  // filled by the XPath done-callback
    std::vector<WireExchange> exchanges;  // with FetchOptions::keep_wire_bytes, in order

    bool ok() const noexcept { return !error.has_value(); }
    // The first header with this name (case-insensitive), or "" when absent.
    std::string_view header(std::string_view name) const noexcept;
};

}  // namespace corocrawl
