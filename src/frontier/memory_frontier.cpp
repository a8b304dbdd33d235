// The in-memory frontier: the default store, and the reference the persistent ones follow.
#include <algorithm>
#include <boost/unordered/unordered_flat_set.hpp>
#include <deque>
#include <unordered_map>

#include "frontier/admission.hpp"

namespace corocrawl {
namespace {

using frontier::AdmissionGate;
using frontier::Fingerprint;
using frontier::FingerprintHash;

class MemoryFrontier final : public Frontier {
  public:
    explicit MemoryFrontier(const FrontierOptions& options) : gate_(options) {}

    std::size_t add_seed(std::string url) override {
        const auto seen = gate_.seed(url);
        if (seen && gate_.options().recursive) seen_.insert(*seen);
        ++counts_.seeds;
        return admit(CrawlItem{0, std::move(url), 0, nullptr});
    }

    std::vector<Verdict> offer(const std::vector<std::string>& urls, const CrawlItem& from,
                               Hop hop) override {
        std::vector<Verdict> verdicts;
        verdicts.reserve(urls.size());
        std::shared_ptr<const std::string> referrer;  // made once, for the first admitted
        for (const auto& url : urls) {
            verdicts.push_back(judge(url, from, hop, referrer));
            count(verdicts.back());
        }
        return verdicts;
    }

    void close_input() override { input_closed_ = true; }

    Next next() override {
        Next next;
        if (waiting_.empty()) {
            next.done = input_closed_ && leased_.empty();
            return next;
        }
        const bool breadth_first = gate_.options().order == CrawlOrder::bfs;
        CrawlItem& item = breadth_first ? waiting_.front() : waiting_.back();
        next.item = item;
        leased_.emplace(item.index, std::move(item));
        breadth_first ? waiting_.pop_front() : waiting_.pop_back();
        return next;
    }

    void acknowledge(std::size_t index) override { leased_.erase(index); }

    std::size_t waiting() const override { return waiting_.size(); }

    std::vector<CrawlItem> drain() override {
        std::vector<CrawlItem> rest;
        rest.reserve(leased_.size() + waiting_.size());
        for (auto& [index, item] : leased_) rest.push_back(std::move(item));
        std::sort(rest.begin(), rest.end(),
                  [](const CrawlItem& a, const CrawlItem& b) { return a.index < b.index; });
        std::move(waiting_.begin(), waiting_.end(), std::back_inserter(rest));
        leased_.clear();
        waiting_.clear();
        return rest;
    }

    FrontierCounts counts() const override { return counts_; }

  private:
    std::size_t admit(CrawlItem item) {
        item.index = counts_.admitted++;
        waiting_.push_back(std::move(item));
        return waiting_.back().index;
    }

    Verdict judge(const std::string& url, const CrawlItem& from, Hop hop,
                  std::shared_ptr<const std::string>& referrer) {
        // The URL as written may be the canonical form of one admitted (a canonical form is its
        // own), or the spelling one was admitted in: then it is a duplicate, known without
        // parsing it, as most links on a site are.
        const Fingerprint written = frontier::fingerprint(url);
        if (seen_.contains(written)) return Verdict::duplicate;
        if (!referrer) referrer = std::make_shared<const std::string>(from.url);
        auto judgement = gate_.judge(url, from, hop, referrer);
        if (judgement.verdict != Verdict::admitted) return judgement.verdict;
        if (seen_.contains(judgement.fingerprint)) return Verdict::duplicate;
        if (counts_.admitted >= gate_.options().max_pages) return Verdict::over_limit;
        seen_.insert(judgement.fingerprint);
        if (!(written == judgement.fingerprint)) seen_.insert(written);
        admit(std::move(judgement.item));
        return Verdict::admitted;
    }

    void count(Verdict verdict) {
        ++counts_.discovered;
        switch (verdict) {
            case Verdict::admitted:
                break;
            case Verdict::duplicate:
                ++counts_.duplicates;
                break;
            case Verdict::out_of_scope:
                ++counts_.out_of_scope;
                break;
            case Verdict::filtered:
                ++counts_.filtered;
                break;
            case Verdict::too_deep:
                ++counts_.too_deep;
                break;
            case Verdict::over_limit:
                ++counts_.over_limit;
                break;
            case Verdict::unsupported:
                ++counts_.unsupported;
                break;
        }
    }

    AdmissionGate gate_;
    std::deque<CrawlItem> waiting_;
    std::unordered_map<std::size_t, CrawlItem> leased_;  // by index
    // Open addressing, 16 bytes and one of metadata a slot: a million seen URLs in ~20 MB.
    boost::unordered_flat_set<Fingerprint, FingerprintHash> seen_;
    FrontierCounts counts_;
    bool input_closed_ = false;
};

}  // namespace

std::unique_ptr<Frontier> make_memory_frontier(const FrontierOptions& options) {
    return std::make_unique<MemoryFrontier>(options);
}

void validate(const FrontierOptions& options) {
    const frontier::AdmissionGate gate(options);  // compiles --include and --exclude
}

}  // namespace corocrawl
