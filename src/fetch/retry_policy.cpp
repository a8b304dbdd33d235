#include "fetch/retry_policy.hpp"

#include <charconv>
#include <ctime>
#include <random>
#include <string>

namespace corocrawl::fetch {

bool is_retryable_status(unsigned status) noexcept {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

std::chrono::milliseconds backoff(const FetchOptions& options, int retry) {
    thread_local std::minstd_rand random{std::random_device{}()};
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    const double base =
        static_cast<double>(options.retry_delay.count()) * (1 << std::min(retry - 1, 20));
    return std::chrono::milliseconds(static_cast<long long>(base * jitter(random)));
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value.empty()) return std::nullopt;

    long long seconds = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error == std::errc() && end == value.data() + value.size()) {
        if (seconds < 0) return std::nullopt;
        return std::chrono::seconds(std::min(seconds, 1LL << 32));
    }
    if (error == std::errc::result_out_of_range) return std::chrono::seconds(1LL << 32);

    // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110, 5.6.7).
    std::tm date{};
    const std::string text(value);
    const char* parsed = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &date);
    if (!parsed || *parsed != '\0') return std::nullopt;
    // Compared in seconds first: system_clock counts nanoseconds in 64 bits, so from_time_t
    // overflows for a date before 1678 or after 2262, and the header may say any year.
    const std::time_t when = timegm(&date);
    const std::time_t now_seconds = std::chrono::system_clock::to_time_t(now);
    if (when <= now_seconds) return std::chrono::milliseconds(0);
    if (when - now_seconds > (1LL << 32)) return std::chrono::seconds(1LL << 32);
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::from_time_t(when) - now);
}

}  // namespace corocrawl::fetch
