#include "frontier/robots.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "corocrawl/url.hpp"

namespace corocrawl::frontier {
namespace {

using namespace std::literals;
constexpr auto npos = std::string_view::npos;
constexpr std::string_view whitespace = " \t\v\f\r\n";
constexpr std::string_view word_end = "/ \t\v\f\r\n";  // where a User-Agent's product token ends

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(whitespace);
    if (first == npos) return {};
    return text.substr(first, text.find_last_not_of(whitespace) - first + 1);
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) { return lower(x) == lower(y); });
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_token_char(char c) {
    return (lower(c) >= 'a' && lower(c) <= 'z') || c == '-' || c == '_';
}

int hex_value(char c) {
    if (is_digit(c)) return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool is_unreserved(unsigned char octet) {  // RFC 3986 2.3
    return (octet >= 'A' && octet <= 'Z') || (octet >= 'a' && octet <= 'z') ||
           is_digit(static_cast<char>(octet)) || octet == '-' || octet == '.' || octet == '_' ||
           octet == '~';
}

void append_escape(std::string& out, unsigned char octet) {
    constexpr std::string_view digits = "0123456789ABCDEF";
    out += '%';
    out += digits[octet >> 4];
    out += digits[octet & 0xF];
}

enum class Text { pattern, path };

// RFC 9309 2.2.2 compares patterns and paths percent-encoded, so both sides are brought to one
// form: an escaped unreserved character is decoded, any other escape spelt in upper case, and
// octets outside printable ASCII (and a '%' that starts no escape) escaped. '*' and '$' are
// special in a pattern, where a literal one is written %2A or %24 (RFC 9309 2.2.3); so in a path
// they are escaped, and in a pattern only a '*' and a final '$' stay special.
std::string normalise(std::string_view text, Text kind) {
    std::string out;
    out.reserve(text.size());
    const bool in_pattern = kind == Text::pattern;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto octet = static_cast<unsigned char>(text[i]);
        if (octet == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            const auto decoded =
                static_cast<unsigned char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            if (is_unreserved(decoded)) {
                out += static_cast<char>(decoded);
            } else {
                append_escape(out, decoded);
            }
            i += 2;
        } else if (octet == '*' && in_pattern) {
            if (!out.ends_with('*')) out += '*';  // a run of wildcards matches what one does
        } else if (octet == '$' && in_pattern && i + 1 == text.size()) {
            out += '$';
        } else if (octet <= ' ' || octet >= 0x7F || octet == '%' || octet == '*' || octet == '$') {
            append_escape(out, octet);
        } else {
            out += static_cast<char>(octet);
        }
    }
    return out;
}

// Google documents that a path must start with '/' or '*', but sites write "Disallow: private"
// too; we read it as the path it most likely means, "/private" (as Scrapy's Protego does).
std::string compile_pattern(std::string_view value) {
    const bool rooted = value.starts_with('/') || value.starts_with('*');
    std::string pattern = rooted ? "" : "/";
    pattern += normalise(value, Text::pattern);
    return pattern;
}

// Whether the normalised `pattern` matches the start of the normalised `path`. Each piece
// between wildcards is taken at its leftmost fit, which leaves the most room for the pieces
// after it, so nothing is ever retried: O(pattern × path) at worst, however many '*'.
bool matches(std::string_view pattern, std::string_view path) {
    const bool anchored = pattern.ends_with('$');
    if (anchored) pattern.remove_suffix(1);
    auto star = pattern.find('*');
    const auto head = pattern.substr(0, star);
    if (!path.starts_with(head)) return false;
    if (star == npos) return !anchored || path.size() == head.size();
    auto at = head.size();
    for (;;) {
        pattern.remove_prefix(star + 1);
        star = pattern.find('*');
        const auto piece = pattern.substr(0, star);
        if (star == npos) {
            return anchored ? path.size() - at >= piece.size() && path.ends_with(piece)
                            : path.find(piece, at) != npos;
        }
        const auto found = path.find(piece, at);
        if (found == npos) return false;
        at = found + piece.size();
    }
}

enum class Key { user_agent, allow, disallow, crawl_delay, sitemap, other };

Key key_of(std::string_view key) {
    // With the misspellings Google accepts, since sites that make them mean them.
    static constexpr std::pair<std::string_view, Key> spellings[] = {
        {"user-agent", Key::user_agent},   {"useragent", Key::user_agent},
        {"user agent", Key::user_agent},   {"allow", Key::allow},
        {"disallow", Key::disallow},       {"dissallow", Key::disallow},
        {"dissalow", Key::disallow},       {"disalow", Key::disallow},
        {"diasllow", Key::disallow},       {"disallaw", Key::disallow},
        {"crawl-delay", Key::crawl_delay}, {"sitemap", Key::sitemap},
        {"site-map", Key::sitemap},
    };
    for (const auto& [spelling, meaning] : spellings) {
        if (iequals(key, spelling)) return meaning;
    }
    return Key::other;
}

// "*" on its own (a comment or more words may follow) addresses every crawler.
bool addresses_everyone(std::string_view agent) {
    return agent.starts_with('*') && (agent.size() == 1 || whitespace.find(agent[1]) != npos);
}

// A user-agent value names a crawler by its leading product token (RFC 9309 2.2.1), so
// "ExampleBot/1.2" names ExampleBot.
std::string_view named_token(std::string_view agent) {
    const auto token_end = std::ranges::find_if_not(agent, is_token_char);
    return agent.substr(0, static_cast<std::size_t>(token_end - agent.begin()));
}

// Non-negative decimal seconds ("10", "0.5", ".5"), truncated to whole milliseconds; integer
// arithmetic, capped as it goes, so no value can overflow.
std::optional<std::chrono::milliseconds> parse_crawl_delay(std::string_view value) {
    constexpr std::int64_t day = 24 * 60 * 60 * 1000;
    const auto point = value.find('.');
    const auto whole = value.substr(0, point);
    const auto fraction = point == npos ? ""sv : value.substr(point + 1);
    const auto all_digits = [](std::string_view digits) {
        return std::ranges::all_of(digits, is_digit);
    };
    if ((whole.empty() && fraction.empty()) || !all_digits(whole) || !all_digits(fraction)) {
        return std::nullopt;
    }
    std::int64_t milliseconds = 0;
    for (const char digit : whole) {
        milliseconds = std::min(milliseconds * 10 + (digit - '0') * 1000, day);
    }
    std::int64_t scale = 100;
    for (const char digit : fraction.substr(0, 3)) {
        milliseconds += (digit - '0') * scale;
        scale /= 10;
    }
    return std::chrono::milliseconds(std::min(milliseconds, day));
}

// The next line of `text`, which it leaves after that line's end: LF, CR or CRLF.
std::string_view take_line(std::string_view& text) {
    const auto end = text.find_first_of("\r\n");
    const auto line = text.substr(0, end);
    const auto ending = end == npos ? 0 : text.substr(end, 2) == "\r\n" ? 2 : 1;
    text.remove_prefix(line.size() + ending);
    return line;
}

}  // namespace

std::string product_token(std::string_view user_agent) {
    user_agent = trim(user_agent);
    const auto word = user_agent.substr(0, user_agent.find_first_of(word_end));
    return word.empty() ? "corocrawl" : std::string(word);
}

RobotsRules RobotsRules::parse(std::string_view text, std::string_view product_token) {
    if (text.size() > robots_max_bytes) {
        // A line the cap cuts in two is dropped: half a rule would say what the file never did.
        const bool cut_mid_line = text[robots_max_bytes] != '\n' && text[robots_max_bytes] != '\r';
        text = text.substr(0, robots_max_bytes);
        if (cut_mid_line) text = text.substr(0, text.find_last_of("\r\n") + 1);
    }
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);

    // The groups naming our product token, merged, and likewise those for '*': one pass
    // fills both, and the end chooses.
    struct Audience {
        bool addressed = false;
        std::vector<Rule> rules;
        std::optional<std::chrono::milliseconds> crawl_delay;
    };
    Audience ours;
    Audience everyone;
    bool for_us = false;          // the current group's audience
    bool for_everyone = false;    // (both false before the first user-agent line)
    bool in_agent_lines = false;  // consecutive user-agent lines share one group

    const auto add = [](Audience& audience, Key key, std::string_view value) {
        if (key == Key::crawl_delay) {
            if (!audience.crawl_delay) audience.crawl_delay = parse_crawl_delay(value);
        } else if (!value.empty()) {  // "Disallow:" disallows nothing, "Allow:" allows nothing more
            const bool allow = key == Key::allow;
            audience.rules.push_back({allow, compile_pattern(value),
                                      (allow ? "Allow: "s : "Disallow: "s).append(value)});
        }
    };

    RobotsRules robots;
    while (!text.empty()) {
        auto line = take_line(text);
        line = line.substr(0, line.find('#'));
        const auto colon = line.find(':');
        if (colon == npos) continue;
        const auto key = key_of(trim(line.substr(0, colon)));
        const auto value = trim(line.substr(colon + 1));
        switch (key) {
            case Key::user_agent:
                if (!in_agent_lines) for_us = for_everyone = false;
                in_agent_lines = true;
                if (addresses_everyone(value)) {
                    for_everyone = everyone.addressed = true;
                } else if (!product_token.empty() && iequals(named_token(value), product_token)) {
                    for_us = ours.addressed = true;
                }
                break;
            case Key::allow:
            case Key::disallow:
            case Key::crawl_delay:
                in_agent_lines = false;
                if (for_us) add(ours, key, value);
                if (for_everyone) add(everyone, key, value);
                break;
            case Key::sitemap:
                if (!value.empty()) robots.sitemaps_.emplace_back(value);
                break;
            case Key::other:
                break;
        }
    }

    // Neither addressed: `everyone` is empty, and everything is allowed.
    auto& chosen = ours.addressed ? ours : everyone;
    std::ranges::stable_sort(chosen.rules, [](const Rule& a, const Rule& b) {
        if (a.pattern.size() != b.pattern.size()) return a.pattern.size() > b.pattern.size();
        return a.allow && !b.allow;
    });
    robots.rules_ = std::move(chosen.rules);
    robots.crawl_delay_ = chosen.crawl_delay;
    return robots;
}

RobotsRules RobotsRules::disallow_all(std::string why) {
    RobotsRules robots;
    robots.refusal_ = std::move(why);
    return robots;
}

RobotsVerdict RobotsRules::check(std::string_view path_and_query) const {
    const auto path = normalise(path_and_query.empty() ? "/"sv : path_and_query, Text::path);
    if (path == "/robots.txt") return {};  // RFC 9309 2.2.2: implicitly allowed
    if (refusal_) return {false, *refusal_};
    for (const auto& rule : rules_) {
        if (matches(rule.pattern, path)) return {rule.allow, rule.as_written};
    }
    return {};
}

RobotsAnswer robots_answer(const Result& result) {
    const int status = result.status;
    if (result.ok() && status / 100 == 2) return {RobotsAnswer::Kind::text, result.body, {}};
    if (status / 100 == 4 || status / 100 == 3 ||
        (result.error && result.error->kind == ErrorKind::too_many_redirects))
        return {RobotsAnswer::Kind::unavailable, {}, {}};
    return {RobotsAnswer::Kind::unreachable,
            {},
            result.error ? result.error->message : "HTTP " + std::to_string(status)};
}

std::string robots_target(std::string_view url) {
    auto parsed = parse_url(url);
    const auto* valid = std::get_if<Url>(&parsed);
    return valid ? valid->target : std::string("/");
}

Error robots_disallowed(std::string_view origin, std::string_view rule) {
    return {ErrorKind::robots,
            "robots.txt of " + std::string(origin) + " disallows it (" + std::string(rule) + ")"};
}

Error robots_unreachable(std::string_view origin, std::string_view failure, int attempts) {
    return {ErrorKind::robots, "robots.txt of " + std::string(origin) + " could not be fetched (" +
                                   std::string(failure) + ", " + std::to_string(attempts) +
                                   " attempts): RFC 9309 asks that nothing be crawled then"};
}

FetchOptions robots_fetch_options(FetchOptions options) {
    options.follow_redirects = true;
    options.max_redirects = 5;
    options.retries = 0;
    options.method.clear();
    options.body.reset();
    options.keep_wire_bytes = false;
    return options;
}

}  // namespace corocrawl::frontier
