#include "frontier/admission.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include "corocrawl/url.hpp"

namespace corocrawl::frontier {
namespace {

// RE2's options for --include / --exclude: linear time whatever the pattern and the URL, and a
// bounded automaton, so neither a hostile page nor a careless pattern can stall the crawl.
std::unique_ptr<re2::RE2::Set> compile(const std::vector<std::string>& patterns,
                                       std::string_view option) {
    if (patterns.empty()) return nullptr;
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto set = std::make_unique<re2::RE2::Set>(options, re2::RE2::UNANCHORED);
    for (const auto& pattern : patterns) {
        std::string error;
        if (set->Add(pattern, &error) < 0) {
            throw std::invalid_argument(std::string(option) + " '" + pattern + "': " + error);
        }
    }
    if (!set->Compile()) {
        throw std::invalid_argument(std::string(option) + ": the patterns are too large together");
    }
    return set;
}

bool matches(const re2::RE2::Set& set, std::string_view text) {
    return set.Match(re2::StringPiece(text.data(), text.size()), nullptr);
}

}  // namespace

Fingerprint fingerprint(std::string_view canonical_url) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);  // fetched once
    if (!sha256 || !EVP_Digest(canonical_url.data(), canonical_url.size(), digest.data(), &size,
                               sha256, nullptr)) {
        throw std::runtime_error("SHA-256 is not available");
    }
    Fingerprint result;
    std::memcpy(&result.high, digest.data(), sizeof result.high);
    std::memcpy(&result.low, digest.data() + sizeof result.high, sizeof result.low);
    return result;
}

void tally(FrontierCounts& counts, Verdict verdict) noexcept {
    ++counts.discovered;
    switch (verdict) {
        case Verdict::admitted:
            break;
        case Verdict::duplicate:
            ++counts.duplicates;
            break;
        case Verdict::out_of_scope:
            ++counts.out_of_scope;
            break;
        case Verdict::filtered:
            ++counts.filtered;
            break;
        case Verdict::too_deep:
            ++counts.too_deep;
            break;
        case Verdict::over_limit:
            ++counts.over_limit;
            break;
        case Verdict::unsupported:
            ++counts.unsupported;
            break;
    }
}

AdmissionGate::AdmissionGate(const FrontierOptions& options)
    : options_(options),
      scope_(options.scope),
      include_(compile(options.include, "--include")),
      exclude_(compile(options.exclude, "--exclude")) {}

std::string_view origin_of(std::string_view normal_url) noexcept {
    const auto authority = normal_url.find("://");
    if (authority == std::string_view::npos) return {};
    return normal_url.substr(0, normal_url.find_first_of("/?#", authority + 3));
}

void AdmissionGate::widen(std::string_view host) {
    if (scope_.contains(host)) return;
    scope_.widen(host);
    if (on_widen) on_widen(host);
}

std::optional<AdmissionGate::Seed> AdmissionGate::seed(std::string_view url) {
    auto parsed = parse_url(url);
    const auto* seed = std::get_if<Url>(&parsed);
    if (!seed) return std::nullopt;
    widen(seed->host);
    return Seed{fingerprint(canonical_url(*seed, options_.keep_query_order)),
                std::string(origin_of(seed->text))};
}

AdmissionGate::Judgement AdmissionGate::judge(std::string_view url, const CrawlItem& from, Hop hop,
                                              const std::shared_ptr<const std::string>& referrer) {
    Judgement judgement;
    // Links resolved by the extractor are normal already: only the others are parsed here.
    std::string_view text = url, host;
    std::variant<Url, Error> parsed;
    if (const auto normal_host = normal_url_host(url)) {
        host = *normal_host;
    } else {
        parsed = parse_url(url);
        const auto* link = std::get_if<Url>(&parsed);
        if (!link) {
            judgement.verdict = Verdict::unsupported;
            return judgement;
        }
        text = link->text;
        host = link->host;
    }
    const std::size_t depth = hop == Hop::link ? from.depth + 1 : from.depth;
    // A seed that redirects (http to https, example.com to www.example.com) was meant to be
    // crawled where it leads; depth 0 is a seed or where its redirects led.
    if (hop == Hop::redirect && from.depth == 0) widen(host);
    if (!scope_.contains(host)) {
        judgement.verdict = Verdict::out_of_scope;
        return judgement;
    }
    const std::string canonical = canonical_url(text, options_.keep_query_order);
    if ((include_ && !matches(*include_, canonical)) ||
        (exclude_ && matches(*exclude_, canonical))) {
        judgement.verdict = Verdict::filtered;
    } else if (depth > options_.max_depth) {
        judgement.verdict = Verdict::too_deep;
    }
    if (judgement.verdict != Verdict::admitted) return judgement;
    judgement.fingerprint = fingerprint(canonical);
    judgement.item.url = std::string(text);
    judgement.item.depth = depth;
    judgement.item.referrer = referrer;
    return judgement;
}

}  // namespace corocrawl::frontier
