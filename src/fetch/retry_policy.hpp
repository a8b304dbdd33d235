// When a failed attempt is worth another, and how long to wait before it.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "corocrawl/options.hpp"

namespace corocrawl::fetch {

// 429 Too Many Requests, 502 Bad Gateway, 503 Service Unavailable, 504 Gateway Timeout: the
// server says "not now", not "no".
bool is_retryable_status(unsigned status) noexcept;

// The wait before retry number `retry` (1, 2, ...): retry_delay * 2^(retry-1), with jitter
// (x0.5 to x1.5) so that many clients refused together do not return together.
std::chrono::milliseconds backoff(const FetchOptions& options, int retry);

// A Retry-After header's wait: delay-seconds or an HTTP-date (relative to `now`); nothing
// when absent or unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace corocrawl::fetch
