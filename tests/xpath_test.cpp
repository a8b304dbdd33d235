// XPath extraction: values, errors, --absolute, charsets, threads and hostile documents.
#include "corocrawl/xpath.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "extract/charset.hpp"
#include "extract/utf8_decoder.hpp"

namespace corocrawl {
namespace {

using Values = std::vector<std::string>;

constexpr std::string_view feng_page =
    R"(<html><head><meta charset="UTF-8"><title>bobo</title></head><body><ul><li>)"
    R"(<a id="feng" href="http://www.haha.com">x</a></li></ul></body></html>)";

// The values of a single expression on one page.
Values extract_one(const std::string& expression, std::string_view body,
                   std::string_view content_type = "text/html") {
    const XPathSet set({expression});
    const std::vector<Extraction> extractions = set.extract(body, content_type, "");
    EXPECT_EQ(extractions.size(), 1u);
    EXPECT_EQ(extractions.at(0).expression, expression);
    return extractions.at(0).values;
}

TEST(XPathValues, AttributeGivesItsValue) {
    EXPECT_EQ(extract_one(R"(//a[@id="feng"]/@href)", feng_page), Values{"http://www.haha.com"});
}

TEST(XPathValues, TextNodeElementAndComment) {
    const std::string page =
        "<html><body><p id='p'>Hello <b>bold</b> world<!-- note --></p></body></html>";
    EXPECT_EQ(extract_one("//title/text()", feng_page), Values{"bobo"});
    EXPECT_EQ(extract_one("//p", page), Values{"Hello bold world"});  // element: text content
    EXPECT_EQ(extract_one("//p/text()", page), (Values{"Hello ", " world"}));
    EXPECT_EQ(extract_one("//p/comment()", page), Values{" note "});
}

TEST(XPathValues, NumbersBooleansAndStrings) {
    EXPECT_EQ(extract_one("count(//a)", feng_page), Values{"1"});
    EXPECT_EQ(extract_one("count(//li) div 2", feng_page), Values{"0.5"});
    EXPECT_EQ(extract_one("boolean(//a)", feng_page), Values{"true"});
    EXPECT_EQ(extract_one("boolean(//table)", feng_page), Values{"false"});
    EXPECT_EQ(extract_one("string(//title)", feng_page), Values{"bobo"});
    EXPECT_EQ(extract_one("concat(//title, '-', //a/@id)", feng_page), Values{"bobo-feng"});
}

TEST(XPathValues, EmptyNodeSetGivesNoValues) {
    EXPECT_TRUE(extract_one("//table", feng_page).empty());
}

TEST(XPathValues, RelativeExpressionStartsAtTheDocument) {
    EXPECT_EQ(extract_one("html/head/title", feng_page), Values{"bobo"});
}

TEST(XPathValues, SeveralExpressionsKeepTheirOrder) {
    const XPathSet set({"//title/text()", "count(//li)", "//a/@href", "//nothing"});
    const std::vector<Extraction> extractions = set.extract(feng_page, "text/html", "");
    ASSERT_EQ(extractions.size(), 4u);
    EXPECT_EQ(extractions[0].expression, "//title/text()");
    EXPECT_EQ(extractions[0].values, Values{"bobo"});
    EXPECT_EQ(extractions[1].values, Values{"1"});
    EXPECT_EQ(extractions[2].values, Values{"http://www.haha.com"});
    EXPECT_EQ(extractions[3].expression, "//nothing");
    EXPECT_TRUE(extractions[3].values.empty());
    EXPECT_EQ(set.expressions(), (std::vector<std::string>{"//title/text()", "count(//li)",
                                                           "//a/@href", "//nothing"}));
}

TEST(XPathValues, ManyNodesInDocumentOrder) {
    const std::string page = "<ul><li>a</li><li>b</li><li>c</li></ul>";
    EXPECT_EQ(extract_one("//li", page), (Values{"a", "b", "c"}));
}

TEST(XPathValues, EmptyBodyStillEvaluates) {
    const XPathSet set({"count(//a)", "//a", "string(//title)"});
    const std::vector<Extraction> extractions = set.extract("", "text/html", "");
    ASSERT_EQ(extractions.size(), 3u);
    EXPECT_EQ(extractions[0].values, Values{"0"});
    EXPECT_TRUE(extractions[1].values.empty());
    EXPECT_EQ(extractions[2].values, Values{""});
}

TEST(XPathValues, NoExpressionsGiveNoExtractions) {
    const XPathSet set({});
    EXPECT_TRUE(set.extract(feng_page, "text/html", "").empty());
}

std::string invalid_xpath_message(const std::string& expression) {
    try {
        const XPathSet set({"//title", expression});
    } catch (const InvalidXPath& error) {
        return error.what();
    }
    ADD_FAILURE() << expression << " was accepted";
    return {};
}

TEST(XPathErrors, UnclosedPredicateThrowsNamingTheExpressionAndReason) {
    testing::internal::CaptureStderr();
    const std::string message = invalid_xpath_message("//a[");
    const std::string printed = testing::internal::GetCapturedStderr();
    EXPECT_NE(message.find("\"//a[\""), std::string::npos) << message;
    EXPECT_NE(message.find("Invalid expression"), std::string::npos) << message;
    EXPECT_NE(message.find("offset 4"), std::string::npos) << message;
    EXPECT_EQ(printed, "") << "libxml2 must not print by itself";
}

TEST(XPathErrors, ExpressionsThatCannotEvaluateAreRejectedUpFront) {
    testing::internal::CaptureStderr();
    const std::string unknown_function = invalid_xpath_message("concat(nosuch(), //a)");
    const std::string undefined_variable = invalid_xpath_message("$page");
    const std::string undefined_prefix = invalid_xpath_message("//svg:rect");
    const std::string empty = invalid_xpath_message("");
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    EXPECT_NE(unknown_function.find("Unregistered function"), std::string::npos)
        << unknown_function;
    EXPECT_NE(undefined_variable.find("Undefined variable"), std::string::npos)
        << undefined_variable;
    EXPECT_NE(undefined_prefix.find("namespace prefix"), std::string::npos) << undefined_prefix;
    EXPECT_NE(empty.find("\"\""), std::string::npos) << empty;
}

TEST(XPathErrors, FailureInsideAPredicateGivesNoValuesAtExtraction) {
    // Up front the predicate never runs (an empty document has no <a>), so this is accepted;
    // on a page it fails, quietly, and the expression yields nothing.
    const XPathSet set({"//a[nosuch()]", "//title"});
    testing::internal::CaptureStderr();
    const std::vector<Extraction> extractions = set.extract(feng_page, "text/html", "");
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    ASSERT_EQ(extractions.size(), 2u);
    EXPECT_TRUE(extractions[0].values.empty());
    EXPECT_EQ(extractions[1].values, Values{"bobo"});
}

TEST(XPathErrors, NulCharacterIsRejected) {
    EXPECT_THROW(XPathSet({std::string("//a\0b", 5)}), InvalidXPath);
}

TEST(XPathErrors, ExtractionPrintsNothingOnBrokenHtml) {
    const XPathSet set({"//p"});
    testing::internal::CaptureStderr();
    const auto extractions =
        set.extract("<p>unclosed <b><i></b></x></p><<<&bogus;<p>two", "text/html", "");
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    ASSERT_EQ(extractions.size(), 1u);
    EXPECT_EQ(extractions[0].values.size(), 2u);
}

// --absolute -------------------------------------------------------------------------------

constexpr std::string_view links_page = R"(<html><body>
  <a href="/page/1">one</a>
  <a href="page/2">two</a>
  <a href="../x">up</a>
  <a href="?q=1">query</a>
  <a href="//other.example/y">scheme-relative</a>
  <a href="https://abs.example/z">absolute</a>
  <a href="  /spaced  ">spaced</a>
  <img SRC="img/a.png" srcset="img/a.png 1x, img/b.png 2x">
  <form action="submit"></form>
</body></html>)";

constexpr std::string_view links_base = "http://127.0.0.1:5000/dir/links";

Values extract_links(const std::string& expression, bool absolute) {
    const XPathSet set({expression});
    return set.extract(links_page, "text/html", links_base, absolute).at(0).values;
}

TEST(XPathAbsolute, HrefsResolveAgainstTheBaseUrl) {
    EXPECT_EQ(extract_links("//a/@href", true), (Values{
                                                    "http://127.0.0.1:5000/page/1",
                                                    "http://127.0.0.1:5000/dir/page/2",
                                                    "http://127.0.0.1:5000/x",
                                                    "http://127.0.0.1:5000/dir/links?q=1",
                                                    "http://other.example/y",
                                                    "https://abs.example/z",
                                                    "http://127.0.0.1:5000/spaced",
                                                }));
}

TEST(XPathAbsolute, WithoutTheFlagValuesStayAsWritten) {
    const Values values = extract_links("//a/@href", false);
    ASSERT_EQ(values.size(), 7u);
    EXPECT_EQ(values[0], "/page/1");
    EXPECT_EQ(values[6], "  /spaced  ");
}

TEST(XPathAbsolute, OtherUrlAttributesResolveCaseInsensitively) {
    EXPECT_EQ(extract_links("//img/@src", true), Values{"http://127.0.0.1:5000/dir/img/a.png"});
    EXPECT_EQ(extract_links("//form/@action", true), Values{"http://127.0.0.1:5000/dir/submit"});
}

TEST(XPathAbsolute, TextStringsAndSrcsetAreNotUrls) {
    EXPECT_EQ(extract_links("//a[1]/text()", true), Values{"one"});
    EXPECT_EQ(extract_links("string(//a[1]/@href)", true), Values{"/page/1"});
    EXPECT_EQ(extract_links("//img/@srcset", true), Values{"img/a.png 1x, img/b.png 2x"});
}

// Charsets ---------------------------------------------------------------------------------

std::string page_with(std::string_view head, std::string_view text) {
    return "<html><head>" + std::string(head) + "</head><body><p>" + std::string(text) +
           "</p></body></html>";
}

Values paragraph(const std::string& body, std::string_view content_type) {
    return extract_one("//p/text()", body, content_type);
}

struct EncodedSample {
    const char* label;
    const char* encoded;  // the text's bytes in that encoding
    const char* utf8;     // the same text in UTF-8
};

const EncodedSample samples[] = {
    {"GBK", "\xC4\xE3\xBA\xC3", "\u4F60\u597D"},                            // 你好
    {"gb2312", "\xD6\xD0\xCE\xC4", "\u4E2D\u6587"},                         // 中文
    {"Big5", "\xA7\x41\xA6\x6E", "\u4F60\u597D"},                           // 你好
    {"Shift_JIS", "\x93\xFA\x96\x7B", "\u65E5\u672C"},                      // 日本
    {"EUC-KR", "\xC7\xD1\xB1\xB9", "\uD55C\uAD6D"},                         // 한국
    {"windows-1252", "\x80 caf\xE9", "\u20AC caf\u00E9"},                   // € café
    {"ISO-8859-1", "ma\xF1\x61na \xE9t\xE9", "ma\u00F1ana \u00E9t\u00E9"},  // mañana été
};

TEST(XPathCharset, HeaderDeclaredEncodings) {
    for (const EncodedSample& sample : samples) {
        const std::string content_type = std::string("text/html; charset=") + sample.label;
        EXPECT_EQ(paragraph(page_with("", sample.encoded), content_type), Values{sample.utf8})
            << sample.label;
    }
}

TEST(XPathCharset, MetaCharsetOnly) {
    for (const EncodedSample& sample : samples) {
        const std::string meta = std::string("<meta charset=\"") + sample.label + "\">";
        EXPECT_EQ(paragraph(page_with(meta, sample.encoded), "text/html"), Values{sample.utf8})
            << sample.label;
    }
}

TEST(XPathCharset, MetaHttpEquivOnly) {
    for (const EncodedSample& sample : samples) {
        const std::string meta = std::string("<meta content='text/html; charset=") + sample.label +
                                 "' http-equiv=\"Content-Type\">";
        EXPECT_EQ(paragraph(page_with(meta, sample.encoded), ""), Values{sample.utf8})
            << sample.label;
    }
}

TEST(XPathCharset, HeaderBeatsMeta) {
    const std::string body = page_with("<meta charset=\"utf-8\">", "\xC4\xE3\xBA\xC3");
    EXPECT_EQ(paragraph(body, "text/html; charset=gbk"), Values{"\u4F60\u597D"});
    const std::string big5 = page_with("<meta charset=\"gbk\">", "\xA7\x41\xA6\x6E");
    EXPECT_EQ(paragraph(big5, "text/html;charset=\"big5\""), Values{"\u4F60\u597D"});
}

TEST(XPathCharset, ByteOrderMarkBeatsHeaderAndMeta) {
    const std::string utf8 = "\xEF\xBB\xBF" + page_with("<meta charset=gbk>", "caf\u00E9");
    EXPECT_EQ(paragraph(utf8, "text/html; charset=windows-1252"), Values{"caf\u00E9"});

    // "<p>é€</p>" in UTF-16LE with its BOM, under a header that claims otherwise.
    const std::string utf16le("\xFF\xFE<\0p\0>\0\xE9\0\xAC\x20<\0/\0p\0>\0", 20);
    EXPECT_EQ(paragraph(utf16le, "text/html; charset=iso-8859-1"), Values{"\u00E9\u20AC"});
    const std::string utf16be("\xFE\xFF\0<\0p\0>\0\xE9\x20\xAC\0<\0/\0p\0>", 20);
    EXPECT_EQ(paragraph(utf16be, ""), Values{"\u00E9\u20AC"});
}

TEST(XPathCharset, DefaultIsUtf8NotLatin1) {
    EXPECT_EQ(paragraph(page_with("", "caf\u00E9 \u4F60"), "text/html"),
              Values{"caf\u00E9 \u4F60"});
}

TEST(XPathCharset, UnknownLabelFallsBackToUtf8) {
    EXPECT_EQ(paragraph(page_with("", "caf\u00E9"), "text/html; charset=no-such-charset"),
              Values{"caf\u00E9"});
    EXPECT_EQ(paragraph(page_with("<meta charset=bogus>", "caf\u00E9"), ""), Values{"caf\u00E9"});
}

TEST(XPathCharset, UnknownHeaderLabelLetsMetaDecide) {
    EXPECT_EQ(paragraph(page_with("<meta charset=gbk>", "\xC4\xE3"), "text/html; charset=bogus"),
              Values{"\u4F60"});
}

TEST(XPathCharset, BytesTheCharsetDoesNotDefineBecomeReplacementCharacters) {
    // In GBK, 0x81 0x20 and a lone 0xFF are no characters: each becomes U+FFFD, as in browsers,
    // and the rest of the page is still there.
    const std::string body = "<html><body><p>\xC4\xE3\x81 x\xFF</p><p>after</p></body></html>";
    EXPECT_EQ(paragraph(body, "text/html; charset=gbk"), (Values{"\u4F60\uFFFD x\uFFFD", "after"}));
    // A multi-byte character cut off by the end of the body.
    EXPECT_EQ(extract_one("string(/)", "<p>ok \xC4", "text/html; charset=gbk"),
              Values{"ok \uFFFD"});
}

TEST(XPathCharset, ShiftJisKeepsBackslashAndTilde) {
    // iconv's strict Shift_JIS would give U+00A5 and U+203E here; browsers keep ASCII.
    EXPECT_EQ(paragraph(page_with("", "~user\\\x93\xFA"), "text/html; charset=shift_jis"),
              Values{"~user\\\u65E5"});
}

// The pieces of charset detection, directly.

bool any_encoding(const std::string&) {
    return true;
}

TEST(CharsetDetection, ContentTypeParameter) {
    EXPECT_EQ(charset::charset_from_content_type("text/html; charset=UTF-8"), "UTF-8");
    EXPECT_EQ(charset::charset_from_content_type("text/html;charset=\"gbk\""), "gbk");
    EXPECT_EQ(charset::charset_from_content_type("text/html; q=\"a;b\"; Charset = big5 "), "big5");
    EXPECT_EQ(charset::charset_from_content_type("text/html; foo=bar"), "");
    EXPECT_EQ(charset::charset_from_content_type("text/html"), "");
    EXPECT_EQ(charset::charset_from_content_type(""), "");
}

TEST(CharsetDetection, MetaPrescan) {
    EXPECT_EQ(charset::charset_from_meta("<META CHARSET='Shift_JIS'>"), "Shift_JIS");
    EXPECT_EQ(charset::charset_from_meta("<meta http-equiv=content-type "
                                         "content=\"text/html; charset=euc-kr\">"),
              "euc-kr");
    EXPECT_EQ(charset::charset_from_meta("<!-- <meta charset=gbk> --><meta charset=big5>"), "big5");
    EXPECT_EQ(charset::charset_from_meta("<a title='<meta charset=gbk>'><meta charset=big5>"),
              "big5");
    EXPECT_EQ(charset::charset_from_meta("<meta name=x content='charset=gbk'>"), "");
    EXPECT_EQ(charset::charset_from_meta("<metadata charset=gbk>"), "");
    EXPECT_EQ(charset::charset_from_meta(std::string(1024, ' ') + "<meta charset=gbk>"), "");
}

TEST(CharsetDetection, Precedence) {
    const std::string meta_gbk = "<meta charset=gbk>";
    EXPECT_EQ(charset::detect_charset(meta_gbk, "text/html; charset=big5", any_encoding).encoding,
              "BIG5-HKSCS");
    EXPECT_EQ(charset::detect_charset(meta_gbk, "text/html", any_encoding).encoding, "GBK");
    EXPECT_EQ(charset::detect_charset("<p>", "", any_encoding).encoding, "UTF-8");
    const charset::DetectedCharset bom =
        charset::detect_charset("\xFE\xFF" + meta_gbk, "text/html; charset=big5", any_encoding);
    EXPECT_EQ(bom.encoding, "UTF-16BE");
    EXPECT_EQ(bom.bom_length, 2u);
    // A <meta> that claims UTF-16 is readable as ASCII, so it cannot be right.
    EXPECT_EQ(charset::detect_charset("<meta charset=utf-16>", "", any_encoding).encoding, "UTF-8");
    const auto nothing_supported = [](const std::string&) { return false; };
    EXPECT_EQ(
        charset::detect_charset(meta_gbk, "text/html; charset=big5", nothing_supported).encoding,
        "UTF-8");
}

TEST(CharsetDetection, LabelsMapToWhatBrowsersDecode) {
    EXPECT_EQ(charset::encoding_for_label(" GB2312 "), "GBK");
    EXPECT_EQ(charset::encoding_for_label("x-sjis"), "CP932");
    EXPECT_EQ(charset::encoding_for_label("euc-kr"), "CP949");
    EXPECT_EQ(charset::encoding_for_label("latin1"), "WINDOWS-1252");
    EXPECT_EQ(charset::encoding_for_label("utf8"), "UTF-8");
    EXPECT_EQ(charset::encoding_for_label("koi8-r"), "KOI8-R");
}

TEST(CharsetDetection, InvalidUtf8BecomesReplacementCharacters) {
    EXPECT_EQ(charset::replace_invalid_utf8("caf\u00E9 \u4F60 \U0001F600"), std::nullopt);
    // One U+FFFD per maximal invalid subsequence, as the Encoding Standard decodes.
    EXPECT_EQ(charset::replace_invalid_utf8("a\xC3(b"), "a\uFFFD(b");
    EXPECT_EQ(charset::replace_invalid_utf8("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");
    EXPECT_EQ(charset::replace_invalid_utf8("\xE0\x80x"), "\uFFFD\uFFFDx");
    EXPECT_EQ(charset::replace_invalid_utf8("\xF0\x9F\x98x\xFF"), "\uFFFDx\uFFFD");
    EXPECT_EQ(charset::replace_invalid_utf8("\xF4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");
    EXPECT_EQ(charset::replace_invalid_utf8("end\xE4\xBD"), "end\uFFFD");
}

// Found by the html_xpath fuzzer: libxml2 copied these bytes raw into its "UTF-8" values.
TEST(XPathCharset, InvalidUtf8InAUtf8PageGivesReplacementCharacters) {
    const std::string body = page_with("", "\xFF\xFE a \xC3( \xED\xA0\x80 caf\xC3\xA9");
    const Values expected{"\uFFFD\uFFFD a \uFFFD( \uFFFD\uFFFD\uFFFD caf\u00E9"};
    EXPECT_EQ(paragraph(body, "text/html; charset=x-unknown"), expected);
    EXPECT_EQ(paragraph(body, ""), expected);
}

// is_html ----------------------------------------------------------------------------------

TEST(XPathIsHtml, MediaTypes) {
    EXPECT_TRUE(XPathSet::is_html("text/html"));
    EXPECT_TRUE(XPathSet::is_html("Text/HTML; charset=utf-8"));
    EXPECT_TRUE(XPathSet::is_html("application/xhtml+xml"));
    EXPECT_TRUE(XPathSet::is_html(""));
    EXPECT_TRUE(XPathSet::is_html(" text/html ;q=1"));
    EXPECT_FALSE(XPathSet::is_html("application/json"));
    EXPECT_FALSE(XPathSet::is_html("text/plain; charset=utf-8"));
    EXPECT_FALSE(XPathSet::is_html("image/png"));
    EXPECT_FALSE(XPathSet::is_html("text/htmlx"));
}

// Threads and hostile input -----------------------------------------------------------------

TEST(XPathThreads, ConcurrentExtractionFromOneSetIsCorrect) {
    // Function calls matter here: libxml2 caches function lookups inside a compiled expression.
    const XPathSet set(
        {"//a/@href", "concat(//title, ':', count(//li))", "string(//h1)", "//li[last()]/text()"});
    constexpr int threads = 4;
    constexpr int pages_per_thread = 300;
    std::vector<int> failures(threads, 0);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&set, &failures, t] {
            for (int page = 0; page < pages_per_thread; ++page) {
                const std::string id = std::to_string(t) + "-" + std::to_string(page);
                std::string body = "<html><head><title>t" + id + "</title></head><body><h1>" + id +
                                   "</h1><a href='/p/" + id + "'>x</a><ul>";
                const int items = page % 7 + 1;
                for (int i = 0; i < items; ++i) body += "<li>" + std::to_string(i) + "</li>";
                body += "</ul></body></html>";
                const std::vector<Extraction> got = set.extract(body, "text/html", "");
                const bool correct =
                    got.size() == 4 && got[0].values == Values{"/p/" + id} &&
                    got[1].values == Values{"t" + id + ":" + std::to_string(items)} &&
                    got[2].values == Values{id} &&
                    got[3].values == Values{std::to_string(items - 1)};
                if (!correct) ++failures[t];
            }
        });
    }
    for (std::thread& worker : workers) worker.join();
    for (int t = 0; t < threads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST(XPathHostile, HundredThousandLevelsOfNestingKeepTheFirst256) {
    constexpr int depth = 100'000;
    std::string body = "<html><body>";
    for (int i = 0; i < depth; ++i) body += "<div>";
    body += "deep";
    for (int i = 0; i < depth; ++i) body += "</div>";
    body += "<p id='after'>after</p></body></html>";
    const XPathSet set({"count(//div)", "count(//*)", "string(/html)", "//p/@id"});
    const std::vector<Extraction> extractions = set.extract(body, "text/html", "");
    ASSERT_EQ(extractions.size(), 4u);
    // libxml2 (without HTML_PARSE_HUGE) stops parsing at its depth limit of 256: the document
    // keeps <html> and the 256 levels under it, <body> and 255 <div>s ...
    EXPECT_EQ(extractions[0].values, Values{"255"});
    EXPECT_EQ(extractions[1].values, Values{"257"});
    // ... and nothing from beyond the limit or after it: not the text at the bottom, not the <p>.
    EXPECT_EQ(extractions[2].values, Values{""});
    EXPECT_EQ(extractions[3].values, Values{});
}

}  // namespace
}  // namespace corocrawl
