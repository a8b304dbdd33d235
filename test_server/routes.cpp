// The route table of the bundled test server. Every route answers GET and HEAD (HEAD: the GET's
// headers, Content-Length included, without the body) unless noted, and takes `?delay=MS`, which
// replaces its delay for that request (0 ≤ MS ≤ 3,600,000; anything else is a 400).
//
//   /                    index page linking /bobo, /jay and /tom
//   /bobo /jay /tom      the seed's pages, after the server's delay (default 2 s): <title> is the
//   route's
//                        name, UTF-8 Chinese text, <ul> lists of links, and exactly one
//                        <a id="feng" href="http://www.haha.com">
//   /page/N              synthetic page N (a non-negative integer, else 404), no delay: title "page
//   N",
//                        the feng link, and three <a class="next"> links to /page/((N*7+1)%1000),
//                        /page/((N*13+5)%1000) and /page/(N+1) — an endless, deterministic site
//   /status/CODE         answers with status CODE (200–599; 1xx or not a number: 400) and a small
//   HTML
//                        body naming it; 204 has no body and no Content-Length
//   /redirect/N          ?code=301|302|303|307|308 (default 302) to the relative /redirect/N-1,
//   query kept;
//                        /redirect/0 is a 200 page with the feng link
//   /redirect-to?url=U   ?code=… (default 302) to U, percent-decoded, absolute or relative
//   /loop/a, /loop/b     302 to each other, query kept: a redirect loop
//   /bytes/N             an HTML page of exactly N bytes (N ≤ 100 MiB, else 400): <html><body>, the
//   feng
//                        link when it fits, 'x' filler, </body></html>
//   /echo                any method: 200 application/json {"method", "target", "headers":
//   {lower-case
//                        name: value, repeats joined by ", "}, "body"} — what the client sent
//   /hang                reads the request and never answers, until the client or the server closes
//   /links               <a class="rel"> links of every relative shape; against http://HOST/links
//   they
//                        resolve to /page/1, /page/2, /x, /links?q=1, http://other.example/y and
//                        https://abs.example/z
//
// Any other path: 404. A method other than GET or HEAD on a route that takes only those: 405 with
// `Allow: GET, HEAD`. Pages are text/html; charset=utf-8.
#include "routes.hpp"

#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace corocrawl::test_server {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr std::string_view html_type = "text/html; charset=utf-8";
constexpr std::string_view feng_link = R"(<a id="feng" href="http://www.haha.com">feng</a>)";
constexpr std::uint64_t max_bytes_body = 100 * 1024 * 1024;
constexpr milliseconds max_delay = 1h;

// ---- reading the target -------------------------------------------------------------------------

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || stop != end) return std::nullopt;
    return value;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Query-string decoding: %XX and '+' for a space. A malformed escape is kept as it is.
std::string decode_query_component(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            decoded += ' ';
        } else if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 &&
                   hex_digit(text[i + 2]) >= 0) {
            decoded += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
            i += 2;
        } else {
            decoded += text[i];
        }
    }
    return decoded;
}

// The request target split at '?'.
struct Target {
    std::string_view path;
    std::string_view query;  // without the '?'; empty when there is none

    explicit Target(std::string_view target) : path(target) {
        if (auto mark = target.find('?'); mark != std::string_view::npos) {
            path = target.substr(0, mark);
            query = target.substr(mark + 1);
        }
    }

    // The decoded value of the first `name=value` in the query.
    std::optional<std::string> param(std::string_view name) const {
        for (std::string_view rest = query; !rest.empty();) {
            auto amp = rest.find('&');
            auto pair = rest.substr(0, amp);
            rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
            auto equals = pair.find('=');
            if (decode_query_component(pair.substr(0, equals)) != name) continue;
            return equals == std::string_view::npos
                       ? std::string{}
                       : decode_query_component(pair.substr(equals + 1));
        }
        return std::nullopt;
    }

    // "?query", or nothing: to carry the query over to a redirect's Location.
    std::string query_suffix() const {
        std::string suffix;
        if (!query.empty()) suffix.append("?").append(query);
        return suffix;
    }
};

// ---- building responses -------------------------------------------------------------------------

Response make_response(http::status status, std::string body,
                       std::string_view content_type = html_type) {
    Response response{status, 11, std::move(body)};
    response.set(http::field::content_type, content_type);
    if (http::int_to_status(response.result_int()) == http::status::unknown) {
        response.reason("Unknown");  // Beast would write "<unknown-status>"
    }
    return response;
}

std::string reason_of(unsigned code) {
    auto reason = http::obsolete_reason(http::int_to_status(code));
    return reason == "<unknown-status>" ? "Unknown" : std::string(reason);
}

// A small page for statuses: "404 Not Found" as title and heading, plus an explanation.
Response status_page(unsigned code, std::string_view detail = {}) {
    auto title = std::to_string(code) + " " + reason_of(code);
    auto body = "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>" + title +
                "</title></head>\n<body><h1>" + title + "</h1>" +
                (detail.empty() ? "" : "<p>" + std::string(detail) + "</p>") + "</body></html>\n";
    return make_response(static_cast<http::status>(code), std::move(body));
}

Response not_found() {
    return status_page(404, "No such route.");
}
Response bad_request(std::string_view detail) {
    return status_page(400, detail);
}

Response redirect(unsigned code, std::string_view location) {
    auto response = status_page(code, "Moved.");
    response.set(http::field::location, location);
    return response;
}

// `?code=` of the redirect routes: one of the redirect statuses, 302 when absent.
std::optional<unsigned> redirect_code(const Target& target) {
    auto text = target.param("code");
    if (!text) return 302;
    auto code = parse_number(*text);
    if (!code || (*code != 301 && *code != 302 && *code != 303 && *code != 307 && *code != 308)) {
        return std::nullopt;
    }
    return static_cast<unsigned>(*code);
}

// ---- the routes ---------------------------------------------------------------------------------

// What a route's handler sees: the request, its target, and the path's last segment for the routes
// that end in a parameter (/page/N, /status/CODE, ...).
struct Call {
    const Request& request;
    const Target& target;
    std::string_view parameter;
    milliseconds page_delay;
};

Reply index_page(const Call&) {
    return {make_response(http::status::ok, R"(<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="UTF-8"><title>corocrawl test server</title></head>
<body>
<h1>corocrawl 测试服务器</h1>
<ul>
<li><a href="/bobo">bobo</a></li>
<li><a href="/jay">jay</a></li>
<li><a href="/tom">tom</a></li>
</ul>
</body>
</html>
)")};
}

struct SeedPage {
    std::string_view name;
    std::string_view heading;
    std::string_view text;
};

constexpr std::array seed_pages{
    SeedPage{"bobo", "波波的小站", "欢迎光临波波的小站！这里有音乐、电影和一些随笔。"},
    SeedPage{"jay", "周杰伦的歌", "这里收录了一些经典歌曲：晴天、七里香、稻香。"},
    SeedPage{"tom", "汤姆的读书笔记", "今天读完了《三体》，宇宙很大，人很渺小。"},
};

// /bobo, /jay, /tom: the same shape, each with its own words, after the server's delay.
Reply seed_page(const Call& call) {
    auto name = call.target.path.substr(1);
    const SeedPage* page = &seed_pages[0];
    for (const auto& candidate : seed_pages) {
        if (candidate.name == name) page = &candidate;
    }
    std::string body = R"(<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<title>)";
    body.append(page->name).append("</title>\n</head>\n<body>\n<h1>").append(page->heading);
    body.append("</h1>\n<p>")
        .append(page->text)
        .append("</p>\n<h2>朋友们</h2>\n<ul class=\"friends\">\n");
    for (const auto& friend_page : seed_pages) {
        if (&friend_page == page) continue;
        body.append("<li><a href=\"/").append(friend_page.name).append("\">");
        body.append(friend_page.heading).append("</a></li>\n");
    }
    body.append(R"(</ul>
<h2>更多</h2>
<ul class="more">
<li><a href="/page/1">第一页</a></li>
<li><a href="/page/2">第二页</a></li>
<li><a href="/">首页</a></li>
</ul>
<p>找到我：)");
    body.append(feng_link).append("</p>\n</body>\n</html>\n");
    return {make_response(http::status::ok, std::move(body)), call.page_delay};
}

Reply synthetic_page(const Call& call) {
    auto n = parse_number(call.parameter);
    if (!n) return {not_found()};
    const std::uint64_t next[] = {(*n % 1000 * 7 + 1) % 1000, (*n % 1000 * 13 + 5) % 1000, *n + 1};
    auto title = "page " + std::to_string(*n);
    std::string body = "<!DOCTYPE html>\n<html>\n<head><meta charset=\"UTF-8\"><title>" + title +
                       "</title></head>\n<body>\n<h1>" + title + "</h1>\n<p>";
    body.append(feng_link).append("</p>\n<ul>\n");
    for (auto m : next) {
        auto href = "/page/" + std::to_string(m);
        body.append("<li><a class=\"next\" href=\"" + href + "\">" + href + "</a></li>\n");
    }
    body.append("</ul>\n</body>\n</html>\n");
    return {make_response(http::status::ok, std::move(body))};
}

Reply status_code(const Call& call) {
    auto code = parse_number(call.parameter);
    if (!code || *code < 200 || *code > 599) return {bad_request("CODE must be within 200–599.")};
    if (*code == 204 || *code == 304) {  // statuses that must not have a body
        return {make_response(static_cast<http::status>(*code), {})};
    }
    return {status_page(static_cast<unsigned>(*code), "As requested.")};
}

Reply redirect_chain(const Call& call) {
    auto n = parse_number(call.parameter);
    if (!n) return {not_found()};
    auto code = redirect_code(call.target);
    if (!code) return {bad_request("code must be 301, 302, 303, 307 or 308.")};
    if (*n == 0) {
        std::string body =
            "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>redirect "
            "0</title></head>\n"
            "<body><p>End of the chain. ";
        body.append(feng_link).append("</p></body></html>\n");
        return {make_response(http::status::ok, std::move(body))};
    }
    std::string location = "/redirect/";
    location.append(std::to_string(*n - 1)).append(call.target.query_suffix());
    return {redirect(*code, location)};
}

Reply redirect_to(const Call& call) {
    auto url = call.target.param("url");
    if (!url || url->empty()) return {bad_request("url is required.")};
    for (unsigned char c : *url) {
        if (std::iscntrl(c)) return {bad_request("url has a control character.")};
    }
    auto code = redirect_code(call.target);
    if (!code) return {bad_request("code must be 301, 302, 303, 307 or 308.")};
    return {redirect(*code, *url)};
}

Reply redirect_loop(const Call& call) {
    std::string location = call.target.path == "/loop/a" ? "/loop/b" : "/loop/a";
    location.append(call.target.query_suffix());
    return {redirect(302, location)};
}

// Built in place, at its final size: one copy of the body, however large.
Reply sized_page(const Call& call) {
    auto size = parse_number(call.parameter);
    if (!size) return {not_found()};
    if (*size > max_bytes_body) return {bad_request("N must be at most 104857600.")};
    constexpr std::string_view head = "<html><body>";
    constexpr std::string_view tail = "</body></html>";
    std::string body;
    body.reserve(*size);
    if (*size < head.size() + tail.size()) {
        body.append(*size, 'x');
    } else {
        body.append(head);
        if (body.size() + feng_link.size() + tail.size() <= *size) body.append(feng_link);
        body.append(*size - body.size() - tail.size(), 'x');
        body.append(tail);
    }
    return {make_response(http::status::ok, std::move(body))};
}

Reply echo(const Call& call) {
    boost::json::object headers;
    for (const auto& field : call.request) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (auto* seen = headers.if_contains(name)) {
            auto joined = std::string(seen->as_string()) + ", " + std::string(field.value());
            *seen = joined;
        } else {
            headers[name] = field.value();
        }
    }
    boost::json::object echoed{
        {"method", call.request.method_string()},
        {"target", call.request.target()},
        {"headers", std::move(headers)},
        {"body", call.request.body()},
    };
    return {make_response(http::status::ok, boost::json::serialize(echoed), "application/json")};
}

Reply hang(const Call&) {
    Reply reply;
    reply.hang = true;
    return reply;
}

Reply relative_links(const Call&) {
    return {make_response(http::status::ok, R"(<!DOCTYPE html>
<html>
<head><meta charset="UTF-8"><title>links</title></head>
<body>
<ul>
<li><a class="rel" href="/page/1">absolute path</a></li>
<li><a class="rel" href="page/2">relative path</a></li>
<li><a class="rel" href="../x">parent directory</a></li>
<li><a class="rel" href="?q=1">query only</a></li>
<li><a class="rel" href="//other.example/y">network path</a></li>
<li><a class="rel" href="https://abs.example/z">absolute URL</a></li>
</ul>
</body>
</html>
)")};
}

struct Route {
    std::string_view path;  // exact, or, ending in '/', a prefix followed by one parameter segment
    Reply (*handler)(const Call&);
    bool any_method = false;  // else GET and HEAD only
};

constexpr Route routes[] = {
    {"/", index_page},
    {"/bobo", seed_page},
    {"/jay", seed_page},
    {"/tom", seed_page},
    {"/page/", synthetic_page},
    {"/status/", status_code},
    {"/redirect/", redirect_chain},
    {"/redirect-to", redirect_to},
    {"/loop/a", redirect_loop},
    {"/loop/b", redirect_loop},
    {"/bytes/", sized_page},
    {"/echo", echo, true},
    {"/hang", hang},
    {"/links", relative_links},
};

// The route for `path` and its parameter segment, if any.
std::optional<std::pair<const Route*, std::string_view>> find_route(std::string_view path) {
    for (const auto& route : routes) {
        if (path == route.path) return std::pair{&route, std::string_view{}};
        bool has_parameter = route.path.size() > 1 && route.path.ends_with('/');
        if (has_parameter && path.starts_with(route.path)) {
            auto parameter = path.substr(route.path.size());
            if (!parameter.empty() && parameter.find('/') == std::string_view::npos) {
                return std::pair{&route, parameter};
            }
        }
    }
    return std::nullopt;
}

Reply dispatch(const Request& request, milliseconds page_delay) {
    Target target(request.target());
    auto found = find_route(target.path);
    if (!found) return {not_found()};
    auto [route, parameter] = *found;
    auto method = request.method();
    if (!route->any_method && method != http::verb::get && method != http::verb::head) {
        auto response = status_page(405, "Only GET and HEAD.");
        response.set(http::field::allow, "GET, HEAD");
        return {std::move(response)};
    }
    auto delay = target.param("delay");
    std::optional<std::uint64_t> delay_ms;
    if (delay) {
        delay_ms = parse_number(*delay);
        if (!delay_ms || *delay_ms > static_cast<std::uint64_t>(max_delay.count())) {
            return {bad_request("delay must be 0–3600000 milliseconds.")};
        }
    }
    auto reply = route->handler(Call{request, target, parameter, page_delay});
    if (delay_ms) reply.delay = milliseconds(*delay_ms);
    return reply;
}

}  // namespace

Reply route(const Request& request, milliseconds page_delay) {
    Reply reply;
    try {
        reply = dispatch(request, page_delay);
    } catch (const std::exception&) {  // e.g. no memory for a large /bytes/N
        reply = {status_page(500, "The server failed.")};
    }
    auto& response = reply.response;
    response.version(request.version());
    response.set(http::field::server, "corocrawl-test-server");
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    if (response.result() == http::status::no_content) response.erase(http::field::content_length);
    if (request.method() == http::verb::head) {
        response.body().clear();  // Content-Length still says how long the GET's body is
    }
    return reply;
}

Response rejection(http::status status) {
    auto response = status_page(static_cast<unsigned>(status), "The request could not be read.");
    response.set(http::field::server, "corocrawl-test-server");
    response.keep_alive(false);
    response.prepare_payload();
    return response;
}

}  // namespace corocrawl::test_server
