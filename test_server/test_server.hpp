// The bundled HTTP test server: the seed's pages and every route the tests need, on Beast + Asio
// coroutines. A library, so tests start it in-process; `corocrawl serve` is a thin command over it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace corocrawl::test_server {

struct ServerOptions {
    std::string bind = "127.0.0.1";
    unsigned short port = 5000;             // 0: any free port
    std::chrono::milliseconds delay{2000};  // for /bobo, /jay, /tom; `?delay=MS` overrides
    unsigned threads = 1;
    std::chrono::milliseconds header_timeout{10'000};  // a client this slow to send headers (or to
                                                       // finish the TLS handshake) is dropped
    // HTTPS when both are given: the certificate chain (leaf first) and its private key, as PEM
    // text. The server reads no files; `corocrawl serve --tls-cert/--tls-key` reads them for it.
    // (The `{}` lets designated initializers leave them out without a warning.)
    std::string tls_certificate_pem{};
    std::string tls_private_key_pem{};
    // Record every request's arrival per Host (host_records(), GET /hosts). Off by default so a
    // benchmark of the server itself pays nothing for it.
    bool record_hosts = false;
};

// Counters the tests read to check client behaviour from the server's side.
struct ServerStats {
    std::atomic<std::size_t> connections{0};  // accepted so far
    std::atomic<std::size_t> requests{0};     // requests read so far
    std::atomic<std::size_t> tls_resumed{0};  // TLS handshakes that resumed an earlier session
};

// What GET /robots.txt answers for a host a test registered with Server::set_robots.
struct RobotsReply {
    int status = 200;
    std::string body;  // sent as text/plain
    std::chrono::milliseconds delay{0};
};

// What the server saw of one host (the Host header's name, lower-cased, without the port) while
// ServerOptions::record_hosts is on. A request occupies its host from when it has been read until
// its response has been written (or the client has gone), so a delayed route holds it that long.
struct HostRecord {
    std::size_t requests = 0;
    std::size_t max_concurrent = 0;  // the most of this host's requests occupying it at once
    std::vector<std::chrono::steady_clock::time_point> arrivals;  // when each was read, in order
    std::vector<std::string> targets;                             // each one's request target
};

// Runs the server on its own threads from construction until destruction or stop().
class Server {
  public:
    // Throws boost::system::system_error if it cannot listen on options.bind:options.port or the
    // TLS certificate or key is unusable, std::invalid_argument if only one of them is given.
    explicit Server(ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    unsigned short port() const noexcept;
    std::string base_url() const;  // "http://127.0.0.1:PORT", or https:// with TLS
    const ServerStats& stats() const noexcept;

    // From now on GET /robots.txt under `host` (a name, no port; any case) answers `reply`,
    // whatever routes_robots.cpp would have answered. Thread-safe, like the two below.
    void set_robots(std::string host, RobotsReply reply);
    // The GET /robots.txt requests that named `host` so far.
    std::size_t robots_requests(std::string_view host) const;
    // Every host's record so far; empty unless ServerOptions::record_hosts.
    std::map<std::string, HostRecord> host_records() const;

    void stop();  // idempotent: closes the port and every connection, joins the threads

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// `corocrawl serve`: prints "serving http://HOST:PORT" (https:// with TLS), serves until
// SIGINT/SIGTERM. Returns the process exit status.
int serve(const ServerOptions& options);

}  // namespace corocrawl::test_server
