// The frontier without sockets: what it admits, in which order it hands work out, and when the
// crawl is over.
#include "corocrawl/frontier.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace corocrawl {
namespace {

FrontierOptions recursive() {
    FrontierOptions options;
    options.recursive = true;
    options.max_depth = unlimited;
    options.max_pages = unlimited;
    return options;
}

// Leases the next item, which must be there.
CrawlItem lease(Frontier& frontier) {
    auto next = frontier.next();
    EXPECT_TRUE(next.item) << "nothing to lease";
    return next.item.value_or(CrawlItem{});
}

Verdict offer(Frontier& frontier, const CrawlItem& from, std::string url, Hop hop = Hop::link) {
    return frontier.offer({std::move(url)}, from, hop).front();
}

TEST(Frontier, SeedsAreAdmittedInOrderAndTheCrawlEndsWhenAllAreAcknowledged) {
    auto frontier = make_memory_frontier(recursive());
    EXPECT_EQ(frontier->add_seed("http://a/"), 0u);
    EXPECT_EQ(frontier->add_seed("not a url"), 1u);  // still owed its (error) record
    EXPECT_EQ(frontier->add_seed("http://a/"), 2u);  // every input line gets its record
    const auto first = lease(*frontier);
    const auto second = lease(*frontier);
    const auto third = lease(*frontier);
    EXPECT_EQ(first.url, "http://a/");
    EXPECT_EQ(second.url, "not a url");
    EXPECT_EQ(third.index, 2u);
    EXPECT_EQ(first.referrer, nullptr);

    // Nothing waits, but the input is open and three are in flight: not done.
    EXPECT_FALSE(frontier->next().item);
    EXPECT_FALSE(frontier->next().done);
    frontier->close_input();
    frontier->acknowledge(0);
    frontier->acknowledge(1);
    EXPECT_FALSE(frontier->next().done);  // a callback of the third may still offer links
    frontier->acknowledge(2);
    EXPECT_TRUE(frontier->next().done);
    EXPECT_EQ(frontier->counts().admitted, 3u);
    EXPECT_EQ(frontier->counts().seeds, 3u);
}

TEST(Frontier, ALinkIsAdmittedOnceInItsCanonicalForm) {
    auto frontier = make_memory_frontier(recursive());
    frontier->add_seed("http://a/");
    const auto seed = lease(*frontier);
    const auto verdicts = frontier->offer(
        {"http://a/p?n=1&fan=2", "HTTP://A:80/x/../p?fan=2&n=1#top", "http://a/", "http://a/q"},
        seed, Hop::link);
    EXPECT_EQ(verdicts, (std::vector<Verdict>{Verdict::admitted, Verdict::duplicate,
                                              Verdict::duplicate, Verdict::admitted}));
    const auto p = lease(*frontier);
    EXPECT_EQ(p.url, "http://a/p?n=1&fan=2");  // fetched as found; compared sorted
    EXPECT_EQ(p.depth, 1u);
    ASSERT_NE(p.referrer, nullptr);
    EXPECT_EQ(*p.referrer, "http://a/");
    const auto q = lease(*frontier);
    EXPECT_EQ(q.referrer, p.referrer);  // one string for all the links of a page
    EXPECT_EQ(frontier->counts().discovered, 4u);
    EXPECT_EQ(frontier->counts().duplicates, 2u);
}

TEST(Frontier, ASpellingSeenBeforeIsADuplicateAndOnlyThat) {
    auto frontier = make_memory_frontier(recursive());
    frontier->add_seed("http://a/");
    const auto seed = lease(*frontier);
    // Admitted in a spelling that is not canonical; that spelling, the canonical one and a
    // third are all the same page.
    EXPECT_EQ(
        frontier->offer({"http://a/p?n=1&fan=2", "http://a/p?n=1&fan=2", "http://a/p?fan=2&n=1",
                         "http://A/p?n=1&fan=2", "http://a/p?n=2&fan=2"},
                        seed, Hop::link),
        (std::vector<Verdict>{Verdict::admitted, Verdict::duplicate, Verdict::duplicate,
                              Verdict::duplicate, Verdict::admitted}));
}

TEST(Frontier, KeepQueryOrderTellsTheOrdersApart) {
    auto options = recursive();
    options.keep_query_order = true;
    auto frontier = make_memory_frontier(options);
    frontier->add_seed("http://a/");
    const auto seed = lease(*frontier);
    EXPECT_EQ(frontier->offer({"http://a/p?a=1&b=2", "http://a/p?b=2&a=1"}, seed, Hop::link),
              (std::vector<Verdict>{Verdict::admitted, Verdict::admitted}));
}

TEST(Frontier, WithoutRecursionSeedsAreNotRemembered) {
    auto options = recursive();
    options.recursive = false;
    auto frontier = make_memory_frontier(options);
    frontier->add_seed("http://a/");
    const auto seed = lease(*frontier);
    EXPECT_EQ(offer(*frontier, seed, "http://a/"), Verdict::admitted);
}

TEST(Frontier, HostScopeKeepsToTheSeedsHosts) {
    auto frontier = make_memory_frontier(recursive());
    frontier->add_seed("http://www.example.com/");
    frontier->add_seed("http://127.0.0.1:8080/");
    const auto seed = lease(*frontier);
    EXPECT_EQ(offer(*frontier, seed, "https://www.example.com/secure"), Verdict::admitted);
    EXPECT_EQ(offer(*frontier, seed, "http://example.com/"), Verdict::out_of_scope);
    EXPECT_EQ(offer(*frontier, seed, "http://sub.www.example.com/"), Verdict::out_of_scope);
    EXPECT_EQ(offer(*frontier, seed, "http://127.0.0.1:9090/other-port"), Verdict::admitted);
    EXPECT_EQ(offer(*frontier, seed, "http://localhost:8080/"), Verdict::out_of_scope);
    EXPECT_EQ(frontier->counts().out_of_scope, 3u);
}

TEST(Frontier, DomainScopeUsesThePublicSuffixList) {
    auto options = recursive();
    options.scope = Scope::domain;
    auto frontier = make_memory_frontier(options);
    frontier->add_seed("http://www.example.co.uk/");
    frontier->add_seed("http://user.github.io/");
    frontier->add_seed("http://127.0.0.1/");
    const auto seed = lease(*frontier);
    EXPECT_EQ(offer(*frontier, seed, "http://shop.example.co.uk/"), Verdict::admitted);
    EXPECT_EQ(offer(*frontier, seed, "http://example.co.uk/x"), Verdict::admitted);
    EXPECT_EQ(offer(*frontier, seed, "http://other.co.uk/"), Verdict::out_of_scope);
    // github.io is a public suffix: another user's pages are another site.
    EXPECT_EQ(offer(*frontier, seed, "http://a.user.github.io/"), Verdict::admitted);
    EXPECT_EQ(offer(*frontier, seed, "http://other.github.io/"), Verdict::out_of_scope);
    // An address is its own domain (not "0.1").
    EXPECT_EQ(offer(*frontier, seed, "http://127.0.0.1:81/"), Verdict::admitted);
    EXPECT_EQ(offer(*frontier, seed, "http://10.0.0.1/"), Verdict::out_of_scope);
}

TEST(Frontier, AnyScopeGoesAnywhere) {
    auto options = recursive();
    options.scope = Scope::any;
    auto frontier = make_memory_frontier(options);
    frontier->add_seed("http://a/");
    EXPECT_EQ(offer(*frontier, lease(*frontier), "http://b/"), Verdict::admitted);
}

TEST(Frontier, ASeedsRedirectWidensTheScopeAndKeepsTheDepth) {
    auto frontier = make_memory_frontier(recursive());
    frontier->add_seed("http://example.com/");
    const auto seed = lease(*frontier);
    EXPECT_EQ(offer(*frontier, seed, "https://www.example.com/", Hop::redirect), Verdict::admitted);
    const auto target = lease(*frontier);
    EXPECT_EQ(target.depth, 0u);
    EXPECT_EQ(offer(*frontier, target, "https://www.example.com/about"), Verdict::admitted);
    const auto about = lease(*frontier);
    EXPECT_EQ(about.depth, 1u);
    // A deeper page's redirect does not widen it.
    EXPECT_EQ(offer(*frontier, about, "http://elsewhere/", Hop::redirect), Verdict::out_of_scope);
}

TEST(Frontier, OtherSchemesAndJunkAreNotFollowed) {
    auto frontier = make_memory_frontier(recursive());
    frontier->add_seed("http://a/");
    const auto seed = lease(*frontier);
    EXPECT_EQ(frontier->offer({"mailto:x@a", "javascript:void(0)", "data:text/html,hi", "ftp://a/",
                               "http://a:99999/"},
                              seed, Hop::link),
              std::vector<Verdict>(5, Verdict::unsupported));
    EXPECT_EQ(frontier->counts().unsupported, 5u);
}

TEST(Frontier, DepthBoundsATrap) {
    auto options = recursive();
    options.max_depth = 3;
    auto frontier = make_memory_frontier(options);
    frontier->add_seed("http://a/trap/");
    frontier->close_input();
    std::size_t fetched = 0;
    while (auto item = frontier->next().item) {
        ++fetched;
        offer(*frontier, *item, item->url + "x/");
        frontier->acknowledge(item->index);
    }
    EXPECT_EQ(fetched, 4u);  // depths 0, 1, 2, 3
    EXPECT_EQ(frontier->counts().too_deep, 1u);
    EXPECT_TRUE(frontier->next().done);
}

TEST(Frontier, MaxPagesCountsTheSeeds) {
    auto options = recursive();
    options.max_pages = 3;
    auto frontier = make_memory_frontier(options);
    frontier->add_seed("http://a/");
    frontier->add_seed("http://a/2");
    const auto seed = lease(*frontier);
    EXPECT_EQ(frontier->offer({"http://a/x", "http://a/y", "http://a/x"}, seed, Hop::link),
              (std::vector<Verdict>{Verdict::admitted, Verdict::over_limit, Verdict::duplicate}));
    // Seeds are admitted whatever the limit: each input line gets its record.
    EXPECT_EQ(frontier->add_seed("http://a/3"), 3u);
}

TEST(Frontier, IncludeAndExcludeMatchTheCanonicalUrl) {
    auto options = recursive();
    options.include = {"/docs/", "/blog/"};
    options.exclude = {R"(\.pdf$)", "[?&]a=1&b="};
    auto frontier = make_memory_frontier(options);
    frontier->add_seed("http://a/");
    const auto seed = lease(*frontier);
    EXPECT_EQ(frontier->offer({"http://a/docs/x", "http://a/blog/y", "http://a/shop/z",
                               "http://a/docs/x.pdf", "http://a/docs/q?b=2&a=1"},
                              seed, Hop::link),
              (std::vector<Verdict>{Verdict::admitted, Verdict::admitted, Verdict::filtered,
                                    Verdict::filtered, Verdict::filtered}));
}

TEST(Frontier, ABadPatternIsAUsageError) {
    auto options = recursive();
    options.exclude = {"(unclosed"};
    EXPECT_THROW(validate(options), std::invalid_argument);
    EXPECT_THROW(make_memory_frontier(options), std::invalid_argument);
    options.exclude = {"a{2,5}b"};
    EXPECT_NO_THROW(validate(options));
}

TEST(Frontier, BreadthFirstOrDepthFirst) {
    for (const auto order : {CrawlOrder::bfs, CrawlOrder::dfs}) {
        auto options = recursive();
        options.order = order;
        auto frontier = make_memory_frontier(options);
        frontier->add_seed("http://a/");
        const auto seed = lease(*frontier);
        frontier->offer({"http://a/1", "http://a/2"}, seed, Hop::link);
        const auto first = lease(*frontier);
        frontier->offer({first.url + "/1"}, first, Hop::link);
        std::vector<std::string> rest;
        while (auto item = frontier->next().item) rest.push_back(item->url);
        if (order == CrawlOrder::bfs) {
            EXPECT_EQ(first.url, "http://a/1");
            EXPECT_EQ(rest, (std::vector<std::string>{"http://a/2", "http://a/1/1"}));
        } else {
            EXPECT_EQ(first.url, "http://a/2");
            EXPECT_EQ(rest, (std::vector<std::string>{"http://a/2/1", "http://a/1"}));
        }
    }
}

TEST(Frontier, DrainGivesEveryLeasedAndWaitingItemOnce) {
    auto frontier = make_memory_frontier(recursive());
    for (const char* url : {"http://a/0", "http://a/1", "http://a/2", "http://a/3"})
        frontier->add_seed(url);
    const auto zero = lease(*frontier);
    lease(*frontier);
    frontier->acknowledge(zero.index);
    const auto rest = frontier->drain();
    ASSERT_EQ(rest.size(), 3u);
    EXPECT_EQ(rest[0].index, 1u);  // the leased one first, then those waiting
    EXPECT_EQ(rest[1].index, 2u);
    EXPECT_EQ(rest[2].index, 3u);
    EXPECT_EQ(frontier->waiting(), 0u);
    EXPECT_TRUE(frontier->drain().empty());
}

}  // namespace
}  // namespace corocrawl
