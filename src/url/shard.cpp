#include "corocrawl/shard.hpp"

#include <charconv>
#include <stdexcept>
#include <variant>

#include "corocrawl/url.hpp"

namespace corocrawl {

std::uint64_t fnv1a_64(std::string_view text) noexcept {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

std::string shard_key(std::string_view line) {
    auto parsed = parse_url(line);
    auto* url = std::get_if<Url>(&parsed);
    if (!url) return std::string(line);
    std::string host = std::move(url->host);
    for (char& c : host) {  // parse_url() lower-cases it already; the shard must not depend on that
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return host;
}

bool Shard::takes(std::string_view line) const {
    return whole() || fnv1a_64(shard_key(line)) % count == index;
}

std::string Shard::text() const {
    return std::to_string(index) + "/" + std::to_string(count);
}

Shard parse_shard(std::string_view text) {
    const auto number = [&](std::string_view part, std::uint32_t& value) {
        const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
        return !part.empty() && error == std::errc{} && end == part.data() + part.size();
    };
    const auto slash = text.find('/');
    Shard shard;
    if (slash == std::string_view::npos || !number(text.substr(0, slash), shard.index) ||
        !number(text.substr(slash + 1), shard.count)) {
        throw std::invalid_argument("'" + std::string(text) +
                                    "' is not I/N (this process's shard I of N, from 0)");
    }
    if (shard.count == 0) throw std::invalid_argument("'" + std::string(text) + "': N is 0");
    if (shard.index >= shard.count) {
        throw std::invalid_argument("'" + std::string(text) +
                                    "': I must be below N (shards are 0 to " +
                                    std::to_string(shard.count - 1) + ")");
    }
    return shard;
}

}  // namespace corocrawl
