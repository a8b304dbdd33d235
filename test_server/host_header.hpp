// Reading the Host header. Tests reach one server under many names (the crawler's --resolve), so
// the Host says which "site" a request is for.
#pragma once

#include <string>
#include <string_view>

#include "routes.hpp"

namespace corocrawl::test_server {

// The request's Host, when it is a plain host[:port] (safe to write into HTML or a robots.txt),
// else 127.0.0.1.
inline std::string_view request_host(const Request& request) {
    auto header = request[http::field::host];
    std::string_view host(header.data(), header.size());
    if (host.empty() || host.size() > 255) return "127.0.0.1";
    for (char c : host) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' ||
                           c == ']';
        if (!plain) return "127.0.0.1";
    }
    return host;
}

// `host` lower-cased (host names are case-insensitive), without a `:port`: the key the server
// keeps per host. A bracketed IPv6 address keeps its brackets.
inline std::string host_name(std::string_view host) {
    const auto bracket = host.rfind(']');
    const auto colon = host.rfind(':');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        host = host.substr(0, colon);
    }
    std::string name(host);
    for (char& c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return name;
}

// The request's Host header as host_name() keys it ("" without one).
inline std::string host_name(const Request& request) {
    auto header = request[http::field::host];
    return host_name(std::string_view(header.data(), header.size()));
}

}  // namespace corocrawl::test_server
