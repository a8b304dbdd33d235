// The synthetic site under /site/ (routes_site.cpp serves it): a graph of pages generated on the
// fly from a few query parameters, for link-following crawls and their benchmarks. Everything a
// crawl test needs to predict a crawl is a pure function here; the server renders exactly this.
//
// ---- the query ----------------------------------------------------------------------------------
//   n=N        pages, 1 ≤ N ≤ 2^40 (default 1000)
//   fan=F      page-to-page links per page, 0 ≤ F ≤ 1000 (default 10)
//   extras=0|1 (default 1) 0: pages render only their page-to-page links
// Anything else in those parameters is a 400. Every internal link the site writes carries
// Q = `n=N&fan=F` (with `&extras=0` appended when extras is 0: site_query()), or, in some link
// shapes, Q' = `fan=F&n=N` (`fan=F&n=N&extras=0`: site_query_swapped()), the same page; a crawler
// that does not sort query parameters sees both spellings of such a page's URL.
//
// ---- the routes (HOST: the request's Host header, else 127.0.0.1) -------------------------------
//   /site/page/K           K < N: a ~1 KB HTML page: <title>site page K</title>, an <h1>, a
//                          paragraph of filler, its page-to-page links (site_page_link_forms: the
//                          targets are site_page_links(K)), and on extras pages the extras below.
//                          K ≥ N, or not a number: 404
//   /site/missing/K        404, an HTML page that links /site/unreachable/K?Q (a crawler must not
//                          follow the links of an error page)
//   /site/unreachable/X    200 HTML, any X; linked only from 404 pages and from JSON text
//   /site/redirect/K       301, Location: /site/page/K?Q
//   /site/away/K           302, Location: http://OTHER/site/page/K?Q — OTHER is `localhost:PORT`
//                          when the request's Host is 127.0.0.1[:PORT], else `127.0.0.1:PORT`:
//                          the same server under another host name, outside a host scope
//   /site/data/K.json      application/json {"page":K,"html":"<a href=\"/site/unreachable/json\">"}
//   /site/image/K.png      image/png, a 1×1 PNG
//   /site/nofollow/K       200 HTML; linked only by rel="nofollow" links
//   /site/meta-nofollow/K  200 HTML with <meta name="robots" content="nofollow"> and a normal link
//                          to /site/nofollow-meta/K?Q (a crawler must not follow it)
//   /site/nofollow-meta/K  200 HTML; linked only from /site/meta-nofollow/K
//   /site/trap/ and /site/trap/PATH/   200 HTML linking one level deeper, `/site/trap/PATH/x/?Q`,
//                          forever, and /site/page/0?Q (a path not ending in '/' is a 404)
//   /site/orphan/K         K < 5: 200 HTML linked only from the sitemaps; it links /site/page/0?Q
//   /site/sitemap.xml?Q    application/xml <urlset>: http://HOST/site/page/K?Q for every K < N,
//                          then http://HOST/site/orphan/K?Q for K < 5 ('&' written `&amp;`). When
//                          N + 5 > 50,000 (the protocol's limit), the <sitemapindex> below instead
//   /site/sitemap-index.xml?Q  application/xml <sitemapindex>: http://HOST/site/sitemap-pages.xml?Q
//                          (N ≤ 50,000), else one ...?Q&part=P per 50,000 pages, P = 0, 1, ...;
//                          then http://HOST/site/sitemap-orphans.xml.gz?Q
//   /site/sitemap-pages.xml?Q&part=P   application/xml <urlset>: the pages [50,000·P, 50,000·(P+1))
//                          ∩ [0, N) (P default 0; an empty part: 404)
//   /site/sitemap-orphans.xml.gz?Q     application/gzip: the gzip'd <urlset> of the 5 orphans
//
// ---- which pages carry what ---------------------------------------------------------------------
// Page-to-page links, on every page: site_page_links(K) gives the targets, site_page_link_forms(K)
// how each is written. Each resolves, against the page's URL or its <base>, to /site/page/J?Q or
// /site/page/J?Q' (fragments dropped); the self link `#top` resolves to the page's own URL,
// whatever query it was fetched with. The shapes of the non-self links cycle, link c of the page
// (counting non-self links from 0) having shape (c + K) % 8 of SiteLinkShape; so page 0 of the
// default site has every shape (site_test checks it), and every page with fan ≥ 4 carries a
// `#top` or `K?Q#section` self link.
// <base>: page K % 7 == 3 has <base href="/site/">, K % 7 == 5 has
// <base href="http://HOST/site/page/deeper/">; their relative links are written against that
// base (`page/J?Q`, `../J?Q`, ...), so a crawler that ignores <base> resolves them to
// /site/page/page/J or /site/J: 404s.
// Elements: on even K (page 0 included) with more than 3 non-self links, the last non-self link
// is <area href> (in a <map>), the one before it <iframe src>, the one before that <frame src> (in
// a <frameset>); every other link is <a href>.
// With extras=1, pages with K % 10 == 0 (page 0 included) also link, in this order:
//   /site/missing/K?Q, /site/redirect/K?Q, /site/away/K?Q, /site/data/K.json?Q,
//   /site/image/K.png?Q (also an <img src>), /site/meta-nofollow/K?Q  — normal <a href> links
//   (site_extra_paths), and on page 0 only /site/trap/?Q;
//   http://OTHER/site/page/K?Q (another host name for this server: out of host scope);
//   /site/nofollow/K?Q twice, rel="nofollow" and rel="noopener NoFollow";
//   mailto:a@example.com, javascript:void(0), data:text/html,<a href=x>, tel:+1,
//   ftp://example.com/.
// So a correct host-scoped crawl from /site/page/0?Q fetches every page (K < N, at the BFS depths
// site_page_links gives; also under the Q' spelling where a swapped_query() form links it, unless
// it sorts query parameters) and, with extras, the site_extra_paths of every page and (with no
// depth limit) the trap without end. It never fetches /site/unreachable/, /site/nofollow/,
// /site/nofollow-meta/ or, unless it reads the sitemaps, /site/orphan/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace corocrawl::test_server {

struct SiteShape {
    std::uint64_t pages = 1000;  // n
    std::uint64_t fanout = 10;   // fan
    bool extras = true;          // extras
};

inline constexpr std::uint64_t site_max_pages = std::uint64_t{1} << 40;
inline constexpr std::uint64_t site_max_fanout = 1000;
inline constexpr std::uint64_t site_orphans = 5;
inline constexpr std::uint64_t site_sitemap_limit = 50'000;  // URLs per sitemap

// `n=N&fan=F`, plus `&extras=0` when extras is off: the query every internal link carries.
std::string site_query(const SiteShape& shape);
// The same parameters in the other order: `fan=F&n=N` (`&extras=0`).
std::string site_query_swapped(const SiteShape& shape);
// `/site/page/K?` + site_query(shape).
std::string site_page_path(std::uint64_t page, const SiteShape& shape);

// The targets of page K's page-to-page links, in the order the page writes them (duplicates
// kept: one element per link): the tree links 2K+1 and 2K+2 (those < N, always, whatever fan),
// then, up to fan links in all: 0 (a cycle back to the entry), K (the self link), then
// splitmix64(K·2^20 + i) mod N for i = 2, 3, ... So every page is reachable from page 0, at
// BFS depth ≤ log2(K + 1) along the tree links alone (the other links can make it shorter).
std::vector<std::uint64_t> site_page_links(std::uint64_t page, const SiteShape& shape);

// How a page-to-page link is written (J its target, Q / Q' as above; R, D and P are the
// relative prefixes: "", "./", "../page/" without <base>; "page/", "./page/", "../site/page/"
// under <base href="/site/">; "../", "./../", "../../../site/page/" under the deeper base):
enum class SiteLinkShape {
    absolute_path,    // /site/page/J?Q
    swapped_query,    // /site/page/J?Q'
    absolute_url,     // http://HOST/site/page/J?Q
    scheme_relative,  // //HOST/site/page/J?Q
    relative,         // R J?Q
    dot_relative,     // D J?Q
    parent_relative,  // P J?Q
    entities,         // R J?Q' with every '&' written &amp;
    top_fragment,     // #top: the self link (J == K, after the link back to 0), no <base>
    self_fragment,    // R K?Q#section — any other link with J == K
};
inline constexpr int site_cycled_shapes = 8;  // absolute_path ... entities

enum class SiteLinkElement { a, area, iframe, frame };

struct SiteLinkForm {
    std::uint64_t target = 0;
    SiteLinkShape shape = SiteLinkShape::absolute_path;
    SiteLinkElement element = SiteLinkElement::a;
    bool swapped_query() const {
        return shape == SiteLinkShape::swapped_query || shape == SiteLinkShape::entities;
    }
};

// Page K's page-to-page links as written, in order: the targets are site_page_links(K).
std::vector<SiteLinkForm> site_page_link_forms(std::uint64_t page, const SiteShape& shape);

enum class SiteBase { none, site_directory, deeper_absolute };
// The <base> of page K (K % 7 == 3: "/site/", K % 7 == 5: "http://HOST/site/page/deeper/").
SiteBase site_page_base(std::uint64_t page);

// Whether page K carries the extras (extras on and K % 10 == 0).
bool site_has_extras(std::uint64_t page, const SiteShape& shape);

// The in-site paths other than /site/page/ that page K links normally (not nofollow), each with
// its query as written, in page order: empty unless site_has_extras(K). /site/missing/K?Q (404),
// /site/redirect/K?Q (301 to /site/page/K?Q), /site/away/K?Q (302 off the host),
// /site/data/K.json?Q, /site/image/K.png?Q, /site/meta-nofollow/K?Q, and for K == 0
// /site/trap/?Q.
std::vector<std::string> site_extra_paths(std::uint64_t page, const SiteShape& shape);

// Page K's HTML as /site/page/K serves it, `host` being the Host to write in absolute links
// (already checked: letters, digits, '.', '-', ':', '[', ']') and `other_host` the one
// /site/away/ redirects to. K must be < shape.pages.
std::string render_site_page(std::uint64_t page, const SiteShape& shape, std::string_view host,
                             std::string_view other_host);

}  // namespace corocrawl::test_server
