// What every mode shares in a crawl: where the next URL comes from, where a finished Result goes,
// and how an interruption is turned into `cancelled` records. Modes differ only in how they wait.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <semaphore>

#include "corocrawl/crawler.hpp"

namespace corocrawl::engine {

class CrawlRun {
  public:
    CrawlRun(const std::deque<Task>& tasks, UrlSource* more,
             const std::vector<DoneCallback>& on_done, std::size_t parse_threads);

    // The next URL to fetch; nothing at the end of the input or once cancelled. Thread-safe.
    std::optional<InputLine> next();
    // The same without waiting for stdin: a line, or none yet, or the end (`ended`).
    UrlSource::Polled try_next();
    // Hands a finished Result to the done-callbacks (on the parse pool, when there is one).
    // Thread-safe.
    void deliver(Result result);

    // Thread-safe. `stop` is what makes the running mode stop waiting (set by the engine).
    void cancel() noexcept;
    bool cancelled() const noexcept { return cancelled_; }
    void set_stop(std::function<void()> stop);

    // After the engine returns: waits for the callbacks, reports every unfinished URL as
    // cancelled, and counts.
    CrawlStats finish();

  private:
    UrlSource::Polled take(bool wait_for_stdin);
    void run_callbacks(Result& result);
    void deliver_cancelled(std::size_t index, std::string url);

    const std::deque<Task>& tasks_;
    UrlSource* more_;
    const std::vector<DoneCallback>& on_done_;
    std::optional<boost::asio::thread_pool> parse_pool_;
    // Pages waiting for a parse thread hold their bodies: when parsing falls behind, deliver()
    // waits here, which slows fetching down instead of filling memory.
    std::optional<std::counting_semaphore<>> parse_queue_room_;
    const Clock::time_point started_ = Clock::now();

    std::mutex mutex_;  // guards everything below
    std::size_t next_task_ = 0;
    std::map<std::size_t, std::string> in_flight_;  // index -> URL, started and not delivered
    std::function<void()> stop_;
    CrawlStats stats_;
    std::atomic<bool> cancelled_{false};
};

}  // namespace corocrawl::engine
