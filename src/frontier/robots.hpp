// robots.txt (RFC 9309) without I/O: the text in, a crawler's rules out, and a verdict for each
// path. Fetching the file and deciding what an unreachable one means are the frontier's business.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "corocrawl/options.hpp"

namespace corocrawl::frontier {

// The product token a crawler with this User-Agent looks for in robots.txt: its first word up
// to '/' or whitespace, e.g. "corocrawl/1.2 (+https://x)" -> "corocrawl". Empty UA -> "corocrawl".
// A group names a crawler by the leading run of [A-Za-z_-] of its user-agent value (RFC 9309
// 2.2.1), so a token with other characters in it is only ever governed by the '*' groups.
std::string product_token(std::string_view user_agent);

// RFC 9309 2.4: a cached robots.txt should not be used for more than 24 hours.
inline constexpr std::chrono::hours robots_lifetime{24};

// A robots.txt that is unreachable (5xx, no connection, a timeout) is asked for again after
// 1 s, 2 s, 4 s ... at most robots_retry_most apart, while the crawl has other work; its URLs
// wait. Once it has failed robots_attempts times and nothing else is left to do, its URLs get
// their records (robots errors).
inline constexpr std::chrono::milliseconds robots_retry_first{1'000};
inline constexpr std::chrono::milliseconds robots_retry_most{10 * 60'000};
inline constexpr int robots_attempts = 3;

// The most octets of a robots.txt that are parsed (RFC 9309 2.5: at least 500 KiB).
inline constexpr std::size_t robots_max_bytes = 500 * 1024;

// How a robots.txt is fetched, from the crawl's own options: redirects followed, five at most
// (2.3.1.2), a plain GET, no retries (the frontier asks again later, with backoff).
FetchOptions robots_fetch_options(FetchOptions page_options);

// What a robots.txt fetch says (RFC 9309 2.3.1): its text (2xx); that there are no rules at all
// ("unavailable": 4xx, or a redirect that could not be followed, 2.3.1.2); or that it cannot be
// read now ("unreachable": a server error, no connection, a timeout), so nothing is crawled
// until it can be.
struct RobotsAnswer {
    enum class Kind { text, unavailable, unreachable } kind = Kind::unavailable;
    std::string_view text;  // text: the body, as long as the Result lives
    std::string failure;    // unreachable: why, as "HTTP 503" or the error's message
};
RobotsAnswer robots_answer(const Result& result);

// A URL's path and query, as robots.txt rules are matched against them ("/" for no URL).
std::string robots_target(std::string_view url);
// The records of the URLs robots.txt refuses: one `rule` disallows, or the origin's robots.txt
// could not be read (`failure`, after `attempts`).
Error robots_disallowed(std::string_view origin, std::string_view rule);
Error robots_unreachable(std::string_view origin, std::string_view failure, int attempts);

struct RobotsVerdict {
    bool allowed = true;
    std::string rule;  // the rule that decided, as "Disallow: /private/" or "Allow: /x$"; empty
                       // when none matched (allowed)
};

class RobotsRules {
  public:
    // Allows everything (no robots.txt, or a 4xx).
    RobotsRules() = default;
    // The rules of `text` (only its first robots_max_bytes are read) for `product_token`.
    static RobotsRules parse(std::string_view text, std::string_view product_token);
    // Disallows everything; `why` becomes the verdict's rule text (e.g. "robots.txt unreachable:
    // HTTP 503").
    static RobotsRules disallow_all(std::string why);

    // For a URL's path and query as sent in the request line ("/a/b?c=d"; "" means "/").
    RobotsVerdict check(std::string_view path_and_query) const;
    // The matched group's Crawl-delay, if it has a valid one (non-negative decimal seconds,
    // fractions allowed; truncated to whole milliseconds and capped at a day, so that a hostile
    // value can neither overflow a clock nor read as anything but "very slow").
    std::optional<std::chrono::milliseconds> crawl_delay() const { return crawl_delay_; }
    // Every Sitemap: line's URL, wherever it stood in the file (they belong to no group).
    const std::vector<std::string>& sitemaps() const { return sitemaps_; }

  private:
    struct Rule {
        bool allow = false;
        std::string pattern;  // normalised: '*' matches any run, a final '$' is the end of the path
        std::string as_written;  // for the verdict, as "Disallow: /private/"
    };
    // Longest pattern first, Allow before Disallow among equals: the first match decides.
    std::vector<Rule> rules_;
    std::optional<std::chrono::milliseconds> crawl_delay_;
    std::vector<std::string> sitemaps_;
    std::optional<std::string> refusal_;  // why everything is disallowed, when it is
};

}  // namespace corocrawl::frontier
