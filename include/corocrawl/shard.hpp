// --shard I/N: which of N processes takes an input line, decided by the line alone, so one list
// splits across machines with no coordination. The host name decides, so every URL of a host goes
// to one process and per-host politeness stays whole; the hash is FNV-1a 64, the same on every
// machine and in every build (std::hash is neither).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace corocrawl {

// FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3), over the bytes of `text`.
std::uint64_t fnv1a_64(std::string_view text) noexcept;

// What decides an input line's shard: the host name of an http(s) URL as parse_url() reads it
// (lower case, no scheme, port or IPv6 brackets), or, for a line that is not such a URL, the line
// itself — so exactly one shard gives it its (invalid_url) record.
std::string shard_key(std::string_view line);

struct Shard {
    std::uint32_t index = 0;  // I, below count
    std::uint32_t count = 1;  // N; with 1 (the default) every line is this shard's

    // Whether `line` (trimmed, as UrlSource hands it on) is this shard's:
    // fnv1a_64(shard_key(line)) % count == index.
    bool takes(std::string_view line) const;
    bool whole() const noexcept { return count == 1; }
    std::string text() const;  // "I/N"
};

// "I/N", two decimal numbers with 0 <= I < N; anything else is an std::invalid_argument saying
// what is wrong with it.
Shard parse_shard(std::string_view text);

}  // namespace corocrawl
