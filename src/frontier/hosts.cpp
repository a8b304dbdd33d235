#include "frontier/hosts.hpp"

#include <algorithm>
#include <cmath>

namespace corocrawl::frontier {
namespace {

// Where --autothrottle starts a host it knows nothing of yet (Scrapy starts at 5 s); the first
// answers bring it to what the host's latency asks for within a few requests.
constexpr milliseconds autothrottle_start{1'000};

}  // namespace

HostTable::HostTable(const FrontierOptions& options)
    : options_(options),
      per_host_(std::max<std::size_t>(1, per_host_limit(options))),
      breadth_first_(options.order == CrawlOrder::bfs) {}

Host& HostTable::host(std::string_view origin) {
    if (auto* known = find(origin)) return *known;
    auto host = std::make_unique<Host>();
    host->origin = std::string(origin);
    host->least_delay = options_.delay.value_or(milliseconds{0});
    host->delay =
        options_.autothrottle ? std::max(host->least_delay, autothrottle_start) : host->least_delay;
    const bool obey = robots_policy(options_) == RobotsPolicy::obey;
    host->robots = obey && !origin.empty() ? Host::Robots::unknown : Host::Robots::unneeded;
    return *hosts_.emplace(host->origin, std::move(host)).first->second;
}

Host* HostTable::find(std::string_view origin) {
    const auto found = hosts_.find(origin);
    return found == hosts_.end() ? nullptr : found->second.get();
}

void HostTable::push(Host& host, CrawlItem item) {
    host.waiting.push_back(std::move(item));
    // Unscheduled, it may have work to start now; depth-first, a ready host's turn is its newest
    // item, which just changed.
    if (host.slot == Host::Slot::none || (host.slot == Host::Slot::ready && !breadth_first_))
        reschedule(host);
}

bool HostTable::can_start(const Host& host) const noexcept {
    return !host.waiting.empty() && host.robots != Host::Robots::fetching &&
           (host.origin.empty() || host.in_flight < per_host_);
}

void HostTable::unschedule(Host& host) {
    if (host.slot == Host::Slot::timed) timed_.erase({host.ready_at, &host});
    if (host.slot == Host::Slot::ready) ready_.erase({host.turn, &host});
    host.slot = Host::Slot::none;
}

void HostTable::reschedule(Host& host) {
    unschedule(host);
    if (!can_start(host)) return;
    timed_.emplace(host.ready_at, &host);
    host.slot = Host::Slot::timed;
}

Host* HostTable::take_ready(Clock::time_point now, std::optional<Clock::time_point>& ready_at) {
    while (!timed_.empty() && timed_.begin()->first <= now) {
        Host& host = *timed_.begin()->second;
        timed_.erase(timed_.begin());
        host.turn = breadth_first_ ? host.waiting.front().index
                                   : static_cast<std::size_t>(-1) - host.waiting.back().index;
        ready_.emplace(host.turn, &host);
        host.slot = Host::Slot::ready;
    }
    if (ready_.empty()) {
        if (!timed_.empty()) ready_at = timed_.begin()->first;
        return nullptr;
    }
    Host& host = *ready_.begin()->second;
    ready_.erase(ready_.begin());
    host.slot = Host::Slot::none;
    return &host;
}

void HostTable::started(Host& host, Clock::time_point now) {
    ++host.in_flight;
    host.last_start = now;
    auto delay = std::chrono::duration_cast<Clock::duration>(host.delay);
    if (options_.random_delay && delay.count() > 0) {
        std::uniform_real_distribution<double> factor(0.5, 1.5);
        delay = std::chrono::duration_cast<Clock::duration>(delay * factor(random_));
    }
    host.ready_at = std::max(host.ready_at, now + delay);
}

void HostTable::finished(Host& host, const HostFeedback& feedback) {
    if (host.in_flight > 0) --host.in_flight;
    if (options_.autothrottle) {
        const milliseconds most = std::max(host.least_delay, options_.max_delay);
        const auto bounded = [&](milliseconds delay) {
            return std::clamp(delay, host.least_delay, most);
        };
        if (feedback.overloaded) {
            // Unlike Scrapy's: a host that says it is overloaded gets half the requests.
            host.delay = bounded(std::max(2 * host.delay, autothrottle_start));
        } else if (feedback.latency) {
            // Scrapy's AutoThrottle: the delay that would keep `target` requests in flight,
            // approached by halves; an error page, usually small and fast, may not shorten it.
            const milliseconds target{std::llround(static_cast<double>(feedback.latency->count()) /
                                                   options_.autothrottle_target)};
            const milliseconds next = bounded(std::max(target, (host.delay + target) / 2));
            if (feedback.status == 200 || next > host.delay) host.delay = next;
        }
    }
    if (host.slot == Host::Slot::none) reschedule(host);
}

void HostTable::pause(Host& host, Clock::time_point until) {
    const bool scheduled = host.slot != Host::Slot::none;
    unschedule(host);  // before its key changes
    host.ready_at = std::max(host.ready_at, until);
    if (scheduled) reschedule(host);
}

void HostTable::set_crawl_delay(Host& host, milliseconds delay) {
    if (options_.delay) return;  // --delay says otherwise
    host.least_delay = std::min(delay, options_.max_delay);
    host.delay = options_.autothrottle ? std::max(host.delay, host.least_delay) : host.least_delay;
    // The robots.txt request that told it was the host's last: the next waits as long after it.
    pause(host, host.last_start + host.delay);
}

std::vector<CrawlItem> HostTable::drain() {
    std::vector<CrawlItem> items;
    for (auto& [origin, host] : hosts_) {
        unschedule(*host);
        std::move(host->waiting.begin(), host->waiting.end(), std::back_inserter(items));
        host->waiting.clear();
    }
    return items;
}

}  // namespace corocrawl::frontier
