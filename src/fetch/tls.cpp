#include "fetch/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace corocrawl::fetch {
namespace {

namespace ssl = boost::asio::ssl;

struct SessionFree {
    void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
};
using Session = std::unique_ptr<SSL_SESSION, SessionFree>;

// The last session per origin ("host:port"), kept with the SSL_CTX that made them and shared by
// every thread that connects through it.
class SessionCache {
  public:
    void store(const std::string& origin, SSL_SESSION* session) {
        const std::lock_guard lock(mutex_);
        if (sessions_.size() >= max_origins && !sessions_.contains(origin)) sessions_.clear();
        sessions_[origin].reset(session);
    }
    void offer(const std::string& origin, SSL* ssl) {
        const std::lock_guard lock(mutex_);
        if (const auto found = sessions_.find(origin); found != sessions_.end()) {
            SSL_set_session(ssl, found->second.get());  // takes its own reference
        }
    }

  private:
    static constexpr std::size_t max_origins = 10'000;  // a bound, not a tuning: drop all beyond
    std::mutex mutex_;
    std::unordered_map<std::string, Session> sessions_;
};

// Where OpenSSL keeps what the callbacks need: the cache beside the SSL_CTX, the origin beside
// each connection's SSL.
int cache_index() {
    static const int index = SSL_CTX_get_ex_new_index(
        0, nullptr, nullptr, nullptr, [](void*, void* cache, CRYPTO_EX_DATA*, int, long, void*) {
            delete static_cast<SessionCache*>(cache);
        });
    return index;
}

int origin_index() {
    static const int index = SSL_get_ex_new_index(
        0, nullptr, nullptr, nullptr, [](void*, void* origin, CRYPTO_EX_DATA*, int, long, void*) {
            delete static_cast<std::string*>(origin);
        });
    return index;
}

// OpenSSL's word that a server gave a session (at the end of a TLS 1.2 handshake, or in a TLS 1.3
// ticket after it). The cache keeps a copy: OpenSSL marks its own not resumable when a
// connection is dropped without a close_notify, which is how a pooled connection usually ends.
int remember_session(SSL* ssl, SSL_SESSION* session) {
    auto* cache =
        static_cast<SessionCache*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cache_index()));
    const auto* origin = static_cast<const std::string*>(SSL_get_ex_data(ssl, origin_index()));
    if (cache != nullptr && origin != nullptr) {
        if (SSL_SESSION* copy = SSL_SESSION_dup(session)) cache->store(*origin, copy);
    }
    return 0;  // OpenSSL keeps (and frees) its own
}

}  // namespace

ssl::context make_tls_context(const FetchOptions& options) {
    ssl::context context(ssl::context::tls_client);
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code error;
    if (options.cacert.empty()) {
        context.set_default_verify_paths(error);
    } else {
        context.load_verify_file(options.cacert, error);
    }
    if (error) {
        throw std::runtime_error(
            "cannot load CA certificates" +
            (options.cacert.empty() ? std::string() : " from " + options.cacert) + ": " +
            error.message());
    }
    context.set_verify_mode(options.insecure ? ssl::verify_none : ssl::verify_peer);
    SSL_CTX* native = context.native_handle();
    SSL_CTX_set_ex_data(native, cache_index(), new SessionCache);
    SSL_CTX_set_session_cache_mode(native,
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(native, remember_session);
    return context;
}

void prepare_tls_client(SSL* ssl, const Url& url) {
    boost::system::error_code not_an_address;
    boost::asio::ip::make_address(url.host, not_an_address);
    X509_VERIFY_PARAM* expected = SSL_get0_param(ssl);
    if (!not_an_address) {
        X509_VERIFY_PARAM_set1_ip_asc(expected, url.host.c_str());
    } else {
        SSL_set_tlsext_host_name(ssl, const_cast<char*>(url.host.c_str()));
        X509_VERIFY_PARAM_set_hostflags(expected, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        SSL_set1_host(ssl, url.host.c_str());
    }
    auto origin = std::make_unique<std::string>(url.host + ':' + url.port);
    if (auto* cache =
            static_cast<SessionCache*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cache_index()))) {
        cache->offer(*origin, ssl);
    }
    if (SSL_set_ex_data(ssl, origin_index(), origin.get()) == 1) origin.release();
}

std::string tls_failure_detail(SSL* ssl, const boost::system::error_code& code) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
        return std::string("certificate verification failed: ") +
               X509_verify_cert_error_string(verify);
    }
    return code.message();
}

}  // namespace corocrawl::fetch
