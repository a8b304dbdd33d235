// The answers of a crawl's DNS lookups, shared by every transport and I/O thread. Sans-IO: it
// never asks anyone and never reads a clock; the caller passes `now`.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "corocrawl/result.hpp"

namespace corocrawl::fetch {

// What a lookup found: addresses, or why there are none.
struct DnsAnswer {
    std::vector<boost::asio::ip::address> addresses;  // as the server listed them
    boost::system::error_code error;                  // set when there are no addresses
};

// Thread-safe. A positive answer is kept for the TTL its records carried (the smallest, as
// c-ares reports it; 0 is not kept), a negative one (NXDOMAIN, no data) for `negative_ttl`. When
// full, the entry stored longest ago makes room.
class DnsCache {
  public:
    static constexpr std::chrono::seconds negative_ttl{5};
    static constexpr std::size_t default_capacity = 10'000;

    explicit DnsCache(std::size_t capacity = default_capacity) : capacity_(capacity) {}

    // The live answer for `host` (any case), if there is one.
    std::optional<DnsAnswer> find(std::string_view host, Clock::time_point now);
    // Keeps `answer` for `ttl` (positive answers) or negative_ttl (failures).
    void store(std::string_view host, DnsAnswer answer, std::chrono::seconds ttl,
               Clock::time_point now);
    std::size_t size() const;

  private:
    struct Entry {
        std::string host;
        DnsAnswer answer;
        Clock::time_point expires;
    };
    using Order = std::list<Entry>;  // oldest first

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    Order order_;
    std::unordered_map<std::string, Order::iterator> entries_;
};

}  // namespace corocrawl::fetch
