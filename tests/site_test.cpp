// The synthetic site under /site/ (test_server/site.hpp): its graph as pure functions, and what
// the real server renders, fetched over loopback from a server started in-process on port 0. The
// page links are extracted with the crawler's own XPath and resolved with its own URL resolver,
// against the page's <base> when it has one, and must land exactly on site_page_links.
#include "site.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>
#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "corocrawl/url.hpp"
#include "corocrawl/xpath.hpp"
#include "fetch/body_decoder.hpp"
#include "raw_connection.hpp"
#include "test_server.hpp"

namespace {

namespace http = boost::beast::http;
using corocrawl::test_server::Server;
using corocrawl::test_server::ServerOptions;
using corocrawl::test_server::SiteBase;
using corocrawl::test_server::SiteLinkElement;
using corocrawl::test_server::SiteLinkShape;
using corocrawl::test_server::SiteShape;
using corocrawl::testing::RawConnection;
using Response = http::response<http::string_body>;
namespace site = corocrawl::test_server;

std::size_t count(std::string_view text, std::string_view part) {
    std::size_t found = 0;
    for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) {
        ++found;
    }
    return found;
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

// ---- the graph, without a server ------------------------------------------------------------

TEST(SiteGraph, TreeLinksAreAlwaysThereAndEveryTargetIsAPage) {
    for (std::uint64_t pages : {1u, 2u, 7u, 1000u}) {
        for (std::uint64_t fanout : {0u, 1u, 2u, 4u, 10u, 50u}) {
            const SiteShape shape{.pages = pages, .fanout = fanout};
            for (std::uint64_t k = 0; k < pages; ++k) {
                SCOPED_TRACE(::testing::Message()
                             << "n=" << pages << " fan=" << fanout << " K=" << k);
                const auto links = site::site_page_links(k, shape);
                std::size_t tree = 0;
                for (auto child : {2 * k + 1, 2 * k + 2}) {
                    if (child >= pages) continue;
                    ASSERT_GT(links.size(), tree);
                    EXPECT_EQ(links[tree], child);
                    ++tree;
                }
                EXPECT_EQ(links.size(), std::max<std::size_t>(fanout, tree));
                for (auto target : links) EXPECT_LT(target, pages);
                if (fanout >= tree + 2) {  // the cycle back to 0, then the self link
                    EXPECT_EQ(links[tree], 0u);
                    EXPECT_EQ(links[tree + 1], k);
                }
            }
        }
    }
}

TEST(SiteGraph, LinksAreDeterministicAndVaried) {
    const SiteShape shape;
    std::set<std::uint64_t> random_targets;
    for (std::uint64_t k = 0; k < 100; ++k) {
        const auto links = site::site_page_links(k, shape);
        EXPECT_EQ(links, site::site_page_links(k, shape));
        for (std::size_t i = 4; i < links.size(); ++i) random_targets.insert(links[i]);
    }
    EXPECT_GT(random_targets.size(), 400u);  // 600 hashed links over 1000 pages
}

TEST(SiteGraph, EveryPageIsReachableFromPageZero) {
    for (const SiteShape shape :
         {SiteShape{}, SiteShape{.pages = 1}, SiteShape{.pages = 2},
          SiteShape{.pages = 12345, .fanout = 0}, SiteShape{.pages = 100'000, .fanout = 3}}) {
        SCOPED_TRACE(shape.pages);
        std::vector<bool> seen(shape.pages);
        std::deque<std::uint64_t> queue{0};
        seen[0] = true;
        std::uint64_t reached = 1;
        while (!queue.empty()) {
            auto page = queue.front();
            queue.pop_front();
            for (auto target : site::site_page_links(page, shape)) {
                if (!seen[target]) {
                    seen[target] = true;
                    ++reached;
                    queue.push_back(target);
                }
            }
        }
        EXPECT_EQ(reached, shape.pages);
    }
}

TEST(SiteGraph, FormsFollowTheLinksAndPageZeroHasEveryShape) {
    const SiteShape shape;
    for (std::uint64_t k = 0; k < 200; ++k) {
        std::vector<std::uint64_t> targets;
        for (const auto& form : site::site_page_link_forms(k, shape))
            targets.push_back(form.target);
        EXPECT_EQ(targets, site::site_page_links(k, shape)) << k;
    }
    std::set<SiteLinkShape> shapes;
    std::set<SiteLinkElement> elements;
    for (const auto& form : site::site_page_link_forms(0, shape)) {
        shapes.insert(form.shape);
        elements.insert(form.element);
    }
    EXPECT_EQ(shapes.size(), 10u);   // the 8 cycled shapes, #top and K?Q#section
    EXPECT_EQ(elements.size(), 4u);  // a, area, iframe, frame
    EXPECT_EQ(site::site_page_base(3), SiteBase::site_directory);
    EXPECT_EQ(site::site_page_base(5), SiteBase::deeper_absolute);
    EXPECT_EQ(site::site_page_base(0), SiteBase::none);
}

TEST(SiteGraph, ExtrasAreOnEveryTenthPageOnlyWithExtrasOn) {
    const SiteShape shape;
    const std::string q = "?n=1000&fan=10";
    EXPECT_EQ(site::site_extra_paths(10, shape),
              (std::vector<std::string>{"/site/missing/10" + q, "/site/redirect/10" + q,
                                        "/site/away/10" + q, "/site/data/10.json" + q,
                                        "/site/image/10.png" + q, "/site/meta-nofollow/10" + q}));
    EXPECT_EQ(site::site_extra_paths(0, shape).back(), "/site/trap/" + q);
    EXPECT_TRUE(site::site_extra_paths(11, shape).empty());
    EXPECT_TRUE(site::site_extra_paths(0, SiteShape{.extras = false}).empty());
    EXPECT_EQ(site::site_query(SiteShape{.pages = 5, .fanout = 2, .extras = false}),
              "n=5&fan=2&extras=0");
    EXPECT_EQ(site::site_query_swapped(SiteShape{.pages = 5, .fanout = 2}), "fan=2&n=5");
}

// ---- what the server renders ----------------------------------------------------------------

class SiteServer : public ::testing::Test {
  protected:
    static ServerOptions options() {
        ServerOptions options;
        options.port = 0;
        return options;
    }

    Server server_{options()};

    std::string host() const { return "127.0.0.1:" + std::to_string(server_.port()); }

    Response fetch(const std::string& target, const std::string& host_header = {}) const {
        RawConnection connection(server_.port());
        http::request<http::string_body> request{http::verb::get, target, 11};
        request.set(http::field::host, host_header.empty() ? host() : host_header);
        return connection.exchange(std::move(request));
    }
};

std::string resolved(const std::string& base, std::string_view reference) {
    auto base_url = corocrawl::parse_url(base);
    if (!std::holds_alternative<corocrawl::Url>(base_url)) return "unparsable base " + base;
    auto url = corocrawl::resolve_url(std::get<corocrawl::Url>(base_url), reference);
    if (!std::holds_alternative<corocrawl::Url>(url))
        return "unresolvable " + std::string(reference);
    return std::get<corocrawl::Url>(url).text;
}

TEST_F(SiteServer, PageLinksResolveToTheGraphAndBaseMatters) {
    const corocrawl::XPathSet xpaths(
        {R"(//*[@id="links"]//@href | //*[@id="links"]//@src)", "//base/@href"});
    for (const SiteShape shape : {SiteShape{}, SiteShape{.pages = 50, .fanout = 12},
                                  SiteShape{.pages = 1000, .fanout = 10, .extras = false}}) {
        for (std::uint64_t k = 0; k < 40; ++k) {
            SCOPED_TRACE(::testing::Message() << site::site_query(shape) << " K=" << k);
            const auto page_url = "http://" + host() + site::site_page_path(k, shape);
            const auto response = fetch(site::site_page_path(k, shape));
            ASSERT_EQ(response.result(), http::status::ok);
            EXPECT_EQ(response[http::field::content_type], "text/html; charset=utf-8");
            const auto extracted = xpaths.extract(response.body(), "text/html", page_url);
            const auto& hrefs = extracted[0].values;
            const auto& bases = extracted[1].values;
            ASSERT_EQ(bases.size(), site::site_page_base(k) == SiteBase::none ? 0u : 1u);
            const auto document_base = bases.empty() ? page_url : resolved(page_url, bases[0]);

            const auto forms = site::site_page_link_forms(k, shape);
            ASSERT_EQ(hrefs.size(), forms.size());
            bool differs_without_base = false;
            for (std::size_t i = 0; i < forms.size(); ++i) {
                const auto query = forms[i].swapped_query() ? site::site_query_swapped(shape)
                                                            : site::site_query(shape);
                const auto expected = "http://" + host() + "/site/page/" +
                                      std::to_string(forms[i].target) + "?" + query;
                EXPECT_EQ(resolved(document_base, hrefs[i]), expected) << hrefs[i];
                differs_without_base |= resolved(page_url, hrefs[i]) != expected;
            }
            EXPECT_EQ(differs_without_base, !bases.empty());
        }
    }
}

TEST_F(SiteServer, PageZeroHasEveryLinkShapeAndTheExtras) {
    const auto response = fetch("/site/page/0?n=1000&fan=10");
    ASSERT_EQ(response.result(), http::status::ok);
    const auto& body = response.body();
    EXPECT_TRUE(contains(body, "<title>site page 0</title>"));
    EXPECT_GT(body.size(), 1000u);
    EXPECT_LT(body.size(), 4000u);
    const auto h = host();
    for (const std::string& shape : std::vector<std::string>{
             R"(<a href="/site/page/1?n=1000&fan=10">)", R"(<a href="/site/page/2?fan=10&n=1000">)",
             R"(href="0?n=1000&fan=10#section")", R"(href="#top")",
             R"(href="http://)" + h + "/site/page/", R"(href="//)" + h + "/site/page/", R"("./)",
             R"("../page/)", R"(?fan=10&amp;n=1000")", "<area ", "<iframe src=\"", "<frame src=\"",
             // the extras
             R"(<a href="/site/missing/0?n=1000&fan=10">)",
             R"(<a href="/site/redirect/0?n=1000&fan=10">)",
             R"(<a href="/site/away/0?n=1000&fan=10">)",
             R"(<a href="/site/data/0.json?n=1000&fan=10">)",
             R"(<a href="/site/image/0.png?n=1000&fan=10">)",
             R"(<img src="/site/image/0.png?n=1000&fan=10")",
             R"(<a href="/site/meta-nofollow/0?n=1000&fan=10">)",
             R"(<a href="/site/trap/?n=1000&fan=10">)",
             R"(<a href="http://localhost:)" + std::to_string(server_.port()) +
                 "/site/page/0?n=1000&fan=10\">",
             R"(<a rel="nofollow" href="/site/nofollow/0?n=1000&fan=10">)",
             R"(<a rel="noopener NoFollow" href="/site/nofollow/0?n=1000&fan=10">)",
             R"(href="mailto:a@example.com")", R"x(href="javascript:void(0)")x",
             R"(href="data:text/html,<a href=x>")", R"(href="tel:+1")",
             R"(href="ftp://example.com/")"}) {
        EXPECT_TRUE(contains(body, shape)) << shape << "\n" << body;
    }
    // Only every tenth page has the extras, only page 0 the trap.
    EXPECT_FALSE(contains(fetch("/site/page/1").body(), "/site/missing/"));
    const auto tenth = fetch("/site/page/10").body();
    EXPECT_TRUE(contains(tenth, "/site/missing/10?"));
    EXPECT_FALSE(contains(tenth, "/site/trap/"));
}

TEST_F(SiteServer, ExtrasOffRendersOnlyPageLinksCarryingExtrasZero) {
    const auto response = fetch("/site/page/0?n=1000&fan=10&extras=0");
    ASSERT_EQ(response.result(), http::status::ok);
    const auto& body = response.body();
    EXPECT_FALSE(contains(body, "extras\""));  // no <div id="extras">
    for (std::string_view extra : {"/site/missing", "/site/trap", "mailto:", "nofollow", "<img"}) {
        EXPECT_FALSE(contains(body, extra)) << extra;
    }
    // Every link carries extras=0 (#top carries the page's own query).
    EXPECT_EQ(count(body, "extras=0"), site::site_page_links(0, SiteShape{}).size() - 1);
}

TEST_F(SiteServer, MissingPagesAre404sAndTheirLinksLeadToUnreachablePages) {
    EXPECT_EQ(fetch("/site/page/999?n=1000").result(), http::status::ok);
    EXPECT_EQ(fetch("/site/page/1000?n=1000").result(), http::status::not_found);
    EXPECT_EQ(fetch("/site/page/10").result(), http::status::ok);
    EXPECT_EQ(fetch("/site/page/10?n=10").result(), http::status::not_found);
    EXPECT_EQ(fetch("/site/page/x").result(), http::status::not_found);
    EXPECT_EQ(fetch("/site/page/1?n=0").result(), http::status::bad_request);
    EXPECT_EQ(fetch("/site/page/1?fan=1001").result(), http::status::bad_request);
    EXPECT_EQ(fetch("/site/page/1?extras=2").result(), http::status::bad_request);
    const auto missing = fetch("/site/missing/10?n=1000&fan=10");
    EXPECT_EQ(missing.result(), http::status::not_found);
    EXPECT_TRUE(contains(missing.body(), R"(<a href="/site/unreachable/10?n=1000&fan=10">)"));
    EXPECT_EQ(fetch("/site/unreachable/10?n=1000&fan=10").result(), http::status::ok);
    EXPECT_EQ(fetch("/site/orphan/4").result(), http::status::ok);
    EXPECT_EQ(fetch("/site/orphan/5").result(), http::status::not_found);
}

TEST_F(SiteServer, RedirectsStayOnTheSiteOrLeaveTheHost) {
    const auto inside = fetch("/site/redirect/10?n=1000&fan=10");
    EXPECT_EQ(inside.result(), http::status::moved_permanently);
    EXPECT_EQ(inside[http::field::location], "/site/page/10?n=1000&fan=10");
    const auto port = std::to_string(server_.port());
    const auto away = fetch("/site/away/10?n=1000&fan=10&extras=0");
    EXPECT_EQ(away.result(), http::status::found);
    EXPECT_EQ(away[http::field::location],
              "http://localhost:" + port + "/site/page/10?n=1000&fan=10&extras=0");
    const auto back = fetch("/site/away/10?n=1000&fan=10", "localhost:" + port);
    EXPECT_EQ(back[http::field::location],
              "http://127.0.0.1:" + port + "/site/page/10?n=1000&fan=10");
}

TEST_F(SiteServer, NonHtmlNofollowAndTrapPages) {
    const auto data = fetch("/site/data/10.json?n=1000&fan=10");
    EXPECT_EQ(data.result(), http::status::ok);
    EXPECT_EQ(data[http::field::content_type], "application/json");
    EXPECT_TRUE(contains(data.body(), R"("<a href=\"/site/unreachable/json\">")"));
    const auto image = fetch("/site/image/10.png?n=1000&fan=10");
    EXPECT_EQ(image[http::field::content_type], "image/png");
    EXPECT_TRUE(image.body().starts_with("\x89PNG"));
    EXPECT_EQ(fetch("/site/nofollow/0").result(), http::status::ok);
    const auto meta = fetch("/site/meta-nofollow/0?n=1000&fan=10");
    EXPECT_TRUE(contains(meta.body(), R"(<meta name="robots" content="nofollow">)"));
    EXPECT_TRUE(contains(meta.body(), R"(<a href="/site/nofollow-meta/0?n=1000&fan=10">)"));
    EXPECT_EQ(fetch("/site/nofollow-meta/0").result(), http::status::ok);

    const auto trap = fetch("/site/trap/?n=1000&fan=10");
    EXPECT_EQ(trap.result(), http::status::ok);
    EXPECT_TRUE(contains(trap.body(), R"(<a href="/site/trap/x/?n=1000&fan=10">)"));
    EXPECT_TRUE(contains(trap.body(), R"(<a href="/site/page/0?n=1000&fan=10">)"));
    const auto deep = fetch("/site/trap/x/x/x/?n=1000&fan=10");
    EXPECT_TRUE(contains(deep.body(), R"(<a href="/site/trap/x/x/x/x/?n=1000&fan=10">)"));
    EXPECT_EQ(fetch("/site/trap/x").result(), http::status::not_found);
}

TEST_F(SiteServer, SitemapListsEveryPageAndTheOrphans) {
    const auto h = host();
    const auto sitemap = fetch("/site/sitemap.xml?n=1000&fan=10");
    EXPECT_EQ(sitemap.result(), http::status::ok);
    EXPECT_EQ(sitemap[http::field::content_type], "application/xml");
    const auto& xml = sitemap.body();
    EXPECT_TRUE(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "));
    EXPECT_TRUE(xml.ends_with("</urlset>\n"));
    EXPECT_EQ(count(xml, "<url><loc>"), 1005u);
    EXPECT_EQ(count(xml, "</loc></url>"), 1005u);
    EXPECT_EQ(count(xml, "<loc>http://" + h + "/site/page/"), 1000u);
    EXPECT_TRUE(contains(xml, "<loc>http://" + h + "/site/page/999?n=1000&amp;fan=10</loc>"));
    EXPECT_TRUE(contains(xml, "<loc>http://" + h + "/site/orphan/4?n=1000&amp;fan=10</loc>"));
    EXPECT_FALSE(contains(xml, "/site/orphan/5"));
    EXPECT_FALSE(contains(xml, "&fan"));  // '&' escaped everywhere
}

TEST_F(SiteServer, SitemapIndexNamesPagesAndGzippedOrphans) {
    const auto h = host();
    const auto index = fetch("/site/sitemap-index.xml?n=1000&fan=10");
    EXPECT_EQ(index.result(), http::status::ok);
    EXPECT_TRUE(contains(index.body(), "<sitemapindex "));
    EXPECT_EQ(count(index.body(), "<sitemap><loc>"), 2u);
    EXPECT_TRUE(contains(index.body(),
                         "<loc>http://" + h + "/site/sitemap-pages.xml?n=1000&amp;fan=10</loc>"));
    EXPECT_TRUE(contains(
        index.body(), "<loc>http://" + h + "/site/sitemap-orphans.xml.gz?n=1000&amp;fan=10</loc>"));

    const auto pages = fetch("/site/sitemap-pages.xml?n=1000&fan=10");
    EXPECT_EQ(count(pages.body(), "<url><loc>"), 1000u);
    EXPECT_FALSE(contains(pages.body(), "orphan"));

    const auto orphans = fetch("/site/sitemap-orphans.xml.gz?n=1000&fan=10");
    EXPECT_EQ(orphans.result(), http::status::ok);
    EXPECT_EQ(orphans[http::field::content_type], "application/gzip");
    EXPECT_TRUE(
        orphans[http::field::content_encoding].empty());  // the file is gzip, not the transfer
    auto decoded = corocrawl::fetch::decode_body(orphans.body(), "gzip", 1 << 20);
    ASSERT_TRUE(std::holds_alternative<std::string>(decoded));
    const auto& xml = std::get<std::string>(decoded);
    EXPECT_TRUE(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "));
    EXPECT_TRUE(xml.ends_with("</urlset>\n"));
    EXPECT_EQ(count(xml, "<url><loc>http://" + h + "/site/orphan/"), 5u);
    EXPECT_EQ(count(xml, "</loc></url>"), 5u);
}

TEST_F(SiteServer, LargeSitesSplitTheirSitemapsAtFiftyThousandUrls) {
    const auto index = fetch("/site/sitemap-index.xml?n=120000&fan=10");
    EXPECT_EQ(count(index.body(), "<sitemap><loc>"), 4u);  // 3 page parts and the orphans
    EXPECT_TRUE(contains(index.body(), "sitemap-pages.xml?n=120000&amp;fan=10&amp;part=2</loc>"));
    // /site/sitemap.xml of a site past the limit is that index.
    EXPECT_EQ(fetch("/site/sitemap.xml?n=120000&fan=10").body(), index.body());
    EXPECT_EQ(count(fetch("/site/sitemap-pages.xml?n=120000&fan=10&part=0").body(), "<url>"),
              50'000u);
    const auto last = fetch("/site/sitemap-pages.xml?n=120000&fan=10&part=2").body();
    EXPECT_EQ(count(last, "<url>"), 20'000u);
    EXPECT_TRUE(contains(last, "/site/page/119999?"));
    EXPECT_EQ(fetch("/site/sitemap-pages.xml?n=120000&fan=10&part=3").result(),
              http::status::not_found);
}

}  // namespace
