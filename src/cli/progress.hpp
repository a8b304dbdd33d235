// A one-line progress display on stderr, redrawn a few times a second while a crawl runs:
// records done, ok and failed, time and rate, and with a known total the share done and time left.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

#include "corocrawl/result.hpp"

namespace corocrawl::cli {

// The line's text: "D done (O ok, F failed)  S s  R pages/s", or with a total T (0: unknown)
// "D/T done (P%, O ok, F failed)  S s  R pages/s  ETA M:SS".
std::string progress_text(std::size_t ok, std::size_t failed, std::size_t total, double seconds);

class ProgressLine {
  public:
    // Draws nothing unless `enabled` (the CLI enables it when stderr is a terminal).
    ProgressLine(std::ostream& out, bool enabled);
    ~ProgressLine();  // erases the line
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    void count(const Result& result) noexcept;
    // How many records the crawl will write, once known (URL arguments, a counted -i FILE): the
    // line then shows a percentage and an estimate of the time left. Never called for stdin.
    void set_total(std::size_t total) noexcept;

  private:
    void draw();

    std::ostream& out_;
    std::atomic<std::size_t> ok_{0};
    std::atomic<std::size_t> failed_{0};
    std::atomic<std::size_t> total_{0};  // 0: not known
    const Clock::time_point started_ = Clock::now();
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread drawer_;
};

}  // namespace corocrawl::cli
