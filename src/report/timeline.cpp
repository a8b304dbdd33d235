// The timeline as SVG: the title, legend, rows, axis, bars and shaded cells, drawn where
// timeline_layout.hpp puts them.
#include "corocrawl/timeline.hpp"

#include <algorithm>

#include "report/svg.hpp"
#include "report/timeline_layout.hpp"

namespace corocrawl {
namespace {

using namespace report;

constexpr double page_width = chart_left + chart_width + 20;
constexpr double below_rows = 44;  // the axis, its labels and its title

// The phases, in the order of Request::times (see timeline_layout.hpp).
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

// The requests without a bar of their own, as shaded cells (timeline_layout.hpp sums them).
void write_cells(SvgWriter& svg, const std::vector<CellRun>& runs, const Geometry& g) {
    for (const auto& run : runs) {
        std::string classes = phase_class[run.phase];
        if (run.failed) classes += " failed";
        svg.leaf("rect",
                 {{"class", classes},
                  {"x", number(chart_left + static_cast<double>(run.first_cell) * cell_width)},
                  {"y", number(g.row_top(run.row) + bar_inset)},
                  {"width", number(static_cast<double>(run.cells) * cell_width)},
                  {"height", number(bar_height)},
                  {"fill-opacity", number(double(run.level) / opacity_levels)}});
    }
}

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
        const Band band = band_of_row(g, row);
        const std::string label =
            g.workers_per_row == 1
                ? noun + ' ' + std::to_string(band.first)
                : noun + "s " + std::to_string(band.first) + "\u2013" + std::to_string(band.last);
        svg.text("text",
                 {{"x", number(chart_left - 8)},
                  {"y", number(g.row_top(row) + 13)},
                  {"text-anchor", "end"}},
                 label);
    }
}

void write_axis(SvgWriter& svg, const Geometry& g) {
    const double bottom = g.chart_bottom();
    svg.leaf("line", {{"class", "axis"},
                      {"x1", number(chart_left)},
                      {"y1", number(bottom)},
                      {"x2", number(chart_left + chart_width)},
                      {"y2", number(bottom)}});
    for (const double t : time_axis(g).ticks) {
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

    write_cells(svg, shaded_cells(requests_, own, g), g);
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
