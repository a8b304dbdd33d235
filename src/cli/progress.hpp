// A one-line progress display on stderr, redrawn a few times a second while a crawl runs.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <ostream>
#include <thread>

#include "corocrawl/result.hpp"

namespace corocrawl::cli {

class ProgressLine {
  public:
    // Draws nothing unless `enabled` (the CLI enables it when stderr is a terminal).
    ProgressLine(std::ostream& out, bool enabled);
    ~ProgressLine();  // erases the line
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    void count(const Result& result) noexcept;

  private:
    void draw();

    std::ostream& out_;
    std::atomic<std::size_t> ok_{0};
    std::atomic<std::size_t> failed_{0};
    const Clock::time_point started_ = Clock::now();
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread drawer_;
};

}  // namespace corocrawl::cli
