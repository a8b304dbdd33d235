#include "frontier/scope.hpp"

#include <arpa/inet.h>
#include <libpsl.h>

#include <stdexcept>

namespace corocrawl::frontier {

void CrawlScope::PslDeleter::operator()(psl_ctx_st* psl) const noexcept {
    // psl_builtin()'s context is static and must not be freed; psl_latest()'s is ours.
    if (psl != psl_builtin()) psl_free(psl);
}

CrawlScope::CrawlScope(Scope scope) : scope_(scope) {
    if (scope_ != Scope::domain) return;
    // The system's list (Debian's publicsuffix package) when it is newer, else libpsl's own.
    psl_.reset(psl_latest(nullptr));
    if (!psl_) psl_.reset(const_cast<psl_ctx_st*>(psl_builtin()));
    if (!psl_) throw std::runtime_error("no Public Suffix List for --scope domain");
}

CrawlScope::~CrawlScope() = default;

namespace {

bool is_ip_address(const std::string& host) {
    unsigned char address[16];
    return inet_pton(AF_INET, host.c_str(), address) == 1 ||
           inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace

std::string CrawlScope::key(std::string_view host) const {
    if (scope_ != Scope::domain) return std::string(host);
    const std::string name(host);
    // The list's default rule ("*") would make "0.1" the registrable domain of 127.0.0.1.
    if (is_ip_address(name)) return name;
    const char* domain = psl_registrable_domain(psl_.get(), name.c_str());
    return domain ? std::string(domain) : name;
}

void CrawlScope::widen(std::string_view host) {
    if (scope_ != Scope::any) keys_.insert(key(host));
}

bool CrawlScope::contains(std::string_view host) const {
    return scope_ == Scope::any || keys_.contains(key(host));
}

}  // namespace corocrawl::frontier
