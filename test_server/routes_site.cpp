// The synthetic site under /site/ (see routes.cpp for what every route shares): site.hpp has the
// whole contract — the query (n, fan, extras), every route, which pages carry what — and the
// pure functions behind it; this file reads the request and sends what they give.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "compression.hpp"
#include "host_header.hpp"
#include "route_handlers.hpp"
#include "site.hpp"

namespace corocrawl::test_server::handlers {
namespace {

std::optional<SiteShape> site_shape(const Target& target) {
    SiteShape shape;
    if (auto text = target.param("n")) {
        auto value = parse_number(*text);
        if (!value || *value < 1 || *value > site_max_pages) return std::nullopt;
        shape.pages = *value;
    }
    if (auto text = target.param("fan")) {
        auto value = parse_number(*text);
        if (!value || *value > site_max_fanout) return std::nullopt;
        shape.fanout = *value;
    }
    if (auto text = target.param("extras")) {
        if (*text != "0" && *text != "1") return std::nullopt;
        shape.extras = *text == "1";
    }
    if (auto text = target.param("delay")) {
        auto value = parse_number(*text);
        if (!value) return std::nullopt;  // the router has refused it already
        shape.delay_ms = *value;
    }
    return shape;
}

Reply bad_shape() {
    return {bad_request("n must be 1–2^40, fan 0–1000, extras 0 or 1.")};
}

// The same server under another name: localhost[:PORT] for 127.0.0.1[:PORT], else
// 127.0.0.1[:PORT].
std::string other_host(std::string_view host) {
    const auto bracket = host.rfind(']');
    const auto colon = host.rfind(':');
    std::string_view name = host, port;
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        name = host.substr(0, colon);
        port = host.substr(colon);
    }
    std::string other = name == "127.0.0.1" ? "localhost" : "127.0.0.1";
    other.append(port);
    return other;
}

// A small 200 page (or `status`), titled `title`, with `links` (HTML) in its body.
Reply small_page(std::string_view title, std::string_view links, std::string_view head = {},
                 http::status status = http::status::ok) {
    std::string body = "<!DOCTYPE html>\n<html>\n<head><meta charset=\"UTF-8\">";
    body.append(head).append("<title>").append(title).append("</title></head>\n<body>\n<h1>");
    body.append(title).append("</h1>\n").append(links).append("\n</body>\n</html>\n");
    return {make_response(status, std::move(body))};
}

std::string link_to(std::string_view path, std::string_view text) {
    return "<a href=\"" + std::string(path) + "\">" + std::string(text) + "</a>";
}

// `/site/WHAT/K?Q`.
std::string site_path(std::string_view what, std::string_view parameter, const SiteShape& shape) {
    return "/site/" + std::string(what) + "/" + std::string(parameter) + "?" + site_query(shape);
}

Reply redirect(unsigned code, std::string location) {
    auto response = status_page(code, "Moved.");
    response.set(http::field::location, location);
    return {std::move(response)};
}

// The handler's answer for the shape the query gives, or a 400.
template <typename Handler>
Reply with_shape(const Call& call, Handler handler) {
    auto shape = site_shape(call.target);
    if (!shape) return bad_shape();
    return handler(*shape);
}

std::string xml_escaped_query(const SiteShape& shape) {
    std::string query = site_query(shape), escaped;
    for (char c : query) {
        if (c == '&') {
            escaped += "&amp;";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

constexpr std::string_view xml_type = "application/xml";
constexpr std::string_view urlset_open =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";

// `<url><loc>http://HOST/site/WHAT/K?Q</loc></url>` for K in [first, last).
void append_locs(std::string& xml, std::string_view host, std::string_view what,
                 std::uint64_t first, std::uint64_t last, std::string_view query) {
    for (auto k = first; k < last; ++k) {
        xml.append("<url><loc>http://").append(host).append("/site/").append(what).append("/");
        xml.append(std::to_string(k)).append("?").append(query).append("</loc></url>\n");
    }
}

std::string orphans_urlset(std::string_view host, const SiteShape& shape) {
    std::string xml(urlset_open);
    append_locs(xml, host, "orphan", 0, site_orphans, xml_escaped_query(shape));
    return xml.append("</urlset>\n");
}

std::uint64_t page_sitemap_parts(const SiteShape& shape) {
    return (shape.pages + site_sitemap_limit - 1) / site_sitemap_limit;
}

std::string sitemap_index(std::string_view host, const SiteShape& shape) {
    const auto query = xml_escaped_query(shape);
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    const auto parts = page_sitemap_parts(shape);
    for (std::uint64_t part = 0; part < parts; ++part) {
        xml.append("<sitemap><loc>http://").append(host).append("/site/sitemap-pages.xml?");
        xml.append(query);
        if (parts > 1) xml.append("&amp;part=").append(std::to_string(part));
        xml.append("</loc></sitemap>\n");
    }
    xml.append("<sitemap><loc>http://").append(host).append("/site/sitemap-orphans.xml.gz?");
    xml.append(query).append("</loc></sitemap>\n</sitemapindex>\n");
    return xml;
}

}  // namespace

Reply site_page(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        auto page = parse_number(call.parameter);
        if (!page || *page >= shape.pages) return {not_found()};
        const auto host = request_host(call.request);
        return {make_response(http::status::ok,
                              render_site_page(*page, shape, host, other_host(host)))};
    });
}

Reply site_missing(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        return small_page(
            "404 Not Found",
            "<p>No such page; but a link a crawler must not follow:</p>\n" +
                link_to(site_path("unreachable", call.parameter, shape), "unreachable"),
            {}, http::status::not_found);
    });
}

Reply site_unreachable(const Call&) {
    return small_page("unreachable", "<p>Nothing links here but error pages and JSON text.</p>");
}

Reply site_redirect(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        auto page = parse_number(call.parameter);
        if (!page) return {not_found()};
        return redirect(301, site_page_path(*page, shape));
    });
}

Reply site_away(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        auto page = parse_number(call.parameter);
        if (!page) return {not_found()};
        return redirect(
            302, "http://" + other_host(request_host(call.request)) + site_page_path(*page, shape));
    });
}

Reply site_data(const Call& call) {
    auto name = call.parameter;
    if (!name.ends_with(".json")) return {not_found()};
    auto page = parse_number(name.substr(0, name.size() - 5));
    if (!page) return {not_found()};
    return {make_response(http::status::ok,
                          R"({"page":)" + std::to_string(*page) +
                              R"(,"html":"<a href=\"/site/unreachable/json\">"})" + "\n",
                          "application/json")};
}

Reply site_image(const Call& call) {
    auto name = call.parameter;
    if (!name.ends_with(".png") || !parse_number(name.substr(0, name.size() - 4))) {
        return {not_found()};
    }
    return png_image(call);
}

Reply site_nofollow(const Call&) {
    return small_page("nofollow", "<p>Linked only by rel=\"nofollow\" links.</p>");
}

Reply site_meta_nofollow(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        return small_page(
            "meta nofollow",
            link_to(site_path("nofollow-meta", call.parameter, shape), "not followed"),
            "<meta name=\"robots\" content=\"nofollow\">");
    });
}

Reply site_nofollow_meta(const Call&) {
    return small_page("nofollow meta",
                      "<p>Linked only from a page whose robots meta says nofollow.</p>");
}

Reply site_orphan(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        auto k = parse_number(call.parameter);
        if (!k || *k >= site_orphans) return {not_found()};
        return small_page("orphan " + std::to_string(*k),
                          link_to(site_page_path(0, shape), "home"));
    });
}

Reply site_trap(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        const auto path = call.target.path();
        if (!path.ends_with('/')) return {not_found()};
        const auto query = site_query(shape);
        return small_page("trap", link_to(std::string(path) + "x/?" + query, "deeper") + "\n" +
                                      link_to(site_page_path(0, shape), "home"));
    });
}

Reply site_sitemap(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        const auto host = request_host(call.request);
        if (shape.pages + site_orphans > site_sitemap_limit) {
            return {make_response(http::status::ok, sitemap_index(host, shape), xml_type)};
        }
        const auto query = xml_escaped_query(shape);
        std::string xml(urlset_open);
        xml.reserve(xml.size() + (shape.pages + site_orphans) * (host.size() + 64));
        append_locs(xml, host, "page", 0, shape.pages, query);
        append_locs(xml, host, "orphan", 0, site_orphans, query);
        return {make_response(http::status::ok, xml.append("</urlset>\n"), xml_type)};
    });
}

Reply site_sitemap_index(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        return {make_response(http::status::ok, sitemap_index(request_host(call.request), shape),
                              xml_type)};
    });
}

Reply site_sitemap_pages(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        std::uint64_t part = 0;
        if (auto text = call.target.param("part")) {
            auto value = parse_number(*text);
            if (!value) return {bad_request("part must be a number.")};
            part = *value;
        }
        if (part >= page_sitemap_parts(shape)) return {not_found()};
        const auto host = request_host(call.request);
        const auto first = part * site_sitemap_limit;
        const auto last = std::min(shape.pages, first + site_sitemap_limit);
        std::string xml(urlset_open);
        xml.reserve(xml.size() + (last - first) * (host.size() + 64));
        append_locs(xml, host, "page", first, last, xml_escaped_query(shape));
        return {make_response(http::status::ok, xml.append("</urlset>\n"), xml_type)};
    });
}

Reply site_sitemap_orphans(const Call& call) {
    return with_shape(call, [&](const SiteShape& shape) -> Reply {
        return {make_response(
            http::status::ok,
            compress(orphans_urlset(request_host(call.request), shape), Compression::gzip),
            "application/gzip")};
    });
}

}  // namespace corocrawl::test_server::handlers
