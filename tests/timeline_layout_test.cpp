// The timeline's layout without its drawing: rows and bands, the time scale and its ticks, which
// requests get a bar of their own, and how the others are summed into shaded cells.
#include "report/timeline_layout.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <vector>

namespace corocrawl::report {
namespace {

using namespace std::chrono_literals;
using Requests = std::vector<TimelineRequest>;

const Clock::time_point origin = Clock::time_point{} + 100h;

Clock::time_point at_ms(double ms) {
    return origin + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double, std::milli>(ms));
}

// A request on `worker` from `start_ms`, its four phases `phase_ms` each.
TimelineRequest request(std::size_t worker, double start_ms, double phase_ms, bool failed = false) {
    static std::size_t next_index = 0;
    TimelineRequest r{next_index++, worker, {}, failed ? 500 : 200, std::nullopt, "http://x/"};
    for (std::size_t i = 0; i < r.times.size(); ++i) {
        r.times[i] = at_ms(start_ms + static_cast<double>(i) * phase_ms);
    }
    if (failed) r.error = ErrorKind::http_status;
    return r;
}

std::size_t count_own(const std::vector<bool>& own) {
    std::size_t n = 0;
    for (bool b : own) n += b;
    return n;
}

// ---- rows and bands -----------------------------------------------------------------------------

TEST(TimelineLayout, NoRequestsIsOneEmptyRow) {
    const Requests none;
    const Geometry g = layout(none);
    EXPECT_EQ(g.rows, 1u);
    EXPECT_EQ(g.workers, 1u);
    EXPECT_EQ(g.workers_per_row, 1u);
    EXPECT_EQ(g.chart_bottom(), rows_top + row_height);
    EXPECT_TRUE(own_bars(none, g).empty());
    EXPECT_TRUE(shaded_cells(none, {}, g).empty());
}

TEST(TimelineLayout, OneWorkerIsOneRowAndTheSpanFillsTheChart) {
    const Requests one{request(0, 0, 500)};  // 2 s in all
    const Geometry g = layout(one);
    EXPECT_EQ(g.rows, 1u);
    EXPECT_EQ(g.origin, one[0].times.front());
    EXPECT_DOUBLE_EQ(g.px_per_second, chart_width / 2.0);
    EXPECT_DOUBLE_EQ(g.x(one[0].times.front()), chart_left);
    EXPECT_DOUBLE_EQ(g.x(one[0].times.back()), chart_left + chart_width);
    EXPECT_EQ(g.row(one[0]), 0u);
    const Band band = band_of_row(g, 0);
    EXPECT_EQ(band.first, 0u);
    EXPECT_EQ(band.last, 0u);
}

TEST(TimelineLayout, SixtyWorkersGetARowEach) {
    Requests requests;
    for (std::size_t w = 0; w < 60; ++w) requests.push_back(request(w, 0, 10));
    const Geometry g = layout(requests);
    EXPECT_EQ(g.workers, 60u);
    EXPECT_EQ(g.workers_per_row, 1u);
    EXPECT_EQ(g.rows, 60u);
    EXPECT_EQ(g.row(requests[59]), 59u);
    EXPECT_EQ(count_own(own_bars(requests, g)), 60u);
}

TEST(TimelineLayout, SixtyOneWorkersBecomeBandsOfTwo) {
    Requests requests;
    for (std::size_t w = 0; w < 61; ++w) requests.push_back(request(w, 0, 10));
    const Geometry g = layout(requests);
    EXPECT_EQ(g.workers, 61u);
    EXPECT_EQ(g.workers_per_row, 2u);
    EXPECT_EQ(g.rows, 31u);
    EXPECT_EQ(g.row(requests[0]), 0u);
    EXPECT_EQ(g.row(requests[1]), 0u);
    EXPECT_EQ(g.row(requests[60]), 30u);
    EXPECT_EQ(band_of_row(g, 0).first, 0u);
    EXPECT_EQ(band_of_row(g, 0).last, 1u);
    // The last band holds only the one worker left.
    EXPECT_EQ(band_of_row(g, 30).first, 60u);
    EXPECT_EQ(band_of_row(g, 30).last, 60u);
    // In bands no request has a bar of its own.
    EXPECT_EQ(count_own(own_bars(requests, g)), 0u);
}

TEST(TimelineLayout, TheWorkerCountComesFromTheHighestWorkerSeen) {
    const Requests requests{request(0, 0, 10), request(499, 0, 10)};  // 500 slots, bands of 9
    const Geometry g = layout(requests);
    EXPECT_EQ(g.workers, 500u);
    EXPECT_EQ(g.workers_per_row, 9u);
    EXPECT_EQ(g.rows, 56u);
    EXPECT_EQ(band_of_row(g, 55).first, 495u);
    EXPECT_EQ(band_of_row(g, 55).last, 499u);
}

// ---- the time scale -----------------------------------------------------------------------------

TEST(TimelineLayout, AnInstantSpansOneMillisecond) {
    const Requests instant{request(0, 0, 0)};
    const Geometry g = layout(instant);
    EXPECT_DOUBLE_EQ(g.px_per_second, chart_width / 0.001);
}

TEST(TimelineLayout, TicksAreOneTwoOrFiveTimesAPowerOfTenAtMostTenSteps) {
    struct Case {
        double span_ms;
        double step_s;
        std::size_t ticks;
    };
    for (const Case c : {Case{2000, 0.2, 11}, Case{6000, 1, 7}, Case{1234, 0.2, 7},
                         Case{100, 0.01, 11}, Case{45000, 5, 10}, Case{0.5, 0.0001, 11}}) {
        const Requests requests{request(0, 0, c.span_ms / 4)};
        const Axis axis = time_axis(layout(requests));
        EXPECT_NEAR(axis.span, std::max(c.span_ms, 1.0) / 1000, 1e-9) << c.span_ms;
        EXPECT_NEAR(axis.step, c.step_s, 1e-12) << c.span_ms;
        ASSERT_EQ(axis.ticks.size(), c.ticks) << c.span_ms;
        EXPECT_EQ(axis.ticks.front(), 0);
        EXPECT_LE(axis.ticks.back(), axis.span * 1.0001) << c.span_ms;
        EXPECT_LE(axis.span / axis.step, 10.0) << c.span_ms;
    }
}

// ---- bars of their own, and the shaded cells ----------------------------------------------------

TEST(TimelineLayout, WideRequestsAndALoneNarrowOneKeepTheirBars) {
    // 1 s in all: 840 px per second. A narrow request (0.4 ms, a third of a pixel) alone in its
    // pixel column keeps its bar.
    const Requests requests{request(0, 0, 250), request(1, 500, 0.1)};
    const Geometry g = layout(requests);
    const auto own = own_bars(requests, g);
    EXPECT_EQ(own, (std::vector<bool>{true, true}));
    EXPECT_TRUE(shaded_cells(requests, own, g).empty());
}

TEST(TimelineLayout, NarrowRequestsSharingAPixelBecomeCells) {
    // A long request, then 100 of 0.4 ms back to back on the same row, about 24 to a pixel.
    Requests requests{request(0, 0, 250)};
    for (int i = 0; i < 100; ++i) requests.push_back(request(0, 4000 + i * 0.4, 0.1, i == 7));
    const Geometry g = layout(requests);
    const auto own = own_bars(requests, g);
    EXPECT_TRUE(own[0]);
    EXPECT_EQ(count_own(own), 1u);
    const auto runs = shaded_cells(requests, own, g);
    ASSERT_FALSE(runs.empty());
    std::size_t failed_cells = 0;
    for (const auto& run : runs) {
        EXPECT_EQ(run.row, 0u);
        EXPECT_GE(run.level, 1);
        EXPECT_LE(run.level, opacity_levels);
        EXPECT_LT(run.phase, phases);
        // At 4 s of 4.04 s: the cells sit at the right end of the chart.
        EXPECT_GE(static_cast<double>(run.first_cell) * cell_width, chart_width * 0.98);
        if (run.failed) failed_cells += run.cells;
    }
    EXPECT_GE(failed_cells, 1u);  // the failed one shows in its cell
}

TEST(TimelineLayout, MoreThanTwoThousandBarsAreAllCells) {
    Requests requests;
    for (int i = 0; i < 2001; ++i) requests.push_back(request(i % 50, i * 10.0, 2.5));
    const Geometry g = layout(requests);
    EXPECT_EQ(g.workers_per_row, 1u);
    EXPECT_EQ(count_own(own_bars(requests, g)), 0u);

    requests.pop_back();  // 2,000 are still drawn as bars
    const Geometry g2 = layout(requests);
    EXPECT_EQ(count_own(own_bars(requests, g2)), 2000u);
}

TEST(TimelineLayout, ACellsLevelIsTheBusyShareOfItsBand) {
    // 120 workers in bands of two over 1 s; workers 0 and 1 (row 0) busy for the whole second,
    // worker 2 (row 1) too, worker 3 idle: row 0 is full, row 1 half busy.
    Requests requests{request(0, 0, 250), request(1, 0, 250), request(2, 0, 250),
                      request(119, 0, 250)};
    const Geometry g = layout(requests);
    ASSERT_EQ(g.workers_per_row, 2u);
    const auto own = own_bars(requests, g);
    const auto runs = shaded_cells(requests, own, g);
    int row0_level = 0, row1_level = 0;
    std::size_t row0_cells = 0;
    for (const auto& run : runs) {
        if (run.row == 0) {
            row0_level = run.level;
            row0_cells += run.cells;
        }
        if (run.row == 1) row1_level = run.level;
    }
    EXPECT_EQ(row0_level, opacity_levels);
    EXPECT_EQ(row1_level, (opacity_levels + 1) / 2);  // half of 5 levels, rounded up
    EXPECT_EQ(row0_cells, static_cast<std::size_t>(chart_width / cell_width));
}

TEST(TimelineLayout, AllFailuresAreMarkedFailedWhetherBarsOrCells) {
    Requests requests;
    for (int i = 0; i < 50; ++i) requests.push_back(request(i % 4, i * 37.0, 9, true));
    const Geometry g = layout(requests);
    EXPECT_EQ(count_own(own_bars(requests, g)), 50u);  // bars: wide enough, 4 rows

    // The same failures on 100 workers, in bands: every cell they make is marked failed.
    Requests banded;
    for (int i = 0; i < 100; ++i) banded.push_back(request(i, i * 3.0, 2, true));
    const Geometry gb = layout(banded);
    const auto own = own_bars(banded, gb);
    EXPECT_EQ(count_own(own), 0u);
    const auto runs = shaded_cells(banded, own, gb);
    ASSERT_FALSE(runs.empty());
    for (const auto& run : runs) EXPECT_TRUE(run.failed) << "row " << run.row;
}

}  // namespace
}  // namespace corocrawl::report
