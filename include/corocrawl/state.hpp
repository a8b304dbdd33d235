// A crawl's state directory (--state DIR): the frontier — what waits, what was seen, what each
// host's robots.txt said — and the record of every finished URL, in one SQLite database, so that
// the same command run again resumes after any stop, kill -9 and power loss included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "corocrawl/frontier.hpp"

namespace corocrawl {

// A state that cannot be used: missing, corrupt, or made by another command.
struct StateError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class CrawlState {
  public:
    // What makes a crawl the same crawl (its seeds, scope, extraction, output format): name and
    // value, in the order a difference is to be reported.
    using Identity = std::vector<std::pair<std::string, std::string>>;

    // Opens DIR's state, or makes DIR and a new one. A state made by a command of another
    // identity is refused, naming what differs, unless `force` (it is then this command's). One
    // process at a time: while a CrawlState of DIR is open, another open() of it throws.
    static std::unique_ptr<CrawlState> open(const std::filesystem::path& dir,
                                            const Identity& identity, bool force);
    // An existing state, as it is (`corocrawl state`).
    static std::unique_ptr<CrawlState> inspect(const std::filesystem::path& dir);
    ~CrawlState();
    CrawlState(const CrawlState&) = delete;
    CrawlState& operator=(const CrawlState&) = delete;

    // It held a crawl already: this run resumes it.
    bool resumed() const noexcept;

    struct Summary {
        std::size_t admitted = 0;
        std::size_t ok = 0;
        std::map<std::string, std::size_t> failed;  // by error kind
        std::size_t waiting = 0;
        std::size_t in_flight = 0;  // leased when the last run stopped
        std::size_t hosts = 0;
        std::size_t finished() const noexcept;
        std::size_t failures() const noexcept;
    };
    Summary summary();
    // Every finished URL's record, in admission order: as the crawl's format wrote it, and as
    // JSON Lines.
    void for_each_record(const std::function<void(std::string_view output)>& f);
    void for_each_jsonl(const std::function<void(std::string_view jsonl)>& f);
    // Finished URLs whose error is one of `kinds` wait again, to be fetched by the next run.
    std::size_t retry(const std::vector<ErrorKind>& kinds);

    // The input taken so far: how many seeds, and where a file stands after the last of them.
    std::size_t seeds_taken() const noexcept;
    std::uint64_t input_end() const noexcept;

    // The frontier kept in this state, resumed where it stopped. Memory holds at most
    // options.seen_in_memory fingerprints of seen URLs; the database holds them all. One at a
    // time.
    std::unique_ptr<Frontier> frontier(const FrontierOptions& options);

    class Store;
    class DirectoryLock;

  private:
    CrawlState(std::unique_ptr<Store> store, std::unique_ptr<DirectoryLock> lock);
    std::unique_ptr<DirectoryLock> lock_;  // while crawling in DIR; outlives the store
    std::unique_ptr<Store> store_;
};

}  // namespace corocrawl
