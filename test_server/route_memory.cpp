#include "route_memory.hpp"

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

}  // namespace corocrawl::test_server
