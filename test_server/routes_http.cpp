// HTTP's edges: statuses, redirects, sizes, echo, hangs, failures and non-HTML bodies (see
// routes.cpp for what every route shares):
//
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
//   /flaky/KEY           any method; ?fail=K (default 1) &status=S (default 503; 400–599)
//                        &retry_after=R: the first K requests for KEY answer S, with
//                        `Retry-After: R` when R is given; later ones a 200 page with the feng
//                        link. Counted per KEY for the server's life, whatever the query: use a
//                        fresh KEY per test
//   /json                application/json: a small object
//   /image.png           image/png: a 1×1 PNG
#include <boost/json.hpp>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "route_handlers.hpp"

namespace corocrawl::test_server::handlers {
namespace {

constexpr std::uint64_t max_bytes_body = 100 * 1024 * 1024;

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

}  // namespace

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
    std::string location = call.target.path() == "/loop/a" ? "/loop/b" : "/loop/a";
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

}  // namespace corocrawl::test_server::handlers
