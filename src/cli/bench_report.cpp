#include "cli/bench_report.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>

namespace corocrawl::cli {
namespace {

std::string format(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string seconds_text(double seconds) {
    return format(seconds < 100 ? "%.3f" : "%.1f", seconds);
}

// The speed-up over the slowest mode, estimates included: what the lesson is about.
double slowest_median(const BenchFigures& figures) {
    double slowest = 0;
    for (const auto& mode : figures.modes) slowest = std::max(slowest, mode.median());
    return slowest;
}

double pages_per_second(const BenchFigures& figures, const ModeFigures& mode) {
    return mode.median() > 0 ? static_cast<double>(figures.urls) / mode.median() : 0;
}

}  // namespace

double ModeFigures::median() const {
    if (estimate) return *estimate;
    if (runs.empty()) return 0;
    auto sorted = runs;
    std::sort(sorted.begin(), sorted.end());
    const auto middle = sorted.size() / 2;
    return sorted.size() % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

double ModeFigures::fastest() const {
    return runs.empty() ? median() : *std::min_element(runs.begin(), runs.end());
}

double ModeFigures::slowest() const {
    return runs.empty() ? median() : *std::max_element(runs.begin(), runs.end());
}

void print_table(std::ostream& out, const BenchFigures& figures) {
    out << "corocrawl bench: " << figures.urls << " URLs, " << figures.input << "; median of "
        << figures.repeat << (figures.repeat == 1 ? " run" : " runs") << " per mode\n\n";
    char line[256];
    std::snprintf(line, sizeof line, "%-6s %7s  %-24s %9s %11s %11s %9s\n", "mode", "workers",
                  "total (s)", "pages/s", "peak RSS", "ok", "speed-up");
    out << line;
    const double slowest = slowest_median(figures);
    for (const auto& mode : figures.modes) {
        std::string total = seconds_text(mode.median());
        if (mode.estimate) {
            total = "~" + total + " (estimate*)";
        } else if (mode.runs.size() > 1) {
            total += " (" + seconds_text(mode.fastest()) + "-" + seconds_text(mode.slowest()) + ")";
        }
        const std::string memory =
            mode.estimate ? "-" : format("%.1f MiB", static_cast<double>(mode.peak_rss_kib) / 1024);
        const std::string ok =
            mode.estimate ? "-"
                          : std::to_string(mode.ok) + "/" + std::to_string(mode.ok + mode.failed);
        std::snprintf(line, sizeof line, "%-6s %7zu  %-24s %9.1f %11s %11s %8.1fx\n",
                      mode.mode.c_str(), mode.workers, total.c_str(),
                      pages_per_second(figures, mode), memory.c_str(), ok.c_str(),
                      mode.median() > 0 ? slowest / mode.median() : 0.0);
        out << line;
    }
    bool first = true;
    for (const auto& mode : figures.modes) {
        if (!mode.estimate) continue;
        out << (first ? "\n" : "") << "* " << mode.mode << ": " << mode.note << '\n';
        first = false;
    }
}

boost::json::value to_json(const BenchFigures& figures) {
    const double slowest = slowest_median(figures);
    boost::json::array modes;
    for (const auto& mode : figures.modes) {
        boost::json::object row{
            {"mode", mode.mode},
            {"workers", mode.workers},
            {"estimated", mode.estimate.has_value()},
            {"total_s", mode.median()},
            {"min_s", mode.fastest()},
            {"max_s", mode.slowest()},
            {"runs_s", boost::json::array(mode.runs.begin(), mode.runs.end())},
            {"pages_per_s", pages_per_second(figures, mode)},
            {"speedup", mode.median() > 0 ? slowest / mode.median() : 0.0},
        };
        if (mode.estimate) {
            row["note"] = mode.note;
            row["peak_rss_kib"] = nullptr;
            row["ok"] = nullptr;
            row["failed"] = nullptr;
        } else {
            row["note"] = nullptr;
            row["peak_rss_kib"] = mode.peak_rss_kib;
            row["ok"] = mode.ok;
            row["failed"] = mode.failed;
        }
        modes.push_back(std::move(row));
    }
    return boost::json::object{{"input", figures.input},
                               {"urls", figures.urls},
                               {"repeat", figures.repeat},
                               {"modes", std::move(modes)}};
}

}  // namespace corocrawl::cli
