// Politeness: the hosts a crawl talks to, each with its queue, its requests in flight, the
// instant it may next be asked, and what its robots.txt says. Hosts, not URLs, are scheduled:
// hosts are ordered by when each may next be served, so one slow or limited host never holds
// up the others. Sans-IO: every instant comes from the caller.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "corocrawl/frontier.hpp"
#include "frontier/robots.hpp"

namespace corocrawl::frontier {

using std::chrono::milliseconds;

struct Host {
    enum class Robots {
        unneeded,  // ignored (--robots ignore), or no origin (an invalid URL)
        unknown,   // to be fetched before the next request
        fetching,  // a robots_txt item is leased
        known,     // `rules` apply until `robots_expires`
    };

    std::string origin;  // "" for URLs without one: they wait for nothing
    std::deque<CrawlItem> waiting;
    std::size_t in_flight = 0;     // requests started and not finished, robots.txt included
    Clock::time_point ready_at{};  // no request starts before
    Clock::time_point last_start{};
    milliseconds delay{0};        // between the starts of two requests
    milliseconds least_delay{0};  // --delay, or Crawl-delay: autothrottle goes no lower

    Robots robots = Robots::unneeded;
    RobotsRules rules;
    Clock::time_point robots_expires{};
    int robots_failures = 0;  // robots.txt fetches in a row that found the server unreachable
    std::string robots_failure;

    // Where the schedule holds it (see HostTable): nowhere, by instant, or ready by its turn.
    enum class Slot { none, timed, ready } slot = Slot::none;
    std::size_t turn = 0;  // its key in the ready set
};

class HostTable {
  public:
    explicit HostTable(const FrontierOptions& options);

    // The host of `origin`, made on first sight.
    Host& host(std::string_view origin);
    Host* find(std::string_view origin);

    // Queues an item on its host (robots.txt permitting: the caller decides).
    void push(Host& host, CrawlItem item);

    // The host whose turn it is at `now`, taken out of the schedule (the caller starts a request
    // on it, or refuses its item, then reschedules it); or none, and the first instant one will
    // be ready, unless every host waits for a request to finish.
    Host* take_ready(Clock::time_point now, std::optional<Clock::time_point>& ready_at);

    // A request to `host` starts now: its delay runs from here.
    void started(Host& host, Clock::time_point now);
    // A request to `host` finished; `feedback` adapts its delay under --autothrottle.
    void finished(Host& host, const HostFeedback& feedback);
    // Nothing starts on `host` before `until` (429/503, or a robots.txt retry).
    void pause(Host& host, Clock::time_point until);
    // Crawl-delay from robots.txt, when --delay did not say otherwise.
    void set_crawl_delay(Host& host, milliseconds delay);

    // Puts `host` where it belongs: in the schedule when it has work it may start, else nowhere.
    void reschedule(Host& host);

    template <typename F>
    void for_each(F&& f) {
        for (auto& [origin, host] : hosts_) f(*host);
    }
    // Every waiting item, in no particular order; the schedule is left empty.
    std::vector<CrawlItem> drain();

  private:
    void unschedule(Host& host);
    bool can_start(const Host& host) const noexcept;

    const FrontierOptions& options_;
    const std::size_t per_host_;
    const bool breadth_first_;
    struct TransparentHash : std::hash<std::string_view> {
        using is_transparent = void;
    };
    std::unordered_map<std::string, std::unique_ptr<Host>, TransparentHash, std::equal_to<>> hosts_;
    // Hosts with work they may start: by the instant they may, and, once it has come, by whose
    // item was admitted first (last, depth-first), so that without delays the order of the
    // crawl is the order of admission, across hosts as within one.
    std::set<std::pair<Clock::time_point, Host*>> timed_;
    std::set<std::pair<std::size_t, Host*>> ready_;
    std::minstd_rand random_{std::random_device{}()};
};

}  // namespace corocrawl::frontier
