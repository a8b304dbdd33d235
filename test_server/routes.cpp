// The route table of the bundled test server. Every route answers GET and HEAD (HEAD: the GET's
// headers, Content-Length included, without the body) unless noted, and takes `?delay=MS`, which
// replaces its delay for that request (0 ≤ MS ≤ 3,600,000; anything else is a 400).
//
//   /                    index page linking /bobo, /jay and /tom
//   /bobo /jay /tom      the seed's pages, after the server's delay (default 2 s): <title> is the
//                        route's name, UTF-8 Chinese text, <ul> lists of links, and exactly one
//                        <a id="feng" href="http://www.haha.com">
//   /page/N              synthetic page N (a non-negative integer, else 404), no delay: title
//                        "page N", the feng link, and three <a class="next"> links to
//                        /page/((N*7+1)%1000), /page/((N*13+5)%1000) and /page/(N+1) — an endless,
//                        deterministic site
//   /status/CODE         answers with status CODE (200–599; 1xx or not a number: 400) and a small
//                        HTML body naming it; 204 has no body and no Content-Length
//   /redirect/N          ?code=301|302|303|307|308 (default 302) to the relative /redirect/N-1,
//                        query kept; /redirect/0 is a 200 page with the feng link
//   /redirect-to?url=U   ?code=… (default 302) to U, percent-decoded, absolute or relative
//   /loop/a, /loop/b     302 to each other, query kept: a redirect loop
//   /bytes/N             an HTML page of exactly N bytes (N ≤ 100 MiB, else 400): <html><body>,
//                        the feng link when it fits, 'x' filler, </body></html>
//   /echo                any method: 200 application/json {"method", "target", "headers":
//                        {lower-case name: value, repeats joined by ", "}, "body"} — what the
//                        client sent; with ?as=html, the same JSON as the text of
//                        <pre id="echo"> in an HTML page, for clients that extract from HTML
//   /hang                reads the request and never answers, until the client or the server
//                        closes
//   /links               <a class="rel"> links of every relative shape; against
//                        http://HOST/links they resolve to /page/1, /page/2, /x, /links?q=1,
//                        http://other.example/y and https://abs.example/z
//
// HTTP as the real web speaks it. Compressed bodies are sent whatever the request's
// Accept-Encoding says:
//   /chunked/page/N      /page/N's exact HTML with Transfer-Encoding: chunked (HTTP/1.1)
//   /gzip/page/N         /page/N's exact HTML with Content-Encoding: gzip
//   /deflate/page/N      the same with Content-Encoding: deflate (the zlib wrapper)
//   /br/page/N           the same with Content-Encoding: br (brotli)
//   /zstd/page/N         the same with Content-Encoding: zstd (a checksummed frame)
//   /gzip/corrupt        Content-Encoding: gzip; a correct gzip header, corrupted bytes midway;
//   /br/corrupt          likewise in brotli and zstd
//   /zstd/corrupt
//   /gzip/bomb?size=N    a valid gzip body that decodes to N zero bytes (default 1 GiB, at most
//                        4 GiB); about 1 MiB per GiB on the wire; built once per size, which takes
//                        about 2 s per GiB
//   /br/bomb?size=N      likewise in brotli and zstd (far smaller on the wire, built faster)
//   /zstd/bomb?size=N
//   /flaky/KEY           any method; ?fail=K (default 1) &status=S (default 503; 400–599)
//                        &retry_after=R: the first K requests for KEY answer S, with
//                        `Retry-After: R` when R is given; later ones a 200 page with the feng
//                        link. Counted per KEY for the server's life, whatever the query: use a
//                        fresh KEY per test
//   /charset/NAME        ?declare=header|meta|http-equiv|both|bom (default header): an HTML page
//                        in charset NAME (one of charset_samples.hpp: gbk, gb18030, big5,
//                        shift_jis, euc-kr, windows-1252, iso-8859-1, utf-8; else 404) whose
//                        <title> and <p id="t"> hold the sample text for NAME. The charset is
//                        declared only in Content-Type (header), only in <meta charset> (meta) or
//                        <meta http-equiv="Content-Type"> (http-equiv) with Content-Type text/html;
//                        both: Content-Type says NAME and <meta charset> says koi8-r, wrongly;
//                        bom (NAME must be utf-8): a UTF-8 BOM, a wrong koi8-r <meta>, no charset
//                        in Content-Type
//   /json                application/json: a small object
//   /image.png           image/png: a 1×1 PNG
//   /hostile/entities    ?fetch=URL&file=PATH: HTML whose DOCTYPE, entities, XInclude, <link>,
//                        <img> and <iframe> point at URL (prefixed to dtd, entity, ...) and at
//                        file://PATH; #net and #file hold "[&net;]" and "[&file;]"
//   /hostile/control     HTML whose <title> and <p id="t"> carry terminal control characters
//
// Any other path: 404. A method other than GET or HEAD on a route that takes only those: 405 with
// `Allow: GET, HEAD`. Pages are text/html; charset=utf-8 unless said otherwise.
#include "routes.hpp"

#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "charset_encoder.hpp"
#include "charset_samples.hpp"
#include "compression.hpp"

namespace corocrawl::test_server {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr std::string_view html_type = "text/html; charset=utf-8";
constexpr std::string_view feng_link = R"(<a id="feng" href="http://www.haha.com">feng</a>)";
constexpr std::uint64_t max_bytes_body = 100 * 1024 * 1024;
constexpr std::uint64_t default_bomb_size = std::uint64_t{1} << 30;
constexpr std::uint64_t max_bomb_size = std::uint64_t{4} << 30;
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
    RouteMemory& memory;
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

std::string escape_html(std::string_view text) {
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
    auto json = boost::json::serialize(echoed);
    if (call.target.param("as") != "html") {
        return {make_response(http::status::ok, std::move(json), "application/json")};
    }
    return {make_response(http::status::ok,
                          "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>echo</title>"
                          "</head>\n<body><pre id=\"echo\">" +
                              escape_html(json) + "</pre></body></html>\n")};
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

// ---- HTTP as the real web speaks it: compression, retries, charsets, non-HTML ------------------

Reply chunked_page(const Call& call) {
    auto reply = synthetic_page(call);
    reply.response.chunked(true);  // route() keeps it so, without a Content-Length
    return reply;
}

template <Compression format>
Reply compressed_page(const Call& call) {
    auto reply = synthetic_page(call);
    if (reply.response.result() != http::status::ok) return reply;
    reply.response.body() = compress(reply.response.body(), format);
    reply.response.set(http::field::content_encoding, content_encoding(format));
    return reply;
}

template <Compression format>
Reply corrupt_page(const Call& call) {
    const Call page_one{call.request, call.target, "1", call.page_delay, call.memory};
    auto reply = synthetic_page(page_one);
    reply.response.body() = corrupted(reply.response.body(), format);
    reply.response.set(http::field::content_encoding, content_encoding(format));
    return reply;
}

template <Compression format>
Reply bomb(const Call& call) {
    auto size_text = call.target.param("size");
    auto size = size_text ? parse_number(*size_text) : default_bomb_size;
    if (!size || *size > max_bomb_size) return {bad_request("size must be 0–4294967296 bytes.")};
    auto response = make_response(http::status::ok, *call.memory.bomb(format, *size));
    response.set(http::field::content_encoding, content_encoding(format));
    return {std::move(response)};
}

// A parameter that is a number within [low, high], or `fallback` when absent.
std::optional<std::uint64_t> number_param(const Target& target, std::string_view name,
                                          std::uint64_t fallback, std::uint64_t low,
                                          std::uint64_t high) {
    auto text = target.param(name);
    if (!text) return fallback;
    auto value = parse_number(*text);
    if (!value || *value < low || *value > high) return std::nullopt;
    return value;
}

Reply flaky(const Call& call) {
    auto failures = number_param(call.target, "fail", 1, 0, 1'000'000);
    auto status = number_param(call.target, "status", 503, 400, 599);
    if (!failures || !status) {
        return {bad_request("fail must be 0–1000000 and status 400–599.")};
    }
    auto retry_after = call.target.param("retry_after");
    for (unsigned char c : retry_after.value_or("")) {
        if (std::iscntrl(c)) return {bad_request("retry_after has a control character.")};
    }
    auto earlier = call.memory.count_request(std::string(call.parameter));
    if (earlier < *failures) {
        auto response = status_page(static_cast<unsigned>(*status),
                                    "Failing on purpose: request " + std::to_string(earlier + 1) +
                                        " of " + std::to_string(*failures) + " that fail.");
        if (retry_after) response.set(http::field::retry_after, *retry_after);
        return {std::move(response)};
    }
    auto title = "flaky " + std::string(call.parameter);
    std::string body = "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>" +
                       escape_html(title) + "</title></head>\n<body><p>Answered after " +
                       std::to_string(*failures) + " failures. ";
    body.append(feng_link).append("</p></body></html>\n");
    return {make_response(http::status::ok, std::move(body))};
}

// The HTML of a /charset page, still in UTF-8: `meta` goes first in <head>, within the bytes a
// client prescans for it.
std::string charset_page_html(std::string_view meta, std::string_view sample) {
    std::string html = "<!DOCTYPE html>\n<html>\n<head>";
    html.append(meta).append("<title>").append(sample).append("</title></head>\n<body>\n");
    html.append("<h1>charset</h1>\n<p id=\"t\">").append(sample).append("</p>\n</body>\n</html>\n");
    return html;
}

std::string meta_charset(std::string_view charset) {
    return "<meta charset=\"" + std::string(charset) + "\">";
}

Reply charset_page(const Call& call) {
    const CharsetSample* sample = nullptr;
    for (const auto& candidate : charset_samples) {
        if (candidate.charset == call.parameter) sample = &candidate;
    }
    if (!sample) return {not_found()};
    const std::string name(sample->charset);
    const auto declare = call.target.param("declare").value_or("header");

    std::string content_type = "text/html", meta, bom;
    if (declare == "header") {
        content_type += "; charset=" + name;
    } else if (declare == "meta") {
        meta = meta_charset(name);
    } else if (declare == "http-equiv") {
        meta = R"(<meta http-equiv="Content-Type" content="text/html; charset=)" + name + "\">";
    } else if (declare == "both") {
        content_type += "; charset=" + name;
        meta = meta_charset(wrong_charset);
    } else if (declare == "bom") {
        if (name != "utf-8") return {bad_request("declare=bom is for utf-8 only.")};
        bom = "\xEF\xBB\xBF";
        meta = meta_charset(wrong_charset);
    } else {
        return {bad_request("declare must be header, meta, http-equiv, both or bom.")};
    }
    auto encoded = encode_utf8_as(name, charset_page_html(meta, sample->text));
    if (!encoded) return {status_page(500, "iconv cannot encode this charset.")};
    return {make_response(http::status::ok, bom + *encoded, content_type)};
}

Reply json_document(const Call&) {
    return {make_response(http::status::ok,
                          R"({"server":"corocrawl-test-server","html":false,"items":[1,2,3]})",
                          "application/json")};
}

// A real 1×1 RGBA PNG: signature, IHDR, IDAT, IEND, with their CRCs.
constexpr unsigned char png_bytes[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
    0xda, 0x63, 0xf8, 0xdf, 0xc0, 0xf0, 0x1f, 0x00, 0x06, 0x80, 0x02, 0x7f, 0xcf, 0x12,
    0x09, 0xf1, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

Reply png_image(const Call&) {
    return {make_response(http::status::ok,
                          std::string(reinterpret_cast<const char*>(png_bytes), sizeof png_bytes),
                          "image/png")};
}

// ---- hostile pages, for the security tests ------------------------------------------------------

// An HTML page that asks its parser to reach out: an external DTD and external entities at `fetch`
// (a URL, e.g. another server the test watches), an entity naming the local file `file`, a
// parameter entity, XInclude, and resources a browser would load. A safe parser fetches and reads
// none of them; #net and #file then hold no entity text. The server only writes the names.
Reply entities_page(const Call& call) {
    auto fetch = call.target.param("fetch").value_or("http://127.0.0.1:9/");
    auto file = call.target.param("file").value_or("/etc/hostname");
    if (fetch.find_first_of("\"<>") != std::string::npos ||
        file.find_first_of("\"<>") != std::string::npos) {
        return {bad_request("fetch and file must not contain quotes or angle brackets.")};
    }
    auto body = "<!DOCTYPE html SYSTEM \"" + fetch +
                "dtd\" [\n"
                "<!ENTITY net SYSTEM \"" +
                fetch +
                "entity\">\n"
                "<!ENTITY file SYSTEM \"file://" +
                file +
                "\">\n"
                "<!ENTITY % parameter SYSTEM \"" +
                fetch +
                "parameter\">\n"
                "%parameter;\n"
                "]>\n<html><head><title>entities</title>"
                "<link rel=\"stylesheet\" href=\"" +
                fetch +
                "css\"></head>\n<body>"
                "<p id=\"net\">[&net;]</p><p id=\"file\">[&file;]</p>"
                "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"" +
                fetch + "xinclude\"/><img src=\"" + fetch + "img\"><iframe src=\"" + fetch +
                "iframe\"></iframe></body></html>\n";
    return {make_response(http::status::ok, std::move(body))};
}

// A page whose title and text carry terminal control sequences: ESC [31m, BEL, CR, backspace, DEL,
// an ESC written as &#27;, and the C1 control U+009B (CSI on some terminals).
Reply control_characters_page(const Call&) {
    return {make_response(http::status::ok,
                          "<!DOCTYPE html><html><head><title>\x1b[31mred\x07"
                          "bell\rreturn</title></head><body><p id=\"t\">back\bspace\x7f"
                          " del &#27;]0;title\x07 \xc2\x9b"
                          "2J csi</p></body></html>\n")};
}

// /hostile/entities and /hostile/control.
Reply hostile_page(const Call& call) {
    if (call.parameter == "entities") return entities_page(call);
    if (call.parameter == "control") return control_characters_page(call);
    return {not_found()};
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
    {"/chunked/page/", chunked_page},
    {"/gzip/page/", compressed_page<Compression::gzip>},
    {"/deflate/page/", compressed_page<Compression::deflate>},
    {"/br/page/", compressed_page<Compression::brotli>},
    {"/zstd/page/", compressed_page<Compression::zstd>},
    {"/gzip/corrupt", corrupt_page<Compression::gzip>},
    {"/br/corrupt", corrupt_page<Compression::brotli>},
    {"/zstd/corrupt", corrupt_page<Compression::zstd>},
    {"/gzip/bomb", bomb<Compression::gzip>},
    {"/br/bomb", bomb<Compression::brotli>},
    {"/zstd/bomb", bomb<Compression::zstd>},
    {"/flaky/", flaky, true},
    {"/charset/", charset_page},
    {"/json", json_document},
    {"/image.png", png_image},
    {"/hostile/", hostile_page},
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

Reply dispatch(const Request& request, milliseconds page_delay, RouteMemory& memory) {
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
    auto reply = route->handler(Call{request, target, parameter, page_delay, memory});
    if (delay_ms) reply.delay = milliseconds(*delay_ms);
    return reply;
}

}  // namespace

Reply route(const Request& request, milliseconds page_delay, RouteMemory& memory) {
    Reply reply;
    try {
        reply = dispatch(request, page_delay, memory);
    } catch (const std::exception&) {  // e.g. no memory for a large /bytes/N or /gzip/bomb
        reply = {status_page(500, "The server failed.")};
    }
    auto& response = reply.response;
    // Chunked only where HTTP/1.1 has a body to frame (a HEAD answer gets the Content-Length).
    const bool chunked =
        response.chunked() && request.version() == 11 && request.method() != http::verb::head;
    response.version(request.version());
    response.set(http::field::server, "corocrawl-test-server");
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    if (chunked) {
        response.erase(http::field::content_length);
        response.chunked(true);
    }
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
