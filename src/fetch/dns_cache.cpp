#include "fetch/dns_cache.hpp"

#include <algorithm>
#include <cctype>

namespace corocrawl::fetch {
namespace {

std::string key_of(std::string_view host) {
    std::string key(host);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!key.empty() && key.back() == '.') key.pop_back();  // "a.test." is "a.test"
    return key;
}

}  // namespace

std::optional<DnsAnswer> DnsCache::find(std::string_view host, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    const auto found = entries_.find(key_of(host));
    if (found == entries_.end()) return std::nullopt;
    if (found->second->expires <= now) {
        order_.erase(found->second);
        entries_.erase(found);
        return std::nullopt;
    }
    return found->second->answer;
}

void DnsCache::store(std::string_view host, DnsAnswer answer, std::chrono::seconds ttl,
                     Clock::time_point now) {
    if (answer.addresses.empty()) ttl = negative_ttl;
    if (ttl <= std::chrono::seconds::zero() || capacity_ == 0) return;
    std::string key = key_of(host);
    std::lock_guard lock(mutex_);
    if (const auto found = entries_.find(key); found != entries_.end()) {
        order_.erase(found->second);
        entries_.erase(found);
    }
    while (entries_.size() >= capacity_) {
        entries_.erase(order_.front().host);
        order_.pop_front();
    }
    order_.push_back({key, std::move(answer), now + ttl});
    entries_.emplace(std::move(key), std::prev(order_.end()));
}

std::size_t DnsCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace corocrawl::fetch
