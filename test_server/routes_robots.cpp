// robots.txt chosen per host, for the crawler's politeness tests (see routes.cpp for what every
// route shares). Tests reach this one server under many names (--resolve NAME:PORT:127.0.0.1), and
// the Host header's name (lower case, without the port) chooses the answer; robots_cases.hpp has
// the exact texts.
//
//   /robots.txt            counted per host (Server::robots_requests), and answers what
//                          Server::set_robots registered for the host; else, for a host whose first
//                          label is robots-CASE (robots-500.test), CASE:
//     allow                  200, everything allowed
//     private                200: /site/private/ disallowed except /site/private/open,
//                            Crawl-delay 0.2, a Sitemap on the same Host
//     404, 500, 503          that status
//     hang                   never answers, until the client or the server closes
//     redirect               301 to /robots/private.txt
//     redirect-loop          301 to /robots/loop/a: a redirect loop
//     too-many-redirects     6 redirects (/robots/hop/5 … /robots/hop/0), then the private text
//     huge                   200, more than 600 KiB: an early Disallow, comment padding, and a
//                            `Disallow: /site/` past the first 500 KiB
//     gzip                   the private text, gzip-encoded when Accept-Encoding allows gzip
//                          and any other host, or CASE: 404
//   /robots/private.txt    the private text
//   /robots/loop/a, /b     301 to each other
//   /robots/hop/N          N ≤ 100; N > 0: 301 to /robots/hop/N-1; /robots/hop/0: the private text
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "compression.hpp"
#include "host_header.hpp"
#include "robots_cases.hpp"
#include "route_handlers.hpp"

namespace corocrawl::test_server::handlers {
namespace {

constexpr std::string_view text_type = "text/plain; charset=utf-8";
constexpr std::uint64_t max_hops = 100;

Reply robots_text(std::string body) {
    return {make_response(http::status::ok, std::move(body), text_type)};
}

Reply moved_to(std::string location) {
    auto response = status_page(301, "Moved.");
    response.set(http::field::location, location);
    return {std::move(response)};
}

Reply private_text(const Call& call) {
    return robots_text(robots_private_text(request_host(call.request)));
}

Reply status_reply(unsigned code) {
    return {status_page(code, "robots.txt")};
}

// The padding: comment lines, the last one sized so the text is then exactly `size` long.
void pad_to(std::string& text, std::size_t size) {
    constexpr std::size_t line = 64;
    while (text.size() < size) {
        const auto left = size - text.size();
        const auto length =
            left >= 2 * line ? line : left;  // never a remainder too short for "#\n"
        text.append("#").append(length - 2, '.').append("\n");
    }
}

std::string huge_text() {
    std::string text(robots_huge_early_rules);
    pad_to(text, robots_huge_late_rule_offset);
    text.append(robots_huge_late_rule);
    pad_to(text, robots_huge_size);
    return text;
}

std::string_view trimmed(std::string_view text) {
    while (text.starts_with(' ')) text.remove_prefix(1);
    while (text.ends_with(' ')) text.remove_suffix(1);
    return text;
}

// Whether Accept-Encoding lists gzip, and not with q=0 (RFC 9110 §12.5.3; `*`, which crawlers do
// not send, is not read).
bool accepts_gzip(const Request& request) {
    auto header = request[http::field::accept_encoding];
    std::string_view rest(header.data(), header.size());
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const auto semicolon = item.find(';');
        if (trimmed(item.substr(0, semicolon)) != "gzip") continue;
        if (semicolon == std::string_view::npos) return true;
        const auto weight = trimmed(item.substr(semicolon + 1));
        const bool zero = weight == "q=0" || (weight.starts_with("q=0.") &&
                                              weight.find_first_not_of('0', 4) == weight.npos);
        return !zero;
    }
    return false;
}

Reply gzip_case(const Call& call) {
    auto reply = private_text(call);
    auto& response = reply.response;
    response.set(http::field::vary, "Accept-Encoding");
    if (accepts_gzip(call.request)) {
        response.body() = compress(response.body(), Compression::gzip);
        response.set(http::field::content_encoding, "gzip");
    }
    return reply;
}

Reply hang_case(const Call&) {
    Reply reply;
    reply.hang = true;
    return reply;
}

struct RobotsCase {
    std::string_view name;
    Reply (*answer)(const Call&);
};

constexpr RobotsCase robots_cases[] = {
    {"allow", [](const Call&) { return robots_text(std::string(robots_allow_text)); }},
    {"private", private_text},
    {"404", [](const Call&) { return status_reply(404); }},
    {"500", [](const Call&) { return status_reply(500); }},
    {"503", [](const Call&) { return status_reply(503); }},
    {"hang", hang_case},
    {"redirect", [](const Call&) { return moved_to("/robots/private.txt"); }},
    {"redirect-loop", [](const Call&) { return moved_to("/robots/loop/a"); }},
    {"too-many-redirects",
     [](const Call&) {
         return moved_to("/robots/hop/" + std::to_string(robots_redirect_hops - 1));
     }},
    {"huge",
     [](const Call&) {
         static const std::string text = huge_text();  // built once, by the first request
         return robots_text(text);
     }},
    {"gzip", gzip_case},
};

// The built-in case the host name asks for, by its first label `robots-CASE`.
const RobotsCase* case_for(std::string_view host) {
    constexpr std::string_view prefix = "robots-";
    auto label = host.substr(0, host.find('.'));
    if (!label.starts_with(prefix)) return nullptr;
    label.remove_prefix(prefix.size());
    for (const auto& robots_case : robots_cases) {
        if (robots_case.name == label) return &robots_case;
    }
    return nullptr;
}

}  // namespace

Reply robots_txt(const Call& call) {
    const auto host = host_name(call.request);
    if (auto registered = call.memory.robots_request(host)) {
        Reply reply{make_response(static_cast<http::status>(registered->status),
                                  std::move(registered->body), text_type)};
        reply.delay = registered->delay;
        return reply;
    }
    if (const auto* robots_case = case_for(host)) return robots_case->answer(call);
    return {status_page(404, "No robots.txt for this host.")};
}

Reply robots_private(const Call& call) {
    return private_text(call);
}

Reply robots_loop(const Call& call) {
    if (call.parameter == "a") return moved_to("/robots/loop/b");
    if (call.parameter == "b") return moved_to("/robots/loop/a");
    return {not_found()};
}

Reply robots_hop(const Call& call) {
    auto left = parse_number(call.parameter);
    if (!left || *left > max_hops) return {not_found()};
    if (*left == 0) return private_text(call);
    return moved_to("/robots/hop/" + std::to_string(*left - 1));
}

}  // namespace corocrawl::test_server::handlers
