#include "fetch/happy_eyeballs.hpp"

namespace corocrawl::fetch {

using boost::asio::ip::tcp;

std::vector<tcp::endpoint> interleave_families(const std::vector<tcp::endpoint>& endpoints) {
    std::vector<tcp::endpoint> v6, v4, ordered;
    for (const auto& endpoint : endpoints)
        (endpoint.address().is_v6() ? v6 : v4).push_back(endpoint);
    ordered.reserve(endpoints.size());
    for (std::size_t i = 0; i < std::max(v6.size(), v4.size()); ++i) {
        if (i < v6.size()) ordered.push_back(v6[i]);
        if (i < v4.size()) ordered.push_back(v4[i]);
    }
    return ordered;
}

AttemptSchedule::AttemptSchedule(std::size_t count, Clock::time_point start,
                                 std::chrono::milliseconds delay)
    : count_(count), delay_(delay), next_(count == 0 ? Clock::time_point::max() : start) {}

std::optional<std::size_t> AttemptSchedule::start(Clock::time_point now) {
    if (started_ == count_ || now < next_) return std::nullopt;
    const std::size_t index = started_++;
    next_ = started_ == count_ ? Clock::time_point::max() : now + delay_;
    return index;
}

void AttemptSchedule::failed(std::size_t, Clock::time_point now) {
    ++failed_;
    // Nothing left in flight: no reason to wait out the delay.
    if (failed_ == started_ && started_ < count_) next_ = now;
}

}  // namespace corocrawl::fetch
