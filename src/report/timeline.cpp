#include "corocrawl/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "report/svg.hpp"

namespace corocrawl {
namespace {

using report::number;
using report::SvgWriter;

// The page: labels on the left, the chart, the axis under the rows.
constexpr double chart_left = 110;
constexpr double chart_width = 840;
constexpr double page_width = chart_left + chart_width + 20;
constexpr double rows_top = 70;  // below the title and the legend
constexpr double row_height = 18;
constexpr double bar_height = 12;
constexpr double bar_inset = (row_height - bar_height) / 2;
constexpr double below_rows = 44;  // the axis, its labels and its title
// Beyond these the chart aggregates, which keeps a crawl of any size readable and the file
// within a few megabytes.
constexpr std::size_t max_rows = 60;
constexpr std::size_t max_bars = 2000;
constexpr double cell_width = 2;  // px of time per shaded cell
constexpr int opacity_levels = 5;

// Phase p lies between times[p] and times[p + 1].
constexpr std::size_t phases = 4;
constexpr std::array<const char*, phases> phase_class{"connect", "wait", "receive", "parse"};
constexpr std::array<const char*, phases> phase_label{
    "resolve + connect", "waiting for the first byte", "receiving", "callback / parse"};

constexpr const char* style = R"(
text{font:12px sans-serif;fill:#222}
.title{font-size:15px;font-weight:bold}
.note{fill:#555}
.stripe{fill:#f3f3f3}
.tick{stroke:#ddd}
.axis{stroke:#777}
.connect{fill:#f2a93b}
.wait{fill:#c6dbef}
.receive{fill:#2b7bba}
.parse{fill:#3fae5a}
.request,.outline{fill:none;stroke:#333;stroke-width:.5}
.failed{stroke:#d62728;stroke-width:2}
)";

using Request = Timeline::Request;

std::string plural(std::size_t count, const std::string& noun) {
    return std::to_string(count) + ' ' + noun + (count == 1 ? "" : "s");
}

std::string seconds_text(double seconds) {
    return number(seconds, seconds < 10 ? 3 : 1);
}

// What one row stands for: a concurrency slot in async mode, a thread otherwise.
std::string worker_noun(Mode mode) {
    return mode == Mode::async ? "slot" : "thread";
}

// Where things go on the page.
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
    double width(const Request& r) const { return x(r.times.back()) - x(r.times.front()); }
    std::size_t row(const Request& r) const { return r.worker / workers_per_row; }
    double row_top(std::size_t row) const {
        return rows_top + static_cast<double>(row) * row_height;
    }
    double chart_bottom() const { return row_top(rows); }
};

Geometry layout(const std::vector<Request>& requests) {
    Geometry g{Clock::now(), 1, 1, 1, 1};
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

// Which requests get a bar of their own (see Timeline::write_svg); the rest become shaded cells.
std::vector<bool> own_bars(const std::vector<Request>& requests, const Geometry& g) {
    std::vector<bool> own(requests.size(), false);
    if (g.workers_per_row > 1) return own;

    // How many sub-pixel requests of each row touch each pixel column: those sharing a column
    // cannot be told apart, the others are widened to a pixel.
    const auto narrow = [&](const Request& r) { return g.width(r) < 1; };
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

// The requests without a bar of their own, summed per row and per cell of `cell_width` px: the
// time spent in each phase, and whether any of them failed.
class ShadedCells {
  public:
    explicit ShadedCells(const Geometry& g)
        : g_(g),
          columns_(static_cast<std::size_t>(std::ceil(chart_width / cell_width))),
          cells_(g.rows * columns_) {}

    void add(const Request& r) {
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

    // Neighbouring cells that look alike become one rect.
    void write(SvgWriter& svg) const {
        for (std::size_t row = 0; row < g_.rows; ++row) {
            for (std::size_t c = 0; c < columns_;) {
                const auto look = appearance(at(row, c));
                std::size_t end = c + 1;
                while (end < columns_ && appearance(at(row, end)) == look) ++end;
                if (look.level > 0) {
                    std::string classes = phase_class[look.phase];
                    if (look.failed) classes += " failed";
                    svg.leaf("rect",
                             {{"class", classes},
                              {"x", number(chart_left + static_cast<double>(c) * cell_width)},
                              {"y", number(g_.row_top(row) + bar_inset)},
                              {"width", number(static_cast<double>(end - c) * cell_width)},
                              {"height", number(bar_height)},
                              {"fill-opacity", number(double(look.level) / opacity_levels)}});
                }
                c = end;
            }
        }
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

// "#3 http://host/page: 200, 2.004 s (connect 0.001, wait 2.002, receive 0, parse 0.001)".
std::string describe(const Request& r, const Geometry& g) {
    const auto duration = [&](std::size_t from, std::size_t to) {
        return g.seconds(r.times[to]) - g.seconds(r.times[from]);
    };
    std::string text = "#";
    text.append(std::to_string(r.index)).append(" ").append(r.url).append(":");
    if (r.error) text.append(" ").append(to_string(*r.error));
    if (r.status != 0) text.append(" ").append(std::to_string(r.status));
    text.append(", ").append(seconds_text(duration(0, phases))).append(" s (");
    for (std::size_t p = 0; p < phases; ++p) {
        text.append(p > 0 ? ", " : "").append(phase_class[p]).append(" ");
        text.append(number(duration(p, p + 1), 3));
    }
    return text.append(")");
}

void write_bar(SvgWriter& svg, const Request& r, const Geometry& g) {
    const double y = g.row_top(g.row(r)) + bar_inset;
    svg.open("g");
    svg.text("title", {}, describe(r, g));
    for (std::size_t p = 0; p < phases; ++p) {
        const double width = g.x(r.times[p + 1]) - g.x(r.times[p]);
        if (width < 0.01) continue;
        svg.leaf("rect", {{"class", phase_class[p]},
                          {"x", number(g.x(r.times[p]), 2)},
                          {"y", number(y)},
                          {"width", number(width, 2)},
                          {"height", number(bar_height)}});
    }
    // The outline spans the whole request; at least a pixel wide, so every request shows.
    svg.leaf("rect", {{"class", r.error ? "request failed" : "request"},
                      {"x", number(g.x(r.times.front()), 2)},
                      {"y", number(y)},
                      {"width", number(std::max(g.width(r), 1.0), 2)},
                      {"height", number(bar_height)}});
    svg.close();
}

void write_legend(SvgWriter& svg) {
    double x = chart_left;
    const auto entry = [&](const std::string& classes, const char* label) {
        svg.leaf(
            "rect",
            {{"class", classes}, {"x", number(x)}, {"y", "40"}, {"width", "12"}, {"height", "12"}});
        svg.text("text", {{"x", number(x + 17)}, {"y", "50"}}, label);
        x += 17 + 7.0 * static_cast<double>(std::string_view(label).size()) + 18;
    };
    for (std::size_t p = 0; p < phases; ++p) entry(phase_class[p], phase_label[p]);
    entry("outline failed", "failed");
}

void write_rows(SvgWriter& svg, const Geometry& g, Mode mode) {
    const auto noun = worker_noun(mode);
    for (std::size_t row = 0; row < g.rows; ++row) {
        if (row % 2 == 0) {
            svg.leaf("rect", {{"class", "stripe"},
                              {"x", number(chart_left)},
                              {"y", number(g.row_top(row))},
                              {"width", number(chart_width)},
                              {"height", number(row_height)}});
        }
        const auto first = row * g.workers_per_row;
        const std::string label =
            g.workers_per_row == 1
                ? noun + ' ' + std::to_string(first)
                : noun + "s " + std::to_string(first) + "\u2013" +
                      std::to_string(std::min(first + g.workers_per_row, g.workers) - 1);
        svg.text("text",
                 {{"x", number(chart_left - 8)},
                  {"y", number(g.row_top(row) + 13)},
                  {"text-anchor", "end"}},
                 label);
    }
}

// Ticks every 1, 2 or 5 times a power of ten: at most ten of them.
void write_axis(SvgWriter& svg, const Geometry& g) {
    const double span = chart_width / g.px_per_second;
    double step = std::pow(10.0, std::floor(std::log10(span / 10)));
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (span / (step * factor) <= 10) {
            step *= factor;
            break;
        }
    }
    const double bottom = g.chart_bottom();
    svg.leaf("line", {{"class", "axis"},
                      {"x1", number(chart_left)},
                      {"y1", number(bottom)},
                      {"x2", number(chart_left + chart_width)},
                      {"y2", number(bottom)}});
    for (double t = 0; t <= span * 1.0001; t += step) {
        const double x = chart_left + t * g.px_per_second;
        svg.leaf("line", {{"class", "tick"},
                          {"x1", number(x)},
                          {"y1", number(rows_top)},
                          {"x2", number(x)},
                          {"y2", number(bottom + 4)}});
        svg.text("text", {{"x", number(x)}, {"y", number(bottom + 17)}, {"text-anchor", "middle"}},
                 number(t, 3));
    }
    svg.text("text",
             {{"class", "note"},
              {"x", number(chart_left + chart_width / 2)},
              {"y", number(bottom + 34)},
              {"text-anchor", "middle"}},
             "seconds since the first request started");
}

}  // namespace

void Timeline::record(const Result& result) {
    const Timings& t = result.timings;
    const Clock::time_point unset{};
    Request request{
        result.index,
        result.worker,
        {t.start, t.connected, t.first_byte, t.received, t.done == unset ? Clock::now() : t.done},
        result.status,
        std::nullopt,
        result.url};
    if (result.error) request.error = result.error->kind;
    auto& times = request.times;
    // A request that never started (cancelled before it began) is an instant at its end.
    if (times[0] == unset) times[0] = times[4];
    for (std::size_t i = 3; i >= 1; --i) {
        if (times[i] == unset) times[i] = times[i + 1];
    }
    for (std::size_t i = 1; i < times.size(); ++i) times[i] = std::max(times[i], times[i - 1]);

    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
}

std::size_t Timeline::size() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
}

void Timeline::write_svg(std::ostream& out, const TimelineCaption& caption) const {
    std::lock_guard lock(mutex_);
    const Geometry g = layout(requests_);
    const auto own = own_bars(requests_, g);
    const auto bars = static_cast<std::size_t>(std::count(own.begin(), own.end(), true));
    const auto aggregated = requests_.size() - bars;
    const auto failed = static_cast<std::size_t>(std::count_if(
        requests_.begin(), requests_.end(), [](const Request& r) { return r.error.has_value(); }));
    const double height = g.chart_bottom() + below_rows + (aggregated > 0 ? 22 : 0);

    SvgWriter svg(out);
    svg.open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                     {"width", number(page_width)},
                     {"height", number(height)},
                     {"viewBox", "0 0 " + number(page_width) + ' ' + number(height)},
                     {"data-requests", std::to_string(requests_.size())},
                     {"data-bars", std::to_string(bars)},
                     {"data-aggregated", std::to_string(aggregated)}});
    svg.text("style", {}, style);
    svg.leaf("rect", {{"width", "100%"}, {"height", "100%"}, {"fill", "white"}});
    std::string title = "corocrawl: " + std::string(mode_name(caption.mode)) + " mode, " +
                        plural(caption.workers, worker_noun(caption.mode)) + " \u2014 " +
                        plural(requests_.size(), "request");
    if (failed > 0) title += ", " + std::to_string(failed) + " failed";
    title += ", " + seconds_text(static_cast<double>(caption.wall.count()) / 1000.0) + " s in all";
    svg.text("text", {{"class", "title"}, {"x", "12"}, {"y", "24"}}, title);
    write_legend(svg);
    write_rows(svg, g, caption.mode);
    write_axis(svg, g);

    ShadedCells cells(g);
    for (std::size_t i = 0; i < requests_.size(); ++i) {
        if (!own[i]) cells.add(requests_[i]);
    }
    cells.write(svg);
    for (std::size_t i = 0; i < requests_.size(); ++i) {
        if (own[i]) write_bar(svg, requests_[i], g);
    }
    if (aggregated > 0) {
        svg.text("text", {{"class", "note"}, {"x", "12"}, {"y", number(height - 8)}},
                 std::to_string(aggregated) + " of " + std::to_string(requests_.size()) +
                     " requests are drawn as shaded cells of " + number(cell_width) +
                     " px per row (darker: busier; colour: the phase with the most time; red "
                     "outline: some failed)");
    }
    svg.finish();
}

}  // namespace corocrawl
