// A small DNS server for the tests and benchmarks: UDP on loopback, answers A queries with
// 127.0.0.1 (or a configured address), AAAA with an empty NOERROR answer unless configured,
// configured names with NXDOMAIN — each after a delay, an asio timer, so many queries wait at
// once. It counts the queries it gets. The wire format is hand-written: it is the test server,
// not the product (the crawler asks through c-ares).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace corocrawl::test_server {

struct DnsServerOptions {
    std::string bind = "127.0.0.1";
    unsigned short port = 0;              // 0: any free port
    std::chrono::milliseconds delay{0};   // before every answer
    std::uint32_t ttl = 300;              // seconds, of every record unless `ttls` names it
    std::string default_a = "127.0.0.1";  // the A record of names not in `a` (empty: none)
    // Names are matched in any case, without a trailing dot. (The `{}` lets designated
    // initializers leave them out without a warning.)
    std::map<std::string, std::string> a{};     // name -> IPv4 address
    std::map<std::string, std::string> aaaa{};  // name -> IPv6 address
    std::map<std::string, std::uint32_t> ttls{};
    std::set<std::string> nxdomain{};  // names that do not exist
    bool silent = false;               // read every query, answer none (a hung server)
};

// Runs on a thread of its own from construction until destruction or stop().
class DnsServer {
  public:
    // Throws boost::system::system_error if it cannot bind.
    explicit DnsServer(DnsServerOptions options);
    ~DnsServer();
    DnsServer(const DnsServer&) = delete;
    DnsServer& operator=(const DnsServer&) = delete;

    unsigned short port() const noexcept;
    std::string address() const;  // "127.0.0.1:PORT", as --dns-servers takes it
    std::size_t queries() const;  // every query so far
    std::size_t queries_for(std::string_view name) const;  // of any type, for `name`
    void stop();                                           // idempotent

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace corocrawl::test_server
