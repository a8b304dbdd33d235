#include "fetch/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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
