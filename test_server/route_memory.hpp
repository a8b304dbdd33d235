// What the test server's routes remember between requests: per-key request counts (/flaky) and
// the compression bombs already built. Shared by every session of one server, so thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "compression.hpp"

namespace corocrawl::test_server {

class RouteMemory {
  public:
    // Counts one more request for `key`; returns how many came before it.
    std::uint64_t count_request(const std::string& key);

    // compressed_zeros(size, format), built by the first request for that format and size and
    // kept for the next ones.
    std::shared_ptr<const std::string> bomb(Compression format, std::uint64_t size);

  private:
    std::mutex counts_mutex_;
    std::unordered_map<std::string, std::uint64_t> request_counts_;
    std::mutex bombs_mutex_;  // held while building one, so each size is built once
    std::map<std::pair<Compression, std::uint64_t>, std::shared_ptr<const std::string>> bombs_;
};

}  // namespace corocrawl::test_server
