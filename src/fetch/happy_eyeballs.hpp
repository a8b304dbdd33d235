// Happy Eyeballs (RFC 8305), the sans-IO part: in which order a host's addresses are tried, and
// when each attempt starts. The transports open the sockets and wait; the first to connect wins
// and the others are cancelled.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "corocrawl/result.hpp"

namespace corocrawl::fetch {

// RFC 8305's recommended Connection Attempt Delay.
inline constexpr std::chrono::milliseconds attempt_delay{250};

// The endpoints interleaved by family, IPv6 first (RFC 8305, 4): v6, v4, v6, v4, ... keeping the
// order within each family; what is left of the longer family comes last.
std::vector<boost::asio::ip::tcp::endpoint> interleave_families(
    const std::vector<boost::asio::ip::tcp::endpoint>& endpoints);

// When each of `count` connection attempts starts: the first at `start`, each next one
// `delay` after the previous — or at once when every attempt started so far has failed.
class AttemptSchedule {
  public:
    AttemptSchedule(std::size_t count, Clock::time_point start,
                    std::chrono::milliseconds delay = attempt_delay);

    // The index of the attempt to start at `now`, if one is due (call until it answers none).
    std::optional<std::size_t> start(Clock::time_point now);
    // When the next attempt is due; time_point::max() when all have started.
    Clock::time_point next_start() const noexcept { return next_; }
    // Attempt `index` failed at `now`.
    void failed(std::size_t index, Clock::time_point now);
    // Every attempt started and failed: the connection cannot be made.
    bool exhausted() const noexcept { return failed_ == count_; }

  private:
    std::size_t count_;
    std::chrono::milliseconds delay_;
    std::size_t started_ = 0;
    std::size_t failed_ = 0;
    Clock::time_point next_;
};

}  // namespace corocrawl::fetch
