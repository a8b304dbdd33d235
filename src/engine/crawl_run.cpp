#include "engine/crawl_run.hpp"

#include <boost/asio/post.hpp>
#include <iostream>

#include "engine/engines.hpp"
#include "frontier/robots.hpp"

namespace corocrawl::engine {

CrawlRun::CrawlRun(const std::deque<Task>& tasks, UrlSource* more,
                   const std::vector<DoneCallback>& on_done, const CrawlOptions& options,
                   Frontier& frontier, KeptRun kept)
    : tasks_(tasks),
      more_(more),
      on_done_(on_done),
      record_format_(std::move(kept.record_format)),
      read_ahead_(std::max<std::size_t>(1024, 2 * workers(options))),
      fetch_(options.fetch),
      robots_fetch_(frontier::robots_fetch_options(options.fetch)),
      frontier_(frontier) {
    if (options.parse_threads > 0) {
        parse_pool_.emplace(options.parse_threads);
        parse_queue_room_.emplace(static_cast<std::ptrdiff_t>(4 * options.parse_threads));
    }
    // The tasks first, so that their indexes are their places in tasks_.
    for (std::size_t i = kept.tasks_taken; i < tasks_.size(); ++i)
        frontier_.add_seed(tasks_[i].url());
    if (more_) {
        input_ = std::jthread([this] { read_input(); });
    } else {
        frontier_.close_input();
    }
}

CrawlRun::~CrawlRun() {
    if (input_.joinable()) {
        cancel();  // only an exception on the way out leaves it running
        input_.join();
    }
}

void CrawlRun::read_input() {
    while (auto line = more_->next()) {
        std::unique_lock lock(mutex_);
        input_paused_ = true;
        input_room_.wait(lock, [&] { return cancelled_ || frontier_.waiting() < read_ahead_; });
        input_paused_ = false;
        // Taken from the input, so owed a record, even if only a cancelled one.
        frontier_.add_seed(std::move(line->text), line->end_offset);
        work_arrived();
        if (cancelled_) break;
    }
    std::lock_guard lock(mutex_);
    frontier_.close_input();
    work_arrived();
}

void CrawlRun::work_arrived() {
    if (!starved_) return;
    if (frontier_.waiting() == 0 && !frontier_.finished()) return;
    starved_ = false;
    work_or_end_.notify_all();
    if (wake_) wake_();
}

Frontier::Next CrawlRun::take(std::unique_lock<std::mutex>& lock) {
    for (;;) {
        auto next = frontier_.next(Clock::now());
        if (next.item) {
            // Read ahead again once half the room is free: one wake-up per many lines.
            if (input_paused_ && frontier_.waiting() < read_ahead_ / 2) input_room_.notify_one();
        } else if (!next.done) {
            starved_ = true;
        }
        if (!next.refusal) return next;
        lock.unlock();
        deliver_unfetched(*next.item, std::move(*next.refusal));
        lock.lock();
        if (cancelled_) return {};
    }
}

std::optional<CrawlItem> CrawlRun::next() {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (cancelled_) return std::nullopt;
        auto next = take(lock);
        if (next.item || next.done) return std::move(next.item);
        // (take() may have let the lock go, and missed cancel()'s notification meanwhile.)
        if (cancelled_) return std::nullopt;
        if (next.ready_at) {
            work_or_end_.wait_until(lock, *next.ready_at);
        } else {
            work_or_end_.wait(lock);
        }
    }
}

CrawlRun::Polled CrawlRun::poll() {
    std::unique_lock lock(mutex_);
    if (cancelled_) return {std::nullopt, true, std::nullopt};
    auto next = take(lock);
    if (cancelled_) return {std::nullopt, true, std::nullopt};
    return {std::move(next.item), next.done, next.ready_at};
}

void CrawlRun::set_wake(std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
}

void CrawlRun::deliver(const CrawlItem& item, Result result) {
    if (item.robots_txt) {
        std::lock_guard lock(mutex_);
        frontier_.robots_fetched(item, result, Clock::now());
        work_arrived();
        return;
    }
    result.depth = item.depth;
    if (item.referrer) result.referrer = *item.referrer;
    if (parse_pool_) {
        parse_queue_room_->acquire();
        boost::asio::post(*parse_pool_, [this, result = std::move(result)]() mutable {
            run_callbacks(result);
            parse_queue_room_->release();
        });
    } else {
        run_callbacks(result);
    }
}

void CrawlRun::slow_down(const std::string& url, std::chrono::milliseconds wait) {
    std::lock_guard lock(mutex_);
    frontier_.slow_down(url, wait, Clock::now());
}

void CrawlRun::enqueue(const std::vector<std::string>& urls, const Result& from, Hop hop) {
    if (urls.empty()) return;
    CrawlItem page;
    page.index = from.index;
    page.url = from.final_url.empty() ? from.url : from.final_url;
    page.depth = from.depth;
    std::lock_guard lock(mutex_);
    frontier_.offer(urls, page, hop);
    work_arrived();
}

namespace {

// What --autothrottle learns of a host from a record.
HostFeedback host_feedback(const Result& result) {
    HostFeedback feedback;
    const Timings& at = result.timings;
    if (at.connected != Clock::time_point{} && at.first_byte >= at.connected) {
        feedback.latency =
            std::chrono::duration_cast<std::chrono::milliseconds>(at.first_byte - at.connected);
    }
    feedback.status = static_cast<unsigned>(result.status);
    feedback.overloaded = result.status == 429 || result.status == 503 ||
                          (result.error && result.error->kind == ErrorKind::timeout);
    return feedback;
}

}  // namespace

void CrawlRun::run_callbacks(Result& result) {
    if (frontier_.keeps_state() && result.error && result.error->kind == ErrorKind::cancelled) {
        // Not a record: the URL waits in the state for the next run.
        std::lock_guard lock(mutex_);
        frontier_.acknowledge(result.index, {}, nullptr);
        work_arrived();
        return;
    }
    // A callback that throws must not take the crawl (or a worker thread) down with it.
    const auto call = [&result](const DoneCallback& callback) {
        try {
            callback(result);
        } catch (const std::exception& e) {
            std::cerr << "corocrawl: a done-callback failed for " << result.url << ": " << e.what()
                      << '\n';
        }
    };
    if (result.index < tasks_.size()) {
        for (const auto& callback : tasks_[result.index].callbacks()) call(callback);
    }
    for (const auto& callback : on_done_) call(callback);
    result.timings.done = Clock::now();
    std::optional<StoredRecord> record;
    if (frontier_.keeps_state()) {
        record = record_format_ ? record_format_(result) : StoredRecord{};
        record->error = result.error ? std::optional(result.error->kind) : std::nullopt;
    }

    std::lock_guard lock(mutex_);
    // Acknowledged after the callbacks: until then they may still offer links, so the crawl
    // cannot end (and a kept record is written after the links its page offered).
    frontier_.acknowledge(result.index, host_feedback(result), record ? &*record : nullptr);
    ++stats_.urls;
    if (result.ok()) {
        ++stats_.ok;
    } else {
        ++stats_.failed;
        if (result.error->kind == ErrorKind::cancelled) ++stats_.cancelled;
    }
    work_arrived();
}

void CrawlRun::set_stop(std::function<void()> stop) {
    std::lock_guard lock(mutex_);
    stop_ = std::move(stop);
    if (cancelled_ && stop_) stop_();
}

void CrawlRun::cancel() noexcept {
    cancelled_ = true;
    if (more_) more_->interrupt();  // the input may be waiting for a line of stdin
    std::lock_guard lock(mutex_);
    work_or_end_.notify_all();
    input_room_.notify_all();
    if (stop_) stop_();
}

void CrawlRun::deliver_unfetched(const CrawlItem& item, Error error) {
    Result result;
    result.index = item.index;
    result.url = item.url;
    result.depth = item.depth;
    if (item.referrer) result.referrer = *item.referrer;
    result.error = std::move(error);
    run_callbacks(result);
}

Result internal_failure(std::size_t index, std::string url, const std::exception& error) {
    Result result;
    result.index = index;
    result.url = std::move(url);
    result.error = Error{ErrorKind::protocol, std::string("internal error: ") + error.what()};
    return result;
}

CrawlStats CrawlRun::finish() {
    if (parse_pool_) parse_pool_->join();
    if (input_.joinable()) input_.join();
    if (cancelled_ && frontier_.keeps_state()) {
        // What is unfinished stays in the state for the next run: it owes no records now.
        std::lock_guard lock(mutex_);
        frontier_.drain();
    } else if (cancelled_) {
        // Whatever was started and never delivered, whatever waited, then what the input still
        // held.
        std::vector<CrawlItem> rest;
        {
            std::lock_guard lock(mutex_);
            if (more_) {
                for (auto& line : more_->rest_after_cancel()) {
                    frontier_.add_seed(std::move(line.text));
                }
            }
            rest = frontier_.drain();
        }
        for (const auto& item : rest)
            deliver_unfetched(item, Error{ErrorKind::cancelled, "interrupted before it finished"});
    }
    std::lock_guard lock(mutex_);
    stats_.interrupted = cancelled_;
    stats_.frontier = frontier_.counts();
    stats_.wall = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    return stats_;
}

}  // namespace corocrawl::engine
