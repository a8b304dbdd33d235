// A frontier many crawler processes share, on one machine or many: kept in a Redis server
// (--frontier redis://HOST:PORT/NAME). Every process started with the same NAME works on one
// crawl: seeds and links are admitted once, whoever finds them; a URL is leased, not popped, so a
// worker that dies or hangs loses nothing (its lease expires and another worker takes the URL);
// politeness and robots.txt hold for all the processes together.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "corocrawl/frontier.hpp"

namespace corocrawl {

// Where the shared crawl lives: "redis://HOST[:PORT]/NAME" or "unix:///PATH/TO/SOCKET?name=NAME".
struct RedisAddress {
    std::string text;  // as given
    std::string host;  // TCP, when `socket` is empty
    int port = 6379;
    std::string socket;  // a unix socket's path
    std::string name;    // the crawl's: [A-Za-z0-9._-], at most 100 characters
};
// Throws std::invalid_argument saying what is wrong with `text`.
RedisAddress parse_redis_address(std::string_view text);

// Redis could not be reached, or answered with an error, where nothing could wait for it.
struct SharedFrontierError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct SharedFrontierOptions {
    RedisAddress redis;
    // A lease's visibility timeout: a URL leased this long ago, and not renewed by its worker
    // (which renews its leases every quarter of it while it lives), goes to another worker.
    std::chrono::milliseconds lease_timeout{60'000};
    // Leases of one URL that may expire before it gets a record of its own (worker_lost): a URL
    // that kills every worker it is given must not kill them all.
    unsigned lease_attempts = 3;
    // Leases renewed, and the worker kept alive, by a thread of its own. Off only for tests whose
    // clock is not the real one.
    bool renew_in_background = true;
};

// Connects (a SharedFrontierError when Redis cannot be reached now: a mistyped address fails
// before any request; std::invalid_argument for options it cannot share: autothrottle). Later
// outages are waited out: the frontier pauses, reconnects with backoff, and says so on stderr.
std::unique_ptr<Frontier> make_redis_frontier(const FrontierOptions& options,
                                              const SharedFrontierOptions& shared);

// What `corocrawl frontier ADDRESS` prints: the shared crawl as Redis holds it.
struct SharedCrawlStatus {
    std::size_t admitted = 0;
    std::size_t waiting = 0;
    std::size_t in_flight = 0;  // leased
    std::size_t done = 0;
    std::size_t seen = 0;
    std::size_t expired = 0;  // leases that expired and were handed out again
    std::size_t gave_up = 0;  // URLs whose leases expired lease_attempts times (worker_lost)
    std::size_t late = 0;     // acknowledgements that found their lease gone (expired, or
                              // sent again after a reconnect)
    std::size_t workers = 0;  // processes alive now
    std::size_t robots_fetched = 0;
    std::size_t memory = 0;  // bytes Redis uses, all crawls and data together
    struct Host {
        std::size_t waiting = 0;
        std::size_t in_flight = 0;
    };
    std::map<std::string, Host> hosts;  // by origin
};
SharedCrawlStatus shared_crawl_status(const RedisAddress& address);
// Deletes every key of the crawl; returns how many there were.
std::size_t clear_shared_crawl(const RedisAddress& address);

}  // namespace corocrawl
