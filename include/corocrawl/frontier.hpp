// The frontier: what waits to be fetched, what is in flight, what was seen, which URLs are
// admitted at all, and when each host may be asked again. It decides and never waits (no I/O, no
// clock of its own, no lock): the engine asks it for work at an instant it names, and does the
// waiting its own way, holding one lock around it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "corocrawl/options.hpp"

namespace corocrawl {

// One admitted URL: leased to a worker, acknowledged by its record.
struct CrawlItem {
    std::size_t index = 0;  // its record's place: the order of admission, seeds first as given
    std::string url;        // as given (a seed) or as resolved (a link)
    std::size_t depth = 0;  // links from a seed; a redirect's target keeps its source's depth
    std::shared_ptr<const std::string> referrer;  // the page that linked it; null for a seed
    // Not a record's URL but its origin's robots.txt, fetched for the frontier: hand the Result
    // to Frontier::robots_fetched, not to the done-callbacks.
    bool robots_txt = false;
};

// How a URL was found on a fetched page.
enum class Hop {
    link,      // a link on it: one level deeper
    redirect,  // its Location: the same depth (and a seed's redirect widens the scope)
    sitemap,   // listed in it, a sitemap: the same depth
};

// What the admission gate made of an offered URL.
enum class Verdict {
    admitted,
    duplicate,     // seen before (in its canonical form)
    out_of_scope,  // another host or domain than the seeds'
    filtered,      // by --include / --exclude
    too_deep,      // beyond max_depth
    over_limit,    // max_pages reached
    unsupported,   // not an http(s) URL (mailto:, javascript:, ...) or not a URL at all
};

// What a store that outlives the process (--state) keeps of a finished URL: its record as the
// output has it, so that a resumed crawl can bring the output in line, and as JSON Lines.
struct StoredRecord {
    std::string output;  // as the crawl's format writes it
    std::string jsonl;   // as JSON Lines, when that format is another; else empty
    std::optional<ErrorKind> error;
};

struct FrontierCounts {
    std::size_t admitted = 0;    // records owed: seeds and links
    std::size_t seeds = 0;       // of them
    std::size_t discovered = 0;  // links offered (each occurrence on each page)
    std::size_t duplicates = 0;
    std::size_t out_of_scope = 0;
    std::size_t filtered = 0;
    std::size_t too_deep = 0;
    std::size_t over_limit = 0;
    std::size_t unsupported = 0;
    std::size_t robots_fetched = 0;     // robots.txt requests, one per origin (and its retries)
    std::size_t robots_disallowed = 0;  // records refused by robots.txt
};

// What a finished fetch told of its host: --autothrottle adapts the host's delay to it.
struct HostFeedback {
    std::optional<std::chrono::milliseconds> latency;  // connected -> response header
    unsigned status = 0;                               // 0: no response
    bool overloaded = false;  // 429, 503 or a timeout: the host asks for less
};

class Frontier {
  public:
    virtual ~Frontier() = default;

    // A seed is always admitted (every input line gets its record, a bad one an error); its host
    // joins the scope. `input_end` is where the input stands after it (a byte offset in a file),
    // so that a store that outlives the process can read on from there. Returns its record's
    // index.
    virtual std::size_t add_seed(std::string url, std::uint64_t input_end = 0) = 0;
    // URLs found on the page `from` (an item leased from here, not yet acknowledged): a verdict
    // for each, in order.
    virtual std::vector<Verdict> offer(const std::vector<std::string>& urls, const CrawlItem& from,
                                       Hop hop) = 0;
    // No more seeds will come.
    virtual void close_input() = 0;

    struct Next {
        std::optional<CrawlItem> item;  // fetch this, unless:
        // Its record is this error, without a fetch (robots.txt disallows it). Kept here, not in
        // every waiting item: a million of them would carry it for nothing.
        std::optional<Error> refusal;
        bool done = false;  // nothing waits, nothing is leased, the input is closed
        // Neither: nothing before this instant (a host's delay), or, when unset, nothing until a
        // leased item is acknowledged or a URL arrives.
        std::optional<Clock::time_point> ready_at;
    };
    virtual Next next(Clock::time_point now) = 0;
    // The leased item's record is out: its done-callbacks ran and offered what they found. A
    // store that outlives the process keeps `record`; without one (the fetch was interrupted),
    // the URL waits for the next run.
    virtual void acknowledge(std::size_t index, const HostFeedback& feedback = {},
                             const StoredRecord* record = nullptr) = 0;
    // The Result of a leased robots_txt item.
    virtual void robots_fetched(const CrawlItem& item, const Result& result,
                                Clock::time_point now) = 0;
    // The server of `url` asked for a pause (429 or 503, with Retry-After or not): none of its
    // host's URLs is handed out before now + wait.
    virtual void slow_down(std::string_view url, std::chrono::milliseconds wait,
                           Clock::time_point now) = 0;

    // Admitted and not yet leased (the input holds back while many wait).
    virtual std::size_t waiting() const = 0;
    // Whether next() would say done, when nothing waits: nothing is leased and the input is
    // closed. Asks nothing of a store elsewhere (a shared store answers as it was last told).
    virtual bool finished() const = 0;
    // After an interruption: every leased and waiting item, each owed a `cancelled` record.
    virtual std::vector<CrawlItem> drain() = 0;
    virtual FrontierCounts counts() const = 0;
    // Whether what is unfinished outlives the process (--state): an interruption then owes no
    // `cancelled` records, the next run fetches those URLs.
    virtual bool keeps_state() const noexcept { return false; }
};

// The in-memory frontier, the default. Throws std::invalid_argument for an --include or
// --exclude pattern RE2 cannot compile.
std::unique_ptr<Frontier> make_memory_frontier(const FrontierOptions& options);

// Throws std::invalid_argument naming the first option the frontier cannot work with.
void validate(const FrontierOptions& options);

}  // namespace corocrawl
