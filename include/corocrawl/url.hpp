// URL parsing, validation and normalisation (Boost.URL): the only place a URL string is judged.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "corocrawl/result.hpp"

namespace corocrawl {

// An absolute http(s) URL, normalised (lower-case scheme and host, default port dropped,
// dot-segments removed, empty path as "/", fragment removed).
struct Url {
    std::string scheme;  // "http" or "https"
    std::string host;    // without brackets for IPv6
    std::string port;    // always set: "80" / "443" when the URL has none
    std::string target;  // path + query, as sent in the request line
    std::string text;    // the whole normalised URL

    bool is_https() const noexcept { return scheme == "https"; }
    // "scheme://host:port": connections are pooled per origin.
    std::string origin() const;
};

// Parses an absolute URL; an Error of kind invalid_url or unsupported_scheme on failure.
std::variant<Url, Error> parse_url(std::string_view text);

// Resolves a reference (e.g. a Location header or an href) against a base URL.
std::variant<Url, Error> resolve_url(const Url& base, std::string_view reference);

// The form a crawl compares URLs in, to fetch each page once: the normalised text (see Url) with
// the query's parameters sorted by name, then value (as Scrapy's canonicalize_url does), unless
// `keep_query_order`.
std::string canonical_url(const Url& url, bool keep_query_order = false);

// Resolves a reference against a base URL string; returns the reference unchanged when either
// does not parse (used by `--absolute`, where a value may not be a URL at all).
std::string resolve_reference(std::string_view base, std::string_view reference);

}  // namespace corocrawl
