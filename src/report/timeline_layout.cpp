#include "report/timeline_layout.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace corocrawl::report {

Geometry layout(const std::vector<TimelineRequest>& requests) {
    Geometry g{Clock::time_point{}, 1, 1, 1, 1};
    if (requests.empty()) return g;
    Clock::time_point end = requests.front().times.back();
    g.origin = requests.front().times.front();
    for (const auto& r : requests) {
        g.origin = std::min(g.origin, r.times.front());
        end = std::max(end, r.times.back());
        g.workers = std::max(g.workers, r.worker + 1);
    }
    const double span = std::max(g.seconds(end), 0.001);
    g.px_per_second = chart_width / span;
    g.workers_per_row = (g.workers + max_rows - 1) / max_rows;
    g.rows = (g.workers + g.workers_per_row - 1) / g.workers_per_row;
    return g;
}

Band band_of_row(const Geometry& g, std::size_t row) {
    const auto first = row * g.workers_per_row;
    return {first, std::min(first + g.workers_per_row, g.workers) - 1};
}

Axis time_axis(const Geometry& g) {
    Axis axis{chart_width / g.px_per_second, 0, {}};
    axis.step = std::pow(10.0, std::floor(std::log10(axis.span / 10)));
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (axis.span / (axis.step * factor) <= 10) {
            axis.step *= factor;
            break;
        }
    }
    for (double t = 0; t <= axis.span * 1.0001; t += axis.step) axis.ticks.push_back(t);
    return axis;
}

std::vector<bool> own_bars(const std::vector<TimelineRequest>& requests, const Geometry& g) {
    std::vector<bool> own(requests.size(), false);
    if (g.workers_per_row > 1) return own;

    // How many sub-pixel requests of each row touch each pixel column: those sharing a column
    // cannot be told apart, the others are widened to a pixel.
    const auto narrow = [&](const TimelineRequest& r) { return g.width(r) < 1; };
    const auto columns = static_cast<std::size_t>(chart_width) + 1;
    const auto column = [&](Clock::time_point t) {
        return std::min(columns - 1, static_cast<std::size_t>(std::max(0.0, g.x(t) - chart_left)));
    };
    std::vector<std::vector<std::uint32_t>> touching(g.rows, std::vector<std::uint32_t>(columns));
    for (const auto& r : requests) {
        if (!narrow(r)) continue;
        for (auto c = column(r.times.front()); c <= column(r.times.back()); ++c) {
            ++touching[g.row(r)][c];
        }
    }
    std::size_t bars = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& r = requests[i];
        const auto& row = touching[g.row(r)];
        own[i] =
            !narrow(r) || (row[column(r.times.front())] == 1 && row[column(r.times.back())] == 1);
        bars += own[i];
    }
    if (bars > max_bars) own.assign(own.size(), false);
    return own;
}

namespace {

// The requests without a bar of their own, summed per row and per cell: the time spent in each
// phase, and whether any of them failed.
class CellGrid {
  public:
    explicit CellGrid(const Geometry& g)
        : g_(g),
          columns_(static_cast<std::size_t>(std::ceil(chart_width / cell_width))),
          cells_(g.rows * columns_) {}

    void add(const TimelineRequest& r) {
        const auto row = g_.row(r);
        for (std::size_t p = 0; p < phases; ++p) {
            add_time(row, p, g_.x(r.times[p]) - chart_left, g_.x(r.times[p + 1]) - chart_left);
        }
        const auto first = column(g_.x(r.times.front()) - chart_left);
        const auto last = column(g_.x(r.times.back()) - chart_left);
        for (auto c = first; c <= last; ++c) {
            auto& cell = at(row, c);
            cell.requests = true;
            cell.failed = cell.failed || r.error.has_value();
        }
    }

    // Neighbouring cells that look alike become one run; empty ones none.
    std::vector<CellRun> runs() const {
        std::vector<CellRun> runs;
        for (std::size_t row = 0; row < g_.rows; ++row) {
            for (std::size_t c = 0; c < columns_;) {
                const auto look = appearance(at(row, c));
                std::size_t end = c + 1;
                while (end < columns_ && appearance(at(row, end)) == look) ++end;
                if (look.level > 0) {
                    runs.push_back({row, c, end - c, look.phase, look.level, look.failed});
                }
                c = end;
            }
        }
        return runs;
    }

  private:
    struct Cell {
        std::array<double, phases> busy{};  // px of time, summed over the row's workers
        bool requests = false;
        bool failed = false;
    };
    struct Appearance {
        std::size_t phase = 0;  // the phase with the most time
        int level = 0;          // busy share of the row's capacity, 1..opacity_levels; 0: empty
        bool failed = false;
        bool operator==(const Appearance&) const = default;
    };

    Cell& at(std::size_t row, std::size_t c) { return cells_[row * columns_ + c]; }
    const Cell& at(std::size_t row, std::size_t c) const { return cells_[row * columns_ + c]; }
    std::size_t column(double px) const {
        return std::min(columns_ - 1, static_cast<std::size_t>(std::max(0.0, px / cell_width)));
    }

    void add_time(std::size_t row, std::size_t phase, double from, double to) {
        for (auto c = column(from); c <= column(to) && from < to; ++c) {
            const double cell_start = static_cast<double>(c) * cell_width;
            const double overlap =
                std::min(to, cell_start + cell_width) - std::max(from, cell_start);
            if (overlap > 0) at(row, c).busy[phase] += overlap;
        }
    }

    Appearance appearance(const Cell& cell) const {
        if (!cell.requests) return {};
        Appearance look;
        const auto most = std::max_element(cell.busy.begin(), cell.busy.end());
        look.phase = static_cast<std::size_t>(most - cell.busy.begin());
        double busy = 0;
        for (double b : cell.busy) busy += b;
        const double share = busy / (cell_width * static_cast<double>(g_.workers_per_row));
        // A request too short to measure still shows, faintly.
        look.level =
            std::clamp(static_cast<int>(std::ceil(share * opacity_levels)), 1, opacity_levels);
        look.failed = cell.failed;
        return look;
    }

    const Geometry& g_;
    std::size_t columns_;
    std::vector<Cell> cells_;
};

}  // namespace

std::vector<CellRun> shaded_cells(const std::vector<TimelineRequest>& requests,
                                  const std::vector<bool>& own, const Geometry& g) {
    CellGrid grid(g);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        if (!own[i]) grid.add(requests[i]);
    }
    return grid.runs();
}

}  // namespace corocrawl::report
