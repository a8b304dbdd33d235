// The in-memory frontier: the default store, and the reference the persistent ones follow. What
// it decides: admission (through the gate), which host's turn it is (HostTable), and robots.txt.
#include <algorithm>
#include <boost/unordered/unordered_flat_set.hpp>
#include <deque>
#include <stdexcept>
#include <unordered_map>

#include "corocrawl/url.hpp"
#include "frontier/admission.hpp"
#include "frontier/hosts.hpp"
#include "frontier/journal.hpp"

namespace corocrawl {
namespace {

using frontier::AdmissionGate;
using frontier::Fingerprint;
using frontier::FingerprintHash;
using frontier::Host;
using frontier::HostTable;
using frontier::robots_attempts;
using frontier::robots_lifetime;
using frontier::robots_retry_first;
using frontier::robots_retry_most;
using frontier::RobotsRules;
using std::chrono::milliseconds;

// With a journal (--state), every change is told to it, and what it kept is restored first.
class MemoryFrontier final : public Frontier, private frontier::FrontierRestore {
  public:
    MemoryFrontier(const FrontierOptions& options, frontier::FrontierJournal* journal = nullptr,
                   std::size_t seen_in_memory = unlimited)
        : gate_(options),
          hosts_(gate_.options()),
          robots_agent_(options.robots_agent.empty() ? "corocrawl" : options.robots_agent),
          journal_(journal),
          seen_in_memory_(std::max<std::size_t>(1, seen_in_memory)) {
        if (journal_) {
            journal_->restore(*this);
            gate_.on_widen = [this](std::string_view host) { journal_->scope_widened(host); };
        }
    }
    ~MemoryFrontier() override {
        if (journal_) journal_->commit(counts_);
    }
    MemoryFrontier(const MemoryFrontier&) = delete;
    MemoryFrontier& operator=(const MemoryFrontier&) = delete;

    std::size_t add_seed(std::string url, std::uint64_t input_end) override {
        const auto seed = gate_.seed(url);
        if (seed && gate_.options().recursive) remember(seed->fingerprint);
        ++counts_.seeds;
        return admit(CrawlItem{0, std::move(url), 0, nullptr}, seed ? seed->origin : "", true,
                     input_end);
    }

    std::vector<Verdict> offer(const std::vector<std::string>& urls, const CrawlItem& from,
                               Hop hop) override {
        std::vector<Verdict> verdicts;
        verdicts.reserve(urls.size());
        std::shared_ptr<const std::string> referrer;  // made once, for the first admitted
        for (const auto& url : urls) {
            verdicts.push_back(judge(url, from, hop, referrer));
            frontier::tally(counts_, verdicts.back());
        }
        return verdicts;
    }

    void close_input() override { input_closed_ = true; }

    Next next(Clock::time_point now) override {
        if (journal_ && journal_->commit_due(now)) journal_->commit(counts_);
        Next next;
        if (refused_.empty()) {
            if (Host* host = hosts_.take_ready(now, next.ready_at)) {
                if (needs_robots(*host, now)) {
                    next.item = robots_item(*host, now);
                    return next;
                }
                CrawlItem item = take(*host);
                hosts_.started(*host, now);
                hosts_.reschedule(*host);
                next.item = lease(std::move(item), host);
                return next;
            }
            if (!nothing_in_flight()) return next;
            if (waiting_ == 0) {
                next.done = input_closed_;
                return next;
            }
            // Only origins whose robots.txt cannot be had are left: their URLs are owed
            // records, and the crawl its end.
            if (!input_closed_ || waiting_ != waiting_on_unreachable_) return next;
            give_up_on_unreachable();
        }
        Refusal refused = std::move(refused_.front());
        refused_.pop_front();
        next.item = lease(std::move(refused.item), nullptr);
        next.refusal = std::move(refused.why);
        next.ready_at.reset();
        return next;
    }

    void acknowledge(std::size_t index, const HostFeedback& feedback,
                     const StoredRecord* record) override {
        const auto leased = leased_.find(index);
        if (leased == leased_.end()) return;
        if (leased->second.host) hosts_.finished(*leased->second.host, feedback);
        leased_.erase(leased);
        if (journal_) journal_->finished(index, record);
    }

    void robots_fetched(const CrawlItem& item, const Result& result,
                        Clock::time_point now) override {
        Host* host = hosts_.find(frontier::origin_of(item.url));
        if (!host || host->robots != Host::Robots::fetching) return;
        --robots_in_flight_;
        // Counted again below if it is still given up on.
        if (host->robots_failures >= robots_attempts)
            waiting_on_unreachable_ -= host->waiting.size();
        const auto answer = frontier::robots_answer(result);
        if (answer.kind == frontier::RobotsAnswer::Kind::text) {
            if (journal_) journal_->robots_learned(host->origin, answer.text);
            learn(*host, RobotsRules::parse(answer.text, robots_agent_), now + robots_lifetime);
        } else if (answer.kind == frontier::RobotsAnswer::Kind::unavailable) {
            if (journal_) journal_->robots_learned(host->origin, std::nullopt);
            learn(*host, RobotsRules{}, now + robots_lifetime);  // no rules at all
        } else {
            host->robots = Host::Robots::unknown;
            host->robots_failure = answer.failure;
            ++host->robots_failures;
            if (host->robots_failures >= robots_attempts)
                waiting_on_unreachable_ += host->waiting.size();
            const auto backoff = std::min<milliseconds>(
                robots_retry_most,
                robots_retry_first * (1LL << std::min(host->robots_failures - 1, 20)));
            hosts_.pause(*host, now + backoff);
        }
        hosts_.finished(*host, {});
    }

    void slow_down(std::string_view url, milliseconds wait, Clock::time_point now) override {
        if (Host* host = hosts_.find(frontier::origin_of(url))) hosts_.pause(*host, now + wait);
    }

    std::size_t waiting() const override { return waiting_ + refused_.size(); }
    bool finished() const override {
        return waiting() == 0 && nothing_in_flight() && input_closed_;
    }

    std::vector<CrawlItem> drain() override {
        std::vector<CrawlItem> rest = hosts_.drain();
        for (auto& [index, leased] : leased_) rest.push_back(std::move(leased.item));
        for (auto& refused : refused_) rest.push_back(std::move(refused.item));
        std::sort(rest.begin(), rest.end(),
                  [](const CrawlItem& a, const CrawlItem& b) { return a.index < b.index; });
        leased_.clear();
        refused_.clear();
        waiting_ = waiting_on_unreachable_ = 0;
        return rest;
    }

    FrontierCounts counts() const override { return counts_; }
    bool keeps_state() const noexcept override { return journal_ != nullptr; }

  private:
    // ---- FrontierRestore: what a journal kept, handed back before anything else happens.
    void counts(const FrontierCounts& counts) override { counts_ = counts; }
    void scope(std::string_view host) override { gate_.widen(host); }
    void robots(std::string_view origin, std::optional<std::string_view> text,
                Clock::time_point expires) override {
        Host& host = hosts_.host(origin);
        if (host.robots != Host::Robots::unknown) return;  // --robots ignore now
        // Its Sitemap: lines were offered when it was first read.
        learn(host, text ? RobotsRules::parse(*text, robots_agent_) : RobotsRules{}, expires,
              false);
    }
    void seen(const Fingerprint& fingerprint) override { seen_.insert(fingerprint); }
    void seen_elsewhere() override { seen_all_in_memory_ = false; }
    void waiting(CrawlItem item) override {
        const std::string origin(frontier::origin_of(item.url));
        enqueue(std::move(item), origin);
    }

    struct Leased {
        CrawlItem item;
        Host* host;  // whose request it is; null for a refusal
    };
    struct Refusal {
        CrawlItem item;
        Error why;
    };

    std::size_t admit(CrawlItem item, std::string_view origin, bool seed = false,
                      std::uint64_t input_end = 0) {
        item.index = counts_.admitted++;
        const std::size_t index = item.index;
        if (journal_) journal_->admitted(item, seed, input_end);
        enqueue(std::move(item), origin);
        return index;
    }

    // Onto its host's queue, or a refusal when robots.txt is known to disallow it.
    void enqueue(CrawlItem item, std::string_view origin) {
        Host& host = hosts_.host(origin);
        if (host.robots == Host::Robots::known && refuse_if_disallowed(host, item)) return;
        ++waiting_;
        if (host.robots_failures >= robots_attempts) ++waiting_on_unreachable_;
        hosts_.push(host, std::move(item));
    }

    // A fingerprint admitted: in memory (forgetting all when full), and in the journal.
    void remember(const Fingerprint& fingerprint) {
        if (seen_.size() >= seen_in_memory_) {
            seen_.clear();
            seen_all_in_memory_ = false;
        }
        seen_.insert(fingerprint);
        if (journal_) journal_->seen(fingerprint);
    }
    bool seen_before(const Fingerprint& fingerprint) {
        if (seen_.contains(fingerprint)) return true;
        return !seen_all_in_memory_ && journal_->seen_before(fingerprint);
    }

    // Whether robots.txt (known) disallows `item`; if so, it is queued as a refusal.
    bool refuse_if_disallowed(const Host& host, CrawlItem& item) {
        const auto verdict = host.rules.check(frontier::robots_target(item.url));
        if (verdict.allowed) return false;
        ++counts_.robots_disallowed;
        refused_.push_back(
            {std::move(item), frontier::robots_disallowed(host.origin, verdict.rule)});
        return true;
    }

    bool needs_robots(const Host& host, Clock::time_point now) const {
        return host.robots == Host::Robots::unknown ||
               (host.robots == Host::Robots::known && now >= host.robots_expires);
    }

    CrawlItem robots_item(Host& host, Clock::time_point now) {
        host.robots = Host::Robots::fetching;
        hosts_.started(host, now);
        ++robots_in_flight_;
        ++counts_.robots_fetched;
        CrawlItem item;
        item.url = host.origin + "/robots.txt";
        item.robots_txt = true;
        return item;
    }

    // robots.txt was read: its rules hold until `expires` (a day), and the host's waiting URLs
    // they disallow become refusals.
    void learn(Host& host, RobotsRules rules, Clock::time_point expires,
               bool offer_sitemaps = true) {
        host.rules = std::move(rules);
        host.robots = Host::Robots::known;
        host.robots_expires = expires;
        host.robots_failures = 0;
        if (const auto delay = host.rules.crawl_delay()) hosts_.set_crawl_delay(host, *delay);
        std::deque<CrawlItem> allowed;
        for (auto& item : host.waiting) {
            if (!refuse_if_disallowed(host, item)) allowed.push_back(std::move(item));
        }
        waiting_ -= host.waiting.size() - allowed.size();
        host.waiting = std::move(allowed);
        if (offer_sitemaps && gate_.options().sitemaps_from_robots &&
            !host.rules.sitemaps().empty()) {
            CrawlItem robots_txt;
            robots_txt.url = host.origin + "/robots.txt";
            offer(host.rules.sitemaps(), robots_txt, Hop::sitemap);
        }
    }

    void give_up_on_unreachable() {
        hosts_.for_each([this](Host& host) {
            if (host.waiting.empty()) return;
            const Error why = frontier::robots_unreachable(host.origin, host.robots_failure,
                                                           host.robots_failures);
            for (auto& item : host.waiting) refused_.push_back({std::move(item), why});
            host.waiting.clear();
            hosts_.reschedule(host);
        });
        std::sort(refused_.begin(), refused_.end(),
                  [](const Refusal& a, const Refusal& b) { return a.item.index < b.item.index; });
        waiting_ = waiting_on_unreachable_ = 0;
    }

    CrawlItem take(Host& host) {
        const bool breadth_first = gate_.options().order == CrawlOrder::bfs;
        CrawlItem item = std::move(breadth_first ? host.waiting.front() : host.waiting.back());
        breadth_first ? host.waiting.pop_front() : host.waiting.pop_back();
        --waiting_;
        return item;
    }

    CrawlItem lease(CrawlItem item, Host* host) {
        const std::size_t index = item.index;
        if (journal_) journal_->leased(index);
        return leased_.emplace(index, Leased{std::move(item), host}).first->second.item;
    }

    bool nothing_in_flight() const { return leased_.empty() && robots_in_flight_ == 0; }

    Verdict judge(const std::string& url, const CrawlItem& from, Hop hop,
                  std::shared_ptr<const std::string>& referrer) {
        // The URL as written may be the canonical form of one admitted (a canonical form is its
        // own), or the spelling one was admitted in: then it is a duplicate, known without
        // parsing it, as most links on a site are.
        const Fingerprint written = frontier::fingerprint(url);
        if (seen_before(written)) return Verdict::duplicate;
        if (!referrer) referrer = std::make_shared<const std::string>(from.url);
        auto judgement = gate_.judge(url, from, hop, referrer);
        if (judgement.verdict != Verdict::admitted) return judgement.verdict;
        if (seen_before(judgement.fingerprint)) return Verdict::duplicate;
        if (counts_.admitted >= gate_.options().max_pages) return Verdict::over_limit;
        remember(judgement.fingerprint);
        if (!(written == judgement.fingerprint)) remember(written);
        const std::string origin(frontier::origin_of(judgement.item.url));
        admit(std::move(judgement.item), origin);
        return Verdict::admitted;
    }

    AdmissionGate gate_;
    HostTable hosts_;
    const std::string robots_agent_;
    std::size_t waiting_ = 0;                         // items in the hosts' queues
    std::size_t waiting_on_unreachable_ = 0;          // of them, on hosts given up on for now
    std::deque<Refusal> refused_;                     // records to make without a fetch
    std::unordered_map<std::size_t, Leased> leased_;  // by index
    std::size_t robots_in_flight_ = 0;
    frontier::FrontierJournal* const journal_;  // null: nothing outlives the process
    // Open addressing, 16 bytes and one of metadata a slot: a million seen URLs in ~20 MB.
    boost::unordered_flat_set<Fingerprint, FingerprintHash> seen_;
    const std::size_t seen_in_memory_;  // at most; then memory forgets, the journal knows
    bool seen_all_in_memory_ = true;
    FrontierCounts counts_;
    bool input_closed_ = false;
};

}  // namespace

std::unique_ptr<Frontier> make_memory_frontier(const FrontierOptions& options) {
    return std::make_unique<MemoryFrontier>(options);
}

std::unique_ptr<Frontier> frontier::make_journaled_frontier(const FrontierOptions& options,
                                                            FrontierJournal& journal) {
    return std::make_unique<MemoryFrontier>(options, &journal, options.seen_in_memory);
}

void validate(const FrontierOptions& options) {
    const frontier::AdmissionGate gate(options);  // compiles --include and --exclude
    if (options.per_host && *options.per_host == 0)
        throw std::invalid_argument("--per-host must be at least 1");
    if (!(options.autothrottle_target > 0))
        throw std::invalid_argument("--autothrottle-target must be more than 0");
}

}  // namespace corocrawl
