#include <algorithm>
#include <boost/asio.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "engine/engines.hpp"
#include "fetch/async_transport.hpp"

namespace corocrawl::engine {
namespace {

namespace asio = boost::asio;

// GCC 12 with -fsanitize=address does not see that Asio frees an awaitable's frame through the
// recycling allocator that made it, and warns on crawl_slot's frame.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// One I/O thread's share of the crawl: its own event loop, its slots and its connection pool,
// so nothing on the hot path is shared between threads (the shape of nginx, wrk and h2load).
// Only the TLS context, which OpenSSL lets every thread use, and the DNS cache are the crawl's.
struct EventLoop {
    EventLoop(const FetchOptions& options, fetch::LazyTlsContext& tls,
              std::shared_ptr<fetch::DnsCache> dns_cache)
        : context(options, tls, io.get_executor(), std::move(dns_cache)) {}

    asio::io_context io{1};  // one thread runs it (Asio then never wakes another for its work)
    // Slots with no work park on this timer: it expires when the first host becomes ready, or
    // never, and the run's wake-up cancels it.
    asio::steady_timer idle{io, asio::steady_timer::time_point::max()};

    // Makes `idle` expire no later than `ready_at` (or, unset, whenever the next wake-up comes).
    // Moving it sooner wakes the slots parked on it, which then park again.
    void park_until(std::optional<Clock::time_point> ready_at) {
        const auto until = ready_at.value_or(Clock::time_point::max());
        if (idle.expiry() <= Clock::now() || until < idle.expiry()) idle.expires_at(until);
    }
    // Declared after `io`, so destroyed before it: pooled sockets must not outlive their loop.
    fetch::AsyncContext context;
};

// One concurrency slot: fetch, deliver, repeat until the crawl is done. Work is taken without
// waiting — the loop must go on meanwhile — and a slot that finds none parks until a host is
// ready or the run says more has come.
asio::awaitable<void> crawl_slot(std::size_t slot, CrawlRun& run, EventLoop& loop) {
    for (;;) {
        auto next = run.poll();
        if (next.done) co_return;
        if (!next.item) {
            loop.park_until(next.ready_at);
            co_await loop.idle.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        const CrawlItem& item = *next.item;
        // Named, not a temporary in the co_await: GCC 12 destroys such temporaries twice.
        InputLine line{item.index, item.url};
        Result result;
        try {
            result =
                co_await fetch::fetch_async(std::move(line), run.fetch_options(item), loop.context);
        } catch (const std::exception& e) {
            result = internal_failure(item.index, item.url, e);
        }
        result.worker = slot;
        run.deliver(item, std::move(result));
    }
}

}  // namespace

void run_async(CrawlRun& run, const CrawlOptions& options) {
    const std::size_t concurrency = std::max<std::size_t>(1, options.concurrency);
    const std::size_t threads = std::clamp<std::size_t>(options.io_threads, 1, concurrency);
    fetch::LazyTlsContext tls(options.fetch);
    const auto dns_cache = std::make_shared<fetch::DnsCache>();
    std::vector<std::unique_ptr<EventLoop>> loops;
    for (std::size_t i = 0; i < threads; ++i) {
        loops.push_back(std::make_unique<EventLoop>(options.fetch, tls, dns_cache));
        loops.back()->context.slow_down = [&run](const Url& url, std::chrono::milliseconds wait) {
            run.slow_down(url.text, wait);
        };
    }
    // Slots are dealt round the loops; each takes URLs from the shared run as it frees up, so a
    // loop whose pages are slow simply takes fewer of them.
    for (std::size_t slot = 0; slot < concurrency; ++slot) {
        EventLoop& loop = *loops[slot % threads];
        asio::co_spawn(loop.io, crawl_slot(slot, run, loop), [](std::exception_ptr error) {
            if (error) std::rethrow_exception(error);  // a bug: crawl_slot catches
        });
    }
    // Interruption stops every loop where it stands; the run reports what was in flight.
    run.set_stop([&loops] {
        for (auto& loop : loops) loop->io.stop();
    });
    run.set_wake([&loops] {
        for (auto& loop : loops) asio::post(loop->io, [&idle = loop->idle] { idle.cancel(); });
    });

    std::vector<std::jthread> others;
    for (std::size_t i = 1; i < threads; ++i)
        others.emplace_back([&loop = *loops[i]] { loop.io.run(); });
    loops[0]->io.run();
    for (auto& thread : others) thread.join();
    run.set_stop(nullptr);
    run.set_wake(nullptr);
}

}  // namespace corocrawl::engine
