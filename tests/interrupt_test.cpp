// SIGINT and SIGTERM in every mode, mid-way through a crawl of 5,000 URLs: every output line is a
// whole JSON record, every URL has exactly one, the unfinished ones say `cancelled`, the summary is
// printed and the exit status is 130. Under ASan/TSan a leak, race or crash changes that status.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t url_count = 5000;
// Late enough that even a sanitizer build has finished some pages, far too early for any mode to
// have finished them all (each mode's pace below takes 10 s or more for the whole list).
constexpr auto interrupt_after = 1500ms;

enum class Output { stdout_stream, file };

struct ModeSetup {
    const char* mode;
    std::vector<std::string> flags;  // how many wait at once
    int page_delay_ms;               // the server's delay per page: sets the crawl's pace
};

const std::map<std::string, ModeSetup> setups{
    // 100 in flight x 200 ms: about 500 pages/s, 10 s for the list.
    {"async", {"async", {"-c", "100"}, 200}},
    // 8 threads x 20 ms, the XPath on two parse threads: at most 400 pages/s, 12.5 s.
    {"pool", {"pool", {"-t", "8", "--parse-threads", "2"}, 20}},
    // One at a time, 3 ms each: at most 333 pages/s, 15 s.
    {"sync", {"sync", {}, 3}},
};

using Case = std::tuple<std::string, int, Output>;

struct Interrupt : ::testing::TestWithParam<Case> {
    test_server::Server server{test_server::ServerOptions{.port = 0, .threads = 2}};
};

TEST_P(Interrupt, EveryUrlGetsOneWholeRecordAndTheUnfinishedAreCancelled) {
    const auto& [mode_name, signal, output] = GetParam();
    const ModeSetup& setup = setups.at(mode_name);

    std::set<std::string> inputs;
    std::string list;
    for (std::size_t i = 0; i < url_count; ++i) {
        // A distinct URL per line, so each record can be matched to its input line.
        auto url = server.base_url() + "/page/" + std::to_string(i % 1000) +
                   "?delay=" + std::to_string(setup.page_delay_ms) + "&n=" + std::to_string(i);
        list += url + "\n";
        inputs.insert(std::move(url));
    }
    const std::string list_path = testing::scratch_path("urls.txt");
    std::ofstream(list_path) << list;
    const std::string out_path = testing::scratch_path("records.jsonl");

    std::vector<std::string> args{"crawl",    "-i", list_path,        "-f",        "jsonl", "-m",
                                  setup.mode, "-x", "//title/text()", "--retries", "0"};
    args.insert(args.end(), setup.flags.begin(), setup.flags.end());
    if (output == Output::file) {
        args.push_back("-o");
        args.push_back(out_path);
    }
    const auto run = testing::run_corocrawl(
        args, "", {interrupt_after, signal, output == Output::file ? 0u : 1u});
    const std::string records_text =
        output == Output::file ? testing::read_file(out_path) : run.out;
    std::remove(list_path.c_str());
    std::remove(out_path.c_str());

    EXPECT_EQ(run.status, 130) << run.err;  // for SIGTERM too, as for Ctrl-C
    if (output == Output::file) {
        EXPECT_EQ(run.out, "");
    }
    // Stopping is prompt: it does not wait for the rest of the list.
    EXPECT_LT(run.elapsed, interrupt_after + 10s);
    ASSERT_FALSE(records_text.empty()) << run.err;
    EXPECT_EQ(records_text.back(), '\n') << "the last record is cut short";

    std::map<std::string, int> seen;
    std::size_t ok = 0, cancelled = 0, other = 0;
    for (const auto& line : testing::lines(records_text)) {
        boost::json::value record;
        try {
            record = boost::json::parse(line);
        } catch (const std::exception& error) {
            ADD_FAILURE() << "not a whole JSON record: " << error.what() << ": " << line;
            continue;
        }
        const auto& object = record.as_object();
        ++seen[std::string(object.at("url").as_string())];
        if (object.at("ok").as_bool()) {
            ++ok;
            EXPECT_EQ(object.at("status").as_int64(), 200);
            EXPECT_EQ(object.at("results").at("//title/text()").as_array().size(), 1u) << line;
        } else if (object.at("error").at("kind").as_string() == "cancelled") {
            ++cancelled;
        } else {
            ++other;
            ADD_FAILURE() << "neither finished nor cancelled: " << line;
        }
    }
    EXPECT_EQ(ok + cancelled + other, url_count);
    EXPECT_EQ(seen.size(), url_count);
    for (const auto& [url, times] : seen) {
        EXPECT_TRUE(inputs.contains(url)) << url;
        EXPECT_EQ(times, 1) << url;
    }
    // Interrupted mid-way: some pages done, the rest cancelled.
    EXPECT_GT(ok, 0u);
    EXPECT_GT(cancelled, 0u);

    // The summary is the last line on stderr, and it agrees with the records.
    const auto err_lines = testing::lines(run.err);
    ASSERT_FALSE(err_lines.empty());
    const std::string& summary = err_lines.back();
    std::size_t urls = 0, summary_ok = 0, summary_failed = 0, summary_cancelled = 0;
    ASSERT_EQ(
        std::sscanf(summary.c_str(), "corocrawl: %zu URLs, %zu ok, %zu failed (%zu cancelled) in ",
                    &urls, &summary_ok, &summary_failed, &summary_cancelled),
        4)
        << run.err;
    EXPECT_TRUE(summary.ends_with(", interrupted")) << summary;
    EXPECT_EQ(urls, url_count);
    EXPECT_EQ(summary_ok, ok);
    EXPECT_EQ(summary_failed, cancelled + other);
    EXPECT_EQ(summary_cancelled, cancelled);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
    const auto& [mode, signal, output] = info.param;
    return mode + (signal == SIGINT ? "_SIGINT" : "_SIGTERM") +
           (output == Output::file ? "_to_file" : "_to_stdout");
}

INSTANTIATE_TEST_SUITE_P(EveryModeAndSignal, Interrupt,
                         ::testing::Combine(::testing::Values("async", "pool", "sync"),
                                            ::testing::Values(SIGINT, SIGTERM),
                                            ::testing::Values(Output::stdout_stream, Output::file)),
                         case_name);

}  // namespace
}  // namespace corocrawl
