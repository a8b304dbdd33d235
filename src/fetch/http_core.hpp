// The sans-IO HTTP core: every protocol decision of a fetch, and no waiting of any kind.
//
// A transport (async or blocking) drives one Exchange per input URL:
//
//     for (;;) {
//         auto action = exchange.next();
//         Finished -> done: exchange.take_result()
//         Wait     -> sleep that long (a retry's backoff), cancellably
//         Send     -> connect (or reuse), write the request, read the response,
//                     then exchange.on_response(...) or exchange.on_failure(...)
//     }
//
// The transport only moves bytes and waits (bounded by exchange.deadline()); what a response or
// a failure means — redirect, retry, backoff, decoding, which error kind, when to stop — is
// decided here, once, for every mode.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "corocrawl/options.hpp"
#include "corocrawl/result.hpp"
#include "corocrawl/url.hpp"

namespace corocrawl::fetch {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using ResponseParser = http::response_parser<http::string_body>;

// Send `request` for `url` and read the response: straight to the URL's origin, or through
// `proxy` (for https: inside a CONNECT tunnel the transport opens first).
struct Send {
    const Url& url;
    const Request& request;
    const Url* proxy;  // null: direct
    // Connections are pooled and reused under this key. A copy: following a redirect changes the
    // exchange's key before the transport gives the connection back under the old one.
    const std::string connection_key;
    bool fresh_connection;            // do not take a pooled connection (the last one was stale)
    const std::string& wire_request;  // `request` serialised: the bytes to write

    bool tunnelled() const noexcept { return proxy && url.is_https(); }
};
// Sleep before the next attempt.
struct Wait {
    std::chrono::milliseconds duration;
};
struct Finished {};
using Action = std::variant<Send, Wait, Finished>;

// Where in an exchange a transport failed: the same error code means different things there.
enum class Phase { resolve, connect, tunnel, handshake, write, read };

// What a transport knows of a response beyond the parsed message: for WARC.
struct WireBytes {
    std::string peer_address;  // the remote IP address
    std::string response;      // what the parser consumed (Exchange::keeps_wire_bytes() only)
};

// A transport's failure, as the core needs to know it.
struct Failure {
    boost::system::error_code code;
    Phase phase;
    bool reused_connection;   // the connection came from the pool
    bool response_started;    // at least one byte of the response had arrived
    std::string detail = {};  // what the transport knows beyond the code (a certificate's fault)
};

// Told when a server asks for a pause (429 Too Many Requests, 503 Service Unavailable): what it
// asked applies to its whole host, so the frontier holds the host's other URLs back as long.
using SlowDown = std::function<void(const Url& url, std::chrono::milliseconds wait)>;

class Exchange {
  public:
    // `slow_down` (may be null or empty) outlives the exchange.
    Exchange(InputLine input, const FetchOptions& options, const SlowDown* slow_down = nullptr);

    Action next();
    // Sets the parser's limits for the response to `request`.
    void prepare(ResponseParser& parser, const Request& request) const;
    void on_response(Response&& response, WireBytes wire = {});
    // Whether transports should keep the response's raw bytes for on_response.
    bool keeps_wire_bytes() const noexcept { return options_.keep_wire_bytes; }
    void on_failure(const Failure& failure);

    // For a tunnelled Send: the CONNECT request to write to the proxy, and whether its answer
    // opened the tunnel (if not, the exchange has failed).
    Request tunnel_request() const;
    bool on_tunnel_response(const http::response_header<>& answer);

    // The instant the whole fetch must be over: every wait of the transport ends by then.
    Clock::time_point deadline() const noexcept { return deadline_; }
    Clock::time_point connect_deadline() const noexcept;
    Timings& timings() noexcept { return result_.timings; }

    Result take_result();

  private:
    void start_request(Url url, http::verb method, bool with_body);
    void finish(Response&& response);
    void fail(ErrorKind kind, std::string message);
    Error classify(const Failure& failure) const;
    bool follow_redirect(const Response& response);
    // Schedules another attempt when the policy allows one; false when it does not.
    bool retry(std::optional<std::chrono::milliseconds> server_asked);

    const FetchOptions& options_;
    const SlowDown* slow_down_;
    Result result_;
    Clock::time_point deadline_;
    Url url_;
    std::optional<Url> proxy_;
    std::string connection_key_;
    Request request_;
    std::string wire_request_;       // request_ as it is written
    std::set<std::string> visited_;  // URLs already requested, to detect redirect loops
    int redirects_ = 0;
    std::optional<std::chrono::milliseconds> wait_;  // before the next attempt
    bool fresh_connection_ = false;
    bool finished_ = false;
};

}  // namespace corocrawl::fetch
