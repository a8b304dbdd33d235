// The exact robots.txt texts of the test server's built-in cases (routes_robots.cpp), for the
// tests to compare against and to reason about: which paths each one allows.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace corocrawl::test_server {

// robots-allow: everything allowed.
inline constexpr std::string_view robots_allow_text = "User-agent: *\nDisallow:\n";

// robots-private, without its Sitemap line. The Allow is the longer match, so it wins inside the
// disallowed folder (RFC 9309 §2.2.2).
inline constexpr std::string_view robots_private_rules =
    "User-agent: *\n"
    "Disallow: /site/private/\n"
    "Allow: /site/private/open\n"
    "Crawl-delay: 0.2\n";

// robots-private as served under `host` (the Host header, port included): the rules, then a
// sitemap on that same host.
inline std::string robots_private_text(std::string_view host) {
    std::string text(robots_private_rules);
    text.append("\nSitemap: http://").append(host).append("/site/sitemap.xml\n");
    return text;
}

// robots-huge: robots_huge_size bytes. It opens with robots_huge_early_rules; comment lines pad
// it to robots_huge_late_rule_offset, where robots_huge_late_rule stands, past the 500 KiB
// (robots_parse_limit) a crawler must parse (RFC 9309 §2.5), so one that stops there never sees
// it; more padding follows.
inline constexpr std::size_t robots_parse_limit = 500 * 1024;
inline constexpr std::string_view robots_huge_early_rules =
    "User-agent: *\nDisallow: /site/early-blocked/\n";
inline constexpr std::string_view robots_huge_late_rule = "Disallow: /site/\n";
inline constexpr std::size_t robots_huge_late_rule_offset = 550 * 1024;
inline constexpr std::size_t robots_huge_size = 640 * 1024;

// robots-too-many-redirects: this many 301s before the private text; one more than the 5 a
// crawler must follow (RFC 9309 §2.3.1.2).
inline constexpr int robots_redirect_hops = 6;

}  // namespace corocrawl::test_server
