// What every route of the test server shares: the request target read through Boost.URL, what a
// handler is given (Call), and the builders of the common responses. The handlers themselves are
// declared in route_handlers.hpp, one group per routes_*.cpp file.
#pragma once

#include <boost/url/url_view.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "routes.hpp"

namespace corocrawl::test_server::handlers {

inline constexpr std::string_view html_type = "text/html; charset=utf-8";
inline constexpr std::string_view feng_link = R"(<a id="feng" href="http://www.haha.com">feng</a>)";

// ---- reading the target -------------------------------------------------------------------------

// A non-negative decimal number and nothing else.
inline std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || stop != end) return std::nullopt;
    return value;
}

// The request target, parsed as an origin-form URL (path and query, RFC 9112 §3.2.1).
struct Target {
    boost::urls::url_view url;

    std::string_view path() const { return url.encoded_path(); }

    // The decoded value ('+' as a space) of the first `name=value` in the query; "" for a bare
    // `name`.
    std::optional<std::string> param(std::string_view name) const {
        for (const auto& param : url.params()) {  // keys compared decoded, '+' included
            if (param.key == name) return param.value;
        }
        return std::nullopt;
    }

    // "?query", or nothing: to carry the query over to a redirect's Location.
    std::string query_suffix() const {
        std::string suffix;
        if (!url.encoded_query().empty()) suffix.append("?").append(url.encoded_query());
        return suffix;
    }
};

// What a route's handler sees: the request, its target, and the path's last segment for the routes
// that end in a parameter (/page/N, /status/CODE, ...).
struct Call {
    const Request& request;
    const Target& target;
    std::string_view parameter;
    std::chrono::milliseconds page_delay;
    RouteMemory& memory;
    const HostRecords& hosts;
};

// ---- building responses -------------------------------------------------------------------------

inline Response make_response(http::status status, std::string body,
                              std::string_view content_type = html_type) {
    Response response{status, 11, std::move(body)};
    response.set(http::field::content_type, content_type);
    if (http::int_to_status(response.result_int()) == http::status::unknown) {
        response.reason("Unknown");  // Beast would write "<unknown-status>"
    }
    return response;
}

inline std::string reason_of(unsigned code) {
    auto reason = http::obsolete_reason(http::int_to_status(code));
    return reason == "<unknown-status>" ? "Unknown" : std::string(reason);
}

// A small page for statuses: "404 Not Found" as title and heading, plus an explanation.
inline Response status_page(unsigned code, std::string_view detail = {}) {
    auto title = std::to_string(code) + " " + reason_of(code);
    auto body = "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>" + title +
                "</title></head>\n<body><h1>" + title + "</h1>" +
                (detail.empty() ? "" : "<p>" + std::string(detail) + "</p>") + "</body></html>\n";
    return make_response(static_cast<http::status>(code), std::move(body));
}

inline Response not_found() {
    return status_page(404, "No such route.");
}

inline Response bad_request(std::string_view detail) {
    return status_page(400, detail);
}

inline std::string escape_html(std::string_view text) {
    std::string escaped;
    for (char c : text) {
        if (c == '&') {
            escaped += "&amp;";
        } else if (c == '<') {
            escaped += "&lt;";
        } else if (c == '>') {
            escaped += "&gt;";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

}  // namespace corocrawl::test_server::handlers
