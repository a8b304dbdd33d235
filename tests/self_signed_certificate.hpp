// A self-signed certificate made at test time, with OpenSSL's API behind RAII: the HTTPS tests
// serve it and trust it (or not) with --cacert.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace corocrawl::testing {

struct CertificateAndKey {
    std::string certificate_pem;
    std::string private_key_pem;
};

namespace detail {

template <auto free_function>
struct OpenSslFree {
    template <class T>
    void operator()(T* object) const {
        free_function(object);
    }
};
using Key = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, OpenSslFree<X509_EXTENSION_free>>;
using MemoryBio = std::unique_ptr<BIO, OpenSslFree<BIO_free>>;

inline void require(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("making the test certificate: ") + what);
}

// Everything written so far to a memory BIO.
inline std::string text_of(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace detail

// A P-256 certificate valid from an hour ago for a day, signed by its own key, for the subject
// alternative names `names` in OpenSSL's syntax ("IP:127.0.0.1,DNS:localhost").
inline CertificateAndKey make_self_signed_certificate(const std::string& names) {
    using namespace detail;
    Key key(EVP_EC_gen("P-256"));
    require(key != nullptr, "EVP_EC_gen");
    Certificate certificate(X509_new());
    require(certificate != nullptr, "X509_new");
    X509* x509 = certificate.get();
    require(X509_set_version(x509, X509_VERSION_3) == 1, "X509_set_version");
    require(ASN1_INTEGER_set(X509_get_serialNumber(x509), 1) == 1, "serial number");
    require(X509_gmtime_adj(X509_getm_notBefore(x509), -3600) != nullptr, "notBefore");
    require(X509_gmtime_adj(X509_getm_notAfter(x509), 24 * 3600) != nullptr, "notAfter");
    require(X509_set_pubkey(x509, key.get()) == 1, "X509_set_pubkey");
    X509_NAME* subject = X509_get_subject_name(x509);
    require(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>("corocrawl test"), -1,
                                       -1, 0) == 1,
            "common name");
    require(X509_set_issuer_name(x509, subject) == 1, "issuer");  // self-signed

    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, x509, x509, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, names},
                              std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
        Extension extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
        require(extension != nullptr, "X509V3_EXT_conf_nid");
        require(X509_add_ext(x509, extension.get(), -1) == 1, "X509_add_ext");
    }
    require(X509_sign(x509, key.get(), EVP_sha256()) > 0, "X509_sign");

    MemoryBio certificate_pem(BIO_new(BIO_s_mem())), key_pem(BIO_new(BIO_s_mem()));
    require(certificate_pem && key_pem, "BIO_new");
    require(PEM_write_bio_X509(certificate_pem.get(), x509) == 1, "PEM_write_bio_X509");
    require(PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                     nullptr) == 1,
            "PEM_write_bio_PrivateKey");
    return {text_of(certificate_pem.get()), text_of(key_pem.get())};
}

}  // namespace corocrawl::testing
