// Which hosts a crawl stays on: the seeds' hosts, or their registrable domains (the Public Suffix
// List through libpsl, the library curl and wget use), or anywhere.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

#include "corocrawl/options.hpp"

struct psl_ctx_st;

namespace corocrawl::frontier {

class CrawlScope {
  public:
    explicit CrawlScope(Scope scope);
    ~CrawlScope();
    CrawlScope(const CrawlScope&) = delete;
    CrawlScope& operator=(const CrawlScope&) = delete;

    // A seed's host (lower-case, as Url keeps it) joins the scope.
    void widen(std::string_view host);
    bool contains(std::string_view host) const;

  private:
    // What is compared: the host itself, or its registrable domain ("a.b.example.co.uk" ->
    // "example.co.uk"); an IP address, or a name that is itself a public suffix, as it is.
    std::string key(std::string_view host) const;

    Scope scope_;
    struct PslDeleter {
        void operator()(psl_ctx_st* psl) const noexcept;
    };
    std::unique_ptr<psl_ctx_st, PslDeleter> psl_;
    std::unordered_set<std::string> keys_;
};

}  // namespace corocrawl::frontier
