// `corocrawl bench` and the timeline picture: the figures bench prints, and the SVG's promises
// (valid XML, one bar per request, failures marked, aggregation at scale).
#include <gtest/gtest.h>
#include <libxml/xpathInternals.h>

#include <boost/json.hpp>
#include <sstream>

#include "corocrawl/timeline.hpp"
#include "extract/libxml.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace corocrawl {
namespace {

using namespace std::chrono_literals;
using testing::run_corocrawl;

// A timeline parsed by libxml2, asked questions in XPath.
class Svg {
  public:
    explicit Svg(const std::string& text) {
        libxml::initialise_once();
        const libxml::ScopedErrorHandler quiet(&error_);
        document_.reset(xmlReadMemory(text.data(), static_cast<int>(text.size()), "timeline.svg",
                                      nullptr, XML_PARSE_NONET));
    }

    bool valid() const { return document_ != nullptr; }
    const std::string& error() const { return error_; }

    // The number an XPath expression evaluates to; `svg:` is the SVG namespace.
    double number(const std::string& expression) const {
        const libxml::XPathContext context(xmlXPathNewContext(document_.get()));
        xmlXPathRegisterNs(context.get(), BAD_CAST "svg", BAD_CAST "http://www.w3.org/2000/svg");
        const libxml::XPathObject result(
            xmlXPathEvalExpression(libxml::to_xml_chars(expression), context.get()));
        return result ? xmlXPathCastToNumber(result.get()) : -1;
    }
    double count(const std::string& path) const { return number("count(" + path + ")"); }

  private:
    std::string error_;
    libxml::Document document_;
};

const std::string request_bars = "//svg:rect[contains(concat(' ', @class, ' '), ' request ')]";
const std::string failed_bars =
    "//svg:rect[contains(concat(' ', @class, ' '), ' request ') and "
    "contains(concat(' ', @class, ' '), ' failed ')]";

struct Bench : ::testing::Test {
    test_server::Server server{test_server::ServerOptions{.port = 0, .delay = 300ms}};
    std::string url(const std::string& path) const { return server.base_url() + path; }
};

const boost::json::object* find_mode(const boost::json::value& report, const std::string& mode) {
    for (const auto& row : report.at("modes").as_array()) {
        if (row.at("mode").as_string() == mode) return &row.as_object();
    }
    return nullptr;
}

TEST_F(Bench, JsonListsExactlyTheModesAskedForWithPlausibleFigures) {
    // Whole-second pages, so that each run's process start-up (slower in sanitizer builds)
    // cannot blur "at once" with "one after another".
    const auto run = run_corocrawl({"bench", url("/bobo?delay=1000"), url("/jay?delay=1000"),
                                    url("/tom?delay=1000"), "--modes", "sync,async", "--json"});
    ASSERT_EQ(run.status, 0) << run.err;
    const auto report = boost::json::parse(run.out);
    EXPECT_EQ(report.at("urls").as_int64(), 3);
    const auto& modes = report.at("modes").as_array();
    ASSERT_EQ(modes.size(), 2u);
    EXPECT_EQ(modes[0].at("mode").as_string(), "sync");
    EXPECT_EQ(modes[1].at("mode").as_string(), "async");
    for (const auto& row : modes) {
        EXPECT_FALSE(row.at("estimated").as_bool());
        EXPECT_EQ(row.at("ok").as_int64(), 3);
        EXPECT_EQ(row.at("failed").as_int64(), 0);
        EXPECT_GT(row.at("peak_rss_kib").as_int64(), 1024);  // a real process: over 1 MiB
    }
    const double sync = modes[0].at("total_s").as_double();
    const double async = modes[1].at("total_s").as_double();
    EXPECT_GE(sync, 3.0);  // three delays of 1 s, one after another
    EXPECT_LT(async, sync * 0.6);
    EXPECT_DOUBLE_EQ(modes[0].at("speedup").as_double(), 1.0);
    EXPECT_GT(modes[1].at("speedup").as_double(), 1.6);
}

TEST_F(Bench, TablePrintsARowPerModeWithTheRecordCount) {
    const auto run =
        run_corocrawl({"bench", url("/bobo?delay=0"), url("/status/404"), "--modes", "pool"});
    ASSERT_EQ(run.status, 0) << run.err;
    const auto rows = testing::lines(run.out);
    const auto pool = std::find_if(rows.begin(), rows.end(),
                                   [](const std::string& row) { return row.starts_with("pool "); });
    ASSERT_NE(pool, rows.end()) << run.out;
    EXPECT_NE(pool->find("1/2"), std::string::npos) << *pool;  // the 404 is counted as failed
    EXPECT_EQ(run.out.find("sync"), std::string::npos);
}

TEST(BenchBundled, EstimatesModesThatWouldTakeTooLongAndRunsTheRest) {
    // 30 pages of 0.3 s: sync would take 9 s and pool with 4 threads 8 rounds (2.4 s); both
    // are over the 1 s limit, so only async runs, all 30 at once.
    const auto run = run_corocrawl(
        {"bench", "--n", "30", "--delay", "0.3", "-t", "4", "--estimate-above", "1", "--json"});
    ASSERT_EQ(run.status, 0) << run.err;
    const auto report = boost::json::parse(run.out);
    const auto *sync = find_mode(report, "sync"), *pool = find_mode(report, "pool"),
               *async = find_mode(report, "async");
    ASSERT_TRUE(sync && pool && async) << run.out;
    EXPECT_TRUE(sync->at("estimated").as_bool());
    EXPECT_NEAR(sync->at("total_s").as_double(), 9.0, 1e-9);
    EXPECT_TRUE(pool->at("estimated").as_bool());
    EXPECT_NEAR(pool->at("total_s").as_double(), 2.4, 1e-9);
    EXPECT_TRUE(pool->at("peak_rss_kib").is_null());
    EXPECT_FALSE(async->at("estimated").as_bool());
    EXPECT_EQ(async->at("workers").as_int64(), 30);
    EXPECT_EQ(async->at("ok").as_int64(), 30);
    EXPECT_LT(async->at("total_s").as_double(), 2.0);
}

TEST(BenchUsage, InvalidXPathIsAUsageErrorBeforeAnyRun) {
    const auto run = run_corocrawl({"bench", "--xpath", "//[", "--n", "3"});
    EXPECT_EQ(run.status, 2);
    EXPECT_LT(run.elapsed, 2s);  // nothing was crawled (a run would take 6 s)
}

struct TimelineOfACrawl : Bench, ::testing::WithParamInterface<std::string> {};

TEST_P(TimelineOfACrawl, IsValidXmlWithOneBarPerRequestAndTheFailureMarked) {
    const auto path = testing::scratch_path("timeline.svg");
    const auto run = run_corocrawl({"crawl", url("/bobo"), url("/jay"), url("/status/404"), "-m",
                                    GetParam(), "-q", "--timeline", path});
    EXPECT_EQ(run.status, 1) << run.err;  // the 404
    const Svg svg(testing::read_file(path));
    std::remove(path.c_str());
    ASSERT_TRUE(svg.valid()) << svg.error();
    EXPECT_EQ(svg.count(request_bars), 3);
    EXPECT_EQ(svg.count(failed_bars), 1);
    EXPECT_EQ(svg.number("number(/svg:svg/@data-aggregated)"), 0);
    EXPECT_EQ(svg.count("//svg:text[contains(., '" + GetParam() + " mode')]"), 1);
    // One row per worker: sync puts all three in one row, async each in a slot of its own.
    const double rows = svg.count(request_bars +
                                  "[not(@y = preceding::svg:rect[contains(concat(' ', "
                                  "@class, ' '), ' request ')]/@y)]");
    EXPECT_EQ(rows, GetParam() == "sync" ? 1 : 3);
}

INSTANTIATE_TEST_SUITE_P(Modes, TimelineOfACrawl, ::testing::Values("sync", "async"));

// Synthetic results for the unit tests: `worker`, start and phase lengths in milliseconds.
Result synthetic(std::size_t index, std::size_t worker, Clock::time_point origin, double start_ms,
                 double phase_ms, bool failed) {
    const auto at = [&](double ms) {
        return origin + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double, std::milli>(ms));
    };
    Result result;
    result.index = index;
    result.worker = worker;
    result.url = "http://example.test/page?id=" + std::to_string(index) + "&<x>=\"y\"";
    result.status = failed ? 500 : 200;
    if (failed) result.error = Error{ErrorKind::http_status, "HTTP 500"};
    result.timings = {at(start_ms), at(start_ms + phase_ms), at(start_ms + 2 * phase_ms),
                      at(start_ms + 3 * phase_ms), at(start_ms + 4 * phase_ms)};
    return result;
}

std::string svg_of(const Timeline& timeline, Mode mode, std::size_t workers) {
    std::ostringstream out;
    timeline.write_svg(out, {mode, workers, 10s});
    return out.str();
}

TEST(TimelineChart, TenThousandRequestsOnManyWorkersAggregateIntoBands) {
    const auto origin = Clock::now();
    Timeline timeline;
    for (std::size_t i = 0; i < 10'000; ++i) {
        // 500 slots, 20 requests each, of 100 to 500 ms; every 20th one fails.
        const double length = 25.0 + static_cast<double>(i % 5) * 25.0;
        timeline.record(synthetic(i, i % 500, origin, static_cast<double>(i / 500) * 500.0, length,
                                  i % 20 == 0));
    }
    const std::string text = svg_of(timeline, Mode::async, 500);
    EXPECT_LT(text.size(), 2'000'000u);
    const Svg svg(text);
    ASSERT_TRUE(svg.valid()) << svg.error();
    EXPECT_EQ(svg.number("number(/svg:svg/@data-requests)"), 10'000);
    EXPECT_EQ(svg.number("number(/svg:svg/@data-aggregated)"), 10'000);
    EXPECT_EQ(svg.count(request_bars), 0);
    EXPECT_GT(
        svg.count("//svg:rect[contains(@class, 'failed') and not(contains(@class, 'request'))]"),
        0);
    // At most 60 rows: 500 slots in bands of 9.
    EXPECT_EQ(svg.count("//svg:text[starts-with(., 'slots ')]"), 56);
    EXPECT_EQ(svg.count("//svg:text[contains(., '10000 of 10000 requests')]"), 1);
}

TEST(TimelineChart, BarsNarrowerThanAPixelAggregateWhenTheyCrowdTogether) {
    const auto origin = Clock::now();
    Timeline timeline;
    // One thread: a long request, then 10,000 of 0.4 ms each (about a 24th of a pixel).
    timeline.record(synthetic(0, 0, origin, 0, 1000, false));
    for (std::size_t i = 1; i <= 10'000; ++i) {
        timeline.record(synthetic(i, 0, origin, 4000 + static_cast<double>(i) * 0.4, 0.1, i == 7));
    }
    const std::string text = svg_of(timeline, Mode::sync, 1);
    EXPECT_LT(text.size(), 2'000'000u);
    const Svg svg(text);
    ASSERT_TRUE(svg.valid()) << svg.error();
    EXPECT_EQ(svg.count(request_bars), 1);  // the long one keeps its bar
    EXPECT_EQ(svg.number("number(/svg:svg/@data-aggregated)"), 10'000);
    EXPECT_EQ(svg.count("//svg:text[. = 'thread 0']"), 1);
}

TEST(TimelineChart, ALoneNarrowRequestAndOneNeverStartedStillGetTheirBars) {
    const auto origin = Clock::now();
    Timeline timeline;
    timeline.record(synthetic(0, 0, origin, 0, 500, false));
    timeline.record(synthetic(1, 1, origin, 0, 0.01, true));  // a fast 500
    Result cancelled;  // no timings at all: cancelled before it started
    cancelled.index = 2;
    cancelled.url = "http://example.test/never";
    cancelled.error = Error{ErrorKind::cancelled, "interrupted before it finished"};
    timeline.record(cancelled);
    const Svg svg(svg_of(timeline, Mode::pool, 8));
    ASSERT_TRUE(svg.valid()) << svg.error();
    EXPECT_EQ(svg.count(request_bars), 3);
    EXPECT_EQ(svg.count(failed_bars), 2);
    EXPECT_EQ(svg.count("//svg:rect[contains(@class, 'request')][number(@width) < 1]"), 0);
    EXPECT_EQ(svg.count("//svg:title[contains(., 'cancelled')]"), 1);
    EXPECT_EQ(svg.count("//svg:text[contains(., 'pool mode, 8 threads')]"), 1);
}

}  // namespace
}  // namespace corocrawl
