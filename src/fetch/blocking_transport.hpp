// The blocking transport: drives the HTTP core with Beast's synchronous API on the calling
// thread. Used by the pool mode (one per worker thread) and the sync mode.
#pragma once

#include <boost/asio/io_context.hpp>

#include "corocrawl/options.hpp"
#include "corocrawl/result.hpp"
#include "corocrawl/url_source.hpp"
#include "fetch/blocking_socket.hpp"
#include "fetch/connection_pool.hpp"

namespace corocrawl::fetch {

using BlockingConnectionPool = ConnectionPool<BlockingSocket>;

// What the blocking workers of one crawl share. The io_context is never run: blocking sockets
// and the resolver only need it to exist.
struct BlockingContext {
    boost::asio::io_context io;
    BlockingConnectionPool pool;
    int cancel_fd;  // readable once the crawl is cancelled
};

// Fetches one input URL to its final Result; blocks the calling thread, at most until the
// deadline the core sets, or until cancellation.
Result fetch_blocking(InputLine input, const FetchOptions& options, BlockingContext& context);

}  // namespace corocrawl::fetch
