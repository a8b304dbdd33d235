#include "route_memory.hpp"

#include "compression.hpp"

namespace corocrawl::test_server {

std::uint64_t RouteMemory::count_request(const std::string& key) {
    std::lock_guard lock(counts_mutex_);
    return request_counts_[key]++;
}

std::shared_ptr<const std::string> RouteMemory::gzip_bomb(std::uint64_t size) {
    std::lock_guard lock(bombs_mutex_);
    auto& bomb = gzip_bombs_[size];
    if (!bomb) bomb = std::make_shared<const std::string>(gzip_of_zeros(size));
    return bomb;
}

}  // namespace corocrawl::test_server
