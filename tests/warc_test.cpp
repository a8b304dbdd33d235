// --warc: every HTTP exchange of a crawl, redirects and retries included, as WARC 1.1 records
// that an independent reader (warc_reader.hpp) checks — in every mode, against the real server.
#include <gtest/gtest.h>

#include <filesystem>

#include "sink/warc_writer.hpp"
#include "support.hpp"
#include "test_server.hpp"
#include "warc_reader.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using testing::run_corocrawl;

const std::vector<std::string> modes{"async", "pool", "sync"};

struct Warc : ::testing::Test {
    test_server::Server server{test_server::ServerOptions{.port = 0, .delay = 0ms}};
    std::string url(const std::string& path) const { return server.base_url() + path; }
    std::filesystem::path folder = testing::scratch_path("warc");
    Warc() { std::filesystem::create_directories(folder); }
    ~Warc() override { std::filesystem::remove_all(folder); }
};

TEST(WarcPieces, Base32AndSha1AreRfc4648AndFips180) {
    EXPECT_EQ(warc::base32(""), "");
    EXPECT_EQ(warc::base32("f"), "MY======");
    EXPECT_EQ(warc::base32("fo"), "MZXQ====");
    EXPECT_EQ(warc::base32("foo"), "MZXW6===");
    EXPECT_EQ(warc::base32("foob"), "MZXW6YQ=");
    EXPECT_EQ(warc::base32("fooba"), "MZXW6YTB");
    EXPECT_EQ(warc::base32("foobar"), "MZXW6YTBOI======");
    EXPECT_EQ(warc::sha1_digest(""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    EXPECT_EQ(warc::sha1_digest("abc"), testing::sha1_base32("abc"));
}

TEST_F(Warc, EveryExchangeIsRecordedWithLengthsDigestsAndLinksInEveryMode) {
    for (const auto& mode : modes) {
        const std::string file = (folder / (mode + ".warc.gz")).string();
        const std::string flaky = url("/flaky/warc-" + mode + "?fail=1");
        const auto run =
            run_corocrawl({"crawl", url("/page/1"), url("/redirect/2"), flaky, url("/gzip/page/3"),
                           url("/chunked/page/4"), url("/status/404"), "--warc", file, "-m", mode,
                           "--retry-delay", "0.01", "--ordered"});
        EXPECT_EQ(run.status, 1) << mode << ": " << run.err;  // the 404
        const auto records = testing::read_warc(file);
        auto targets = testing::check_records(records);
        std::sort(targets.begin(), targets.end());
        std::vector<std::string> expected{
            url("/page/1"), url("/redirect/2"),  url("/redirect/1"),     url("/redirect/0"), flaky,
            flaky,          url("/gzip/page/3"), url("/chunked/page/4"), url("/status/404")};
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(targets, expected)
            << mode << ": redirects and retries are exchanges of their own";
        EXPECT_EQ(records.size(), 1 + 2 * expected.size()) << mode;

        std::vector<std::string> statuses;
        for (std::size_t i = 1; i + 1 < records.size(); i += 2) {
            const auto& request = records[i].block;
            const auto& response = records[i + 1].block;
            EXPECT_TRUE(request.starts_with("GET /")) << request;
            if (records[i].field("WARC-Target-URI") == flaky)
                statuses.push_back(response.substr(9, 3));
            if (records[i].field("WARC-Target-URI") == url("/gzip/page/3")) {
                // As it came over the wire: still gzip.
                EXPECT_NE(response.find("Content-Encoding: gzip\r\n"), std::string::npos);
                EXPECT_TRUE(testing::http_payload(response).starts_with("\x1f\x8b")) << mode;
            }
            if (records[i].field("WARC-Target-URI") == url("/chunked/page/4")) {
                // The chunks as they came; the payload digest is of the body without them.
                EXPECT_NE(response.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
                const auto payload = testing::http_payload(response);
                EXPECT_TRUE(payload.starts_with("<!DOCTYPE html>")) << payload;
                EXPECT_EQ(response.find("\r\n\r\n" + payload), std::string::npos);
                EXPECT_NE(response.find("\r\n0\r\n\r\n"), std::string::npos) << "the last chunk";
            }
            if (records[i].field("WARC-Target-URI") == url("/redirect/2")) {
                EXPECT_TRUE(response.starts_with("HTTP/1.1 302")) << response;
            }
        }
        EXPECT_EQ(statuses, (std::vector<std::string>{"503", "200"})) << mode;
    }
}

TEST_F(Warc, MaxSizeRotatesFilesEachStartingWithItsWarcinfo) {
    std::vector<std::string> urls{"crawl"};
    for (int i = 0; i < 6; ++i) urls.push_back(url("/page/" + std::to_string(i)));
    const std::string file = (folder / "crawl.warc.gz").string();
    for (const auto& option : {"--warc", file.c_str(), "--warc-max-size", "1500", "-m", "sync"}) {
        urls.emplace_back(option);
    }
    const auto run = run_corocrawl(urls);
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_FALSE(std::filesystem::exists(file)) << "with a max size every file is numbered";
    std::size_t pairs = 0;
    for (int number = 1;; ++number) {
        char name[32];
        std::snprintf(name, sizeof name, "crawl-%05d.warc.gz", number);
        const auto path = folder / name;
        if (!std::filesystem::exists(path)) {
            EXPECT_GT(number, 2) << "1500 bytes hold about one page: several files";
            break;
        }
        const auto records = testing::read_warc(path.string());
        EXPECT_EQ(records.at(0).field("WARC-Filename"), name);
        pairs += testing::check_records(records).size();
        // Past the limit only when one exchange alone is larger.
        if (records.size() > 3) {
            EXPECT_LE(std::filesystem::file_size(path), 1500u) << name;
        }
    }
    EXPECT_EQ(pairs, 6u);
}

TEST_F(Warc, AnUnwritableFileIsAUsageErrorBeforeAnyTraffic) {
    const auto run = run_corocrawl(
        {"crawl", url("/page/1"), "--warc", (folder / "missing" / "x.warc.gz").string()});
    EXPECT_EQ(run.status, 2) << run.err;
    EXPECT_NE(run.err.find("--warc"), std::string::npos) << run.err;
    EXPECT_EQ(server.stats().requests.load(), 0u);
}

TEST_F(Warc, AFileThatCannotBeWrittenStopsTheWarcButNotTheCrawl) {
    // /dev/full opens, then refuses every write (ENOSPC).
    const auto run = run_corocrawl(
        {"crawl", url("/page/1"), url("/page/2"), "--warc", "/dev/full", "-x", "//title/text()"});
    EXPECT_EQ(run.status, 1) << run.err;
    EXPECT_EQ(testing::lines(run.out).size(), 2u) << "the records are all written";
    EXPECT_NE(run.err.find("corocrawl: WARC output stopped: cannot write /dev/full"),
              std::string::npos)
        << run.err;
}

}  // namespace
}  // namespace corocrawl
