// The sans-IO parts of name resolution: the shared cache (with a fake clock), Happy Eyeballs'
// order and schedule, --resolve entries and what is known without a query.
#include <gtest/gtest.h>

#include <stdexcept>

#include "fetch/dns_cache.hpp"
#include "fetch/dns_resolver.hpp"
#include "fetch/happy_eyeballs.hpp"

namespace corocrawl::fetch {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::make_address;
using boost::asio::ip::tcp;

const Clock::time_point t0 = Clock::time_point() + 1000h;  // the fake clock's start

DnsAnswer addresses(std::initializer_list<const char*> texts) {
    DnsAnswer answer;
    for (const char* text : texts) answer.addresses.push_back(make_address(text));
    return answer;
}
DnsAnswer not_found() {
    DnsAnswer answer;
    answer.error = boost::system::error_code(4 /* ARES_ENOTFOUND */, dns_category());
    return answer;
}

TEST(DnsCache, AnswersLiveUntilTheirTtl) {
    DnsCache cache;
    cache.store("a.test", addresses({"10.0.0.1"}), 30s, t0);
    ASSERT_TRUE(cache.find("a.test", t0 + 29s));
    EXPECT_EQ(cache.find("a.test", t0 + 29s)->addresses.front(), make_address("10.0.0.1"));
    EXPECT_FALSE(cache.find("a.test", t0 + 30s));
    EXPECT_EQ(cache.size(), 0u);  // the expired entry is gone
    EXPECT_FALSE(cache.find("b.test", t0));
}

TEST(DnsCache, NamesMatchInAnyCaseAndWithoutTheRootDot) {
    DnsCache cache;
    cache.store("Mixed.Test.", addresses({"10.0.0.1"}), 30s, t0);
    EXPECT_TRUE(cache.find("mixed.test", t0));
    EXPECT_TRUE(cache.find("MIXED.TEST.", t0));
}

TEST(DnsCache, ATtlOfZeroIsNotKept) {
    DnsCache cache;
    cache.store("a.test", addresses({"10.0.0.1"}), 0s, t0);
    EXPECT_FALSE(cache.find("a.test", t0));
}

TEST(DnsCache, NegativeAnswersLiveBriefly) {
    DnsCache cache;
    cache.store("gone.test", not_found(), 3600s, t0);  // the TTL given does not apply
    ASSERT_TRUE(cache.find("gone.test", t0 + DnsCache::negative_ttl - 1ms));
    EXPECT_TRUE(cache.find("gone.test", t0)->error);
    EXPECT_FALSE(cache.find("gone.test", t0 + DnsCache::negative_ttl));
}

TEST(DnsCache, WhenFullTheOldestMakesRoom) {
    DnsCache cache(2);
    cache.store("one.test", addresses({"10.0.0.1"}), 60s, t0);
    cache.store("two.test", addresses({"10.0.0.2"}), 60s, t0 + 1s);
    cache.store("three.test", addresses({"10.0.0.3"}), 60s, t0 + 2s);
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_FALSE(cache.find("one.test", t0 + 3s));
    EXPECT_TRUE(cache.find("two.test", t0 + 3s));
    EXPECT_TRUE(cache.find("three.test", t0 + 3s));
    // Storing a name again makes it the newest.
    cache.store("two.test", addresses({"10.0.0.2"}), 60s, t0 + 4s);
    cache.store("four.test", addresses({"10.0.0.4"}), 60s, t0 + 5s);
    EXPECT_TRUE(cache.find("two.test", t0 + 6s));
    EXPECT_FALSE(cache.find("three.test", t0 + 6s));
}

std::vector<tcp::endpoint> endpoints(std::initializer_list<const char*> texts) {
    std::vector<tcp::endpoint> result;
    for (const char* text : texts) result.emplace_back(make_address(text), 80);
    return result;
}

TEST(HappyEyeballs, InterleavesFamiliesIPv6First) {
    EXPECT_EQ(interleave_families(endpoints({"10.0.0.1", "10.0.0.2", "::1", "::2", "::3"})),
              endpoints({"::1", "10.0.0.1", "::2", "10.0.0.2", "::3"}));
    EXPECT_EQ(interleave_families(endpoints({"10.0.0.1", "10.0.0.2"})),
              endpoints({"10.0.0.1", "10.0.0.2"}));
    EXPECT_EQ(interleave_families(endpoints({"::1", "10.0.0.1", "10.0.0.2", "10.0.0.3"})),
              endpoints({"::1", "10.0.0.1", "10.0.0.2", "10.0.0.3"}));
    EXPECT_TRUE(interleave_families({}).empty());
}

TEST(HappyEyeballs, AttemptsStart250msApart) {
    AttemptSchedule schedule(3, t0);
    EXPECT_EQ(schedule.start(t0), 0u);
    EXPECT_EQ(schedule.start(t0), std::nullopt);  // the next one waits
    EXPECT_EQ(schedule.next_start(), t0 + attempt_delay);
    EXPECT_EQ(schedule.start(t0 + 249ms), std::nullopt);
    EXPECT_EQ(schedule.start(t0 + 250ms), 1u);
    EXPECT_EQ(schedule.start(t0 + 500ms), 2u);
    EXPECT_EQ(schedule.next_start(), Clock::time_point::max());  // all started
    EXPECT_EQ(schedule.start(t0 + 1s), std::nullopt);
    EXPECT_FALSE(schedule.exhausted());
}

TEST(HappyEyeballs, AFailureStartsTheNextAttemptAtOnce) {
    AttemptSchedule schedule(3, t0);
    ASSERT_EQ(schedule.start(t0), 0u);
    schedule.failed(0, t0 + 10ms);  // refused at once: no reason to wait out the delay
    EXPECT_EQ(schedule.next_start(), t0 + 10ms);
    EXPECT_EQ(schedule.start(t0 + 10ms), 1u);
    EXPECT_EQ(schedule.next_start(), t0 + 260ms);
    ASSERT_EQ(schedule.start(t0 + 260ms), 2u);
    schedule.failed(2, t0 + 270ms);
    EXPECT_FALSE(schedule.exhausted());  // attempt 1 is still in flight
    schedule.failed(1, t0 + 300ms);
    EXPECT_TRUE(schedule.exhausted());
}

TEST(HappyEyeballs, AFailureWhileOthersAreInFlightKeepsTheDelay) {
    AttemptSchedule schedule(3, t0);
    ASSERT_EQ(schedule.start(t0), 0u);
    ASSERT_EQ(schedule.start(t0 + 250ms), 1u);
    schedule.failed(1, t0 + 260ms);  // 0 is still trying
    EXPECT_EQ(schedule.next_start(), t0 + 500ms);
}

TEST(HappyEyeballs, NoEndpointsIsExhaustedAtOnce) {
    AttemptSchedule schedule(0, t0);
    EXPECT_TRUE(schedule.exhausted());
    EXPECT_EQ(schedule.start(t0), std::nullopt);
}

TEST(ResolveEntry, ParsesHostPortAddress) {
    const auto entry = parse_resolve_entry("example.test:8080:127.0.0.2");
    EXPECT_EQ(entry.host, "example.test");
    EXPECT_EQ(entry.port, "8080");
    EXPECT_EQ(entry.address, make_address("127.0.0.2"));
    EXPECT_EQ(parse_resolve_entry("v6.test:443:[::1]").address, make_address("::1"));
    EXPECT_EQ(parse_resolve_entry("v6.test:443:::1").address, make_address("::1"));
}

TEST(ResolveEntry, RejectsWhatIsNotHostPortAddress) {
    for (const char* bad :
         {"example.test", "example.test:80", ":80:127.0.0.1", "example.test:http:127.0.0.1",
          "example.test:0:127.0.0.1", "example.test:70000:127.0.0.1",
          "example.test:80:not-an-address", "example.test:80:"}) {
        EXPECT_THROW(parse_resolve_entry(bad), std::invalid_argument) << bad;
    }
}

TEST(DnsConfig, KnowsLiteralsResolveEntriesAndCachedAnswersWithoutAQuery) {
    FetchOptions options;
    options.resolve = {"pinned.test:8080:127.0.0.2", "PINNED.test:8080:[::1]"};
    const DnsConfig config(options);
    const auto now = Clock::now();

    const auto literal = config.known("127.0.0.9", "81", now);
    ASSERT_TRUE(literal);
    EXPECT_EQ(literal->endpoints, std::vector{tcp::endpoint(make_address("127.0.0.9"), 81)});
    EXPECT_TRUE(config.known("::1", "81", now));

    const auto pinned = config.known("Pinned.Test", "8080", now);
    ASSERT_TRUE(pinned);
    EXPECT_EQ(pinned->endpoints, (std::vector{tcp::endpoint(make_address("127.0.0.2"), 8080),
                                              tcp::endpoint(make_address("::1"), 8080)}));
    EXPECT_FALSE(config.known("pinned.test", "80", now));  // another port: DNS is asked
    EXPECT_FALSE(config.known("other.test", "8080", now));

    config.cache().store("cached.test", addresses({"10.1.2.3"}), 60s, now);
    const auto cached = config.known("cached.test", "443", now);
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->endpoints, std::vector{tcp::endpoint(make_address("10.1.2.3"), 443)});
}

TEST(DnsConfig, RejectsDnsServersCAresCannotUse) {
    FetchOptions options;
    options.dns_servers = "not an address";
    EXPECT_THROW(DnsConfig{options}, std::invalid_argument);
    options.dns_servers = "127.0.0.1:5353,[::1]:5353";
    EXPECT_NO_THROW(DnsConfig{options});
}

}  // namespace
}  // namespace corocrawl::fetch
