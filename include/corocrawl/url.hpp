// URL parsing, validation and normalisation (Boost.URL): the only place a URL string is judged.
#pragma once

#include <optional>
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
// The same for the text of a normalised URL (Url::text).
std::string canonical_url(std::string_view normalised_text, bool keep_query_order = false);

// When `text` is already an absolute URL exactly as parse_url() would write it — as the links a
// crawl resolves are — its host, found without a copy; else nothing (also when unsure: then
// parse_url() it). Lets the frontier judge a link without parsing it twice.
std::optional<std::string_view> normal_url_host(std::string_view text) noexcept;

// Resolves a reference against a base URL string; returns the reference unchanged when either
// does not parse (used by `--absolute`, where a value may not be a URL at all).
std::string resolve_reference(std::string_view base, std::string_view reference);

}  // namespace corocrawl
