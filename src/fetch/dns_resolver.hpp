// Name resolution through c-ares: A and AAAA asked together (/etc/hosts and /etc/resolv.conf
// honoured), many lookups in flight at once, every one bounded by a deadline. IP literals and
// --resolve entries are answered without a query, and answers are cached (fetch/dns_cache.hpp).
//
//   AsyncResolver     one c-ares channel per io_context, its sockets waited on by that context:
//                     co_await resolver.resolve(host, port, deadline)
//   BlockingResolver  the same lookup on the calling thread, waiting in poll() on c-ares'
//                     sockets and the crawl's cancel eventfd
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "corocrawl/options.hpp"
#include "corocrawl/result.hpp"
#include "fetch/dns_cache.hpp"

namespace corocrawl::fetch {

// Where host:port may be reached: endpoints in the order the answer gave them, or why not.
struct Resolution {
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;
    boost::system::error_code error;  // set when there are no endpoints
};

// The category of c-ares' status codes (ARES_ENOTFOUND, ...), for Resolution::error.
const boost::system::error_category& dns_category() noexcept;

// One --resolve entry, "HOST:PORT:ADDR" (ADDR may be [v6]); std::invalid_argument if malformed.
struct ResolveEntry {
    std::string host;
    std::string port;
    boost::asio::ip::address address;
};
ResolveEntry parse_resolve_entry(std::string_view text);

// What every lookup of a crawl shares, whichever transport and thread makes it: the
// --dns-servers, the --resolve entries, the cache. Throws std::invalid_argument for a malformed
// --resolve or --dns-servers (validate() calls it before any traffic).
class DnsConfig {
  public:
    explicit DnsConfig(const FetchOptions& options,
                       std::shared_ptr<DnsCache> cache = std::make_shared<DnsCache>());

    // The endpoints of host:port known without a query: an IP literal, a --resolve entry or a
    // cached answer. Nothing when DNS must be asked.
    std::optional<Resolution> known(std::string_view host, std::string_view port,
                                    Clock::time_point now) const;
    const std::string& servers() const noexcept { return servers_; }
    DnsCache& cache() const noexcept { return *cache_; }
    const std::shared_ptr<DnsCache>& shared_cache() const noexcept { return cache_; }

  private:
    std::string servers_;
    std::vector<ResolveEntry> entries_;
    std::shared_ptr<DnsCache> cache_;
};

// `answer`'s addresses with `port`, or its error.
Resolution with_port(const DnsAnswer& answer, std::string_view port);

class AsyncResolver {
  public:
    // The channel's sockets and timer live on `executor`'s io_context; resolve() may be called
    // from any of the threads running it.
    AsyncResolver(boost::asio::any_io_executor executor, DnsConfig config);
    ~AsyncResolver();
    AsyncResolver(const AsyncResolver&) = delete;
    AsyncResolver& operator=(const AsyncResolver&) = delete;

    // Never throws for DNS failures: a timeout at `deadline` is beast::error::timeout.
    boost::asio::awaitable<Resolution> resolve(std::string host, std::string port,
                                               Clock::time_point deadline);

  private:
    struct Channel;
    DnsConfig config_;
    std::shared_ptr<Channel> channel_;  // destroyed first: its last callbacks still cache
};

class BlockingResolver {
  public:
    // `cancel_fd` becomes readable when the crawl is cancelled.
    BlockingResolver(DnsConfig config, int cancel_fd);

    // Blocks until the answer, `deadline` (beast::error::timeout) or cancellation
    // (asio::error::operation_aborted). Thread-safe: each lookup has a channel of its own.
    Resolution resolve(const std::string& host, const std::string& port,
                       Clock::time_point deadline) const;

  private:
    DnsConfig config_;
    int cancel_fd_;
};

}  // namespace corocrawl::fetch
