// `corocrawl crawl` as a user runs it: the real binary against the real server over loopback.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
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
    const auto run = run_corocrawl({"crawl", url("/page/1?delay=150"), url("/status/404"), "-x",
                                    feng, "-x", "//title/text()", "-f", "jsonl", "--ordered"});
    EXPECT_EQ(run.status, 1) << run.err;  // one URL failed
    const auto records = lines(run.out);
    ASSERT_EQ(records.size(), 2u);

    const auto ok = boost::json::parse(records[0]).as_object();
    EXPECT_EQ(ok.at("url").as_string(), url("/page/1?delay=150"));
    EXPECT_EQ(ok.at("final_url").as_string(), url("/page/1?delay=150"));
    EXPECT_EQ(ok.at("status").as_int64(), 200);
    EXPECT_TRUE(ok.at("ok").as_bool());
    EXPECT_GE(ok.at("elapsed_ms").as_int64(), 150);  // the page's own delay, at least
    EXPECT_LT(ok.at("elapsed_ms").as_int64(), 10'000);
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
    EXPECT_EQ(run.out, "url,field,value,depth,referrer\r\n" + url("/page/1") +
                           R"x(,"concat('a,""b', 'c')","a,""bc",0,)x" + "\r\n");
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
    EXPECT_NE(help.out.find("Examples"), std::string::npos);
}

// The --help line of `flag` (the line that starts with it, after the indent).
std::string help_line(const std::string& help, const std::string& flag) {
    for (const auto& line : lines(help)) {
        const auto at = line.find(flag);
        if (at != std::string::npos && at == line.find_first_not_of(' ')) return line;
    }
    return {};
}

TEST_F(Cli, HelpShowsDefaultsAndChoicesAsTyped) {
    const auto help = run_corocrawl({"crawl", "--help"}).out;
    EXPECT_NE(help_line(help, "-c,--concurrency").find("[100]"), std::string::npos) << help;
    EXPECT_NE(help_line(help, "--timeout").find("[30]"), std::string::npos) << help;
    EXPECT_NE(help_line(help, "--retries").find("[2]"), std::string::npos) << help;
    const auto format = help_line(help, "-f,--format");
    EXPECT_NE(format.find("{text,jsonl,csv}"), std::string::npos) << format;
    EXPECT_NE(format.find("[text]"), std::string::npos) << format;
    const auto mode = help_line(help, "-m,--mode");
    EXPECT_NE(mode.find("{async,pool,sync}"), std::string::npos) << mode;
    EXPECT_EQ(help.find("->"), std::string::npos) << "CLI11's mapping text: " << help;
    const auto compressed = help_line(help, "--compressed");
    ASSERT_FALSE(compressed.empty()) << help;
    EXPECT_EQ(compressed.find('{'), std::string::npos) << compressed;
    EXPECT_NE(compressed.find("--no-compressed"), std::string::npos) << compressed;
}

TEST_F(Cli, ProgressShowsShareAndTimeLeftWhenTheTotalIsKnown) {
    // Sync, 3 × 400 ms: the line (every 200 ms) is drawn while some are done and some are not.
    const std::vector<std::string> pages{url("/page/1?delay=400"), url("/page/2?delay=400"),
                                         url("/page/3?delay=400")};
    const auto arguments =
        run_corocrawl({"crawl", "-m", "sync", "--progress", "-q", pages[0], pages[1], pages[2]});
    EXPECT_EQ(arguments.status, 0) << arguments.err;
    EXPECT_NE(arguments.err.find("1/3 done (33.3%"), std::string::npos) << arguments.err;
    EXPECT_NE(arguments.err.find("ETA 0:0"), std::string::npos) << arguments.err;

    const auto file = testing::scratch_path("urls.txt");
    std::ofstream(file) << "# three pages\n"
                        << pages[0] << "\n\n"
                        << pages[1] << '\n'
                        << pages[2] << '\n';
    const auto listed = run_corocrawl({"crawl", "-m", "sync", "--progress", "-q", "-i", file});
    EXPECT_EQ(listed.status, 0) << listed.err;
    EXPECT_NE(listed.err.find("/3 done ("), std::string::npos) << listed.err;
    std::filesystem::remove(file);

    // Stdin's total is unknown: counts only.
    const auto piped = run_corocrawl({"crawl", "-m", "sync", "--progress", "-q", "-i", "-"},
                                     pages[0] + "\n" + pages[1] + "\n" + pages[2] + "\n");
    EXPECT_EQ(piped.status, 0) << piped.err;
    EXPECT_NE(piped.err.find(" done (1 ok, 0 failed)"), std::string::npos) << piped.err;
    EXPECT_EQ(piped.err.find("/3 done"), std::string::npos) << piped.err;
}

}  // namespace
}  // namespace corocrawl
