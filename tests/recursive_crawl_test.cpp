// `corocrawl crawl -r` on the bundled server's synthetic site, in every mode: what a correct
// crawl fetches is computed from the site's own graph (test_server/site.hpp) and compared with
// the records, URL by URL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <queue>
#include <set>

#include "corocrawl/options.hpp"
#include "corocrawl/url.hpp"
#include "site.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using test_server::SiteShape;
using testing::run_corocrawl;

const SiteShape shape{.pages = 300, .fanout = 8, .extras = true};

// The canonical form of a URL the crawl recorded (so Q and Q' spellings compare equal).
std::string canonical(const std::string& url) {
    return canonical_url(std::get<Url>(parse_url(url)));
}

// Page K's BFS depth from page 0, over the site's own links.
std::vector<std::size_t> page_depths(const SiteShape& site) {
    std::vector<std::size_t> depth(site.pages, unlimited);
    std::queue<std::uint64_t> waiting;
    depth[0] = 0;
    waiting.push(0);
    while (!waiting.empty()) {
        const auto page = waiting.front();
        waiting.pop();
        for (const auto target : test_server::site_page_links(page, site)) {
            if (depth[target] == unlimited) {
                depth[target] = depth[page] + 1;
                waiting.push(target);
            }
        }
    }
    return depth;
}

struct Record {
    std::string url;
    int status = 0;
    std::size_t depth = 0;
    std::string referrer;  // "" for a seed
    std::string error;     // kind; "" when ok
};

struct Crawl {
    testing::Run run;
    std::vector<Record> records;
    std::map<std::string, std::size_t> times;  // canonical URL -> records of it
    std::map<std::string, Record> by_url;      // canonical URL -> its (last) record
};

Crawl parse_records(testing::Run run) {
    Crawl crawl;
    for (const auto& line : testing::lines(run.out)) {
        const auto json = boost::json::parse(line).as_object();
        Record record;
        record.url = std::string(json.at("url").as_string());
        record.status = static_cast<int>(json.at("status").as_int64());
        record.depth = static_cast<std::size_t>(json.at("depth").as_int64());
        if (json.at("referrer").is_string())
            record.referrer = std::string(json.at("referrer").as_string());
        if (json.at("error").is_object())
            record.error = std::string(json.at("error").at("kind").as_string());
        const std::string key = canonical(record.url);
        ++crawl.times[key];
        crawl.by_url[key] = record;
        crawl.records.push_back(std::move(record));
    }
    crawl.run = std::move(run);
    return crawl;
}

struct RecursiveCrawl : ::testing::TestWithParam<std::string> {
    test_server::Server server{test_server::ServerOptions{.port = 0, .delay = 0ms}};
    std::string host = server.base_url();  // http://127.0.0.1:PORT

    std::string page(std::uint64_t k, const SiteShape& site = shape) const {
        return canonical(host + test_server::site_page_path(k, site));
    }
    Crawl crawl(std::vector<std::string> extra, const SiteShape& site = shape) {
        std::vector<std::string> args{
            "crawl", "-m", GetParam(), "-f", "jsonl", host + test_server::site_page_path(0, site)};
        args.insert(args.end(), extra.begin(), extra.end());
        return parse_records(run_corocrawl(args));
    }
    std::size_t count_under(const Crawl& crawl, std::string_view prefix) const {
        std::size_t count = 0;
        for (const auto& [url, times] : crawl.times)
            count += url.starts_with(host + std::string(prefix)) ? times : 0;
        return count;
    }
};

TEST_P(RecursiveCrawl, EveryReachablePageInScopeOnceAndNothingElse) {
    const auto crawl = this->crawl({"-r", "-l", "40"});
    ASSERT_EQ(crawl.run.status, 1) << crawl.run.err;  // the 404s fail; the rest is ok

    // Nothing twice, under any spelling of its URL.
    for (const auto& [url, times] : crawl.times) EXPECT_EQ(times, 1u) << url;

    // Every page, at its BFS depth, linked from a page one level up that links it.
    const auto depths = page_depths(shape);
    for (std::uint64_t k = 0; k < shape.pages; ++k) {
        const auto found = crawl.by_url.find(page(k));
        ASSERT_NE(found, crawl.by_url.end()) << "page " << k << " not crawled";
        const Record& record = found->second;
        EXPECT_EQ(record.status, 200) << record.url;
        // A page's depth is that of the path it was first found by: one after another (sync),
        // breadth-first order makes that the shortest; with pages in flight together, a page one
        // level down may be parsed first and find it by a longer path.
        if (GetParam() == "sync") {
            EXPECT_EQ(record.depth, depths[k]) << record.url;
        } else {
            EXPECT_GE(record.depth, depths[k]) << record.url;
        }
        if (k == 0) {
            EXPECT_EQ(record.referrer, "");
            continue;
        }
        const auto referrer = crawl.by_url.find(canonical(record.referrer));
        ASSERT_NE(referrer, crawl.by_url.end()) << record.referrer;
        EXPECT_EQ(referrer->second.depth + 1, record.depth) << record.url;
        // The referrer is a page whose links include this one.
        const auto prefix = host + "/site/page/";
        ASSERT_TRUE(referrer->second.url.starts_with(prefix)) << record.referrer;
        const auto from = std::stoull(referrer->second.url.substr(prefix.size()));
        const auto links = test_server::site_page_links(from, shape);
        EXPECT_NE(std::find(links.begin(), links.end(), k), links.end())
            << record.referrer << " does not link " << record.url;
    }
    EXPECT_EQ(count_under(crawl, "/site/page/"), shape.pages);

    // The extras of every tenth page, each once: 404s, a redirect (its target is a page already
    // crawled), one off the host (not followed), non-HTML resources (fetched, not parsed).
    for (std::uint64_t k = 0; k < shape.pages; k += 10) {
        for (const auto& path : test_server::site_extra_paths(k, shape)) {
            if (path.starts_with("/site/trap/")) continue;
            const auto found = crawl.by_url.find(canonical(host + path));
            ASSERT_NE(found, crawl.by_url.end()) << path << " not crawled";
            if (path.starts_with("/site/missing/")) {
                EXPECT_EQ(found->second.error, "http_status");
            } else if (path.starts_with("/site/redirect/")) {
                EXPECT_EQ(found->second.status, 301);
            } else if (path.starts_with("/site/away/")) {
                EXPECT_EQ(found->second.status, 302);
            }
        }
    }
    // The trap: one page per level, to the depth limit.
    EXPECT_EQ(count_under(crawl, "/site/trap/"), 40u);

    // Never: another host, a 404 page's links, JSON text, nofollow, orphans only a sitemap has,
    // and no scheme but http.
    for (const auto& record : crawl.records) {
        EXPECT_TRUE(record.url.starts_with(host + "/site/")) << record.url;
        for (const char* never :
             {"/site/unreachable/", "/site/nofollow/", "/site/nofollow-meta/", "/site/orphan/"}) {
            EXPECT_EQ(record.url.find(never), std::string::npos) << record.url;
        }
    }
    const std::size_t extras = 6 * (shape.pages / 10) + 40;
    EXPECT_EQ(crawl.records.size(), shape.pages + extras);
    EXPECT_NE(crawl.run.err.find("out of scope"), std::string::npos) << crawl.run.err;
}

TEST_P(RecursiveCrawl, DepthAndMaxPagesBoundTheCrawl) {
    const auto depths = page_depths(shape);
    const auto shallow = crawl({"-r", "-l", "2"});
    std::size_t within = 0;
    for (std::uint64_t k = 0; k < shape.pages; ++k) {
        const bool expected = depths[k] <= 2;
        within += expected;
        EXPECT_EQ(shallow.by_url.contains(page(k)), expected) << "page " << k;
    }
    EXPECT_EQ(count_under(shallow, "/site/page/"), within);
    EXPECT_EQ(count_under(shallow, "/site/trap/"), 2u);  // depths 1 and 2
    for (const auto& record : shallow.records) EXPECT_LE(record.depth, 2u) << record.url;

    const auto limited = crawl({"-r", "-l", "inf", "--max-pages", "25"});
    EXPECT_EQ(limited.records.size(), 25u);
    for (const auto& [url, times] : limited.times) EXPECT_EQ(times, 1u) << url;
    EXPECT_NE(limited.run.err.find("over --max-pages"), std::string::npos) << limited.run.err;

    // The defaults end even a trap: depth 5.
    const auto defaults = crawl({"-r"});
    EXPECT_EQ(count_under(defaults, "/site/trap/"), 5u);
}

TEST_P(RecursiveCrawl, NofollowIsHonouredUnlessAskedOtherwise) {
    const auto crawl = this->crawl({"-r", "-l", "40", "--follow-nofollow"});
    EXPECT_EQ(count_under(crawl, "/site/nofollow/"), shape.pages / 10);
    EXPECT_EQ(count_under(crawl, "/site/nofollow-meta/"), shape.pages / 10);
    EXPECT_EQ(count_under(crawl, "/site/unreachable/"), 0u);  // 404 pages' links: still not
}

TEST_P(RecursiveCrawl, SitemapsSeedTheCrawl) {
    const SiteShape site{.pages = 120, .fanout = 4, .extras = true};
    const std::string index = host + "/site/sitemap-index.xml?" + test_server::site_query(site);
    const auto crawl = parse_records(
        run_corocrawl({"crawl", "-m", GetParam(), "-f", "jsonl", "-q", "--sitemap", index}));
    EXPECT_EQ(crawl.run.status, 0) << crawl.run.err;
    for (const auto& [url, times] : crawl.times) EXPECT_EQ(times, 1u) << url;
    // The index, its two sitemaps (one gzip'd), every page and the orphans; no links followed.
    EXPECT_EQ(crawl.records.size(), 1 + 2 + site.pages + test_server::site_orphans);
    EXPECT_EQ(count_under(crawl, "/site/page/"), site.pages);
    EXPECT_EQ(count_under(crawl, "/site/orphan/"), test_server::site_orphans);
    const auto orphan =
        crawl.by_url.find(canonical(host + "/site/orphan/3?" + test_server::site_query(site)));
    ASSERT_NE(orphan, crawl.by_url.end());
    EXPECT_EQ(orphan->second.depth, 0u);
    EXPECT_TRUE(orphan->second.referrer.starts_with(host + "/site/sitemap-orphans.xml.gz"))
        << orphan->second.referrer;
}

TEST_P(RecursiveCrawl, ScopeAndFiltersChooseTheLinks) {
    // --scope any: the redirect and the link to localhost are followed too.
    const auto any = crawl({"-r", "-l", "1", "--scope", "any"});
    bool other_host = false;
    for (const auto& record : any.records)
        other_host |= record.url.starts_with("http://localhost:");
    EXPECT_TRUE(other_host);

    const auto filtered = crawl(
        {"-r", "-l", "3", "--include", "/site/page/", "--exclude", R"(/site/page/\d*[13579]\?)"});
    for (const auto& record : filtered.records) {
        const auto prefix = host + "/site/page/";
        ASSERT_TRUE(record.url.starts_with(prefix)) << record.url;
        if (record.depth > 0) {
            EXPECT_EQ(std::stoull(record.url.substr(prefix.size())) % 2, 0u) << record.url;
        }
    }
    EXPECT_GT(filtered.records.size(), 5u);
}

TEST_P(RecursiveCrawl, FollowChoosesTheLinks) {
    // Only <area> links: every page but the seed is the target of an <area> on its referrer.
    const auto crawl = this->crawl({"--follow", "//area/@href", "-l", "6"});
    const auto prefix = host + "/site/page/";
    std::size_t followed = 0;
    for (const auto& record : crawl.records) {
        if (record.depth == 0) continue;
        ++followed;
        ASSERT_TRUE(record.url.starts_with(prefix) && record.referrer.starts_with(prefix))
            << record.url << " from " << record.referrer;
        const auto page = std::stoull(record.url.substr(prefix.size()));
        const auto from = std::stoull(record.referrer.substr(prefix.size()));
        bool by_area = false;
        for (const auto& form : test_server::site_page_link_forms(from, shape))
            by_area |= form.target == page && form.element == test_server::SiteLinkElement::area;
        EXPECT_TRUE(by_area) << record.url << " from " << record.referrer;
    }
    EXPECT_GE(followed, 2u);  // page 0's <area> target, and its own
}

TEST_P(RecursiveCrawl, InterruptedCrawlStillRecordsEveryAdmittedUrl) {
    // Every page slow enough that the interruption finds many in flight and many waiting.
    SiteShape slow = shape;
    slow.delay_ms = 200;
    const auto run =
        run_corocrawl({"crawl", "-m", GetParam(), "-f", "jsonl", "-r", "-l", "inf", "-c", "20",
                       "-t", "20", host + test_server::site_page_path(0, slow)},
                      "", {1500ms, SIGINT, 5});
    const auto crawl = parse_records(run);
    EXPECT_EQ(crawl.run.status, 130) << crawl.run.err;
    std::size_t cancelled = 0;
    for (const auto& record : crawl.records) cancelled += record.error == "cancelled";
    EXPECT_GT(cancelled, 0u);
    for (const auto& [url, times] : crawl.times) EXPECT_EQ(times, 1u) << url;
    // The summary's count of URLs (every admitted one) is the count of records.
    EXPECT_NE(crawl.run.err.find("corocrawl: " + std::to_string(crawl.records.size()) + " URLs"),
              std::string::npos)
        << crawl.run.err;
}

INSTANTIATE_TEST_SUITE_P(EveryMode, RecursiveCrawl, ::testing::Values("async", "pool", "sync"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace corocrawl
