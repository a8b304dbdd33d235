// The crawl: URLs in, Results out to done-callbacks. The three modes differ only in how they wait.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "corocrawl/frontier.hpp"
#include "corocrawl/options.hpp"
#include "corocrawl/result.hpp"
#include "corocrawl/shared_frontier.hpp"
#include "corocrawl/state.hpp"
#include "corocrawl/url_source.hpp"

namespace corocrawl {

// Called once per finished URL. It may fill `result.extractions`; later callbacks see that.
// Callbacks for different URLs may run at the same time on different threads (one per event
// loop in async, per worker in pool, per parse thread): guard what they share.
using DoneCallback = std::function<void(Result&)>;
// What a --state store keeps of a finished Result (after its done-callbacks ran).
using RecordFormatter = std::function<StoredRecord(const Result&)>;

// One URL added with Crawler::add, like an asyncio task: give it callbacks before run().
class Task {
  public:
    const std::string& url() const noexcept { return url_; }
    void add_done_callback(DoneCallback callback) { callbacks_.push_back(std::move(callback)); }
    const std::vector<DoneCallback>& callbacks() const noexcept { return callbacks_; }

  private:
    friend class Crawler;
    explicit Task(std::string url) : url_(std::move(url)) {}
    std::string url_;
    std::vector<DoneCallback> callbacks_;
};

struct CrawlStats {
    std::size_t urls = 0;
    std::size_t ok = 0;
    std::size_t failed = 0;  // cancelled ones included
    std::size_t cancelled = 0;
    std::chrono::milliseconds wall{0};
    bool interrupted = false;
    FrontierCounts frontier;  // links discovered, and why those not admitted were not

    double pages_per_second() const noexcept;
};

// Throws std::invalid_argument naming the first option that cannot work (a header with CR or LF
// in it, a method that is not a token, an unusable CA file). Crawler::run calls it before any
// traffic; a command line calls it to report a usage error.
void validate(const CrawlOptions& options);

class Crawler {
  public:
    explicit Crawler(CrawlOptions options = {});
    ~Crawler();
    Crawler(const Crawler&) = delete;
    Crawler& operator=(const Crawler&) = delete;

    // Adds a URL to crawl; the reference stays valid for the Crawler's life.
    Task& add(std::string url);
    // Called for every finished URL, after that URL's own task callbacks.
    void on_done(DoneCallback callback);

    // From a done-callback: URLs found on the page `from` — its links (one level deeper), or
    // its redirect's Location (`Hop::redirect`, the same depth) — for the frontier to admit or
    // refuse by CrawlOptions::frontier (scope, depth, filters, seen, max_pages). Each admitted
    // one gets its Result (and callbacks) like any other. Thread-safe.
    void enqueue(const Result& from, const std::vector<std::string>& urls, Hop hop = Hop::link);

    // Keeps the crawl in `state` (--state DIR): the next run() resumes what it holds, skipping
    // the seeds it took already, and every finished URL's record, as `format` makes it, is kept
    // there. An interruption then owes no `cancelled` Results: those URLs wait for the next run.
    void keep_state(CrawlState& state, RecordFormatter format);
    // Shares the crawl with every process given the same Redis crawl (--frontier): seeds and
    // links go to Redis, and this process fetches what it leases from there. Each Result is
    // this process's; the tasks' own callbacks cannot be called for URLs another process added,
    // so run() then takes no tasks with callbacks. An interruption owes no `cancelled` Results:
    // the URLs go back to the shared crawl.
    void share_frontier(SharedFrontierOptions shared);

    // Crawls the added tasks, then everything `more` yields; returns when all are done or
    // after cancel(). Every URL gets exactly one Result, cancelled ones included (without a
    // state).
    CrawlStats run(UrlSource* more = nullptr);

    // Stops the crawl from any thread: no new requests; in-flight ones end as `cancelled`.
    void cancel() noexcept;

  private:
    struct State;
    std::unique_ptr<Frontier> make_frontier() const;
    CrawlOptions options_;
    std::deque<Task> tasks_;
    std::vector<DoneCallback> on_done_;
    CrawlState* kept_in_ = nullptr;
    std::optional<SharedFrontierOptions> shared_;
    RecordFormatter record_format_;
    std::unique_ptr<State> state_;
};

}  // namespace corocrawl
