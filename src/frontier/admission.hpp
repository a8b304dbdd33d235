// The one gate every URL passes on its way into any frontier store (Colly's requestCheck): it
// parses, canonicalises and fingerprints, and judges scope, --include/--exclude and depth. What
// was seen and how many were admitted are the store's to know; the gate is the same for all.
#pragma once

#include <re2/set.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "corocrawl/frontier.hpp"
#include "frontier/scope.hpp"

namespace corocrawl::frontier {

// A seen URL costs these 16 bytes, not its text: the first half of SHA-256 of its canonical
// form. Stable across runs and machines, so a persistent or shared store can keep it.
struct Fingerprint {
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    bool operator==(const Fingerprint&) const = default;
};
struct FingerprintHash {
    using is_avalanching = void;  // already uniformly distributed: boost::unordered mixes no more
    std::size_t operator()(const Fingerprint& fingerprint) const noexcept {
        return fingerprint.low;
    }
};
Fingerprint fingerprint(std::string_view canonical_url);

// "scheme://host[:port]" of a URL in normal form (Url::text, or a link the gate admitted): the
// host politeness and robots.txt are kept per.
std::string_view origin_of(std::string_view normal_url) noexcept;

// One more URL offered, and what became of it, in `counts` (an admitted one is counted where the
// store admits it).
void tally(FrontierCounts& counts, Verdict verdict) noexcept;

class AdmissionGate {
  public:
    // Throws std::invalid_argument for a pattern RE2 cannot compile.
    explicit AdmissionGate(const FrontierOptions& options);

    // A seed widens the scope. When it is a URL at all: its fingerprint and its origin.
    struct Seed {
        Fingerprint fingerprint;
        std::string origin;
    };
    std::optional<Seed> seed(std::string_view url);

    struct Judgement {
        Verdict verdict = Verdict::admitted;  // admitted: so far (not seen, within max_pages)
        CrawlItem item;                       // index unset: the store numbers it
        Fingerprint fingerprint;
    };
    // `referrer` is from.url, shared by every link of the page.
    Judgement judge(std::string_view url, const CrawlItem& from, Hop hop,
                    const std::shared_ptr<const std::string>& referrer);

    const FrontierOptions& options() const noexcept { return options_; }

    // A host joins the scope (a seed's, or a seed's redirect's); `on_widen` is told of each,
    // so a store that outlives the process can give them back to the next run.
    void widen(std::string_view host);
    std::function<void(std::string_view host)> on_widen;

  private:
    FrontierOptions options_;
    CrawlScope scope_;
    // All the patterns of each list in one automaton: a link is matched once per list.
    std::unique_ptr<re2::RE2::Set> include_;
    std::unique_ptr<re2::RE2::Set> exclude_;
};

}  // namespace corocrawl::frontier
