#include "host_records.hpp"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <utility>

#include "host_header.hpp"

namespace corocrawl::test_server {
namespace {

bool is_host_report(std::string_view target) {
    return target == "/hosts" || target.starts_with("/hosts?");
}

}  // namespace

HostRecords::Visit::Visit(Visit&& other) noexcept
    : records_(std::exchange(other.records_, nullptr)),
      host_(std::exchange(other.host_, nullptr)) {}

HostRecords::Visit& HostRecords::Visit::operator=(Visit&& other) noexcept {
    if (this != &other) {
        leave();
        records_ = std::exchange(other.records_, nullptr);
        host_ = std::exchange(other.host_, nullptr);
    }
    return *this;
}

HostRecords::Visit::~Visit() {
    leave();
}

void HostRecords::Visit::leave() {
    if (!host_) return;
    std::lock_guard lock(records_->mutex_);
    --host_->in_flight;
    host_ = nullptr;
}

HostRecords::Visit HostRecords::arrive(const Request& request) {
    const std::string_view target(request.target().data(), request.target().size());
    if (!recording_ || is_host_report(target)) return {};
    auto name = host_name(request);
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();  // under the lock: arrivals stay in order
    auto& host = hosts_[std::move(name)];
    auto& record = host.record;
    ++record.requests;
    record.max_concurrent = std::max(record.max_concurrent, ++host.in_flight);
    record.arrivals.push_back(now);
    record.targets.emplace_back(target);
    return Visit(this, &host);
}

std::map<std::string, HostRecord> HostRecords::snapshot() const {
    std::map<std::string, HostRecord> records;
    std::lock_guard lock(mutex_);
    for (const auto& [name, host] : hosts_) records.emplace(name, host.record);
    return records;
}

}  // namespace corocrawl::test_server
