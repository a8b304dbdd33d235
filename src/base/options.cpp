#include "corocrawl/options.hpp"

#include <algorithm>
#include <thread>

namespace corocrawl {

std::string_view version() noexcept {
    return COROCRAWL_VERSION;
}

std::size_t cores() noexcept {
    return std::max(1U, std::thread::hardware_concurrency());
}

std::string_view mode_name(Mode mode) noexcept {
    switch (mode) {
        case Mode::async:
            return "async";
        case Mode::pool:
            return "pool";
        case Mode::sync:
            return "sync";
    }
    return "unknown";
}

std::size_t workers(const CrawlOptions& options) noexcept {
    switch (options.mode) {
        case Mode::async:
            return options.concurrency;
        case Mode::pool:
            return options.threads;
        case Mode::sync:
            return 1;
    }
    return 1;
}

std::size_t per_host_limit(const FrontierOptions& options) noexcept {
    return options.per_host.value_or(options.recursive ? 2 : unlimited);
}

RobotsPolicy robots_policy(const FrontierOptions& options) noexcept {
    return options.robots.value_or(options.recursive ? RobotsPolicy::obey : RobotsPolicy::ignore);
}

}  // namespace corocrawl
