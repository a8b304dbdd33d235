#include "route_memory.hpp"

#include <utility>

namespace corocrawl::test_server {

std::uint64_t RouteMemory::count_request(const std::string& key) {
    std::lock_guard lock(counts_mutex_);
    return request_counts_[key]++;
}

std::shared_ptr<const std::string> RouteMemory::bomb(Compression format, std::uint64_t size) {
    std::lock_guard lock(bombs_mutex_);
    auto& bomb = bombs_[{format, size}];
    if (!bomb) bomb = std::make_shared<const std::string>(compressed_zeros(size, format));
    return bomb;
}

void RouteMemory::set_robots(std::string host, RobotsReply reply) {
    std::lock_guard lock(robots_mutex_);
    robots_replies_.insert_or_assign(std::move(host), std::move(reply));
}

std::optional<RobotsReply> RouteMemory::robots_request(const std::string& host) {
    std::lock_guard lock(robots_mutex_);
    ++robots_counts_[host];
    auto registered = robots_replies_.find(host);
    if (registered == robots_replies_.end()) return std::nullopt;
    return registered->second;
}

std::size_t RouteMemory::robots_requests(const std::string& host) const {
    std::lock_guard lock(robots_mutex_);
    auto counted = robots_counts_.find(host);
    return counted == robots_counts_.end() ? 0 : counted->second;
}

}  // namespace corocrawl::test_server
