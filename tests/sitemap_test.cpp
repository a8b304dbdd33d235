// Sitemaps: urlset and index, namespaced or not, gzip'd, plain text; bounded against bombs and
// huge lists; malformed and hostile XML.
#include "corocrawl/sitemap.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace corocrawl {
namespace {

using Urls = std::vector<std::string>;

constexpr std::string_view sitemap_url = "https://example.com/maps/sitemap.xml";

constexpr std::string_view namespaced_urlset =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url><loc>https://example.com/</loc><lastmod>2024-01-01</lastmod><priority>1.0</priority></url>
  <url>
    <loc>
      https://example.com/a?x=1&amp;y=2
    </loc>
    <image:image><image:loc>https://example.com/img.png</image:loc></image:image>
  </url>
  <url><loc><![CDATA[https://example.com/cdata]]></loc></url>
  <url><loc>relative/page</loc></url>
  <url><loc>/rooted</loc></url>
  <url><loc></loc></url>
  <url><changefreq>daily</changefreq></url>
</urlset>
)";

const Urls namespaced_pages{"https://example.com/", "https://example.com/a?x=1&y=2",
                            "https://example.com/cdata", "https://example.com/maps/relative/page",
                            "https://example.com/rooted"};

// gzip (not zlib) framing of `data`.
std::string gzip(std::string_view data, int level = Z_DEFAULT_COMPRESSION) {
    z_stream stream{};
    EXPECT_EQ(deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&stream, data.size()), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

TEST(Sitemap, NamespacedUrlset) {
    const Sitemap sitemap = parse_sitemap(namespaced_urlset, sitemap_url);
    EXPECT_EQ(sitemap.pages, namespaced_pages);
    EXPECT_TRUE(sitemap.sitemaps.empty());
    EXPECT_FALSE(sitemap.error) << *sitemap.error;
}

TEST(Sitemap, UnNamespacedUrlset) {
    const Sitemap sitemap = parse_sitemap(
        "<urlset><url><loc>http://a.org/1</loc></url><url><loc>http://a.org/2</loc></url></urlset>",
        sitemap_url);
    EXPECT_EQ(sitemap.pages, (Urls{"http://a.org/1", "http://a.org/2"}));
    EXPECT_FALSE(sitemap.error);
}

TEST(Sitemap, IndexListsSitemaps) {
    const Sitemap sitemap = parse_sitemap(
        R"(<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">)"
        "<sitemap><loc>https://example.com/s1.xml.gz</loc><lastmod>2024</lastmod></sitemap>"
        "<sitemap><loc> s2.xml </loc></sitemap></sitemapindex>",
        sitemap_url);
    EXPECT_EQ(sitemap.sitemaps,
              (Urls{"https://example.com/s1.xml.gz", "https://example.com/maps/s2.xml"}));
    EXPECT_TRUE(sitemap.pages.empty());
    EXPECT_FALSE(sitemap.error);
    // Un-namespaced, too; and <url> inside an index is not a page.
    const Sitemap plain = parse_sitemap(
        "<sitemapindex><sitemap><loc>http://a.org/s.xml</loc></sitemap>"
        "<url><loc>http://a.org/not-a-page</loc></url></sitemapindex>",
        sitemap_url);
    EXPECT_EQ(plain.sitemaps, Urls{"http://a.org/s.xml"});
    EXPECT_TRUE(plain.pages.empty());
}

TEST(Sitemap, OnlyTheFirstLocOfAnEntryAndOnlyItsOwnText) {
    const Sitemap sitemap = parse_sitemap(
        "<urlset><url><loc>http://a.org/first</loc><loc>http://a.org/second</loc></url>"
        "<url><loc><x>http://a.org/child</x>http://a.org/own</loc></url></urlset>",
        sitemap_url);
    EXPECT_EQ(sitemap.pages, (Urls{"http://a.org/first", "http://a.org/own"}));
}

TEST(Sitemap, LocOutsideTheSitemapNamespaceIsNotTaken) {
    const Sitemap sitemap = parse_sitemap(
        R"(<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:o="urn:other">)"
        "<url><o:loc>http://a.org/other</o:loc><loc>http://a.org/mine</loc></url>"
        "<o:url><loc>http://a.org/foreign-entry</loc></o:url></urlset>",
        sitemap_url);
    EXPECT_EQ(sitemap.pages, Urls{"http://a.org/mine"});
}

TEST(Sitemap, GzippedSitemap) {
    const std::string compressed = gzip(namespaced_urlset);
    ASSERT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);
    const Sitemap sitemap = parse_sitemap(compressed, sitemap_url);
    EXPECT_EQ(sitemap.pages, namespaced_pages);
    EXPECT_FALSE(sitemap.error) << *sitemap.error;
}

TEST(Sitemap, CorruptOrTruncatedGzipGivesAnError) {
    const std::string compressed = gzip(namespaced_urlset);
    const Sitemap truncated =
        parse_sitemap(compressed.substr(0, compressed.size() / 2), sitemap_url);
    ASSERT_TRUE(truncated.error);
    EXPECT_NE(truncated.error->find("gzip"), std::string::npos) << *truncated.error;
    std::string corrupt = compressed;
    for (std::size_t i = 10; i < corrupt.size(); ++i) corrupt[i] = static_cast<char>(~corrupt[i]);
    EXPECT_TRUE(parse_sitemap(corrupt, sitemap_url).error);
}

TEST(Sitemap, GzipBombStopsAtTheLimitWithAnError) {
    // 64 MiB of spaces (compressed to well under 1 MiB) between a first entry and a last one.
    std::string member;
    {
        z_stream stream{};
        ASSERT_EQ(deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY),
                  Z_OK);
        std::string chunk(1 << 20, '\0');
        const std::string spaces(1 << 20, ' ');
        const auto pump = [&](std::string_view data, int flush) {
            stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
            stream.avail_in = static_cast<uInt>(data.size());
            do {
                stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
                stream.avail_out = static_cast<uInt>(chunk.size());
                deflate(&stream, flush);
                member.append(chunk.data(), chunk.size() - stream.avail_out);
            } while (stream.avail_out == 0);
        };
        pump("<urlset><url><loc>http://a.org/first</loc></url>", Z_NO_FLUSH);
        for (int i = 0; i < 64; ++i) pump(spaces, Z_NO_FLUSH);
        pump("<url><loc>http://a.org/after-the-limit</loc></url></urlset>", Z_FINISH);
        deflateEnd(&stream);
    }
    ASSERT_LT(member.size(), 1u << 20);
    const Sitemap sitemap = parse_sitemap(member, sitemap_url);
    ASSERT_TRUE(sitemap.error);
    EXPECT_NE(sitemap.error->find("50 MiB"), std::string::npos) << *sitemap.error;
    EXPECT_EQ(sitemap.pages, Urls{"http://a.org/first"});
}

TEST(Sitemap, EntriesAreBoundedAtFiftyThousand) {
    std::string body = "<urlset>";
    for (std::size_t i = 0; i < max_sitemap_entries + 10; ++i) {
        body += "<url><loc>http://a.org/" + std::to_string(i) + "</loc></url>";
    }
    body += "</urlset>";
    const Sitemap sitemap = parse_sitemap(body, sitemap_url);
    ASSERT_EQ(sitemap.pages.size(), max_sitemap_entries);
    EXPECT_EQ(sitemap.pages.back(), "http://a.org/" + std::to_string(max_sitemap_entries - 1));
    ASSERT_TRUE(sitemap.error);
    EXPECT_NE(sitemap.error->find("50000"), std::string::npos) << *sitemap.error;

    // Exactly at the limit is not an error.
    std::string exact = "<urlset>";
    for (std::size_t i = 0; i < max_sitemap_entries; ++i)
        exact += "<url><loc>http://a.org/</loc></url>";
    exact += "</urlset>";
    const Sitemap full = parse_sitemap(exact, sitemap_url);
    EXPECT_EQ(full.pages.size(), max_sitemap_entries);
    EXPECT_FALSE(full.error) << *full.error;
}

TEST(Sitemap, MalformedXmlGivesAnErrorAndWhatItCould) {
    const Sitemap sitemap = parse_sitemap(
        "<urlset><url><loc>http://a.org/1</loc></url><url><loc>http://a.org/2</loc></url>\n"
        "<url><loc>http://a.org/3</lo></url></urlset>",
        sitemap_url);
    ASSERT_GE(sitemap.pages.size(), 2u);
    EXPECT_EQ(sitemap.pages[0], "http://a.org/1");
    EXPECT_EQ(sitemap.pages[1], "http://a.org/2");
    ASSERT_TRUE(sitemap.error);
    EXPECT_NE(sitemap.error->find("malformed XML at line 2"), std::string::npos) << *sitemap.error;

    const Sitemap unclosed =
        parse_sitemap("<urlset><url><loc>http://a.org/1</loc></url>", sitemap_url);
    EXPECT_EQ(unclosed.pages, Urls{"http://a.org/1"});
    EXPECT_TRUE(unclosed.error);

    // A raw '&' (a common fault) is reported, and the entries after it are still read.
    const Sitemap ampersand = parse_sitemap(
        "<urlset><url><loc>http://a.org/?a=1&b=2</loc></url><url><loc>http://a.org/next</loc>"
        "</url></urlset>",
        sitemap_url);
    ASSERT_FALSE(ampersand.pages.empty());
    EXPECT_EQ(ampersand.pages.back(), "http://a.org/next");
    EXPECT_TRUE(ampersand.error);

    const Sitemap garbage = parse_sitemap("<\x01\xff<<>>&&;;</urlset>", sitemap_url);
    EXPECT_TRUE(garbage.pages.empty());
    EXPECT_TRUE(garbage.error);
}

TEST(Sitemap, OtherDocumentsAreNotSitemaps) {
    const Sitemap html = parse_sitemap("<html><body><a href='/x'>x</a></body></html>", sitemap_url);
    EXPECT_TRUE(html.pages.empty());
    ASSERT_TRUE(html.error);
    EXPECT_NE(html.error->find("<html>"), std::string::npos) << *html.error;
    const Sitemap empty = parse_sitemap("", sitemap_url);
    EXPECT_TRUE(empty.pages.empty() && empty.sitemaps.empty());
    const Sitemap foreign = parse_sitemap(
        "<urlset xmlns='urn:not-sitemaps'><url><loc>http://a.org/</loc></url></urlset>",
        sitemap_url);
    EXPECT_TRUE(foreign.pages.empty());
    EXPECT_TRUE(foreign.error);
}

// A scratch file holding a secret the parser must never read.
struct MarkerFile {
    std::string path = ::testing::TempDir() + "sitemap-marker-" + std::to_string(getpid());
    std::string secret = "corocrawl-secret-" + std::to_string(getpid());
    MarkerFile() { std::ofstream(path) << secret; }
    ~MarkerFile() { std::remove(path.c_str()); }
};

TEST(Sitemap, ExternalEntitiesAndDtdsAreNotRead) {
    const MarkerFile marker;
    const MarkerFile dtd;
    std::ofstream(dtd.path) << "<!ENTITY fromdtd \"http://a.org/" << dtd.secret << "\">";
    const std::string body = "<?xml version=\"1.0\"?><!DOCTYPE urlset SYSTEM \"file://" + dtd.path +
                             "\" [<!ENTITY file SYSTEM \"file://" + marker.path +
                             "\">]><urlset><url><loc>http://a.org/&file;</loc></url>"
                             "<url><loc>http://a.org/x&fromdtd;</loc></url></urlset>";
    const Sitemap sitemap = parse_sitemap(body, sitemap_url);
    for (const std::string& page : sitemap.pages) {
        EXPECT_EQ(page.find(marker.secret), std::string::npos) << page;
        EXPECT_EQ(page.find(dtd.secret), std::string::npos) << page;
    }
    if (sitemap.error) {
        EXPECT_EQ(sitemap.error->find(marker.secret), std::string::npos);
    }
    // The undeclared entities are left out; the rest of each <loc> stays.
    EXPECT_EQ(sitemap.pages, (Urls{"http://a.org/", "http://a.org/x"}));
}

TEST(Sitemap, InternalEntitiesAreNotExpanded) {
    // The billion laughs: ten levels of ten references each.
    std::string body = "<?xml version=\"1.0\"?><!DOCTYPE urlset [<!ENTITY lol0 \"lol\">";
    for (int i = 1; i <= 10; ++i) {
        body += "<!ENTITY lol" + std::to_string(i) + " \"";
        for (int j = 0; j < 10; ++j) body += "&lol" + std::to_string(i - 1) + ";";
        body += "\">";
    }
    body +=
        "]><urlset><url><loc>http://a.org/&lol10;</loc></url>"
        "<url><loc>http://a.org/after</loc></url></urlset>";
    const Sitemap sitemap = parse_sitemap(body, sitemap_url);
    for (const std::string& page : sitemap.pages) EXPECT_LT(page.size(), 100u) << page.size();
    // libxml2 either refuses the document (entity amplification) or leaves the reference out.
    EXPECT_LE(sitemap.pages.size(), 2u);
}

TEST(Sitemap, PlainTextSitemap) {
    const Sitemap sitemap = parse_sitemap(
        "https://example.com/one\r\n\n  http://example.com/two  \nhttps://example.com/three",
        sitemap_url);
    EXPECT_EQ(sitemap.pages, (Urls{"https://example.com/one", "http://example.com/two",
                                   "https://example.com/three"}));
    EXPECT_FALSE(sitemap.error);
    // Lines that are not absolute http(s) URLs are skipped, and said to be.
    const Sitemap mixed =
        parse_sitemap("http://a.org/1\nftp://a.org/2\nrelative\nhttp://a.org/3\n", sitemap_url);
    EXPECT_EQ(mixed.pages, (Urls{"http://a.org/1", "http://a.org/3"}));
    ASSERT_TRUE(mixed.error);
    EXPECT_NE(mixed.error->find("2 lines"), std::string::npos) << *mixed.error;
    // Gzip'd text works too.
    EXPECT_EQ(parse_sitemap(gzip("http://a.org/z\n"), sitemap_url).pages, Urls{"http://a.org/z"});
    const Sitemap junk = parse_sitemap("just some words\n", sitemap_url);
    EXPECT_TRUE(junk.pages.empty());
    EXPECT_TRUE(junk.error);
}

TEST(Sitemap, SeveralThreadsAtOnce) {
    const std::string compressed = gzip(namespaced_urlset);
    std::vector<std::thread> threads;
    std::vector<int> failures(8, 0);
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 200; ++round) {
                if (parse_sitemap(round % 2 ? compressed : std::string(namespaced_urlset),
                                  sitemap_url)
                        .pages != namespaced_pages) {
                    ++failures[t];
                }
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures, std::vector<int>(8, 0));
}

}  // namespace
}  // namespace corocrawl
