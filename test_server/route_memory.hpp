// What the test server's routes remember between requests: per-key request counts (/flaky), the
// compression bombs already built, and per host the robots.txt a test registered and how often
// it was asked for. Shared by every session of one server, so thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "compression.hpp"
#include "test_server.hpp"

namespace corocrawl::test_server {

class RouteMemory {
  public:
    // Counts one more request for `key`; returns how many came before it.
    std::uint64_t count_request(const std::string& key);

    // compressed_zeros(size, format), built by the first request for that format and size and
    // kept for the next ones.
    std::shared_ptr<const std::string> bomb(Compression format, std::uint64_t size);

    // Hosts are names as host_name() gives them: lower case, no port.
    void set_robots(std::string host, RobotsReply reply);
    // Counts one more GET /robots.txt for `host`; returns the reply registered for it, if any.
    std::optional<RobotsReply> robots_request(const std::string& host);
    std::size_t robots_requests(const std::string& host) const;

  private:
    std::mutex counts_mutex_;
    std::unordered_map<std::string, std::uint64_t> request_counts_;
    std::mutex bombs_mutex_;  // held while building one, so each size is built once
    std::map<std::pair<Compression, std::uint64_t>, std::shared_ptr<const std::string>> bombs_;
    mutable std::mutex robots_mutex_;
    std::map<std::string, RobotsReply> robots_replies_;
    std::map<std::string, std::size_t> robots_counts_;
};

}  // namespace corocrawl::test_server
