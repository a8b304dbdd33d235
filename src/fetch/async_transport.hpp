// The awaitable transport: drives the HTTP core with Beast's asynchronous API, one coroutine per
// fetch, every wait bounded by the core's deadlines.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "corocrawl/options.hpp"
#include "corocrawl/result.hpp"
#include "corocrawl/url_source.hpp"
#include "fetch/connection_pool.hpp"

namespace corocrawl::fetch {

using AsyncConnectionPool = ConnectionPool<boost::beast::tcp_stream>;

// Fetches one input URL to its final Result (following redirects); never throws for network
// or protocol failures — they become the Result's error.
boost::asio::awaitable<Result> fetch_async(InputLine input, const FetchOptions& options,
                                           AsyncConnectionPool& pool);

}  // namespace corocrawl::fetch
