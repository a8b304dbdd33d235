// robots.txt without sockets: RFC 9309's own examples first, then each rule of the parser and
// matcher, then files written to hurt.
#include "frontier/robots.hpp"

#include <gtest/gtest.h>

#include <string>

namespace corocrawl::frontier {
namespace {

using namespace std::chrono_literals;

bool allowed(std::string_view robots, std::string_view path, std::string_view token = "corocrawl") {
    return RobotsRules::parse(robots, token).check(path).allowed;
}

// A file whose only group is for everyone.
std::string everyone(std::string_view rules) {
    return "User-agent: *\n" + std::string(rules);
}

// RFC 9309 2.2.2's table: each path, however written, compares as its "path to match".
TEST(RobotsRfcExamples, PathsCompareInTheirEncodedForm) {
    EXPECT_FALSE(allowed(everyone("Disallow: /foo/bar?baz=quz"), "/foo/bar?baz=quz"));
    EXPECT_FALSE(allowed(everyone("Disallow: /foo/bar/\xE3\x83\x84"), "/foo/bar/%E3%83%84"));
    EXPECT_FALSE(allowed(everyone("Disallow: /foo/bar/%E3%83%84"), "/foo/bar/%E3%83%84"));
    EXPECT_FALSE(allowed(everyone("Disallow: /foo/bar/%62%61%7A"), "/foo/bar/baz"));
    EXPECT_FALSE(allowed(everyone("Disallow: /foo/bar?baz=https%3A%2F%2Ffoo.bar"),
                         "/foo/bar?baz=https%3A%2F%2Ffoo.bar"));
    // The table's second row also equates "https://foo.bar" with "https%3A%2F%2Ffoo.bar"; like
    // Google's parser we do not, since an escaped reserved character is not the character
    // (RFC 3986 2.2): "/a%2Fb" is not "/a/b". A site writes such a rule as its URLs are sent.
    EXPECT_TRUE(allowed(everyone("Disallow: /foo/bar?baz=https://foo.bar"),
                        "/foo/bar?baz=https%3A%2F%2Ffoo.bar"));
}

// RFC 9309 2.2.3: '#', '$' and '*', and %2A / %24 for a literal '*' / '$'.
TEST(RobotsRfcExamples, SpecialCharacters) {
    const auto exactly = everyone(
        "Disallow: /this/ # comment in line\n"
        "# comment on its own line\n"
        "allow: /this/path/exactly$\n");
    EXPECT_TRUE(allowed(exactly, "/this/path/exactly"));
    EXPECT_FALSE(allowed(exactly, "/this/path/exactly/more"));

    const auto any = everyone("Disallow: /this/\nallow: /this/*/exactly\n");
    EXPECT_TRUE(allowed(any, "/this/a/b/exactly"));
    EXPECT_TRUE(allowed(any, "/this/a/exactly/more"));
    EXPECT_FALSE(allowed(any, "/this/a/b"));

    const auto literal =
        everyone("Disallow: /path/file-with-a-%2A.html\nDisallow: /path/foo-%24\n");
    EXPECT_FALSE(allowed(literal, "/path/file-with-a-*.html"));
    EXPECT_TRUE(allowed(literal, "/path/file-with-a-b.html"));
    EXPECT_FALSE(allowed(literal, "/path/foo-$"));
    EXPECT_TRUE(allowed(literal, "/path/foo-"));
}

// RFC 9309 5.1.
TEST(RobotsRfcExamples, SimpleExample) {
    constexpr std::string_view robots =
        "User-Agent: *\n"
        "Disallow: *.gif$\n"
        "Disallow: /example/\n"
        "Allow: /publications/\n"
        "\n"
        "User-Agent: foobot\n"
        "Disallow:/\n"
        "Allow:/example/page.html\n"
        "Allow:/example/allowed.gif\n"
        "\n"
        "User-Agent: barbot\n"
        "User-Agent: bazbot\n"
        "Disallow: /example/page.html\n"
        "\n"
        "User-Agent: quxbot\n"
        "\n"
        "EOF\n";
    EXPECT_TRUE(allowed(robots, "/example/page.html", "foobot"));
    EXPECT_TRUE(allowed(robots, "/example/allowed.gif", "foobot"));
    EXPECT_FALSE(allowed(robots, "/example/other.html", "foobot"));
    EXPECT_FALSE(allowed(robots, "/publications/", "foobot"));  // no '*' rule for a named bot

    for (const auto* bot : {"barbot", "bazbot"}) {
        EXPECT_FALSE(allowed(robots, "/example/page.html", bot)) << bot;
        EXPECT_TRUE(allowed(robots, "/example/other.html", bot)) << bot;
        EXPECT_TRUE(allowed(robots, "/image.gif", bot)) << bot;
    }

    EXPECT_TRUE(allowed(robots, "/example/page.html", "quxbot"));  // its group has no rules
    EXPECT_TRUE(allowed(robots, "/image.gif", "quxbot"));

    EXPECT_FALSE(allowed(robots, "/image.gif", "otherbot"));
    EXPECT_TRUE(allowed(robots, "/image.gif?size=2", "otherbot"));
    EXPECT_FALSE(allowed(robots, "/example/", "otherbot"));
    EXPECT_TRUE(allowed(robots, "/publications/a.gif", "otherbot"));  // longer than *.gif$
    EXPECT_TRUE(allowed(robots, "/elsewhere", "otherbot"));
}

// RFC 9309 5.2.
TEST(RobotsRfcExamples, LongestMatch) {
    constexpr std::string_view robots =
        "User-Agent: foobot\n"
        "Allow: /example/page/\n"
        "Disallow: /example/page/disallowed.gif\n";
    EXPECT_TRUE(allowed(robots, "/example/page/", "foobot"));
    EXPECT_TRUE(allowed(robots, "/example/page/other.gif", "foobot"));
    EXPECT_FALSE(allowed(robots, "/example/page/disallowed.gif", "foobot"));
}

TEST(RobotsGroups, GroupsForTheSameAgentAreMerged) {
    constexpr std::string_view robots =
        "user-agent: corocrawl\n"
        "disallow: /c\n"
        "\n"
        "user-agent: other\n"
        "disallow: /d\n"
        "\n"
        "user-agent: corocrawl\n"
        "disallow: /e\n";
    EXPECT_FALSE(allowed(robots, "/c"));
    EXPECT_TRUE(allowed(robots, "/d"));
    EXPECT_FALSE(allowed(robots, "/e"));
}

TEST(RobotsGroups, ConsecutiveAgentLinesShareOneGroup) {
    // Blank lines, comments and sitemaps between them do not split the group.
    constexpr std::string_view robots =
        "User-agent: other\n"
        "\n"
        "# and\n"
        "Sitemap: https://example.com/sitemap.xml\n"
        "User-agent: corocrawl\n"
        "Disallow: /shared\n";
    EXPECT_FALSE(allowed(robots, "/shared", "other"));
    EXPECT_FALSE(allowed(robots, "/shared", "corocrawl"));
}

TEST(RobotsGroups, AnAgentLineAfterRulesStartsANewGroup) {
    constexpr std::string_view robots =
        "User-agent: corocrawl\n"
        "Disallow: /mine\n"
        "User-agent: other\n"
        "Disallow: /theirs\n";
    EXPECT_FALSE(allowed(robots, "/mine"));
    EXPECT_TRUE(allowed(robots, "/theirs"));
    EXPECT_TRUE(allowed(robots, "/mine", "other"));
}

TEST(RobotsGroups, RulesBeforeAnyAgentLineBelongToNoGroup) {
    EXPECT_TRUE(allowed("Disallow: /\nUser-agent: *\nDisallow: /x\n", "/y"));
    EXPECT_TRUE(allowed("Disallow: /\n", "/y"));
}

TEST(RobotsGroups, TheStarGroupsWhenNoneNamesUs) {
    constexpr std::string_view robots =
        "User-agent: *\n"
        "Disallow: /a\n"
        "User-agent: other\n"
        "Disallow: /b\n"
        "User-agent: *\n"
        "Disallow: /c\n";
    EXPECT_FALSE(allowed(robots, "/a"));
    EXPECT_TRUE(allowed(robots, "/b"));
    EXPECT_FALSE(allowed(robots, "/c"));
    // A group of our own replaces, not extends, the '*' groups.
    std::string with_ours(robots);
    with_ours += "User-agent: corocrawl\nDisallow: /d\n";
    EXPECT_TRUE(allowed(with_ours, "/a"));
}

TEST(RobotsGroups, NoGroupForUsOrForStarAllowsEverything) {
    const auto rules = RobotsRules::parse("User-agent: other\nDisallow: /\n", "corocrawl");
    EXPECT_TRUE(rules.check("/").allowed);
    EXPECT_EQ(rules.check("/").rule, "");
}

TEST(RobotsGroups, AgentsAndKeysAreCaseInsensitive) {
    constexpr std::string_view robots =
        "USER-AGENT: CoroCrawl\n"
        "dIsAlLoW: /private\n";
    EXPECT_FALSE(allowed(robots, "/private/x", "corocrawl"));
    EXPECT_FALSE(allowed(robots, "/private/x", "COROCRAWL"));
    EXPECT_TRUE(allowed(robots, "/PRIVATE/x", "corocrawl"));  // paths are case-sensitive
}

TEST(RobotsGroups, AnAgentIsNamedByItsLeadingProductToken) {
    EXPECT_FALSE(allowed("User-agent: corocrawl/2.0 (+https://x)\nDisallow: /\n", "/"));
    EXPECT_FALSE(allowed("User-agent: corocrawl bot\nDisallow: /\n", "/"));
    EXPECT_TRUE(allowed("User-agent: corocrawler\nDisallow: /\n", "/"));
    EXPECT_TRUE(allowed("User-agent: coro\nDisallow: /\n", "/"));
    EXPECT_TRUE(allowed("User-agent: *bot\nDisallow: /\n", "/"));  // not '*' on its own
    EXPECT_FALSE(allowed("User-agent: my_bot-2\nDisallow: /\n", "/", "my_bot-"));
}

TEST(RobotsGroups, CommonMisspellingsAreAccepted) {
    EXPECT_FALSE(allowed("useragent: corocrawl\ndisallow: /\n", "/"));
    EXPECT_FALSE(allowed("user agent: corocrawl\ndisallow: /\n", "/"));
    EXPECT_FALSE(allowed("User-agent: corocrawl\ndisalow: /\n", "/"));
    EXPECT_FALSE(allowed("User-agent: corocrawl\ndissallow: /\n", "/"));
    EXPECT_TRUE(allowed("User-agent: corocrawl\nforbid: /\n", "/"));
}

TEST(RobotsMatching, TheLongestPatternWinsAndAllowWinsATie) {
    const auto rules = RobotsRules::parse(everyone("Disallow: /page\nAllow: /page\n"), "corocrawl");
    EXPECT_TRUE(rules.check("/page").allowed);
    EXPECT_EQ(rules.check("/page").rule, "Allow: /page");

    const auto longer =
        RobotsRules::parse(everyone("Allow: /docs\nDisallow: /docs/secret\n"), "corocrawl");
    EXPECT_EQ(longer.check("/docs/secret/x").rule, "Disallow: /docs/secret");
    EXPECT_FALSE(longer.check("/docs/secret/x").allowed);
    EXPECT_EQ(longer.check("/docs/open").rule, "Allow: /docs");
    EXPECT_EQ(longer.check("/other").rule, "");

    // Length is the pattern's, wildcards included: "/*/secret" ties with "/a/secret", so Allow
    // wins; "/a/secret*" is longer than either.
    EXPECT_TRUE(allowed(everyone("Disallow: /*/secret\nAllow: /a/secret\n"), "/a/secret"));
    EXPECT_FALSE(allowed(everyone("Disallow: /a/secret*\nAllow: /*/secret\n"), "/a/secret"));
}

TEST(RobotsMatching, EmptyValuesChangeNothing) {
    EXPECT_TRUE(allowed(everyone("Disallow:\n"), "/anything"));
    EXPECT_FALSE(allowed(everyone("Allow:\nDisallow: /\n"), "/anything"));
}

TEST(RobotsMatching, RulesArePrefixesOfThePathAndQuery) {
    const auto robots = everyone("Disallow: /fish\nDisallow: /search?q=\n");
    EXPECT_FALSE(allowed(robots, "/fish"));
    EXPECT_FALSE(allowed(robots, "/fish.html"));
    EXPECT_FALSE(allowed(robots, "/fishheads/yummy.html"));
    EXPECT_TRUE(allowed(robots, "/Fish.asp"));
    EXPECT_TRUE(allowed(robots, "/catfish"));
    EXPECT_FALSE(allowed(robots, "/search?q=x"));
    EXPECT_TRUE(allowed(robots, "/search"));
}

TEST(RobotsMatching, StarAndDollar) {
    const auto robots = everyone("Disallow: /*.php$\nDisallow: /fish*.html\n");
    EXPECT_FALSE(allowed(robots, "/index.php"));
    EXPECT_FALSE(allowed(robots, "/folder/any.php"));
    EXPECT_TRUE(allowed(robots, "/index.php?x=1"));
    EXPECT_TRUE(allowed(robots, "/index.php5"));
    EXPECT_FALSE(allowed(robots, "/fish/salmon.html"));
    EXPECT_FALSE(allowed(robots, "/fishy.html?x"));
    EXPECT_TRUE(allowed(robots, "/fish.htm"));

    EXPECT_FALSE(allowed(everyone("Disallow: /$\n"), "/"));
    EXPECT_TRUE(allowed(everyone("Disallow: /$\n"), "/a"));
    EXPECT_FALSE(allowed(everyone("Disallow: /a**b$\n"), "/axxb"));
    EXPECT_FALSE(allowed(everyone("Disallow: /a*$\n"), "/abc"));
    // Only a final '$' anchors; any other is a literal one.
    EXPECT_FALSE(allowed(everyone("Disallow: /price$list\n"), "/price$list"));
    EXPECT_TRUE(allowed(everyone("Disallow: /price$list\n"), "/price"));
    // A literal '*' in the path is matched by %2A, not taken for a wildcard.
    EXPECT_FALSE(allowed(everyone("Disallow: /a*c\n"), "/a*c"));
    EXPECT_FALSE(allowed(everyone("Disallow: /a%2Ac\n"), "/a*c"));
    EXPECT_TRUE(allowed(everyone("Disallow: /a%2Ac\n"), "/abc"));
}

TEST(RobotsMatching, APatternWithoutALeadingSlashIsReadAsIfItHadOne) {
    const auto robots = everyone("Disallow: private\n");
    EXPECT_FALSE(allowed(robots, "/private/x"));
    EXPECT_TRUE(allowed(robots, "/public/private"));
    EXPECT_EQ(RobotsRules::parse(robots, "corocrawl").check("/private").rule, "Disallow: private");
}

TEST(RobotsMatching, PercentEncodingIsComparedNormalised) {
    EXPECT_FALSE(allowed(everyone("Disallow: /foo/%62ar\n"), "/foo/bar"));
    EXPECT_FALSE(allowed(everyone("Disallow: /foo/bar\n"), "/foo/%62ar"));
    EXPECT_FALSE(allowed(everyone("Disallow: /%7Ejoe\n"), "/~joe/index.html"));
    // Non-ASCII in robots.txt is compared as the UTF-8 escapes a request line carries.
    EXPECT_FALSE(allowed(everyone("Disallow: /\xC3\xA4\n"), "/%C3%A4"));
    EXPECT_FALSE(allowed(everyone("Disallow: /\xC3\xA4\n"), "/%c3%a4"));
    EXPECT_FALSE(allowed(everyone("Disallow: /%c3%a4\n"), "/%C3%A4/x"));
    EXPECT_TRUE(allowed(everyone("Disallow: /\xC3\xA4\n"), "/a"));
    // An escaped reserved character stays escaped.
    EXPECT_FALSE(allowed(everyone("Disallow: /a%2fb\n"), "/a%2Fb"));
    EXPECT_TRUE(allowed(everyone("Disallow: /a%2Fb\n"), "/a/b"));
    EXPECT_TRUE(allowed(everyone("Disallow: /a/b\n"), "/a%2Fb"));
    // A '%' that starts no escape is the octet itself, however it is written.
    EXPECT_FALSE(allowed(everyone("Disallow: /100%off\n"), "/100%25off"));
    EXPECT_FALSE(allowed(everyone("Disallow: /100%25off\n"), "/100%off"));
}

TEST(RobotsMatching, AnEmptyPathIsTheRoot) {
    EXPECT_FALSE(allowed(everyone("Disallow: /$\n"), ""));
}

TEST(RobotsVerdicts, RobotsTxtItselfIsAlwaysAllowed) {
    EXPECT_TRUE(allowed(everyone("Disallow: /\n"), "/robots.txt"));
    EXPECT_FALSE(allowed(everyone("Disallow: /\n"), "/robots.txt.bak"));
    const auto unreachable = RobotsRules::disallow_all("robots.txt unreachable: HTTP 503");
    EXPECT_TRUE(unreachable.check("/robots.txt").allowed);
}

TEST(RobotsVerdicts, DisallowAllSaysWhy) {
    const auto rules = RobotsRules::disallow_all("robots.txt unreachable: HTTP 503");
    const auto verdict = rules.check("/page");
    EXPECT_FALSE(verdict.allowed);
    EXPECT_EQ(verdict.rule, "robots.txt unreachable: HTTP 503");
    EXPECT_FALSE(rules.check("").allowed);
}

TEST(RobotsVerdicts, NoRobotsTxtAllowsEverything) {
    const RobotsRules rules;
    EXPECT_TRUE(rules.check("/anything").allowed);
    EXPECT_FALSE(rules.crawl_delay());
    EXPECT_TRUE(rules.sitemaps().empty());
}

TEST(RobotsCrawlDelay, ComesFromTheChosenGroup) {
    constexpr std::string_view robots =
        "User-agent: *\n"
        "Crawl-delay: 5\n"
        "User-agent: corocrawl\n"
        "Crawl-delay: 2.5\n"
        "User-agent: other\n"
        "Crawl-delay: 9\n";
    EXPECT_EQ(RobotsRules::parse(robots, "corocrawl").crawl_delay(), 2500ms);
    EXPECT_EQ(RobotsRules::parse(robots, "other").crawl_delay(), 9s);
    EXPECT_EQ(RobotsRules::parse(robots, "nobody").crawl_delay(), 5s);
    EXPECT_FALSE(
        RobotsRules::parse("User-agent: other\nCrawl-delay: 3\n", "corocrawl").crawl_delay());
}

TEST(RobotsCrawlDelay, TheFirstValidOneCounts) {
    const auto delay = [](std::string_view value) {
        return RobotsRules::parse(everyone("Crawl-delay: " + std::string(value) + "\n"),
                                  "corocrawl")
            .crawl_delay();
    };
    EXPECT_EQ(delay("0"), 0ms);
    EXPECT_EQ(delay(".5"), 500ms);
    EXPECT_EQ(delay("1."), 1s);
    EXPECT_EQ(delay("0.0015"), 1ms);
    EXPECT_EQ(delay("99999999999999999999999"), 24h);
    for (const auto* invalid : {"-1", "abc", "1s", "1,5", ".", "", "1.2.3", "+1", "1e3", "inf"}) {
        EXPECT_FALSE(delay(invalid)) << invalid;
    }
    EXPECT_EQ(RobotsRules::parse(everyone("Crawl-delay: soon\nCrawl-delay: 4\nCrawl-delay: 7\n"),
                                 "corocrawl")
                  .crawl_delay(),
              4s);
}

TEST(RobotsSitemaps, EverySitemapLineWhereverItStands) {
    constexpr std::string_view robots =
        "Sitemap: https://example.com/first.xml\n"
        "User-agent: other\n"
        "Disallow: /\n"
        "SITEMAP:https://example.com/second.xml # a comment\n"
        "User-agent: *\n"
        "Sitemap:\n"
        "Disallow: /x\n"
        "sitemap: https://example.com/third.xml\n";
    const auto rules = RobotsRules::parse(robots, "corocrawl");
    EXPECT_EQ(rules.sitemaps(), (std::vector<std::string>{"https://example.com/first.xml",
                                                          "https://example.com/second.xml",
                                                          "https://example.com/third.xml"}));
    EXPECT_FALSE(rules.check("/x").allowed);  // the sitemap did not end the '*' group
}

TEST(RobotsFile, OnlyTheFirst500KiBAreRead) {
    std::string robots = "User-agent: *\nDisallow: /early\n";
    std::string padding = "# ";
    padding.append(97, '.');
    padding += '\n';  // 100 octets
    while (robots.size() + padding.size() + 20 < robots_max_bytes) robots += padding;
    robots += "Disallow: /last\n";
    ASSERT_LE(robots.size(), robots_max_bytes);
    while (robots.size() <= robots_max_bytes) robots += padding;
    robots += "Disallow: /late\n";

    const auto rules = RobotsRules::parse(robots, "corocrawl");
    EXPECT_FALSE(rules.check("/early").allowed);
    EXPECT_FALSE(rules.check("/last").allowed);
    EXPECT_TRUE(rules.check("/late").allowed);
}

TEST(RobotsFile, ALineTheCapCutsIsDropped) {
    std::string robots = "User-agent: *\n";
    robots += std::string(
        robots_max_bytes - robots.size() - std::string_view("Disallow: /a").size(), '\n');
    robots += "Disallow: /abc\n";  // the cap falls after "/a"
    EXPECT_TRUE(allowed(robots, "/a"));
    EXPECT_TRUE(allowed(robots, "/abc"));
    robots.resize(robots_max_bytes);  // now "Disallow: /a" is the whole of the last line
    EXPECT_FALSE(allowed(robots, "/a"));
}

TEST(RobotsFile, LineEndings) {
    EXPECT_FALSE(allowed("User-agent: *\rDisallow: /cr\r", "/cr"));
    EXPECT_TRUE(allowed("User-agent: *\rDisallow: /cr\r", "/other"));
    EXPECT_FALSE(allowed("User-agent: *\r\nDisallow: /crlf\r\n", "/crlf"));
    EXPECT_FALSE(allowed("User-agent: *\r\n\r\nDisallow: /a\rDisallow: /b\nDisallow: /c", "/c"));
    EXPECT_FALSE(allowed("User-agent: *\r\n\r\nDisallow: /a\rDisallow: /b\nDisallow: /c", "/b"));
}

TEST(RobotsFile, ALeadingByteOrderMarkIsSkipped) {
    EXPECT_FALSE(allowed("\xEF\xBB\xBFUser-agent: *\nDisallow: /\n", "/x"));
    // Anywhere else it is part of the line it is on.
    EXPECT_TRUE(
        allowed("User-agent: *\n\xEF\xBB\xBF"
                "Disallow: /\n",
                "/x"));
}

TEST(RobotsFile, CommentsAndWhitespace) {
    constexpr std::string_view robots =
        "# User-agent: corocrawl\n"
        "   User-agent :  *   # everyone\n"
        "\tDisallow\t:\t/tabs\t\n"
        "Disallow: /before#/after\n"
        "Disallow /no-colon\n";
    EXPECT_FALSE(allowed(robots, "/tabs"));
    EXPECT_FALSE(allowed(robots, "/before"));
    EXPECT_TRUE(allowed(robots, "/no-colon"));
}

TEST(RobotsProductToken, TheFirstWordOfTheUserAgent) {
    EXPECT_EQ(product_token("corocrawl/1.2 (+https://x)"), "corocrawl");
    EXPECT_EQ(product_token("corocrawl"), "corocrawl");
    EXPECT_EQ(product_token("MyBot libcurl/8.0"), "MyBot");
    EXPECT_EQ(product_token("  Spaced/1"), "Spaced");
    EXPECT_EQ(product_token(""), "corocrawl");
    EXPECT_EQ(product_token("   "), "corocrawl");
    EXPECT_EQ(product_token("/1.0"), "corocrawl");
}

TEST(RobotsHostile, APathologicalPatternFinishes) {
    const auto robots = everyone(
        "Disallow: /*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n"
        "Disallow: /*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a$\n");
    std::string path(100'001, 'a');
    path[0] = '/';
    EXPECT_FALSE(allowed(robots, path));
    EXPECT_TRUE(allowed(robots, path + "c"));
    EXPECT_FALSE(allowed(robots, path + "b"));
}

TEST(RobotsHostile, BinaryJunkAndOneHugeLine) {
    std::string junk;
    for (unsigned i = 0; i < 600'000; ++i) junk += static_cast<char>(i * 7919 % 256);
    const auto rules = RobotsRules::parse(junk, "corocrawl");
    EXPECT_TRUE(rules.check("/").allowed);

    std::string long_rule = "Disallow: /";
    long_rule.append(robots_max_bytes, 'x');
    const auto huge = everyone(long_rule);
    EXPECT_TRUE(allowed(huge, "/xxx"));  // cut by the cap, so dropped
}

TEST(RobotsHostile, VeryManyRules) {
    std::string robots = "User-agent: *\n";
    for (int i = 0; robots.size() < robots_max_bytes; ++i) {
        robots += "Disallow: /*" + std::to_string(i) + "*x$\n";
    }
    const auto rules = RobotsRules::parse(robots, "corocrawl");
    EXPECT_TRUE(rules.check("/page").allowed);
    EXPECT_FALSE(rules.check("/a/12345/x").allowed);
}

}  // namespace
}  // namespace corocrawl::frontier
