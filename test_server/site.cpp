// The synthetic site's graph and its pages' HTML (see site.hpp): pure functions, no I/O. A page
// is rendered into one string reserved up front, numbers written with std::to_chars: a few
// microseconds each, for the million-page benchmarks.
#include "site.hpp"

#include <array>
#include <charconv>
#include <string_view>

namespace corocrawl::test_server {
namespace {

constexpr std::string_view filler =
    "This synthetic page is one node of a generated site: its links are a deterministic "
    "function of its number and of the site's shape, so a crawl of it can be predicted exactly. "
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt "
    "ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation "
    "ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in "
    "reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur "
    "sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id "
    "est laborum.";

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

void append_number(std::string& out, std::uint64_t value) {
    std::array<char, 24> digits{};
    auto [end, error] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    (void)error;  // 24 digits always suffice
    out.append(digits.data(), end);
}

// Q or Q', with '&' written as `amp` says.
void append_query(std::string& out, const SiteShape& shape, bool swapped, bool entities) {
    const std::string_view amp = entities ? "&amp;" : "&";
    if (swapped) {
        out.append("fan=");
        append_number(out, shape.fanout);
        out.append(amp).append("n=");
        append_number(out, shape.pages);
    } else {
        out.append("n=");
        append_number(out, shape.pages);
        out.append(amp).append("fan=");
        append_number(out, shape.fanout);
    }
    if (!shape.extras) out.append(amp).append("extras=0");
}

struct RelativePrefixes {
    std::string_view relative, dot_relative, parent_relative;
};

RelativePrefixes relative_prefixes(SiteBase base) {
    switch (base) {
        case SiteBase::site_directory:
            return {"page/", "./page/", "../site/page/"};
        case SiteBase::deeper_absolute:
            return {"../", "./../", "../../../site/page/"};
        case SiteBase::none:
            break;
    }
    return {"", "./", "../page/"};
}

void append_href(std::string& out, const SiteLinkForm& link, const SiteShape& shape,
                 const RelativePrefixes& prefixes, std::string_view host) {
    const auto page_path = [&](std::string_view prefix, bool swapped, bool entities) {
        out.append(prefix);
        append_number(out, link.target);
        out.push_back('?');
        append_query(out, shape, swapped, entities);
    };
    switch (link.shape) {
        case SiteLinkShape::absolute_path:
            return page_path("/site/page/", false, false);
        case SiteLinkShape::swapped_query:
            return page_path("/site/page/", true, false);
        case SiteLinkShape::absolute_url:
            out.append("http://").append(host);
            return page_path("/site/page/", false, false);
        case SiteLinkShape::scheme_relative:
            out.append("//").append(host);
            return page_path("/site/page/", false, false);
        case SiteLinkShape::relative:
            return page_path(prefixes.relative, false, false);
        case SiteLinkShape::dot_relative:
            return page_path(prefixes.dot_relative, false, false);
        case SiteLinkShape::parent_relative:
            return page_path(prefixes.parent_relative, false, false);
        case SiteLinkShape::entities:
            return page_path(prefixes.relative, true, true);
        case SiteLinkShape::top_fragment:
            out.append("#top");
            return;
        case SiteLinkShape::self_fragment:
            page_path(prefixes.relative, false, false);
            out.append("#section");
            return;
    }
}

// An extra's link: `<a href="/site/WHAT/K[SUFFIX]?Q">TEXT</a>`.
void append_extra(std::string& out, std::string_view what, std::uint64_t page,
                  std::string_view suffix, const SiteShape& shape) {
    out.append("/site/").append(what).push_back('/');
    append_number(out, page);
    out.append(suffix).push_back('?');
    append_query(out, shape, false, false);
}

}  // namespace

std::string site_query(const SiteShape& shape) {
    std::string query;
    append_query(query, shape, false, false);
    return query;
}

std::string site_query_swapped(const SiteShape& shape) {
    std::string query;
    append_query(query, shape, true, false);
    return query;
}

std::string site_page_path(std::uint64_t page, const SiteShape& shape) {
    std::string path = "/site/page/";
    append_number(path, page);
    path.push_back('?');
    append_query(path, shape, false, false);
    return path;
}

std::vector<std::uint64_t> site_page_links(std::uint64_t page, const SiteShape& shape) {
    std::vector<std::uint64_t> links;
    links.reserve(shape.fanout + 2);
    for (std::uint64_t child : {2 * page + 1, 2 * page + 2}) {
        if (child < shape.pages) links.push_back(child);
    }
    for (std::uint64_t i = 0; links.size() < shape.fanout; ++i) {
        if (i == 0) {
            links.push_back(0);
        } else if (i == 1) {
            links.push_back(page);
        } else {
            links.push_back(splitmix64((page << 20) + i) % shape.pages);
        }
    }
    return links;
}

SiteBase site_page_base(std::uint64_t page) {
    if (page % 7 == 3) return SiteBase::site_directory;
    if (page % 7 == 5) return SiteBase::deeper_absolute;
    return SiteBase::none;
}

std::vector<SiteLinkForm> site_page_link_forms(std::uint64_t page, const SiteShape& shape) {
    const auto targets = site_page_links(page, shape);
    const std::size_t tree = (2 * page + 1 < shape.pages) + (2 * page + 2 < shape.pages);
    const std::size_t self_slot = tree + 1;  // after the link back to 0
    const bool has_base = site_page_base(page) != SiteBase::none;
    std::vector<SiteLinkForm> forms;
    forms.reserve(targets.size());
    std::uint64_t cycled = 0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        SiteLinkForm form{.target = targets[i]};
        if (targets[i] == page) {
            form.shape = i == self_slot && !has_base ? SiteLinkShape::top_fragment
                                                     : SiteLinkShape::self_fragment;
        } else {
            form.shape = static_cast<SiteLinkShape>((cycled + page) % site_cycled_shapes);
            ++cycled;
        }
        forms.push_back(form);
    }
    if (page % 2 == 0 && cycled > 3) {  // the last three non-self links: area, iframe, frame
        SiteLinkElement next = SiteLinkElement::area;
        for (auto it = forms.rbegin(); it != forms.rend() && next != SiteLinkElement::a; ++it) {
            if (it->target == page) continue;
            it->element = next;
            next = next == SiteLinkElement::area     ? SiteLinkElement::iframe
                   : next == SiteLinkElement::iframe ? SiteLinkElement::frame
                                                     : SiteLinkElement::a;
        }
    }
    return forms;
}

bool site_has_extras(std::uint64_t page, const SiteShape& shape) {
    return shape.extras && page % 10 == 0;
}

std::vector<std::string> site_extra_paths(std::uint64_t page, const SiteShape& shape) {
    std::vector<std::string> paths;
    if (!site_has_extras(page, shape)) return paths;
    const std::pair<std::string_view, std::string_view> extras[] = {
        {"missing", ""},   {"redirect", ""},  {"away", ""},
        {"data", ".json"}, {"image", ".png"}, {"meta-nofollow", ""},
    };
    for (auto [what, suffix] : extras) {
        append_extra(paths.emplace_back(), what, page, suffix, shape);
    }
    if (page == 0) paths.push_back("/site/trap/?" + site_query(shape));
    return paths;
}

std::string render_site_page(std::uint64_t page, const SiteShape& shape, std::string_view host,
                             std::string_view other_host) {
    const auto base = site_page_base(page);
    const auto prefixes = relative_prefixes(base);
    std::string out;
    out.reserve(1536 + 128 * shape.fanout);
    out.append("<!DOCTYPE html>\n<html>\n<head><meta charset=\"UTF-8\"><title>site page ");
    append_number(out, page);
    out.append("</title>");
    if (base == SiteBase::site_directory) {
        out.append("<base href=\"/site/\">");
    } else if (base == SiteBase::deeper_absolute) {
        out.append("<base href=\"http://").append(host).append("/site/page/deeper/\">");
    }
    out.append("</head>\n<body>\n<h1 id=\"top\">site page ");
    append_number(out, page);
    out.append("</h1>\n<p id=\"section\">").append(filler).append("</p>\n<div id=\"links\">\n");
    for (const auto& link : site_page_link_forms(page, shape)) {
        if (link.element == SiteLinkElement::frame) {
            out.append("<frameset><frame src=\"");
        } else if (link.element == SiteLinkElement::iframe) {
            out.append("<iframe src=\"");
        } else if (link.element == SiteLinkElement::area) {
            out.append(
                "<map name=\"m\"><area shape=\"rect\" coords=\"0,0,9,9\" alt=\"page\" href=\"");
        } else {
            out.append("<a href=\"");
        }
        append_href(out, link, shape, prefixes, host);
        switch (link.element) {
            case SiteLinkElement::a:
                out.append("\">page ");
                append_number(out, link.target);
                out.append("</a>\n");
                break;
            case SiteLinkElement::area:
                out.append("\"></map>\n");
                break;
            case SiteLinkElement::iframe:
                out.append("\"></iframe>\n");
                break;
            case SiteLinkElement::frame:
                out.append("\"></frameset>\n");
                break;
        }
    }
    out.append("</div>\n");
    if (site_has_extras(page, shape)) {
        out.append("<div id=\"extras\">\n");
        for (const auto& path : site_extra_paths(page, shape)) {
            out.append("<a href=\"").append(path).append("\">extra</a>\n");
            if (path.starts_with("/site/image/")) {
                out.append("<img src=\"").append(path).append("\" alt=\"\">\n");
            }
        }
        out.append("<a href=\"http://").append(other_host);
        append_extra(out, "page", page, "", shape);
        out.append("\">other host</a>\n<a rel=\"nofollow\" href=\"");
        append_extra(out, "nofollow", page, "", shape);
        out.append("\">nofollow</a>\n<a rel=\"noopener NoFollow\" href=\"");
        append_extra(out, "nofollow", page, "", shape);
        out.append(
            "\">NoFollow</a>\n"
            "<a href=\"mailto:a@example.com\">mail</a>\n"
            "<a href=\"javascript:void(0)\">script</a>\n"
            "<a href=\"data:text/html,<a href=x>\">data</a>\n"
            "<a href=\"tel:+1\">phone</a>\n"
            "<a href=\"ftp://example.com/\">ftp</a>\n</div>\n");
    }
    out.append("</body>\n</html>\n");
    return out;
}

}  // namespace corocrawl::test_server
