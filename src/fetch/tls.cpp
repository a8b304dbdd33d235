#include "fetch/tls.hpp"

#include <openssl/x509.h>

#include <boost/asio/ip/address.hpp>
#include <stdexcept>

namespace corocrawl::fetch {

namespace ssl = boost::asio::ssl;

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
    return context;
}

bool is_ip_literal(const std::string& host) {
    boost::system::error_code error;
    boost::asio::ip::make_address(host, error);
    return !error;
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
