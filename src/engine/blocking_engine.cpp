#include <thread>

#include "engine/cancel_signal.hpp"
#include "engine/engines.hpp"
#include "fetch/blocking_transport.hpp"

namespace corocrawl::engine {

void run_blocking(CrawlRun& run, const CrawlOptions& options, std::size_t threads) {
    const CancelSignal cancel;
    fetch::BlockingContext context(options.fetch, cancel.fd());
    context.slow_down = [&run](const Url& url, std::chrono::milliseconds wait) {
        run.slow_down(url.text, wait);
    };
    run.set_stop([&cancel] { cancel.raise(); });

    // One worker: take a URL, wait for its fetch, deliver, repeat.
    const auto worker = [&](std::size_t number) {
        while (auto item = run.next()) {
            Result result;
            try {
                result = fetch::fetch_blocking(InputLine{item->index, item->url},
                                               run.fetch_options(*item), context);
            } catch (const std::exception& e) {
                result = internal_failure(item->index, item->url, e);
            }
            result.worker = number;
            run.deliver(*item, std::move(result));
        }
    };
    if (threads <= 1) {
        worker(0);
    } else {
        std::vector<std::jthread> workers;
        for (std::size_t i = 0; i < threads; ++i) workers.emplace_back(worker, i);
    }
    run.set_stop(nullptr);
}

}  // namespace corocrawl::engine
