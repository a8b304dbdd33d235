// The timeline picture of a crawl: a Gantt chart with one row per worker (a pool thread, or a
// concurrency slot in async mode) and one bar per request, shaded by phase, as a self-contained
// SVG file.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "corocrawl/options.hpp"
#include "corocrawl/result.hpp"

namespace corocrawl {

// What the chart's title says of the crawl it draws.
struct TimelineCaption {
    Mode mode;
    std::size_t workers;             // concurrency slots (async) or threads
    std::chrono::milliseconds wall;  // the crawl's whole time
};

class Timeline {
  public:
    // One recorded request.
    struct Request {
        std::size_t index;  // input position
        std::size_t worker;
        // start, connected, first byte, received, done: every one set, in order (an unset
        // phase takes the time of the next set one, so a failure fills the phase it failed in).
        std::array<Clock::time_point, 5> times;
        int status;
        std::optional<ErrorKind> error;
        std::string url;
    };

    // Keeps what the chart needs from a finished Result: worker, phase times, outcome and URL,
    // never the body. Meant to be the last done-callback: `timings.done` is only set after every
    // callback ran, so an unset one means "now", the end of the callbacks before this one.
    // Thread-safe.
    void record(const Result& result);

    std::size_t size() const;

    // The chart, titled by `caption`. Up to 60
    // workers get a row each; more are gathered into bands of neighbouring workers. A request
    // gets its own bar (`<rect class="request">`, plus "failed" when it failed) unless its row is
    // a band, or it is narrower than a pixel and shares that pixel with another such request of its
    // row, or the chart would hold more than 2,000 bars: those are drawn as shaded cells, and
    // the root element's `data-aggregated` attribute says how many.
    void write_svg(std::ostream& out, const TimelineCaption& caption) const;

  private:
    mutable std::mutex mutex_;
    std::vector<Request> requests_;
};

}  // namespace corocrawl
