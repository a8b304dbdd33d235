// The blocking transport: drives the HTTP core with Beast's synchronous API on the calling
// thread. Used by the pool mode (one per worker thread) and the sync mode.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <variant>

#include "corocrawl/options.hpp"
#include "corocrawl/result.hpp"
#include "fetch/blocking_socket.hpp"
#include "fetch/connection_pool.hpp"
#include "fetch/dns_resolver.hpp"
#include "fetch/http_core.hpp"
#include "fetch/tls.hpp"

namespace corocrawl::fetch {

using BlockingConnection = std::variant<BlockingSocket, boost::asio::ssl::stream<BlockingSocket>>;

// What the blocking workers of one crawl share. The io_context is never run: blocking sockets
// only need it to exist.
struct BlockingContext {
    BlockingContext(const FetchOptions& options, int cancel_fd,
                    std::shared_ptr<DnsCache> dns_cache = std::make_shared<DnsCache>());

    boost::asio::io_context io;
    LazyTlsContext tls;
    ConnectionPool<BlockingConnection> pool;
    int cancel_fd;  // readable once the crawl is cancelled
    BlockingResolver dns;
    SlowDown slow_down;  // the engine's: a 429 or 503 pauses the host
};

// Fetches one input URL to its final Result; blocks the calling thread, at most until the
// deadline the core sets, or until cancellation.
Result fetch_blocking(InputLine input, const FetchOptions& options, BlockingContext& context);

}  // namespace corocrawl::fetch
