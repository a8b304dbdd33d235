#include "corocrawl/crawler.hpp"

#include <mutex>

#include "engine/crawl_run.hpp"
#include "engine/engines.hpp"

namespace corocrawl {

struct Crawler::State {
    std::mutex mutex;
    engine::CrawlRun* run = nullptr;  // the crawl in progress, for cancel()
    bool cancelled = false;
};

double CrawlStats::pages_per_second() const noexcept {
    return wall.count() > 0 ? static_cast<double>(urls) * 1000.0 / static_cast<double>(wall.count())
                            : 0.0;
}

Crawler::Crawler(CrawlOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {}

Crawler::~Crawler() = default;

Task& Crawler::add(std::string url) {
    tasks_.push_back(Task(std::move(url)));
    return tasks_.back();
}

void Crawler::on_done(DoneCallback callback) { on_done_.push_back(std::move(callback)); }

CrawlStats Crawler::run(UrlSource* more) {
    engine::CrawlRun run(tasks_, more, on_done_, options_.parse_threads);
    {
        std::lock_guard lock(state_->mutex);
        state_->run = &run;
        if (state_->cancelled) run.cancel();
    }
    switch (options_.mode) {
        case Mode::async: engine::run_async(run, options_); break;
        case Mode::pool: engine::run_blocking(run, options_, options_.threads); break;
        case Mode::sync: engine::run_blocking(run, options_, 1); break;
    }
    {
        std::lock_guard lock(state_->mutex);
        state_->run = nullptr;
    }
    return run.finish();
}

void Crawler::cancel() noexcept {
    std::lock_guard lock(state_->mutex);
    state_->cancelled = true;
    if (state_->run) state_->run->cancel();
}

}  // namespace corocrawl
