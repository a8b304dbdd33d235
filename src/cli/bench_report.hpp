// What `corocrawl bench` measured: a table for people, or JSON for programs.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace corocrawl::cli {

// One mode's row: real runs, or an estimate standing in for runs that would take too long.
struct ModeFigures {
    std::string mode;
    std::size_t workers = 0;
    std::vector<double> runs;        // each run's wall time, in seconds; none when estimated
    std::optional<double> estimate;  // seconds, for a mode not run
    std::string note;                // for an estimate: how it was reckoned
    long peak_rss_kib = 0;           // the largest over the runs; 0 when estimated
    std::size_t ok = 0;              // records of the last run
    std::size_t failed = 0;

    // Over the runs; the estimate when there is one.
    double median() const;
    double fastest() const;
    double slowest() const;
};

struct BenchFigures {
    std::string input;  // what was crawled, in words
    std::size_t urls = 0;
    std::size_t repeat = 0;
    std::vector<ModeFigures> modes;
};

void print_table(std::ostream& out, const BenchFigures& figures);
boost::json::value to_json(const BenchFigures& figures);

}  // namespace corocrawl::cli
