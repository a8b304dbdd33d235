// The shared frontier's decisions, as Lua scripts Redis runs atomically: each sees and changes
// the whole crawl at once, so N processes decide as one frontier would. Every script takes the
// crawl's key prefix and the instant (Redis's clock, in ms) as its first two arguments; the
// instant comes from the caller, so a script is a pure function of its arguments and the data.
// Then the per-host limit (0: none) and the order ("1": breadth-first).
//
// The keys, under "corocrawl:{NAME}:" (one hash tag: one Redis Cluster slot):
// - stats: hash of admitted (the next index), waiting, done, expired, gave_up, late and
//   robots_fetched.
// - seen: set of 16-byte fingerprints of canonical URLs.
// - items: hash of index -> "origin\tdepth\tattempts\treferrer\turl", until its record is in.
// - q:ORIGIN: list of the indexes waiting for the host.
// - timed: zset of origin -> the instant it may start its next request (hosts with work only);
//   turns: zset of origin -> its next URL's index (hosts with work they may start now).
// - h:ORIGIN: hash of the host's busy (requests in flight), next (the instant it may start one),
//   delay (Crawl-delay, ms), robots ("F" being fetched, "K\tEXPIRES" known,
//   "U\tFAILURES\tWHY"), robotsfail (failures in a row) and in (t: timed, r: turns).
// - robotstext: hash of origin -> robots.txt's text; unreachable: set of the origins whose
//   robots.txt failed too often (their URLs may be refused).
// - leases: zset of index (or "r:ORIGIN" for a robots.txt) -> its deadline.
// - owner: hash of leased member -> "WORKER\tMARK" (2: a page, holding a place in its host's
//   limit and in its worker's share of it; 1: a robots.txt, holding a place; 0: neither).
// - mine:WORKER: hash of origin -> the pages of the host the worker holds (its share: the limit
//   divided among the live workers); held:WORKER: set of the members it holds.
// - lost: list of the indexes whose leases expired too often, each owed a worker_lost record.
// - workers, feeders: zsets of worker -> the instant it is presumed dead (feeders: still reading
//   their input).
// - origins, scope: sets of every origin queued; of the hosts the seeds (and their redirects)
//   made.
#pragma once

#include "frontier/redis.hpp"

namespace corocrawl::frontier::redis_scripts {

// ARGV: prefix now per_host bfs max_pages WIDENED host... then per URL 6 values:
// seed fingerprint (of the canonical form) origin depth referrer url.
// Returns {waiting, scope size, then per URL its index, -1 (seen) or -2 (over max_pages)}.
extern const redis::Script admit;
// ARGV: prefix now per_host bfs worker want delay_ms delay_factor lease_ms lease_attempts obey
// feeder.
// Returns {waiting, scope size, done (0/1), next ready instant or -1, then 4 values an entry:
// kind ("f" fetch, "r" robots.txt, "l" lost, "u" robots.txt unreachable), index, payload
// (the item, or the origin for "r"), extra ("f": robots.txt's version; "u": why)}.
extern const redis::Script lease;
// ARGV: prefix now per_host bfs worker member outcome ("done" or "back"). Returns 1 when the
// lease was still the worker's.
extern const redis::Script acknowledge;
// ARGV: prefix now per_host bfs worker origin state text crawl_delay_ms (-1: none)
// robots_attempts (failures in a row that make the origin unreachable) retry_first_ms
// retry_most_ms (an unreachable one is asked again after the first, doubling to the most).
// state: "K\tEXPIRES" or "U" plus why. Returns the failures in a row (0 once known).
extern const redis::Script robots_done;
// ARGV: prefix now per_host bfs origin until.
extern const redis::Script slow_down;
// ARGV: prefix now per_host bfs worker lease_ms feeder ttl_ms reconcile member... Renews the
// members still the worker's; with reconcile "1", those it holds in Redis and not in the list go
// back to the queues. Returns how many were renewed.
extern const redis::Script renew;
// ARGV: prefix now per_host bfs worker member...: its leases go back to the queues, it leaves.
extern const redis::Script leave;

}  // namespace corocrawl::frontier::redis_scripts
