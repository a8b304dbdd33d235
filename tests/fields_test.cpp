// Fields as a user gives them: -s CSS beside -x XPath, NAME=EXPRESSION, --first and
// --with-field, in every output format and every mode — the real binary against the real server.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using testing::lines;
using testing::run_corocrawl;

const std::vector<std::string> modes{"async", "pool", "sync"};

struct Fields : ::testing::Test {
    test_server::Server server{test_server::ServerOptions{.port = 0, .delay = 0ms}};
    std::string url(const std::string& path) const { return server.base_url() + path; }

    boost::json::object only_record(const testing::Run& run) {
        const auto records = lines(run.out);
        if (records.size() != 1) {
            ADD_FAILURE() << "expected one record:\n" << run.out << run.err;
            return {};
        }
        return boost::json::parse(records[0]).as_object();
    }
};

TEST_F(Fields, CssSelectorsGiveWhatTheirXPathGivesInEveryMode) {
    for (const auto& mode : modes) {
        const auto run = run_corocrawl({"crawl", url("/page/3"), "-s", "a.next::attr(href)", "-x",
                                        "//a[@class='next']/@href", "-s", "title::text", "-s",
                                        "ul > li:nth-child(2) a::text", "-f", "jsonl", "-m", mode});
        EXPECT_EQ(run.status, 0) << mode << ": " << run.err;
        const auto results = only_record(run).at("results").as_object();
        const boost::json::array hrefs{"/page/22", "/page/44", "/page/4"};
        EXPECT_EQ(results.at("a.next::attr(href)"), hrefs) << mode;
        EXPECT_EQ(results.at("//a[@class='next']/@href"), hrefs) << mode;
        EXPECT_EQ(results.at("title::text"), (boost::json::array{"page 3"})) << mode;
        EXPECT_EQ(results.at("ul > li:nth-child(2) a::text"), (boost::json::array{"/page/44"}));
    }
}

TEST_F(Fields, TextValuesFollowTheCommandLineOrderOfXAndS) {
    const auto run = run_corocrawl({"crawl", url("/page/3"), "-s", "#feng::attr(href)", "-x",
                                    "//title/text()", "-s", "li:last-child a::text"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(lines(run.out),
              (std::vector<std::string>{"http://www.haha.com", "page 3", "/page/4"}));
}

TEST_F(Fields, NamedFieldsKeyJsonlCsvAndTextInEveryMode) {
    for (const auto& mode : modes) {
        const std::vector<std::string> fields{
            "-s", "title=title::text", "-x", R"(links=//a[@class="next"]/@href)", "-m", mode};
        auto args = std::vector<std::string>{"crawl", url("/page/3"), "-f", "jsonl"};
        args.insert(args.end(), fields.begin(), fields.end());
        const auto jsonl = run_corocrawl(args);
        EXPECT_EQ(jsonl.status, 0) << mode << ": " << jsonl.err;
        const auto results = only_record(jsonl).at("results").as_object();
        EXPECT_EQ(results.size(), 2u) << results;
        EXPECT_EQ(results.at("title"), (boost::json::array{"page 3"})) << mode;
        EXPECT_EQ(results.at("links"), (boost::json::array{"/page/22", "/page/44", "/page/4"}));

        args = {"crawl", url("/page/3"), "-f", "csv"};
        args.insert(args.end(), fields.begin(), fields.end());
        const auto csv = run_corocrawl(args);
        EXPECT_EQ(csv.status, 0) << mode << ": " << csv.err;
        const std::string page = url("/page/3");
        EXPECT_EQ(csv.out, "url,field,value,depth,referrer\r\n" + page + ",title,page 3,0,\r\n" +
                               page + ",links,/page/22,0,\r\n" + page + ",links,/page/44,0,\r\n" +
                               page + ",links,/page/4,0,\r\n")
            << mode;

        args = {"crawl", url("/page/3"), "--with-field"};
        args.insert(args.end(), fields.begin(), fields.end());
        const auto text = run_corocrawl(args);
        EXPECT_EQ(lines(text.out), (std::vector<std::string>{"title\tpage 3", "links\t/page/22",
                                                             "links\t/page/44", "links\t/page/4"}))
            << mode;
    }
}

TEST_F(Fields, AnXPathWithEqualsSignsIsNotSplitIntoANameAndAnUnnamedOneKeepsItsExpression) {
    const std::string xpath = R"(//a[@id="feng"]/@href)";
    const std::string comparison = "string(//title)='page 3'";  // starts with a function call
    const auto run = run_corocrawl({"crawl", url("/page/3"), "-x", xpath, "-x", comparison, "-f",
                                    "jsonl", "-x", "my_field-2=count(//li)"});
    EXPECT_EQ(run.status, 0) << run.err;
    const auto results = only_record(run).at("results").as_object();
    EXPECT_EQ(results.at(xpath), (boost::json::array{"http://www.haha.com"})) << results;
    EXPECT_EQ(results.at(comparison), (boost::json::array{"true"})) << results;
    EXPECT_EQ(results.at("my_field-2"), (boost::json::array{"3"})) << results;
}

TEST_F(Fields, FirstKeepsOneValuePerFieldAndNullWhenThereIsNoneInEveryMode) {
    for (const auto& mode : modes) {
        const auto jsonl =
            run_corocrawl({"crawl", url("/page/3"), "-s", "links=a.next::attr(href)", "-s",
                           "missing=blink::text", "--first", "-f", "jsonl", "-m", mode});
        EXPECT_EQ(jsonl.status, 0) << mode << ": " << jsonl.err;
        const auto results = only_record(jsonl).at("results").as_object();
        EXPECT_EQ(results.at("links"), boost::json::value("/page/22")) << mode << results;
        EXPECT_TRUE(results.at("missing").is_null()) << mode << results;

        const auto text = run_corocrawl(
            {"crawl", url("/page/3"), "-s", "a.next::attr(href)", "--first", "-m", mode});
        EXPECT_EQ(text.out, "/page/22\n") << mode;
        const auto csv = run_corocrawl(
            {"crawl", url("/page/3"), "-s", "a.next::attr(href)", "--first", "-f", "csv"});
        EXPECT_EQ(lines(csv.out).size(), 2u) << csv.out;  // the header and one row
    }
}

TEST_F(Fields, InvalidSelectorOrRepeatedNameIsAUsageErrorBeforeAnyTraffic) {
    for (const auto& mode : modes) {
        const auto bad = run_corocrawl({"crawl", url("/page/1"), "-s", "li:hover", "-m", mode});
        EXPECT_EQ(bad.status, 2) << mode;
        EXPECT_NE(bad.err.find("at position 2: unsupported pseudo-class :hover"), std::string::npos)
            << bad.err;
        const auto twice =
            run_corocrawl({"crawl", url("/page/1"), "-s", "t=title", "-x", "t=//h1", "-m", mode});
        EXPECT_EQ(twice.status, 2) << mode;
        EXPECT_NE(twice.err.find("field name 't' is given twice"), std::string::npos) << twice.err;
    }
    EXPECT_EQ(server.stats().requests.load(), 0u);
}

}  // namespace
}  // namespace corocrawl
