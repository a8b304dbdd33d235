// Idle keep-alive connections, per origin, shared by all requests of a crawl.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace corocrawl::fetch {

// `Stream` is whatever the transport reads and writes (plain TCP or TLS). Thread-safe.
template <class Stream>
class ConnectionPool {
  public:
    // An idle connection to `origin`, or nothing when there is none.
    std::optional<Stream> take(const std::string& origin) {
        std::lock_guard lock(mutex_);
        auto found = idle_.find(origin);
        if (found == idle_.end() || found->second.empty()) return std::nullopt;
        std::optional<Stream> stream(std::move(found->second.back()));
        found->second.pop_back();
        return stream;
    }

    // Keeps a connection whose last response allowed keep-alive for the next request to `origin`.
    void give_back(const std::string& origin, Stream&& stream) {
        std::lock_guard lock(mutex_);
        idle_[origin].push_back(std::move(stream));
    }

  private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::vector<Stream>> idle_;
};

}  // namespace corocrawl::fetch
