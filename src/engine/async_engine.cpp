#include <boost/asio.hpp>
#include <iostream>
#include <thread>

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

// One concurrency slot: fetch, deliver, repeat until the input is exhausted. Input is taken
// without waiting — stdin's writer may take its time, and the loop must go on meanwhile — so a
// slot that finds none yet looks again a little later.
asio::awaitable<void> crawl_slot(std::size_t slot, CrawlRun& run, const FetchOptions& options,
                                 fetch::AsyncContext& context) {
    using namespace std::chrono_literals;
    asio::steady_timer idle(co_await asio::this_coro::executor);
    auto pause = 1ms;
    for (;;) {
        auto next = run.try_next();
        if (next.ended) co_return;
        if (!next.line) {
            idle.expires_after(pause);
            co_await idle.async_wait(asio::as_tuple(asio::use_awaitable));
            pause = std::min(pause * 2, std::chrono::milliseconds(50));
            continue;
        }
        pause = 1ms;
        const auto index = next.line->index;
        std::string url = next.line->text;
        Result result;
        try {
            result = co_await fetch::fetch_async(std::move(*next.line), options, context);
        } catch (const std::exception& e) {
            result = internal_failure(index, std::move(url), e);
        }
        result.worker = slot;
        run.deliver(std::move(result));
    }
}

}  // namespace

void run_async(CrawlRun& run, const CrawlOptions& options) {
    const auto threads = std::max<std::size_t>(1, options.io_threads);
    asio::io_context io(static_cast<int>(threads));
    // Declared after `io`, so destroyed before it: pooled sockets must not outlive their context.
    fetch::AsyncContext context(options.fetch, io.get_executor());

    for (std::size_t slot = 0; slot < std::max<std::size_t>(1, options.concurrency); ++slot) {
        asio::co_spawn(
            io, crawl_slot(slot, run, options.fetch, context), [](std::exception_ptr error) {
                if (error) std::rethrow_exception(error);  // a bug: crawl_slot catches what it can
            });
    }
    // Interruption stops the loop where it stands; the run reports what was in flight.
    run.set_stop([&io] { io.stop(); });

    std::vector<std::jthread> extra;
    for (std::size_t i = 1; i < threads; ++i) extra.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& thread : extra) thread.join();
    run.set_stop(nullptr);
}

}  // namespace corocrawl::engine
