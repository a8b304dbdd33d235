#include "cli/progress.hpp"

#include <chrono>
#include <cstdio>

namespace corocrawl::cli {

ProgressLine::ProgressLine(std::ostream& out, bool enabled) : out_(out) {
    if (!enabled) return;
    drawer_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (
            !wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; })) {
            draw();
        }
        out_ << "\r\033[K" << std::flush;
    });
}

ProgressLine::~ProgressLine() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (drawer_.joinable()) drawer_.join();
}

void ProgressLine::count(const Result& result) noexcept {
    (result.ok() ? ok_ : failed_).fetch_add(1, std::memory_order_relaxed);
}

void ProgressLine::draw() {
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    const std::size_t ok = ok_, failed = failed_;
    char line[160];
    std::snprintf(line, sizeof line, "\r\033[K%zu done (%zu ok, %zu failed)  %.1f s  %.0f pages/s",
                  ok + failed, ok, failed, seconds, seconds > 0 ? (ok + failed) / seconds : 0.0);
    out_ << line << std::flush;
}

}  // namespace corocrawl::cli
