// Where the timeline puts things, apart from how they are drawn (timeline.cpp): rows and bands of
// workers, the time scale and its ticks, which requests get a bar of their own, and the shaded
// cells the others are summed into. Pure functions over plain structs; lengths are in px.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <vector>

#include "corocrawl/timeline.hpp"

namespace corocrawl::report {

using TimelineRequest = Timeline::Request;

// The page: labels on the left, the chart, the axis under the rows.
inline constexpr double chart_left = 110;
inline constexpr double chart_width = 840;
inline constexpr double rows_top = 70;  // below the title and the legend
inline constexpr double row_height = 18;
inline constexpr double bar_height = 12;
inline constexpr double bar_inset = (row_height - bar_height) / 2;

// Beyond these the chart aggregates, which keeps a crawl of any size readable and the file within a
// few megabytes.
inline constexpr std::size_t max_rows = 60;
inline constexpr std::size_t max_bars = 2000;
inline constexpr double cell_width = 2;  // px of time per shaded cell
inline constexpr int opacity_levels = 5;

// Phase p of a request lies between times[p] and times[p + 1]: resolve + connect, waiting for the
// first byte, receiving, callback / parse.
inline constexpr std::size_t phases = 4;

// The scale and the rows.
struct Geometry {
    Clock::time_point origin;  // the first request's start: x = chart_left
    double px_per_second;
    std::size_t workers;  // rows stand for workers 0 .. workers - 1
    std::size_t workers_per_row;
    std::size_t rows;

    double seconds(Clock::time_point t) const {
        return std::chrono::duration<double>(t - origin).count();
    }
    double x(Clock::time_point t) const { return chart_left + seconds(t) * px_per_second; }
    double width(const TimelineRequest& r) const { return x(r.times.back()) - x(r.times.front()); }
    std::size_t row(const TimelineRequest& r) const { return r.worker / workers_per_row; }
    double row_top(std::size_t row) const {
        return rows_top + static_cast<double>(row) * row_height;
    }
    double chart_bottom() const { return row_top(rows); }
};

// The chart's span (at least 1 ms) over chart_width; a row per worker up to max_rows workers, else
// bands of ⌈workers / max_rows⌉ neighbouring workers. No requests: one row, 1 px per second.
Geometry layout(const std::vector<TimelineRequest>& requests);

// The workers one row stands for, first to last (one of them unless the rows are bands).
struct Band {
    std::size_t first;
    std::size_t last;
};
Band band_of_row(const Geometry& g, std::size_t row);

// The time axis: ticks every 1, 2 or 5 times a power of ten, from 0 to the span; at most ten steps.
struct Axis {
    double span;                // seconds
    double step;                // seconds between ticks
    std::vector<double> ticks;  // seconds since the origin
};
Axis time_axis(const Geometry& g);

// Which requests get a bar of their own: none when the rows are bands; otherwise every request a
// pixel wide or more, and a narrower one unless it shares a pixel column with another narrow one of
// its row; none again when that makes more than max_bars bars.
std::vector<bool> own_bars(const std::vector<TimelineRequest>& requests, const Geometry& g);

// The requests without a bar of their own, summed per row and per cell of cell_width px, and
// neighbouring cells that look alike merged into one run.
struct CellRun {
    std::size_t row;
    std::size_t first_cell;  // at x = chart_left + first_cell * cell_width
    std::size_t cells;
    std::size_t phase;  // the phase with the most time
    int level;          // busy share of the row's capacity, 1..opacity_levels
    bool failed;        // some request in it failed
};
std::vector<CellRun> shaded_cells(const std::vector<TimelineRequest>& requests,
                                  const std::vector<bool>& own, const Geometry& g);

}  // namespace corocrawl::report
