#include "corocrawl/crawler.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <stdexcept>

#include "corocrawl/url.hpp"
#include "engine/crawl_run.hpp"
#include "engine/engines.hpp"
#include "fetch/dns_resolver.hpp"
#include "fetch/tls.hpp"
#include "frontier/robots.hpp"

namespace corocrawl {

struct Crawler::State {
    std::mutex mutex;  // for cancel(), which must not miss a run that is starting
    // The crawl in progress: set before its engine starts and cleared after its last callback.
    std::atomic<engine::CrawlRun*> run = nullptr;
    bool cancelled = false;
};

double CrawlStats::pages_per_second() const noexcept {
    return wall.count() > 0 ? static_cast<double>(urls) * 1000.0 / static_cast<double>(wall.count())
                            : 0.0;
}

namespace {

// RFC 9110 token characters: what a method or a header name may be made of.
bool is_token(std::string_view text) {
    constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
    return !text.empty() && std::all_of(text.begin(), text.end(), [&](unsigned char c) {
        return std::isalnum(c) || specials.find(static_cast<char>(c)) != std::string_view::npos;
    });
}

// RFC 9110 field values: no control character but the tab. CR or LF would end the header early
// and let a value inject headers of its own; NUL and the rest are refused by servers, or worse,
// read differently by the proxies on the way.
bool is_header_value(std::string_view text) {
    return std::none_of(text.begin(), text.end(),
                        [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7F; });
}

}  // namespace

void validate(const CrawlOptions& options) {
    const FetchOptions& fetch = options.fetch;
    if (!fetch.method.empty() && !is_token(fetch.method)) {
        throw std::invalid_argument("invalid method '" + fetch.method + "'");
    }
    for (const auto& header : fetch.headers) {
        if (!is_token(header.name))
            throw std::invalid_argument("invalid header name '" + header.name + "'");
        if (!is_header_value(header.value)) {
            throw std::invalid_argument("header " + header.name +
                                        " contains a control character (CR, LF, NUL, ...)");
        }
    }
    for (const auto* value : {&fetch.user_agent, &fetch.cookie}) {
        if (!is_header_value(*value))
            throw std::invalid_argument(
                "a header value contains a control character (CR, LF, NUL, ...)");
    }
    for (const auto* proxy : {&fetch.http_proxy, &fetch.https_proxy}) {
        if (proxy->empty()) continue;
        auto url = parse_url(*proxy);
        if (!std::holds_alternative<Url>(url) || std::get<Url>(url).is_https()) {
            throw std::invalid_argument("proxy '" + *proxy + "' is not an http://host:port URL");
        }
    }
    validate(options.frontier);
    // --dns-servers and --resolve as c-ares and the resolver read them (std::invalid_argument).
    try {
        const fetch::DnsConfig dns(fetch);
    } catch (const std::runtime_error& e) {
        throw std::invalid_argument(e.what());
    }
    // A --cacert file that cannot be used is a usage error, before any request. (The system
    // store is loaded only when the first https URL needs it.)
    if (!fetch.cacert.empty()) {
        try {
            fetch::make_tls_context(fetch);
        } catch (const std::runtime_error& e) {
            throw std::invalid_argument(e.what());
        }
    }
}

Crawler::Crawler(CrawlOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {}

Crawler::~Crawler() = default;

Task& Crawler::add(std::string url) {
    tasks_.push_back(Task(std::move(url)));
    return tasks_.back();
}

void Crawler::on_done(DoneCallback callback) {
    on_done_.push_back(std::move(callback));
}

void Crawler::enqueue(const Result& from, const std::vector<std::string>& urls, Hop hop) {
    // Only a running crawl has a frontier, and a done-callback runs only in one: no lock needed
    // to keep it alive.
    if (auto* run = state_->run.load()) run->enqueue(urls, from, hop);
}

void Crawler::keep_state(CrawlState& state, RecordFormatter format) {
    kept_in_ = &state;
    record_format_ = std::move(format);
}

void Crawler::share_frontier(SharedFrontierOptions shared) {
    shared_ = std::move(shared);
}

std::unique_ptr<Frontier> Crawler::make_frontier() const {
    FrontierOptions frontier_options = options_.frontier;
    if (frontier_options.robots_agent.empty())
        frontier_options.robots_agent = frontier::product_token(options_.fetch.user_agent);
    if (kept_in_) return kept_in_->frontier(frontier_options);
    if (!shared_) return make_memory_frontier(frontier_options);
    for (const auto& task : tasks_) {
        if (!task.callbacks().empty())
            throw std::invalid_argument("a shared frontier takes no tasks with callbacks");
    }
    return make_redis_frontier(frontier_options, *shared_);
}

CrawlStats Crawler::run(UrlSource* more) {
    validate(options_);
    const auto frontier = make_frontier();
    // A resumed crawl reads on where the last one stopped taking its input.
    const std::size_t seeds_taken = kept_in_ ? kept_in_->seeds_taken() : 0;
    if (more && seeds_taken > tasks_.size())
        more->skip(seeds_taken - tasks_.size(), kept_in_->input_end());
    engine::CrawlRun run(tasks_, more, on_done_, options_, *frontier,
                         {std::min(seeds_taken, tasks_.size()), record_format_});
    {
        std::lock_guard lock(state_->mutex);
        state_->run = &run;
        if (state_->cancelled) run.cancel();
    }
    switch (options_.mode) {
        case Mode::async:
            engine::run_async(run, options_);
            break;
        case Mode::pool:
            engine::run_blocking(run, options_, options_.threads);
            break;
        case Mode::sync:
            engine::run_blocking(run, options_, 1);
            break;
    }
    const CrawlStats stats = run.finish();  // callbacks may run in it, on the parse pool
    {
        std::lock_guard lock(state_->mutex);
        state_->run = nullptr;
    }
    return stats;
}

void Crawler::cancel() noexcept {
    std::lock_guard lock(state_->mutex);
    state_->cancelled = true;
    if (state_->run) state_->run.load()->cancel();
}

}  // namespace corocrawl
