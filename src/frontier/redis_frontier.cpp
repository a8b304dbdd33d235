// The shared frontier: the gate judges each URL here, as in every store, and Redis decides the
// rest for all the processes at once (redis_scripts.hpp): what was seen, which host's turn it
// is, who holds which lease. One round trip a decision, each bounded; while Redis is away the
// frontier hands out nothing, keeps what it must tell in order, and tells it once Redis is back.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/unordered/unordered_flat_set.hpp>
#include <boost/url.hpp>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <iostream>
#include <mutex>
#include <random>
#include <stop_token>
#include <thread>
#include <unordered_map>

#include "corocrawl/shared_frontier.hpp"
#include "corocrawl/url.hpp"
#include "frontier/admission.hpp"
#include "frontier/redis.hpp"
#include "frontier/redis_scripts.hpp"
#include "frontier/robots.hpp"

namespace corocrawl {
namespace {

namespace scripts = frontier::redis_scripts;
using frontier::AdmissionGate;
using frontier::Fingerprint;
using frontier::FingerprintHash;
using frontier::RobotsRules;
using frontier::redis::Connection;
using frontier::redis::integer;
using frontier::redis::Reply;
using std::chrono::milliseconds;

// Bounds connecting and every command: past it, Redis is away.
constexpr milliseconds redis_timeout{5'000};
// While Redis is away: asked again after 100 ms, 200 ms ... at most this far apart.
constexpr milliseconds reconnect_most{5'000};
// With nothing to lease, this process asks again after 2 ms, 4 ms ... at most this far apart
// (other processes may add work, or free a host's place, at any moment).
constexpr milliseconds idle_poll_most{100};
// A worker waiting for a host's delay asks again at least this often.
constexpr milliseconds idle_wait_most{5'000};

std::string key_prefix(const RedisAddress& address) {
    return "corocrawl:{" + address.name + "}:";
}

std::string fingerprint_bytes(const Fingerprint& fingerprint) {
    std::string bytes(sizeof fingerprint.high + sizeof fingerprint.low, '\0');
    std::memcpy(bytes.data(), &fingerprint.high, sizeof fingerprint.high);
    std::memcpy(bytes.data() + sizeof fingerprint.high, &fingerprint.low, sizeof fingerprint.low);
    return bytes;
}

std::string worker_id() {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    std::random_device random;
    return std::string(host) + ':' + std::to_string(getpid()) + ':' + std::to_string(random());
}

// Instants as Redis's clock tells them, read through this process's steady clock: every process
// of the crawl then agrees on when a lease expires or a host may be asked again.
class SharedClock {
  public:
    void set(Connection& connection) {
        const auto before = Clock::now();
        const std::int64_t redis_ms = connection.time_ms();
        base_ = before + (Clock::now() - before) / 2;
        base_ms_ = redis_ms;
        anchored_ = false;
    }
    // The first instant the frontier is asked about becomes the base: instants a whole number
    // of milliseconds from it (as a test's are) convert exactly, both ways.
    void anchor(Clock::time_point t) {
        if (anchored_) return;
        anchored_ = true;
        base_ms_ = at(t);
        base_ = t;
    }
    std::int64_t at(Clock::time_point t) const {
        return base_ms_ + std::chrono::floor<milliseconds>(t - base_).count();
    }
    Clock::time_point from(std::int64_t ms) const { return base_ + milliseconds(ms - base_ms_); }

  private:
    Clock::time_point base_ = Clock::now();
    std::int64_t base_ms_ = 0;
    bool anchored_ = false;
};

const redisReply& element(const redisReply& reply, std::size_t i) {
    if (reply.type != REDIS_REPLY_ARRAY || i >= reply.elements)
        throw frontier::redis::ReplyError("a script answered with too few values");
    return *reply.element[i];
}

// An item as the scripts keep it: "origin\tdepth\tattempts\treferrer\turl".
struct StoredItem {
    std::string origin;
    CrawlItem item;
};
StoredItem parse_item(std::size_t index, std::string_view payload) {
    StoredItem stored;
    std::array<std::string_view, 4> fields;
    for (auto& field : fields) {
        const auto tab = payload.find('\t');
        field = payload.substr(0, tab);
        payload = tab == std::string_view::npos ? std::string_view{} : payload.substr(tab + 1);
    }
    stored.origin = std::string(fields[0]);
    stored.item.index = index;
    stored.item.depth =
        static_cast<std::size_t>(std::strtoull(std::string(fields[1]).c_str(), nullptr, 10));
    if (!fields[3].empty()) stored.item.referrer = std::make_shared<const std::string>(fields[3]);
    stored.item.url = std::string(payload);
    return stored;
}

class RedisFrontier final : public Frontier {
  public:
    RedisFrontier(const FrontierOptions& options, const SharedFrontierOptions& shared)
        : gate_(options),
          shared_(shared),
          prefix_(key_prefix(shared.redis)),
          worker_(worker_id()),
          per_host_(per_host_limit(options) == unlimited ? "0"
                                                         : std::to_string(per_host_limit(options))),
          bfs_(options.order == CrawlOrder::bfs ? "1" : "0"),
          obey_(robots_policy(options) == RobotsPolicy::obey),
          robots_agent_(options.robots_agent.empty() ? "corocrawl" : options.robots_agent),
          seen_most_(std::max<std::size_t>(1, options.seen_in_memory)) {
        try {
            connection_.emplace(shared_.redis, redis_timeout);
            clock_.set(*connection_);
            connection_->run(scripts::renew, renew_arguments(clock_, Clock::now(), {}));
        } catch (const std::exception& e) {
            throw SharedFrontierError("cannot reach Redis at " + shared_.redis.text + ": " +
                                      e.what());
        }
        gate_.on_widen = [this](std::string_view host) {
            if (!syncing_scope_) widened_.emplace_back(host);
        };
        if (shared_.renew_in_background)
            renewer_ = std::jthread([this](std::stop_token stop) { renew_leases(stop); });
    }

    ~RedisFrontier() override {
        renewer_ = {};
        // What waits to be told is told (once more if Redis is away), and whatever this process
        // still holds goes back to the crawl at once, not at its deadline.
        try {
            retry_at_ = Clock::now();
            if (ready_to_talk(Clock::now()))
                connection_->run(scripts::leave, leave_arguments(Clock::now()));
        } catch (const std::exception&) {
            // Their leases expire instead.
        }
    }
    RedisFrontier(const RedisFrontier&) = delete;
    RedisFrontier& operator=(const RedisFrontier&) = delete;

    std::size_t add_seed(std::string url, std::uint64_t) override {
        ++counts_.seeds;
        const auto seed = gate_.seed(url);
        const Fingerprint fingerprint = seed ? seed->fingerprint : frontier::fingerprint(url);
        auto args = admit_arguments(instant());
        append_candidate(args, true, fingerprint, seed ? seed->origin : "", 0, "", url);
        const auto reply = send({&scripts::admit, std::move(args)}, instant());
        if (!reply) {
            ++counts_.admitted;  // as far as this process knows; Redis has the last word
            ++waiting_;
            return npos;
        }
        const auto index = integer(element(**reply, 2));
        if (index < 0) return npos;  // another process was given it too
        ++counts_.admitted;
        idle_until_.reset();
        return static_cast<std::size_t>(index);
    }

    std::vector<Verdict> offer(const std::vector<std::string>& urls, const CrawlItem& from,
                               Hop hop) override {
        std::vector<Verdict> verdicts(urls.size(), Verdict::admitted);
        std::vector<std::size_t> sent;  // which of them Redis is asked about
        const auto now = instant();
        auto args = admit_arguments(now);
        std::shared_ptr<const std::string> referrer;
        for (std::size_t i = 0; i < urls.size(); ++i) {
            const Fingerprint written = frontier::fingerprint(urls[i]);
            if (seen_here_.contains(written)) {
                verdicts[i] = Verdict::duplicate;
                continue;
            }
            if (!referrer) referrer = std::make_shared<const std::string>(from.url);
            auto judgement = gate_.judge(urls[i], from, hop, referrer);
            if (judgement.verdict != Verdict::admitted) {
                verdicts[i] = judgement.verdict;
                continue;
            }
            if (seen_here_.contains(judgement.fingerprint)) {
                verdicts[i] = Verdict::duplicate;
                continue;
            }
            remember(judgement.fingerprint);
            remember(written);
            const std::string_view origin = frontier::origin_of(judgement.item.url);
            // Redis keeps the canonical form only (which decides): the spelling found stays in
            // this process's memory, halving what a URL costs Redis.
            append_candidate(args, false, judgement.fingerprint, origin, judgement.item.depth,
                             from.url, judgement.item.url);
            sent.push_back(i);
        }
        if (!sent.empty() || !widened_.empty()) {
            if (auto reply = send({&scripts::admit, std::move(args)}, now)) {
                for (std::size_t j = 0; j < sent.size(); ++j) {
                    const auto index = integer(element(**reply, 2 + j));
                    if (index == -1) verdicts[sent[j]] = Verdict::duplicate;
                    if (index == -2) verdicts[sent[j]] = Verdict::over_limit;
                }
            } else {
                waiting_ += sent.size();  // as far as this process knows
            }
        }
        for (const Verdict verdict : verdicts) {
            frontier::tally(counts_, verdict);
            if (verdict == Verdict::admitted) ++counts_.admitted;
        }
        if (!sent.empty()) idle_until_.reset();
        return verdicts;
    }

    void close_input() override { input_closed_ = true; }

    Next next(Clock::time_point now) override {
        clock_.anchor(now);
        last_now_ = now;
        if (!prefetched_.empty()) {
            Next next = std::move(prefetched_.front());
            prefetched_.pop_front();
            return next;
        }
        Next next;
        if (!ready_to_talk(now)) {
            next.ready_at = retry_at_;
            return next;
        }
        if (idle_until_ && now < *idle_until_) {
            next.done = finished();
            if (!next.done) next.ready_at = idle_until_;
            return next;
        }
        try {
            const Reply reply = connection_->run(scripts::lease, lease_arguments(now));
            return leased(*reply, now);
        } catch (const std::exception& e) {
            lost(e, now);
            next.ready_at = retry_at_;
            return next;
        }
    }

    void acknowledge(std::size_t index, const HostFeedback&, const StoredRecord* record) override {
        if (!forget(std::to_string(index))) return;
        const auto now = instant();
        auto args = head(now);
        args.push_back(worker_);
        args.push_back(std::to_string(index));
        // Without a record (interrupted), the URL goes back to the crawl for another worker.
        args.push_back(record ? "done" : "back");
        Call ack{&scripts::acknowledge, std::move(args)};
        idle_until_.reset();  // its host has room again
        if (!record || !ready_to_talk(now)) {
            send(std::move(ack), now);
            return;
        }
        // The worker that finished this page asks for its next one: both in one round trip.
        try {
            const auto replies =
                connection_->run_together({ack, {&scripts::lease, lease_arguments(now)}});
            Next next = leased(*replies[1], now);
            if (next.item) prefetched_.push_back(std::move(next));
        } catch (const std::exception& e) {
            lost(e, now);
            outbox_.push_back(std::move(ack));
        }
    }

    void robots_fetched(const CrawlItem& item, const Result& result,
                        Clock::time_point now) override {
        const std::string origin(frontier::origin_of(item.url));
        if (!forget("r:" + origin)) return;
        ++counts_.robots_fetched;
        const auto answer = frontier::robots_answer(result);
        std::string state, text;
        std::int64_t crawl_delay = -1;
        std::optional<RobotsRules> learnt;
        if (answer.kind == frontier::RobotsAnswer::Kind::text) {
            text = answer.text.substr(0, frontier::robots_max_bytes);  // all that is parsed
            learnt = RobotsRules::parse(text, robots_agent_);
            if (const auto delay = learnt->crawl_delay(); delay && !gate_.options().delay)
                crawl_delay = std::min(*delay, gate_.options().max_delay).count();
        } else if (answer.kind == frontier::RobotsAnswer::Kind::unavailable) {
            learnt = RobotsRules{};  // no rules at all
        }
        if (learnt) {
            const auto expires =
                clock_.at(now) +
                std::chrono::duration_cast<milliseconds>(frontier::robots_lifetime).count();
            state = "K\t" + std::to_string(expires);
        } else {
            state = "U" + answer.failure;  // nothing is crawled until it can be read
        }
        auto args = head(now);
        args.push_back(worker_);
        args.push_back(origin);
        args.push_back(state);
        args.push_back(text);
        args.push_back(std::to_string(crawl_delay));
        args.push_back(std::to_string(frontier::robots_attempts));
        args.push_back(std::to_string(frontier::robots_retry_first.count()));
        args.push_back(std::to_string(frontier::robots_retry_most.count()));
        send({&scripts::robots_done, std::move(args)}, now);
        idle_until_.reset();
        if (!learnt) return;
        if (gate_.options().sitemaps_from_robots && !learnt->sitemaps().empty()) {
            CrawlItem robots_txt;
            robots_txt.url = origin + "/robots.txt";
            offer(learnt->sitemaps(), robots_txt, Hop::sitemap);
        }
        robots_[origin] = {state.substr(2), std::move(*learnt)};
    }

    void slow_down(std::string_view url, milliseconds wait, Clock::time_point now) override {
        auto args = head(now);
        args.emplace_back(frontier::origin_of(url));
        args.push_back(std::to_string(clock_.at(now + wait)));
        send({&scripts::slow_down, std::move(args)}, now);
    }

    std::size_t waiting() const override { return waiting_ + prefetched_.size(); }

    bool finished() const override {
        return done_ && leases_.empty() && outbox_.empty() && prefetched_.empty();
    }

    // After an interruption: what this process holds goes back to the crawl; it owes nothing.
    std::vector<CrawlItem> drain() override {
        const auto now = instant();
        if (ready_to_talk(now)) {
            try {
                connection_->run(scripts::leave, leave_arguments(now));
            } catch (const std::exception& e) {
                lost(e, now);  // their leases expire instead
            }
        }
        prefetched_.clear();
        std::lock_guard lock(leases_mutex_);
        leases_.clear();
        return {};
    }

    FrontierCounts counts() const override { return counts_; }
    // What is unfinished stays in Redis: an interruption owes no cancelled records.
    bool keeps_state() const noexcept override { return true; }

  private:
    using Call = Connection::Call;

    // What the frontier is not told the instant of (a seed, links, an acknowledgement) happens
    // at the last instant it was told: a caller's clock, not one of its own.
    Clock::time_point instant() const { return last_now_.value_or(Clock::now()); }

    std::vector<std::string> head(Clock::time_point now) const {
        return {prefix_, std::to_string(clock_.at(now)), per_host_, bfs_};
    }

    std::vector<std::string> admit_arguments(Clock::time_point now) {
        auto args = head(now);
        args.push_back(gate_.options().max_pages == unlimited
                           ? "inf"
                           : std::to_string(gate_.options().max_pages));
        args.push_back(std::to_string(widened_.size()));
        args.insert(args.end(), widened_.begin(), widened_.end());
        widened_.clear();
        return args;
    }

    static void append_candidate(std::vector<std::string>& args, bool seed,
                                 const Fingerprint& canonical, std::string_view origin,
                                 std::size_t depth, std::string_view referrer,
                                 std::string_view url) {
        args.push_back(seed ? "1" : "0");
        args.push_back(fingerprint_bytes(canonical));
        args.emplace_back(origin);
        args.push_back(std::to_string(depth));
        args.emplace_back(referrer);
        args.emplace_back(url);
    }

    std::vector<std::string> lease_arguments(Clock::time_point now) {
        auto args = head(now);
        const auto& options = gate_.options();
        double factor = 1.0;
        if (options.random_delay) factor = std::uniform_real_distribution(0.5, 1.5)(random_);
        args.push_back(worker_);
        args.push_back("1");  // one at a time: a URL leased is a URL started
        args.push_back(std::to_string(options.delay ? options.delay->count() : 0));
        args.push_back(std::to_string(factor));
        args.push_back(std::to_string(shared_.lease_timeout.count()));
        args.push_back(std::to_string(std::max(1U, shared_.lease_attempts)));
        args.push_back(obey_ ? "1" : "0");
        args.push_back(input_closed_ ? "0" : "1");
        return args;
    }

    // `reconcile`: the leases Redis counts as this worker's and `members` does not hold go back.
    std::vector<std::string> renew_arguments(const SharedClock& clock, Clock::time_point now,
                                             const std::vector<std::string>& members,
                                             bool reconcile = false) const {
        std::vector<std::string> args{prefix_,
                                      std::to_string(clock.at(now)),
                                      per_host_,
                                      bfs_,
                                      worker_,
                                      std::to_string(shared_.lease_timeout.count()),
                                      input_closed_ ? "0" : "1",
                                      std::to_string(shared_.lease_timeout.count()),
                                      reconcile ? "1" : "0"};
        args.insert(args.end(), members.begin(), members.end());
        return args;
    }

    std::vector<std::string> leave_arguments(Clock::time_point now) {
        auto args = head(now);
        args.push_back(worker_);
        std::lock_guard lock(leases_mutex_);
        for (const auto& [member, item] : leases_) args.push_back(member);
        return args;
    }

    // What a lease reply says: the crawl's state, and an item, or when to ask again.
    Next leased(const redisReply& values, Clock::time_point now) {
        waiting_ = static_cast<std::size_t>(std::max<std::int64_t>(0, integer(element(values, 0))));
        sync_scope(static_cast<std::size_t>(integer(element(values, 1))));
        done_ = integer(element(values, 2)) == 1;
        const std::int64_t next_ready = integer(element(values, 3));
        if (values.elements >= 8) return take(values, now);
        Next next;
        if (finished()) {
            next.done = true;
            return next;
        }
        // Asked again when the first host's delay has passed; with none known, soon (another
        // process may add work, or finish a request of a limited host, at any moment), and
        // never later than idle_wait_most.
        Clock::time_point wake;
        if (next_ready >= 0) {
            wake = std::clamp(clock_.from(next_ready), now + milliseconds{1}, now + idle_wait_most);
        } else {
            idle_poll_ = std::min(idle_poll_most, std::max(milliseconds{2}, idle_poll_ * 2));
            wake = now + idle_poll_;
        }
        idle_until_ = wake;
        next.ready_at = wake;
        return next;
    }

    // The entry of a lease reply: an item to fetch, a robots.txt, or a record without a fetch.
    Next take(const redisReply& values, Clock::time_point now) {
        Next next;
        const std::string_view kind = frontier::redis::text(element(values, 4));
        if (kind == "r") {
            const std::string origin(frontier::redis::text(element(values, 6)));
            CrawlItem item;
            item.url = origin + "/robots.txt";
            item.robots_txt = true;
            hold("r:" + origin, item);
            next.item = std::move(item);
            return next;
        }
        const auto index = static_cast<std::size_t>(integer(element(values, 5)));
        StoredItem stored = parse_item(index, frontier::redis::text(element(values, 6)));
        const std::string_view extra = frontier::redis::text(element(values, 7));
        hold(std::to_string(index), stored.item);
        idle_poll_ = milliseconds{0};
        if (kind == "l") {
            next.refusal = Error{ErrorKind::worker_lost,
                                 "its lease expired " + std::to_string(shared_.lease_attempts) +
                                     " times: the workers given it died or hung"};
        } else if (kind == "u") {
            // "FAILURES\tWHY"
            const auto tab = extra.find('\t');
            next.refusal = frontier::robots_unreachable(
                stored.origin, extra.substr(tab == std::string_view::npos ? 0 : tab + 1),
                std::atoi(std::string(extra.substr(0, tab)).c_str()));
        } else if (obey_ && !stored.origin.empty()) {
            const RobotsRules* rules = robots_rules(stored.origin, extra, now);
            if (!rules) {  // Redis went away meanwhile: the URL goes back
                acknowledge(index, {}, nullptr);
                next.ready_at = retry_at_;
                return next;
            }
            const auto verdict = rules->check(frontier::robots_target(stored.item.url));
            if (!verdict.allowed) {
                ++counts_.robots_disallowed;
                next.refusal = frontier::robots_disallowed(stored.origin, verdict.rule);
            }
        }
        next.item = std::move(stored.item);
        return next;
    }

    // The rules of `origin`'s robots.txt of this version (its expiry): parsed once a process.
    const RobotsRules* robots_rules(const std::string& origin, std::string_view version,
                                    Clock::time_point now) {
        auto known = robots_.find(origin);
        if (known != robots_.end() && known->second.version == version) return &known->second.rules;
        try {
            const Reply text = connection_->command({"HGET", prefix_ + "robotstext", origin});
            auto& entry = robots_[origin];
            entry.version = std::string(version);
            entry.rules = RobotsRules::parse(frontier::redis::text(*text), robots_agent_);
            return &entry.rules;
        } catch (const std::exception& e) {
            lost(e, now);
            return nullptr;
        }
    }

    void sync_scope(std::size_t size) {
        if (size == scope_size_) return;
        try {
            const Reply hosts = connection_->command({"SMEMBERS", prefix_ + "scope"});
            syncing_scope_ = true;
            for (std::size_t i = 0; i < hosts->elements; ++i)
                gate_.widen(frontier::redis::text(*hosts->element[i]));
            syncing_scope_ = false;
            scope_size_ = size;
        } catch (const std::exception& e) {
            syncing_scope_ = false;
            lost(e, Clock::now());
        }
    }

    void hold(std::string member, const CrawlItem& item) {
        std::lock_guard lock(leases_mutex_);
        leases_.emplace(std::move(member), item);
    }
    bool forget(const std::string& member) {
        std::lock_guard lock(leases_mutex_);
        return leases_.erase(member) > 0;
    }

    void remember(const Fingerprint& fingerprint) {
        if (seen_here_.size() >= seen_most_) seen_here_.clear();  // Redis knows them all
        seen_here_.insert(fingerprint);
    }

    // Runs `call` now, or, while Redis is away (or what waits before it is not yet told), queues
    // it to be told in order once Redis is back: its reply then, or none.
    std::optional<Reply> send(Call call, Clock::time_point now) {
        if (ready_to_talk(now)) {
            try {
                return connection_->run(*call.script, call.args);
            } catch (const std::exception& e) {
                lost(e, now);
            }
        }
        outbox_.push_back(std::move(call));
        return std::nullopt;
    }

    // Whether Redis can be talked to now: connected, and told all that waited for it.
    bool ready_to_talk(Clock::time_point now) {
        if (down_) {
            if (now < retry_at_) return false;
            try {
                connection_.emplace(shared_.redis, redis_timeout);
                clock_.set(*connection_);
                // What waited is told first: its acknowledgements end leases this process
                // holds no more, which the check below would otherwise hand out again.
                tell_what_waited();
                // Leases are checked again: those still this process's are its own again, and
                // any Redis granted it whose answer was lost with the connection goes back.
                std::vector<std::string> members;
                {
                    std::lock_guard lock(leases_mutex_);
                    for (const auto& [member, item] : leases_) members.push_back(member);
                }
                connection_->run(scripts::renew, renew_arguments(clock_, now, members, true));
            } catch (const std::exception& e) {
                lost(e, now);  // (a Redis still loading its AOF says LOADING: not back yet)
                return false;
            }
            down_ = false;
            // A restarted Redis may have lost its last writes (its AOF is a second behind):
            // what this process remembers offering must not keep a lost URL out.
            seen_here_.clear();
            std::cerr << "corocrawl: redis " << shared_.redis.text << ": reconnected" << std::endl;
        }
        return flush(now);
    }

    // Sends the outbox, in order; what is sent leaves it. Throws as the connection does.
    void tell_what_waited() {
        for (; !outbox_.empty(); outbox_.pop_front())
            connection_->run(*outbox_.front().script, outbox_.front().args);
    }

    bool flush(Clock::time_point now) {
        try {
            tell_what_waited();
            return true;
        } catch (const std::exception& e) {
            lost(e, now);
            return false;
        }
    }

    void lost(const std::exception& error, Clock::time_point now) {
        if (!down_) {
            std::cerr << "corocrawl: redis " << shared_.redis.text << ": unreachable ("
                      << error.what() << "), retrying" << std::endl;
            reconnect_wait_ = milliseconds{100};
        } else {
            reconnect_wait_ = std::min(reconnect_most, reconnect_wait_ * 2);
        }
        down_ = true;
        connection_.reset();
        retry_at_ = now + reconnect_wait_;
    }

    // On a thread of its own, with a connection of its own: this process's leases stay its own
    // while it lives, however long a fetch takes, and it stays a feeder while it reads input.
    void renew_leases(std::stop_token stop) {
        const auto period =
            std::clamp(shared_.lease_timeout / 4, milliseconds{50}, milliseconds{15'000});
        std::optional<Connection> connection;
        SharedClock clock;
        std::mutex mutex;
        std::condition_variable_any stopped;
        for (;;) {
            {
                std::unique_lock lock(mutex);
                stopped.wait_for(lock, stop, period, [] { return false; });
                if (stop.stop_requested()) return;
            }
            std::vector<std::string> members;
            {
                std::lock_guard lock(leases_mutex_);
                for (const auto& [member, item] : leases_) members.push_back(member);
            }
            try {
                if (!connection) {
                    connection.emplace(shared_.redis, redis_timeout);
                    clock.set(*connection);
                }
                connection->run(scripts::renew, renew_arguments(clock, Clock::now(), members));
            } catch (const std::exception&) {
                connection.reset();  // the crawl's own connection says so
            }
        }
    }

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    AdmissionGate gate_;
    const SharedFrontierOptions shared_;
    const std::string prefix_;
    const std::string worker_;
    const std::string per_host_;  // "0": no limit
    const std::string bfs_;
    const bool obey_;
    const std::string robots_agent_;
    const std::size_t seen_most_;

    std::optional<Connection> connection_;
    SharedClock clock_;
    bool down_ = false;
    Clock::time_point retry_at_{};
    milliseconds reconnect_wait_{100};
    std::deque<Call> outbox_;      // what Redis is to be told, in order, once it is back
    std::deque<Next> prefetched_;  // leased with an acknowledgement, for the next next()

    std::optional<Clock::time_point> last_now_;    // the latest instant next() was given
    std::optional<Clock::time_point> idle_until_;  // no lease asked for before
    milliseconds idle_poll_{0};
    std::size_t waiting_ = 0;  // in the whole crawl, as last told
    bool done_ = false;        // as last told
    std::size_t scope_size_ = 0;
    bool syncing_scope_ = false;
    std::vector<std::string> widened_;  // hosts that joined the scope, to be told
    // The URLs this process offered or was told were seen: most duplicates cost no round trip.
    boost::unordered_flat_set<Fingerprint, FingerprintHash> seen_here_;
    struct KnownRobots {
        std::string version;
        RobotsRules rules;
    };
    std::unordered_map<std::string, KnownRobots> robots_;
    FrontierCounts counts_;
    std::atomic<bool> input_closed_{false};
    std::minstd_rand random_{std::random_device{}()};

    std::mutex leases_mutex_;  // guards leases_: the renewing thread reads it
    std::unordered_map<std::string, CrawlItem> leases_;  // by member: the index, or "r:ORIGIN"
    std::jthread renewer_;                               // last: stopped first
};

bool valid_name(std::string_view name) {
    return !name.empty() && name.size() <= 100 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

}  // namespace

RedisAddress parse_redis_address(std::string_view text) {
    RedisAddress address;
    address.text = std::string(text);
    const auto fail = [&](std::string_view why) {
        throw std::invalid_argument(std::string(text) + ": " + std::string(why) +
                                    " (redis://HOST:PORT/NAME or unix:///PATH?name=NAME)");
    };
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed) fail("not a URL");
    const boost::urls::url_view url = *parsed;
    if (url.scheme() == "redis") {
        address.host = url.host();
        if (address.host.empty()) fail("no host");
        if (url.has_port()) {
            if (url.port_number() == 0) fail("not a port");
            address.port = url.port_number();
        }
        std::string path = url.path();
        if (path.empty() || path == "/") fail("no crawl name");
        address.name = path.substr(1);
    } else if (url.scheme() == "unix") {
        address.socket = url.path();
        if (address.socket.empty() || address.socket.front() != '/') fail("no socket path");
        for (const auto& param : url.params())
            if (param.key == "name") address.name = param.value;
        if (address.name.empty()) fail("no ?name=NAME");
    } else {
        fail("not a redis:// or unix:// address");
    }
    if (!valid_name(address.name))
        fail("a crawl name is letters, digits, '.', '_' and '-', at most 100");
    return address;
}

std::unique_ptr<Frontier> make_redis_frontier(const FrontierOptions& options,
                                              const SharedFrontierOptions& shared) {
    // Its delays are learnt per process; shared, they would need a protocol of their own.
    if (options.autothrottle)
        throw std::invalid_argument("autothrottle does not work with a shared frontier yet");
    return std::make_unique<RedisFrontier>(options, shared);
}

namespace {

Connection connect_for_status(const RedisAddress& address) {
    try {
        return Connection(address, redis_timeout);
    } catch (const std::exception& e) {
        throw SharedFrontierError("cannot reach Redis at " + address.text + ": " + e.what());
    }
}

std::size_t as_size(const redisReply& reply) {
    return static_cast<std::size_t>(std::max<std::int64_t>(0, frontier::redis::integer(reply)));
}

}  // namespace

SharedCrawlStatus shared_crawl_status(const RedisAddress& address) {
    Connection redis = connect_for_status(address);
    const std::string prefix = key_prefix(address);
    SharedCrawlStatus status;
    try {
        const Reply stats = redis.command({"HGETALL", prefix + "stats"});
        for (std::size_t i = 0; i + 1 < stats->elements; i += 2) {
            const std::string_view name = frontier::redis::text(*stats->element[i]);
            const std::size_t value = as_size(*stats->element[i + 1]);
            if (name == "admitted") status.admitted = value;
            if (name == "waiting") status.waiting = value;
            if (name == "done") status.done = value;
            if (name == "expired") status.expired = value;
            if (name == "gave_up") status.gave_up = value;
            if (name == "late") status.late = value;
            if (name == "robots_fetched") status.robots_fetched = value;
        }
        status.seen = as_size(*redis.command({"SCARD", prefix + "seen"}));
        status.in_flight = as_size(*redis.command({"ZCARD", prefix + "leases"}));
        status.workers = as_size(*redis.command(
            {"ZCOUNT", prefix + "workers", std::to_string(redis.time_ms()), "+inf"}));
        const Reply origins = redis.command({"SMEMBERS", prefix + "origins"});
        for (std::size_t i = 0; i < origins->elements; ++i) {
            const std::string origin(frontier::redis::text(*origins->element[i]));
            auto& host = status.hosts[origin];
            host.waiting = as_size(*redis.command({"LLEN", prefix + "q:" + origin}));
            host.in_flight = as_size(*redis.command({"HGET", prefix + "h:" + origin, "busy"}));
        }
        const Reply memory = redis.command({"MEMORY", "STATS"});
        for (std::size_t i = 0; i + 1 < memory->elements; i += 2) {
            if (frontier::redis::text(*memory->element[i]) == "total.allocated")
                status.memory = as_size(*memory->element[i + 1]);
        }
    } catch (const std::exception& e) {
        throw SharedFrontierError("Redis at " + address.text + ": " + e.what());
    }
    return status;
}

std::size_t clear_shared_crawl(const RedisAddress& address) {
    Connection redis = connect_for_status(address);
    std::size_t cleared = 0;
    try {
        std::string cursor = "0";
        do {
            const Reply page = redis.command(
                {"SCAN", cursor, "MATCH", key_prefix(address) + "*", "COUNT", "1000"});
            cursor = std::string(frontier::redis::text(element(*page, 0)));
            const redisReply& keys = element(*page, 1);
            if (keys.elements == 0) continue;
            std::vector<std::string> command{"UNLINK"};
            for (std::size_t i = 0; i < keys.elements; ++i)
                command.emplace_back(frontier::redis::text(*keys.element[i]));
            cleared += as_size(*redis.command(command));
        } while (cursor != "0");
    } catch (const std::exception& e) {
        throw SharedFrontierError("Redis at " + address.text + ": " + e.what());
    }
    return cleared;
}

}  // namespace corocrawl
