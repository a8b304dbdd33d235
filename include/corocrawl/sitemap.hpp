// Sitemaps (https://www.sitemaps.org/protocol.html): the URLs a site lists for crawlers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corocrawl {

struct Sitemap {
    std::vector<std::string> pages;     // <urlset><url><loc>
    std::vector<std::string> sitemaps;  // <sitemapindex><sitemap><loc>
    std::optional<std::string> error;   // why nothing (or not everything) could be read
};

// The protocol's limits, which parse_sitemap keeps.
inline constexpr std::size_t max_sitemap_bytes = 50 * 1024 * 1024;  // decompressed
inline constexpr std::size_t max_sitemap_entries = 50'000;

// Reads a sitemap or sitemap index, gzip'd (body starts 1f 8b, as served for .xml.gz with
// Content-Type application/gzip) or not. Bounded: at most max_sitemap_bytes decompressed (a
// gzip bomb stops there with an error; what came before it is still read) and
// max_sitemap_entries entries (the rest are dropped, with an error). Elements are matched by
// local name, in the sitemap namespace or none; the first <loc> of each <url> / <sitemap> is
// taken, trimmed, and resolved against `url` only if it is not an absolute http(s) URL already
// (absolute ones are kept as written). No DTD is loaded, no entity is expanded, nothing is
// fetched. A body that is not XML is read as the protocol's plain-text form: one URL per line,
// the lines that parse as absolute http(s) URLs. Malformed XML gives the entries before the
// fault and the parser's reason in `error`. Safe from several threads; never throws on hostile
// input (only std::bad_alloc).
Sitemap parse_sitemap(std::string_view body, std::string_view url);

}  // namespace corocrawl
