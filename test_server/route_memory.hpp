// What the test server's routes remember between requests: per-key request counts (/flaky) and
// the gzip bombs already built. Shared by every session of one server, so thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace corocrawl::test_server {

class RouteMemory {
  public:
    // Counts one more request for `key`; returns how many came before it.
    std::uint64_t count_request(const std::string& key);

    // gzip_of_zeros(size), built by the first request for that size and kept for the next ones.
    std::shared_ptr<const std::string> gzip_bomb(std::uint64_t size);

  private:
    std::mutex counts_mutex_;
    std::unordered_map<std::string, std::uint64_t> request_counts_;
    std::mutex bombs_mutex_;  // held while building one, so each size is built once
    std::map<std::uint64_t, std::shared_ptr<const std::string>> gzip_bombs_;
};

}  // namespace corocrawl::test_server
