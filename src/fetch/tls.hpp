// TLS settings both transports share: the context (which CAs to trust, whether to verify) and the
// per-connection setup (SNI, host-name verification) and the reason a handshake failed.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <mutex>
#include <optional>
#include <string>

#include "corocrawl/options.hpp"
#include "corocrawl/url.hpp"

namespace corocrawl::fetch {

// Trusts the system's CA store, or only `options.cacert`; verifies peers unless `insecure`.
// Remembers the last session each origin's server gave (TLS 1.2 session or TLS 1.3 ticket), and
// prepare_tls_client() offers it to the next connection to that origin, so a new connection
// resumes instead of paying a full handshake; a session the server declines costs nothing but a
// full handshake. Verification stays on: a resumed session is one that was verified.
// Throws std::runtime_error naming the file when the CA file cannot be used.
boost::asio::ssl::context make_tls_context(const FetchOptions& options);

// The crawl's TLS context, made by the first https connection that needs it: loading the CA
// store takes about 20 ms, which a crawl of http:// URLs should not pay. Safe from any thread.
class LazyTlsContext {
  public:
    explicit LazyTlsContext(FetchOptions options) : options_(std::move(options)) {}

    // Throws as make_tls_context() does (and tries again on the next call).
    boost::asio::ssl::context& get() {
        std::call_once(made_, [this] { context_.emplace(make_tls_context(options_)); });
        return *context_;
    }

  private:
    FetchOptions options_;
    std::once_flag made_;
    std::optional<boost::asio::ssl::context> context_;
};

// Before the handshake: the server name for SNI (not for IP literals, as RFC 6066 says), the
// name or address the certificate must match, and the origin's last session to resume. OpenSSL
// checks the match itself, so a mismatch is reported with its reason ("hostname mismatch")
// rather than as an unspecified failure.
void prepare_tls_client(SSL* ssl, const Url& url);

// Why a handshake failed, in words: the certificate's fault when verification rejected it.
std::string tls_failure_detail(SSL* ssl, const boost::system::error_code& code);

}  // namespace corocrawl::fetch
