// The awaitable transport: drives the HTTP core with Beast's asynchronous API, one coroutine per
// fetch, every wait bounded by the core's deadlines.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <variant>

#include "corocrawl/options.hpp"
#include "corocrawl/result.hpp"
#include "fetch/connection_pool.hpp"
#include "fetch/dns_resolver.hpp"
#include "fetch/http_core.hpp"
#include "fetch/tls.hpp"

namespace corocrawl::fetch {

using AsyncConnection =
    std::variant<boost::beast::tcp_stream, boost::beast::ssl_stream<boost::beast::tcp_stream>>;

// What the fetches on one event loop share: the crawl's TLS context and DNS cache, and that
// loop's own pool of idle connections and DNS channel (a socket belongs to the loop that opened
// it; the channel's sockets are waited on by `executor`'s io_context).
struct AsyncContext {
    AsyncContext(const FetchOptions& options, LazyTlsContext& tls,
                 boost::asio::any_io_executor executor, std::shared_ptr<DnsCache> dns_cache);

    LazyTlsContext& tls;
    ConnectionPool<AsyncConnection> pool;
    AsyncResolver dns;
    SlowDown slow_down;  // the engine's: a 429 or 503 pauses the host
};

// Fetches one input URL to its final Result (following redirects, retrying); never throws for
// network or protocol failures — they become the Result's error.
boost::asio::awaitable<Result> fetch_async(InputLine input, const FetchOptions& options,
                                           AsyncContext& context);

}  // namespace corocrawl::fetch
