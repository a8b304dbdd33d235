// The test server's route table: a parsed request in, the complete response out. No I/O — the
// session does the waiting and the I/O.
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>

#include "route_memory.hpp"

namespace corocrawl::test_server {

class HostRecords;

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// What the session does with one request.
struct Reply {
    Response response;  // ready to send: status, headers, Content-Length, keep-alive
    std::chrono::milliseconds delay{0};  // wait this long before sending it
    bool hang = false;                   // `/hang`: never send anything
};

// Answers `request`. `page_delay` is the server's delay for the seed pages /bobo, /jay, /tom;
// `memory` is what the routes remember across requests, `hosts` what the server recorded of them
// (the server's one instance of each).
Reply route(const Request& request, std::chrono::milliseconds page_delay, RouteMemory& memory,
            const HostRecords& hosts);

// The answer to a request the parser rejected (400, 413, 431): says so, and closes the connection.
Response rejection(http::status status);

}  // namespace corocrawl::test_server
