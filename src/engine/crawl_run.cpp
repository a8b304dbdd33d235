#include "engine/crawl_run.hpp"

#include <boost/asio/post.hpp>
#include <iostream>

#include "engine/engines.hpp"

namespace corocrawl::engine {

CrawlRun::CrawlRun(const std::deque<Task>& tasks, UrlSource* more,
                   const std::vector<DoneCallback>& on_done, std::size_t parse_threads)
    : tasks_(tasks), more_(more), on_done_(on_done) {
    if (parse_threads > 0) {
        parse_pool_.emplace(parse_threads);
        parse_queue_room_.emplace(static_cast<std::ptrdiff_t>(4 * parse_threads));
    }
}

std::optional<InputLine> CrawlRun::next() {
    return take(true).line;
}

UrlSource::Polled CrawlRun::try_next() {
    return take(false);
}

UrlSource::Polled CrawlRun::take(bool wait_for_stdin) {
    if (cancelled_) return {std::nullopt, true};
    UrlSource::Polled next;
    {
        std::lock_guard lock(mutex_);
        if (next_task_ < tasks_.size()) {
            next.line = InputLine{next_task_, tasks_[next_task_].url()};
            ++next_task_;
        }
    }
    if (!next.line) {
        if (!more_) return {std::nullopt, true};
        // Outside our lock: reading stdin may wait.
        if (wait_for_stdin) {
            next.line = more_->next();
            next.ended = !next.line;
        } else {
            next = more_->try_next();
        }
        if (next.line) next.line->index += tasks_.size();
    }
    if (next.line) {
        std::lock_guard lock(mutex_);
        in_flight_.emplace(next.line->index, next.line->text);
    }
    return next;
}

void CrawlRun::deliver(Result result) {
    {
        std::lock_guard lock(mutex_);
        in_flight_.erase(result.index);
    }
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

void CrawlRun::run_callbacks(Result& result) {
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

    std::lock_guard lock(mutex_);
    ++stats_.urls;
    if (result.ok()) {
        ++stats_.ok;
    } else {
        ++stats_.failed;
        if (result.error->kind == ErrorKind::cancelled) ++stats_.cancelled;
    }
}

void CrawlRun::set_stop(std::function<void()> stop) {
    std::lock_guard lock(mutex_);
    stop_ = std::move(stop);
    if (cancelled_ && stop_) stop_();
}

void CrawlRun::cancel() noexcept {
    cancelled_ = true;
    if (more_) more_->interrupt();  // a worker may be waiting for a line of stdin
    std::lock_guard lock(mutex_);
    if (stop_) stop_();
}

void CrawlRun::deliver_cancelled(std::size_t index, std::string url) {
    Result result;
    result.index = index;
    result.url = std::move(url);
    result.error = Error{ErrorKind::cancelled, "interrupted before it finished"};
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
    if (cancelled_) {
        // Whatever was started and never delivered, then whatever was never started.
        for (auto& [index, url] : std::exchange(in_flight_, {})) deliver_cancelled(index, url);
        for (; next_task_ < tasks_.size(); ++next_task_) {
            deliver_cancelled(next_task_, tasks_[next_task_].url());
        }
        if (more_) {
            for (auto& line : more_->rest_after_cancel()) {
                deliver_cancelled(line.index + tasks_.size(), std::move(line.text));
            }
        }
    }
    std::lock_guard lock(mutex_);
    stats_.interrupted = cancelled_;
    stats_.wall = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    return stats_;
}

}  // namespace corocrawl::engine
