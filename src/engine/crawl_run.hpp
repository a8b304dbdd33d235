// What every mode shares in a crawl: the frontier behind one lock, the input that feeds it, where
// a finished Result goes, and how an interruption is turned into `cancelled` records. Modes
// differ only in how they wait for work: a worker thread sleeps in next(), an event loop's slot
// parks until the instant poll() named or the wake-up it registered with set_wake() — nobody
// polls. Records robots.txt refuses are made here, without the engine.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <semaphore>
#include <thread>

#include "corocrawl/crawler.hpp"
#include "corocrawl/frontier.hpp"

namespace corocrawl::engine {

// A crawl kept in a state: the tasks it admitted already, and how its records are kept.
struct KeptRun {
    std::size_t tasks_taken = 0;
    RecordFormatter record_format;
};

class CrawlRun {
  public:
    // Admits the tasks as the first seeds, and reads `more` (may be null) on a thread of its
    // own, so that a slow stdin holds up no worker. `workers` sizes how far the input reads
    // ahead of the fetching.
    CrawlRun(const std::deque<Task>& tasks, UrlSource* more,
             const std::vector<DoneCallback>& on_done, const CrawlOptions& options,
             Frontier& frontier, KeptRun kept = {});
    ~CrawlRun();
    CrawlRun(const CrawlRun&) = delete;
    CrawlRun& operator=(const CrawlRun&) = delete;

    // The next item to fetch, waiting for one; nothing once the crawl is done or cancelled.
    std::optional<CrawlItem> next();
    // The same without waiting, for an event loop: an item, or none yet (before `ready_at`, when
    // set), or `done`.
    struct Polled {
        std::optional<CrawlItem> item;
        bool done = false;
        std::optional<Clock::time_point> ready_at;
    };
    Polled poll();
    // How `item` is fetched: a page as the crawl's options say, a robots.txt as RFC 9309 does
    // (redirects followed, five at most; no retries, the frontier retries it later).
    const FetchOptions& fetch_options(const CrawlItem& item) const noexcept {
        return item.robots_txt ? robots_fetch_ : fetch_;
    }
    // What makes parked event-loop slots poll again: called, under the run's lock, when work
    // arrives (or the crawl ends) after a poll() found none. It must only post, never call back.
    void set_wake(std::function<void()> wake);

    // Hands the finished fetch of `item` to the done-callbacks (on the parse pool, when there is
    // one), with what the frontier knew of it (depth, referrer); it is acknowledged once they
    // return. A robots.txt goes to the frontier instead. Thread-safe.
    void deliver(const CrawlItem& item, Result result);
    // From the HTTP core: the server of `url` asked for a pause (429, 503). Thread-safe.
    void slow_down(const std::string& url, std::chrono::milliseconds wait);
    // From a done-callback: URLs found on `from` (links, or a redirect's Location) offered to
    // the frontier. Thread-safe.
    void enqueue(const std::vector<std::string>& urls, const Result& from, Hop hop);

    // Thread-safe. `stop` is what makes the running mode stop waiting (set by the engine).
    void cancel() noexcept;
    bool cancelled() const noexcept { return cancelled_; }
    void set_stop(std::function<void()> stop);

    // After the engine returns: waits for the callbacks, reports every unfinished URL as
    // cancelled, and counts.
    CrawlStats finish();

  private:
    void read_input();
    // After the frontier changed: wake whoever found no work, when there is some now (or the
    // end). Called with the lock held.
    void work_arrived();
    // The frontier's next item, with the lock held; a refusal's record is made, the lock let go
    // meanwhile, and the next one taken.
    Frontier::Next take(std::unique_lock<std::mutex>& lock);
    void run_callbacks(Result& result);
    // A record made without a fetch: a refusal, or `error` (cancelled).
    void deliver_unfetched(const CrawlItem& item, Error error);

    const std::deque<Task>& tasks_;
    UrlSource* more_;
    const std::vector<DoneCallback>& on_done_;
    const RecordFormatter record_format_;
    const std::size_t read_ahead_;  // admitted seeds waiting, at most, before the input pauses
    const FetchOptions& fetch_;
    const FetchOptions robots_fetch_;
    std::optional<boost::asio::thread_pool> parse_pool_;
    // Pages waiting for a parse thread hold their bodies: when parsing falls behind, deliver()
    // waits here, which slows fetching down instead of filling memory.
    std::optional<std::counting_semaphore<>> parse_queue_room_;
    const Clock::time_point started_ = Clock::now();

    std::mutex mutex_;  // guards everything below, and the frontier
    Frontier& frontier_;
    std::condition_variable work_or_end_;  // for next()
    std::condition_variable input_room_;   // for the input thread
    bool starved_ = false;                 // a poll() or next() found no work since the last wake
    bool input_paused_ = false;            // the input thread waits for input_room_
    std::function<void()> wake_;
    std::function<void()> stop_;
    CrawlStats stats_;
    std::atomic<bool> cancelled_{false};
    std::jthread input_;  // last: joined first
};

}  // namespace corocrawl::engine
