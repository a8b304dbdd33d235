// Link extraction for `crawl -r`: the default expressions, resolution (<base>, relative shapes),
// nofollow, custom --follow expressions, charsets and threads.
#include "corocrawl/links.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "corocrawl/xpath.hpp"

namespace corocrawl {
namespace {

using Urls = std::vector<std::string>;

constexpr std::string_view page_url = "http://example.com/dir/page.html?x=1";

std::vector<Link> links_of(std::string_view body, std::string_view url = page_url,
                           const LinkExtractor& extractor = LinkExtractor()) {
    return extractor.extract(body, "text/html", url);
}

Urls urls_of(const std::vector<Link>& links) {
    Urls urls;
    for (const Link& link : links) urls.push_back(link.url);
    return urls;
}

Urls urls_of(std::string_view body, std::string_view url = page_url) {
    return urls_of(links_of(body, url));
}

std::string page_with(std::string_view body, std::string_view head = "") {
    return "<html><head>" + std::string(head) + "</head><body>" + std::string(body) +
           "</body></html>";
}

TEST(LinkExtractor, DefaultCoversAnchorsAreasFramesAndIframesInDocumentOrder) {
    const std::string body = page_with(
        "<a href='/a'>a</a><map><area href='/area'></map><iframe src='/iframe'></iframe>"
        "<img src='/not-a-link.png'><link href='/style.css'><a>no href</a>"
        "<a href='/b' id='second'>b</a>");
    EXPECT_EQ(urls_of(body), (Urls{"http://example.com/a", "http://example.com/area",
                                   "http://example.com/iframe", "http://example.com/b"}));
    const std::string frames =
        "<html><frameset><frame src='left.html'><frame src='right.html'></frameset></html>";
    EXPECT_EQ(urls_of(frames),
              (Urls{"http://example.com/dir/left.html", "http://example.com/dir/right.html"}));
}

TEST(LinkExtractor, DuplicatesAreKept) {
    EXPECT_EQ(urls_of(page_with("<a href='/x'></a><a href='/x'></a>")),
              (Urls{"http://example.com/x", "http://example.com/x"}));
}

TEST(LinkExtractor, RelativeShapesResolveAgainstThePage) {
    const std::string body = page_with(
        "<a href='../x'></a><a href='./x'></a><a href='x'></a><a href='//other.org/x'></a>"
        "<a href='?q'></a><a href='#frag'></a><a href='/abs#f'></a><a href='https://s.org'></a>");
    EXPECT_EQ(
        urls_of(body),
        (Urls{"http://example.com/x", "http://example.com/dir/x", "http://example.com/dir/x",
              "http://other.org/x", "http://example.com/dir/page.html?q",
              "http://example.com/dir/page.html?x=1", "http://example.com/abs", "https://s.org/"}));
}

TEST(LinkExtractor, BaseHrefChangesResolution) {
    const std::string links = "<a href='x'></a><a href='/y'></a>";
    EXPECT_EQ(urls_of(page_with(links)),
              (Urls{"http://example.com/dir/x", "http://example.com/y"}));
    // A relative <base> is itself resolved against the page.
    EXPECT_EQ(urls_of(page_with(links, "<base href='../other/'>")),
              (Urls{"http://example.com/other/x", "http://example.com/y"}));
    EXPECT_EQ(urls_of(page_with(links, "<base href=' https://cdn.net/base/ '>")),
              (Urls{"https://cdn.net/base/x", "https://cdn.net/y"}));
    // Only the first <base> with an href counts.
    EXPECT_EQ(urls_of(page_with(links,
                                "<base target='_top'><base href='http://first.net/a/'>"
                                "<base href='http://second.net/b/'>")),
              (Urls{"http://first.net/a/x", "http://first.net/y"}));
    // A <base> that is not an http(s) URL is ignored.
    EXPECT_EQ(urls_of(page_with(links, "<base href='javascript:void(0)'>")),
              (Urls{"http://example.com/dir/x", "http://example.com/y"}));
    // An absolute <base> works even when the page's URL is none.
    EXPECT_EQ(urls_of(page_with(links, "<base href='http://b.net/d/'>"), ""),
              (Urls{"http://b.net/d/x", "http://b.net/y"}));
}

TEST(LinkExtractor, ValuesAreTrimmedAndEmptyOnesDropped) {
    const std::string body =
        page_with("<a href=' \n\t/x \r\n'></a><a href=''></a><a href='   '></a><a href='a b'></a>");
    EXPECT_EQ(urls_of(body), (Urls{"http://example.com/x", "http://example.com/dir/a%20b"}));
}

TEST(LinkExtractor, EntitiesInAttributesAreDecoded) {
    EXPECT_EQ(urls_of(page_with("<a href='/s?a=1&amp;b=2&#38;c=3'></a>")),
              Urls{"http://example.com/s?a=1&b=2&c=3"});
}

TEST(LinkExtractor, UnresolvableValuesComeBackRaw) {
    const std::string body = page_with(
        "<a href='mailto:me@example.com'></a><a href=' javascript:go() '></a>"
        "<a href='http://bad:port/'></a><a href='/ok'></a>");
    EXPECT_EQ(urls_of(body), (Urls{"mailto:me@example.com", "javascript:go()", "http://bad:port/",
                                   "http://example.com/ok"}));
    // Without a page URL only absolute values resolve; the rest come back trimmed.
    EXPECT_EQ(urls_of(page_with("<a href=' x '></a><a href='http://a.org/#f'></a>"), ""),
              (Urls{"x", "http://a.org/"}));
}

TEST(LinkExtractor, RelNofollowInAnyCaseAndPosition) {
    const auto links = links_of(page_with(
        "<a href='/1' rel='nofollow'></a><a href='/2' rel='noopener NoFollow'></a>"
        "<a href='/3' rel=' external\tNOFOLLOW noreferrer '></a><a href='/4' rel='nofollowing'></a>"
        "<a href='/5'></a><area href='/6' rel='nofollow'><iframe src='/7' "
        "rel='nofollow'></iframe>"));
    ASSERT_EQ(links.size(), 7u);
    const std::vector<bool> expected{true, true, true, false, false, true, true};
    for (std::size_t i = 0; i < links.size(); ++i) {
        EXPECT_EQ(links[i].nofollow, expected[i]) << links[i].url;
    }
}

TEST(LinkExtractor, MetaRobotsNofollowMarksEveryLink) {
    const std::string links = "<a href='/1'></a><a href='/2'></a>";
    for (const char* meta : {"<meta name='robots' content='noindex, nofollow'>",
                             "<meta name='ROBOTS' content='NOFOLLOW'>",
                             "<meta name='Robots' content='noindex,nofollow'>",
                             "<meta name='robots' content='none'>"}) {
        const auto found = links_of(page_with(links, meta));
        ASSERT_EQ(found.size(), 2u) << meta;
        EXPECT_TRUE(found[0].nofollow && found[1].nofollow) << meta;
    }
    for (const char* meta : {"", "<meta name='robots' content='noindex'>",
                             "<meta name='description' content='nofollow'>",
                             "<meta name='googlebot-news' content='nofollow'>"}) {
        const auto found = links_of(page_with(links, meta));
        ASSERT_EQ(found.size(), 2u) << meta;
        EXPECT_FALSE(found[0].nofollow || found[1].nofollow) << meta;
    }
}

TEST(LinkExtractor, CustomAttributeElementAndStringExpressions) {
    const std::string body = page_with(
        "<a href='/a'></a><div class='next'><a href='/next'>n</a></div>"
        "<link rel='next nofollow' href='/page2'><span data-url='/data'></span>"
        "<p class='u'> /text-url </p><img src='/img.png'>");
    const LinkExtractor attributes({"//span/@data-url", "//img/@src"});
    EXPECT_EQ(urls_of(links_of(body, page_url, attributes)),
              (Urls{"http://example.com/data", "http://example.com/img.png"}));
    // Elements: their href, else their src, else their text.
    const LinkExtractor elements({"//link | //img | //p[@class='u']"});
    const auto found = links_of(body, page_url, elements);
    EXPECT_EQ(urls_of(found), (Urls{"http://example.com/page2", "http://example.com/text-url",
                                    "http://example.com/img.png"}));
    ASSERT_EQ(found.size(), 3u);
    EXPECT_TRUE(found[0].nofollow);
    EXPECT_FALSE(found[1].nofollow);
    // A string result is one value; expressions come in the order given.
    const LinkExtractor strings({"string(//div[@class='next']/a/@href)", "concat('/', 'c')"});
    EXPECT_EQ(urls_of(links_of(body, page_url, strings)),
              (Urls{"http://example.com/next", "http://example.com/c"}));
    // Text nodes, and an expression that selects nothing.
    const LinkExtractor text({"//p/text()", "//table/@href"});
    EXPECT_EQ(urls_of(links_of(body, page_url, text)), Urls{"http://example.com/text-url"});
    EXPECT_EQ(text.xpaths(), (std::vector<std::string>{"//p/text()", "//table/@href"}));
}

TEST(LinkExtractor, InvalidXPathIsRejectedUpFront) {
    EXPECT_THROW(LinkExtractor({"//a[@href"}), InvalidXPath);
    EXPECT_THROW(LinkExtractor({"//a/@href", "no-such-function()"}), InvalidXPath);
    EXPECT_THROW(LinkExtractor({"$undefined"}), InvalidXPath);
    EXPECT_NO_THROW(LinkExtractor({"//a/@href"}));
}

TEST(LinkExtractor, NonUtf8PagesDecodeBeforeResolution) {
    // "/café" and "/日本" in ISO-8859-1 and Shift_JIS; the header or a <meta> says which.
    const std::string latin1 = "<html><body><a href='/caf\xE9'>x</a></body></html>";
    EXPECT_EQ(urls_of(LinkExtractor().extract(latin1, "text/html; charset=iso-8859-1", page_url)),
              Urls{"http://example.com/caf%C3%A9"});
    const std::string sjis =
        "<html><head><meta charset='shift_jis'></head><body><a href='/\x93\xFA\x96\x7B'>x</a>"
        "</body></html>";
    EXPECT_EQ(urls_of(LinkExtractor().extract(sjis, "text/html", page_url)),
              Urls{"http://example.com/%E6%97%A5%E6%9C%AC"});
}

TEST(LinkExtractor, EmptyAndHostileBodies) {
    EXPECT_TRUE(urls_of("").empty());
    EXPECT_TRUE(urls_of("not html at all").empty());
    std::string deep;
    for (int i = 0; i < 10'000; ++i) deep += "<div>";
    deep += "<a href='/deep'></a>";
    EXPECT_NO_THROW(urls_of(deep));  // nesting is capped by libxml2; the page is truncated
}

TEST(LinkExtractor, SeveralThreadsAtOnce) {
    const LinkExtractor custom({"//a/@href", "string(//p)"});
    std::string body = "<html><head><base href='http://t.org/b/'></head><body><p>/p</p>";
    Urls expected;
    for (int i = 0; i < 400; ++i) {
        body += "<a href='l" + std::to_string(i) + "'>x</a>";
        expected.push_back("http://t.org/b/l" + std::to_string(i));
    }
    expected.push_back("http://t.org/p");
    body += "</body></html>";
    std::vector<std::thread> threads;
    std::vector<int> failures(8, 0);
    std::atomic<int> ready{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            ++ready;
            while (ready.load() < 8) std::this_thread::yield();  // all at once
            for (int round = 0; round < 100; ++round) {
                if (urls_of(custom.extract(body, "text/html", page_url)) != expected) ++failures[t];
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures, std::vector<int>(8, 0));
}

TEST(LinkExtractor, MovedExtractorKeepsWorking) {
    LinkExtractor first({"//a/@href"});
    LinkExtractor second = std::move(first);
    EXPECT_EQ(urls_of(second.extract(page_with("<a href='/m'></a>"), "text/html", page_url)),
              Urls{"http://example.com/m"});
}

}  // namespace
}  // namespace corocrawl
