// TLS settings both transports share: the context (which CAs to trust, whether to verify) and the
// per-connection setup (SNI, host-name verification) and the reason a handshake failed.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/system/error_code.hpp>
#include <string>

#include "corocrawl/options.hpp"
#include "corocrawl/url.hpp"

namespace corocrawl::fetch {

// Trusts the system's CA store, or only `options.cacert`; verifies peers unless `insecure`.
// Throws std::runtime_error naming the file when the CA file cannot be used.
boost::asio::ssl::context make_tls_context(const FetchOptions& options);

bool is_ip_literal(const std::string& host);

// Before the handshake: the server name for SNI (not for IP literals, as RFC 6066 says) and the
// host name the certificate must match.
template <class TlsStream>
void prepare_tls_client(TlsStream& stream, const Url& url) {
    if (!is_ip_literal(url.host)) {
        SSL_set_tlsext_host_name(stream.native_handle(), const_cast<char*>(url.host.c_str()));
    }
    stream.set_verify_callback(boost::asio::ssl::host_name_verification(url.host));
}

// Why a handshake failed, in words: the certificate's fault when verification rejected it.
std::string tls_failure_detail(SSL* ssl, const boost::system::error_code& code);

}  // namespace corocrawl::fetch
