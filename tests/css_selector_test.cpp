// CSS selectors: the translation table (selector -> XPath -> values on one fixed page), the values
// parsel returns for the same selectors on that page, and the usage errors with their positions.
#include "corocrawl/css_selector.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "corocrawl/xpath.hpp"

namespace corocrawl {
namespace {

using Values = std::vector<std::string>;

// One line, so no whitespace-only text nodes muddle ::text.
constexpr std::string_view page =
    R"(<html><head><title>Fixture</title></head><body>)"
    R"(<div id="main" class="content  wide"><h1>Heading</h1><p class="intro lead">First</p>)"
    R"(<p>Second <a href="/one" rel="nofollow noopener">one</a></p>)"
    R"(<p lang="en-US" data-x="abc">Third</p>)"
    R"(<ul><li>a</li><li class="odd">b</li><li>c</li><li>d</li><li>e</li></ul><span>s1</span></div>)"
    R"(<div class="content-other"><a href="https://example.com/two.pdf" title="it's &quot;x&quot;">two</a>)"
    R"(<em></em></div></body></html>)";

Values values_of(const std::string& xpath) {
    const XPathSet set({xpath});
    return set.extract(page, "text/html", "").at(0).values;
}

struct Translation {
    std::string css;
    std::string xpath;  // cssselect's HTMLTranslator with parsel's pseudo-elements
    Values values;      // on `page`; an element's value is its text content, as with -x
};

const std::string class_test = "@class and contains(concat(' ', normalize-space(@class), ' '), ";

const std::vector<Translation> table = {
    // type selectors, lower-cased as HTML names are
    {"h1", "descendant-or-self::h1", {"Heading"}},
    {"H1", "descendant-or-self::h1", {"Heading"}},
    {"ul > *", "descendant-or-self::ul/*", {"a", "b", "c", "d", "e"}},
    // #id and .class (a whitespace-separated token, not a substring: not content-other)
    {"#main > h1", "descendant-or-self::*[@id = 'main']/h1", {"Heading"}},
    {"#\\6d ain > h1", "descendant-or-self::*[@id = 'main']/h1", {"Heading"}},  // an escape
    {".intro", "descendant-or-self::*[" + class_test + "' intro ')]", {"First"}},
    {"div.content::attr(class)",
     "descendant-or-self::div[" + class_test + "' content ')]/@class",
     {"content  wide"}},
    {"p.lead.intro",
     "descendant-or-self::p[(" + class_test + "' lead ')) and (" + class_test + "' intro '))]",
     {"First"}},
    // attribute selectors
    {"[lang]", "descendant-or-self::*[@lang]", {"Third"}},
    {"[data-x=abc]", "descendant-or-self::*[@data-x = 'abc']", {"Third"}},
    {"a[rel~=\"noopener\"]",
     "descendant-or-self::a[@rel and contains(concat(' ', normalize-space(@rel), ' '), "
     "' noopener ')]",
     {"one"}},
    {"a[rel~=\"no\"]",
     "descendant-or-self::a[@rel and contains(concat(' ', normalize-space(@rel), ' '), ' no ')]",
     {}},
    {"[lang|=en]",
     "descendant-or-self::*[@lang and (@lang = 'en' or starts-with(@lang, 'en-'))]",
     {"Third"}},
    {"a[href^='https:']", "descendant-or-self::a[@href and starts-with(@href, 'https:')]", {"two"}},
    {"a[href$=\".pdf\"]",
     "descendant-or-self::a[@href and substring(@href, string-length(@href)-3) = '.pdf']",
     {"two"}},
    {"a[href*=example]", "descendant-or-self::a[@href and contains(@href, 'example')]", {"two"}},
    {"a[href^=\"\"]", "descendant-or-self::a[0]", {}},
    {"a[title='it\\'s \"x\"']",
     "descendant-or-self::a[@title = concat('it',\"'\",'s \"x\"')]",
     {"two"}},
    // combinators
    {"div p", "descendant-or-self::div/descendant-or-self::*/p", {"First", "Second one", "Third"}},
    {"h1 + p",
     "descendant-or-self::h1/following-sibling::*[(name() = 'p') and (position() = 1)]",
     {"First"}},
    {"h1 ~ p", "descendant-or-self::h1/following-sibling::p", {"First", "Second one", "Third"}},
    {"h1+p.lead",
     "descendant-or-self::h1/following-sibling::*[((" + class_test +
         "' lead ')) and (name() = 'p')) and (position() = 1)]",
     {"First"}},
    // structural pseudo-classes
    {"li:first-child", "descendant-or-self::li[count(preceding-sibling::*) = 0]", {"a"}},
    {"li:last-child", "descendant-or-self::li[count(following-sibling::*) = 0]", {"e"}},
    {"li:nth-child(2)", "descendant-or-self::li[count(preceding-sibling::*) = 1]", {"b"}},
    {"li:nth-child(odd)",
     "descendant-or-self::li[count(preceding-sibling::*) mod 2 = 0]",
     {"a", "c", "e"}},
    {"li:nth-child(even)",
     "descendant-or-self::li[(count(preceding-sibling::*) +1) mod 2 = 0]",
     {"b", "d"}},
    {"li:nth-child(3n+2)",
     "descendant-or-self::li[(count(preceding-sibling::*) >= 1) and "
     "((count(preceding-sibling::*) +2) mod 3 = 0)]",
     {"b", "e"}},
    {"li:nth-child( -n + 2 )",
     "descendant-or-self::li[count(preceding-sibling::*) <= 1]",
     {"a", "b"}},
    {"li:nth-child(n)", "descendant-or-self::li", {"a", "b", "c", "d", "e"}},
    {"li:nth-child(-n-1)", "descendant-or-self::li[0]", {}},
    {"li:nth-last-child(1)", "descendant-or-self::li[count(following-sibling::*) = 0]", {"e"}},
    {"p:nth-of-type(2)", "descendant-or-self::p[count(preceding-sibling::p) = 1]", {"Second one"}},
    {"p:first-of-type", "descendant-or-self::p[count(preceding-sibling::p) = 0]", {"First"}},
    {"em:empty", "descendant-or-self::em[not(*) and not(string-length())]", {""}},
    {":root > head > title", "descendant-or-self::*[not(parent::*)]/head/title", {"Fixture"}},
    // :not()
    {"p:not(.intro)",
     "descendant-or-self::p[not(" + class_test + "' intro '))]",
     {"Second one", "Third"}},
    {"li:not(:nth-child(odd))",
     "descendant-or-self::li[not(count(preceding-sibling::*) mod 2 = 0)]",
     {"b", "d"}},
    {"#main > :not(p):not(ul)",
     "descendant-or-self::*[@id = 'main']/*[(not(name() = 'p')) and (not(name() = 'ul'))]",
     {"Heading", "s1"}},
    {"p:not(*)", "descendant-or-self::p[0]", {}},
    // selector lists: one union, values in document order
    {"span, h1", "descendant-or-self::span | descendant-or-self::h1", {"Heading", "s1"}},
    // pseudo-elements
    {"p::text", "descendant-or-self::p/text()", {"First", "Second ", "Third"}},
    {"a::attr(href)", "descendant-or-self::a/@href", {"/one", "https://example.com/two.pdf"}},
    {"#main ::text",
     "descendant-or-self::*[@id = 'main']/descendant-or-self::text()",
     {"Heading", "First", "Second ", "one", "Third", "a", "b", "c", "d", "e", "s1"}},
    {"div ::attr(href)",
     "descendant-or-self::div/descendant-or-self::*/@href",
     {"/one", "https://example.com/two.pdf"}},
    {".content-other a::attr(title)",
     "descendant-or-self::*[" + class_test + "' content-other ')]/descendant-or-self::*/a/@title",
     {"it's \"x\""}},
};

TEST(CssTranslation, EachConstructGivesCssselectsXPathAndItsValues) {
    for (const auto& row : table) {
        std::string xpath;
        ASSERT_NO_THROW(xpath = css_to_xpath(row.css)) << row.css;
        EXPECT_EQ(xpath, row.xpath) << row.css;
        EXPECT_EQ(values_of(xpath), row.values) << row.css << " -> " << xpath;
    }
}

// What parsel's Selector(text=page).css(SELECTOR).getall() returns, worked out from cssselect's
// and parsel's translation rules (the XPath lxml then runs is the one above).
TEST(CssTranslation, ValuesAreWhatParselReturns) {
    const std::vector<std::pair<std::string, Values>> parsel = {
        {"title::text", {"Fixture"}},
        {"a::attr(href)", {"/one", "https://example.com/two.pdf"}},
        {"p::text", {"First", "Second ", "Third"}},
        {"li:nth-child(even)::text", {"b", "d"}},
        {"div.content a::text", {"one"}},
        {"h1 + p::text", {"First"}},
        {"ul > li:not(.odd)::text", {"a", "c", "d", "e"}},
        {"span::text, h1::text", {"Heading", "s1"}},
        {"p > a::attr(rel)", {"nofollow noopener"}},
        {"[data-x]::attr(data-x)", {"abc"}},
        {"li:nth-child(3n+2)::text", {"b", "e"}},
        {"div:nth-of-type(2) a::text", {"two"}},
        {"p ::text", {"First", "Second ", "one", "Third"}},
        {"em::text", {}},
        {"a[href$=pdf]::attr(href)", {"https://example.com/two.pdf"}},
    };
    for (const auto& [css, expected] : parsel) {
        EXPECT_EQ(values_of(css_to_xpath(css)), expected) << css << " -> " << css_to_xpath(css);
    }
}

TEST(CssTranslation, FieldsCompileOnceInAnXPathSet) {
    // A CSS field's key is the selector as written; its XPath is what libxml2 runs.
    const XPathSet set({css_to_xpath("title::text"), css_to_xpath("a::attr(href)")},
                       {"title", "a::attr(href)"});
    const auto extractions = set.extract(page, "text/html", "");
    ASSERT_EQ(extractions.size(), 2u);
    EXPECT_EQ(extractions[0].expression, "title");
    EXPECT_EQ(extractions[0].values, Values{"Fixture"});
    EXPECT_EQ(extractions[1].expression, "a::attr(href)");
    EXPECT_EQ(extractions[1].values.size(), 2u);
}

struct Rejected {
    std::string css;
    std::size_t position;
    std::string says;  // part of the message
};

TEST(CssErrors, InvalidOrUnsupportedSelectorsNameThePosition) {
    const std::vector<Rejected> rejected = {
        {"", 0, "expected a selector"},
        {"   ", 3, "expected a selector"},
        {"a[", 2, "expected an attribute name"},
        {"a,", 2, "expected a selector"},
        {"a >", 3, "expected a selector"},
        {"a)", 1, "expected a combinator"},
        {":hover", 0, "unsupported pseudo-class :hover"},
        {"a:contains('x')", 1, "unsupported pseudo-class :contains()"},
        {"p::text span", 1, "a pseudo-element must end the selector"},
        {"p::text.x", 1, "a pseudo-element must end the selector"},
        {"p::before", 1, "unsupported pseudo-element ::before"},
        {"ns|a", 2, "namespaces are not supported"},
        {"[ns|a]", 3, "namespaces are not supported"},
        {"li:nth-child(foo)", 13, "expected an+b"},
        {"li:nth-child(2n+)", 13, "expected an+b"},
        {"a[href=]", 7, "expected an identifier or a quoted string"},
        {"a[href!=x]", 6, "expected ']' or one of"},
        {"a[href=x i]", 9, "expected ']'"},
        {"*:nth-of-type(2)", 1, "needs an element name"},
        {"*:first-of-type", 1, "needs an element name"},
        {":not(:not(a))", 5, ":not() inside :not()"},
        {":not(p::text)", 6, "a pseudo-element inside :not()"},
        {":not()", 5, "expected a selector"},
        {"[a=\"x]", 3, "unterminated string"},
        {"#", 1, "expected an id"},
        {".1x", 1, "expected a class name"},
        {"a::attr()", 8, "expected an attribute name"},
        {"a[x='\x01']", 5, "a control character, got '\\x01'"},
        {"p\xff", 1, "malformed UTF-8, got '\\xff'"},
        {std::string("a[x='\0']", 8), 5, "a control character"},
    };
    for (const auto& row : rejected) {
        try {
            const std::string xpath = css_to_xpath(row.css);
            ADD_FAILURE() << "'" << row.css << "' was accepted as " << xpath;
        } catch (const InvalidSelector& e) {
            EXPECT_EQ(e.position, row.position) << row.css << ": " << e.what();
            const std::string message = e.what();
            EXPECT_NE(message.find(row.says), std::string::npos) << row.css << ": " << message;
            EXPECT_NE(message.find("at position " + std::to_string(row.position)),
                      std::string::npos)
                << message;
        }
    }
}

TEST(CssErrors, EveryTranslationIsValidXPath) {
    // Names and values that need quoting or a name() test still give XPath libxml2 compiles.
    for (const std::string css :
         {"[\\\"a]", "a[x='\"\\'']", "\\31 23", "[data-\\31]", "p::attr('x y')", "é.ü#ö",
          "a[x=\"'\"]", "a[x=\"\\\"'\"]", "a[x='\\0 \\FFFE \\C \\110000']"}) {
        std::string xpath;
        ASSERT_NO_THROW(xpath = css_to_xpath(css)) << css;
        EXPECT_NO_THROW(XPathSet({xpath})) << css << " -> " << xpath;
    }
}

}  // namespace
}  // namespace corocrawl
