#include "cli/progress.hpp"

#include <chrono>
#include <cstdio>
#include <string>

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

void ProgressLine::set_total(std::size_t total) noexcept {
    total_.store(total, std::memory_order_relaxed);
}

std::string progress_text(std::size_t ok, std::size_t failed, std::size_t total, double seconds) {
    const std::size_t done = ok + failed;
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
    char line[200];
    if (total == 0 || done > total) {
        std::snprintf(line, sizeof line, "%zu done (%zu ok, %zu failed)  %.1f s  %.0f pages/s",
                      done, ok, failed, seconds, rate);
        return line;
    }
    const double percent = 100.0 * static_cast<double>(done) / static_cast<double>(total);
    char eta[32] = "ETA --";  // until the first record gives a rate
    if (rate > 0) {
        const auto left = static_cast<long long>(static_cast<double>(total - done) / rate + 0.5);
        if (left >= 3600) {
            std::snprintf(eta, sizeof eta, "ETA %lld:%02lld:%02lld", left / 3600, left / 60 % 60,
                          left % 60);
        } else {
            std::snprintf(eta, sizeof eta, "ETA %lld:%02lld", left / 60, left % 60);
        }
    }
    std::snprintf(line, sizeof line,
                  "%zu/%zu done (%.1f%%, %zu ok, %zu failed)  %.1f s  %.0f pages/s  %s", done,
                  total, percent, ok, failed, seconds, rate, eta);
    return line;
}

void ProgressLine::draw() {
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    out_ << "\r\033[K" << progress_text(ok_, failed_, total_, seconds) << std::flush;
}

}  // namespace corocrawl::cli
