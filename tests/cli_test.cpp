// `corocrawl crawl` as a user runs it: the real binary against the real server over loopback.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using testing::lines;
using testing::run_corocrawl;

const std::string feng = R"(//a[@id="feng"]/@href)";

struct Cli : ::testing::Test {
    test_server::Server server{test_server::ServerOptions{.port = 0, .delay = 300ms}};
    std::string url(const std::string& path) const { return server.base_url() + path; }
};

TEST_F(Cli, SeedScenarioPrintsThreeLinksInAboutOneDelay) {
    // A whole second per page, so that the process's own start-up (slower in sanitizer builds)
    // cannot blur "at once" (about 1 s) with "one after another" (3 s).
    const auto run = run_corocrawl({"crawl", url("/bobo?delay=1000"), url("/jay?delay=1000"),
                                    url("/tom?delay=1000"), "-x", feng});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(lines(run.out), std::vector<std::string>(3, "http://www.haha.com"));
    EXPECT_NE(run.err.find("3 URLs, 3 ok, 0 failed"), std::string::npos) << run.err;
    EXPECT_GE(run.elapsed, 1000ms);
    EXPECT_LT(run.elapsed, 2000ms);
}

TEST_F(Cli, JsonlRecordsCarryEveryField) {
    const auto run = run_corocrawl({"crawl", url("/page/1"), url("/status/404"), "-x", feng, "-x",
                                    "//title/text()", "-f", "jsonl", "--ordered"});
    EXPECT_EQ(run.status, 1) << run.err;  // one URL failed
    const auto records = lines(run.out);
    ASSERT_EQ(records.size(), 2u);

    const auto ok = boost::json::parse(records[0]).as_object();
    EXPECT_EQ(ok.at("url").as_string(), url("/page/1"));
    EXPECT_EQ(ok.at("final_url").as_string(), url("/page/1"));
    EXPECT_EQ(ok.at("status").as_int64(), 200);
    EXPECT_TRUE(ok.at("ok").as_bool());
    EXPECT_GE(ok.at("elapsed_ms").as_int64(), 0);
    EXPECT_GT(ok.at("bytes").as_int64(), 0);
    EXPECT_EQ(ok.at("attempts").as_int64(), 1);
    EXPECT_EQ(ok.at("results").at(feng).as_array().at(0).as_string(), "http://www.haha.com");
    EXPECT_EQ(ok.at("results").at("//title/text()").as_array().at(0).as_string(), "page 1");
    EXPECT_TRUE(ok.at("error").is_null());

    const auto failed = boost::json::parse(records[1]).as_object();
    EXPECT_FALSE(failed.at("ok").as_bool());
    EXPECT_EQ(failed.at("status").as_int64(), 404);
    EXPECT_EQ(failed.at("error").at("kind").as_string(), "http_status");
}

TEST_F(Cli, CsvQuotesFieldsPerRfc4180) {
    const auto run =
        run_corocrawl({"crawl", url("/page/1"), "-x", R"x(concat('a,"b', 'c'))x", "-f", "csv"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "url,field,value\r\n" + url("/page/1") +
                           R"x(,"concat('a,""b', 'c')","a,""bc")x" + "\r\n");
}

TEST_F(Cli, OrderedRestoresInputOrder) {
    const std::vector<std::string> args{"crawl", url("/page/1?delay=400"), url("/page/2"), "-x",
                                        "//title/text()"};
    EXPECT_EQ(lines(run_corocrawl(args).out), (std::vector<std::string>{"page 2", "page 1"}));
    auto ordered = args;
    ordered.push_back("--ordered");
    EXPECT_EQ(lines(run_corocrawl(ordered).out), (std::vector<std::string>{"page 1", "page 2"}));
}

TEST_F(Cli, WithUrlPrefixesEachValue) {
    const auto run = run_corocrawl({"crawl", url("/jay?delay=0"), "-x", feng, "--with-url"});
    EXPECT_EQ(run.out, url("/jay?delay=0") + "\thttp://www.haha.com\n");
}

TEST_F(Cli, AbsoluteResolvesLinksAgainstThePage) {
    const auto run =
        run_corocrawl({"crawl", url("/links"), "-x", "//a[@class='rel']/@href", "--absolute"});
    ASSERT_EQ(run.status, 0) << run.err;
    const auto values = lines(run.out);
    const std::set<std::string> found(values.begin(), values.end());
    EXPECT_TRUE(found.contains(url("/page/1"))) << run.out;
    EXPECT_TRUE(found.contains("http://other.example/y")) << run.out;
    EXPECT_TRUE(found.contains("https://abs.example/z")) << run.out;
}

TEST_F(Cli, WithoutXpathEachUrlGetsAStatusLine) {
    const auto run = run_corocrawl({"crawl", url("/page/1"), url("/status/404"), "--ordered"});
    EXPECT_EQ(lines(run.out),
              (std::vector<std::string>{"200\t" + url("/page/1"), "404\t" + url("/status/404")}));
}

TEST_F(Cli, InvalidXpathIsAUsageErrorBeforeAnyRequest) {
    const auto run = run_corocrawl({"crawl", url("/page/1"), "-x", "//a["});
    EXPECT_EQ(run.status, 2);
    EXPECT_NE(run.err.find("//a["), std::string::npos) << run.err;
    EXPECT_EQ(server.stats().requests.load(), 0u);
}

TEST_F(Cli, UsageErrorsExitTwo) {
    EXPECT_EQ(run_corocrawl({"crawl", "-x", feng}).status, 2);  // no URLs at all
    EXPECT_EQ(run_corocrawl({"crawl", "-i", "/nonexistent/urls.txt"}).status, 2);
    EXPECT_EQ(run_corocrawl({"crawl", url("/page/1"), "--no-such-flag"}).status, 2);
    EXPECT_EQ(run_corocrawl({"crawl", url("/page/1"), "-f", "xml"}).status, 2);
    EXPECT_EQ(server.stats().requests.load(), 0u);
}

TEST_F(Cli, InputFromStdinSkipsBlanksAndCommentsAndReportsBadLines) {
    const std::string input =
        "# the seed pages\n\n" + url("/page/1") + "\nnot a url\n   \n" + url("/page/2") + "\n";
    const auto run = run_corocrawl({"crawl", "-i", "-", "-f", "jsonl", "--ordered"}, input);
    EXPECT_EQ(run.status, 1);
    const auto records = lines(run.out);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_TRUE(boost::json::parse(records[0]).at("ok").as_bool());
    EXPECT_EQ(boost::json::parse(records[1]).at("error").at("kind").as_string(), "invalid_url");
    EXPECT_TRUE(boost::json::parse(records[2]).at("ok").as_bool());

    // In text format, where stdout carries only values, the failure is told on stderr.
    const auto text = run_corocrawl({"crawl", "-i", "-", "-x", "//title/text()"}, input);
    EXPECT_EQ(text.status, 1);
    EXPECT_NE(text.err.find("corocrawl: invalid_url: not a url: "), std::string::npos) << text.err;
}

TEST_F(Cli, InterruptWritesACancelledRecordForEveryUnfinishedUrl) {
    std::string input;
    for (int i = 0; i < 300; ++i) input += url("/hang") + "\n";
    const std::string path = testing::scratch_path("urls.txt");
    std::ofstream(path) << url("/page/1") << "\n" << input;
    // Interrupted once /page/1's record is out, while the 300 hang.
    const auto run =
        run_corocrawl({"crawl", "-i", path, "-f", "jsonl", "-c", "50"}, "", {700ms, SIGINT, 1});
    std::remove(path.c_str());

    EXPECT_EQ(run.status, 130) << run.err;
    const auto records = lines(run.out);
    ASSERT_EQ(records.size(), 301u);  // the rest of the file is reported, not only what started
    std::size_t cancelled = 0;
    for (const auto& record : records) {
        const auto json = boost::json::parse(record);  // every line whole
        if (!json.at("ok").as_bool() && json.at("error").at("kind").as_string() == "cancelled")
            ++cancelled;
    }
    EXPECT_EQ(cancelled, 300u);
    EXPECT_NE(run.err.find("interrupted"), std::string::npos) << run.err;
}

TEST_F(Cli, QuietStdinHoldsUpNeitherFetchingNorCtrlC) {
    // The writer sends two URLs and a half line, then goes quiet without closing the pipe.
    const std::string input = url("/page/1") + "\n" + url("/page/2") + "\n" + url("/page/3");
    for (const char* mode : {"async", "pool", "sync"}) {
        // Interrupted once both records are out, while stdin is quiet.
        const auto run = run_corocrawl({"crawl", "-i", "-", "-f", "jsonl", "-m", mode}, input,
                                       {800ms, SIGINT, 2}, testing::Stdin::open_pipe);
        EXPECT_EQ(run.status, 130) << mode << ": " << run.err;
        const auto records = lines(run.out);
        ASSERT_EQ(records.size(), 2u) << mode << ": " << run.out;  // the half line was no URL yet
        for (const auto& record : records) {
            EXPECT_TRUE(boost::json::parse(record).at("ok").as_bool())
                << mode << ": fetched while stdin was quiet";
        }
        EXPECT_LT(run.elapsed, 3s * testing::sanitizer_factor) << mode;
    }
}

TEST_F(Cli, VersionAndHelp) {
    const auto version = run_corocrawl({"--version"});
    EXPECT_EQ(version.status, 0);
    EXPECT_NE(version.out.find("corocrawl "), std::string::npos);
    const auto help = run_corocrawl({"crawl", "--help"});
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.out.find("--concurrency"), std::string::npos);
    EXPECT_NE(help.out.find("100"), std::string::npos);  // defaults are shown
    EXPECT_NE(help.out.find("Examples"), std::string::npos);
}

}  // namespace
}  // namespace corocrawl
