// The shared frontier's decisions, as Lua scripts Redis runs atomically: each sees and changes
// the whole crawl at once, so N processes decide as one frontier would. Every script takes the
// crawl's key prefix and the instant (Redis's clock, in ms) as its first two arguments; the
// instant comes from the caller, so a script is a pure function of its arguments and the data.
// Then the per-host limit (0: none) and the order ("1": breadth-first).
//
// The keys, under "corocrawl:{NAME}:" (one hash tag: one Redis Cluster slot):
//   stats      hash: admitted (the next index), waiting, done, expired, gave_up, late,
//   robots_fetched seen       set of 16-byte URL fingerprints items      hash: index ->
//   "origin\tdepth\tattempts\treferrer\turl", until its record is in q:ORIGIN   list of the indexes
//   waiting for the host ready      zset: origin -> the instant it may start its next request
//   (hosts with work only) busy next delay   hash: origin -> requests in flight, the next start,
//   Crawl-delay (ms) robots     hash: origin -> "F" (being fetched), "K\tEXPIRES" (known),
//   "U\tFAILURES\tWHY" robotstext hash: origin -> robots.txt's text;   robotsfail hash: origin ->
//   failures in a row leases     zset: index (or "r:ORIGIN" for a robots.txt) -> its deadline owner
//   hash: leased member -> "WORKER\t1" (holding a place in its host's limit) or "\t0" lost list of
//   indexes whose leases expired too often: each is owed a worker_lost record workers feeders zset:
//   worker -> the instant it is presumed dead (feeders: still reading input) origins scope sets:
//   every origin queued; the hosts the seeds (and their redirects) made
#pragma once

#include "frontier/redis.hpp"

namespace corocrawl::frontier::redis_scripts {

// ARGV: prefix now per_host bfs max_pages WIDENED host... then per URL 7 values:
// seed fp_canonical fp_written origin depth referrer url.
// Returns {waiting, scope size, then per URL its index, -1 (seen) or -2 (over max_pages)}.
extern const redis::Script admit;
// ARGV: prefix now per_host bfs worker want delay_ms delay_factor lease_ms lease_attempts obey
// feeder ttl_ms.
// Returns {waiting, scope size, done (0/1), next ready instant or -1, then 4 values an entry:
// kind ("f" fetch, "r" robots.txt, "l" lost, "u" robots.txt unreachable), index, payload
// (the item, or the origin for "r"), extra ("f": robots.txt's version; "u": why)}.
extern const redis::Script lease;
// ARGV: prefix now per_host bfs worker member outcome ("done" or "back"). Returns 1 when the
// lease was still the worker's.
extern const redis::Script acknowledge;
// ARGV: prefix now per_host bfs worker origin state text crawl_delay_ms (-1: none)
// robots_attempts (failures in a row that make the origin unreachable).
// state: "K\tEXPIRES" or "U" plus why. Returns the failures in a row (0 once known).
extern const redis::Script robots_done;
// ARGV: prefix now per_host bfs origin until.
extern const redis::Script slow_down;
// ARGV: prefix now per_host bfs worker lease_ms feeder ttl_ms member... Returns how many were
// still its own.
extern const redis::Script renew;
// ARGV: prefix now per_host bfs worker member...: its leases go back to the queues, it leaves.
extern const redis::Script leave;

}  // namespace corocrawl::frontier::redis_scripts
