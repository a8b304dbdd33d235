#include "dns_server.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <cctype>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace corocrawl::test_server {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t type_a = 1, type_aaaa = 28, class_in = 1;
constexpr std::uint8_t rcode_nxdomain = 3, rcode_formerr = 1, rcode_notimp = 4;

// The question of a query, as far as this server needs it.
struct Question {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    std::string name;     // lower case, labels joined by '.'
    std::size_t end = 0;  // offset just past QTYPE and QCLASS
    std::uint16_t type = 0;
    std::uint16_t klass = 0;
};

std::uint16_t read16(const Bytes& packet, std::size_t at) {
    return static_cast<std::uint16_t>(packet[at] << 8 | packet[at + 1]);
}
void put16(Bytes& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
}
void put32(Bytes& out, std::uint32_t value) {
    put16(out, static_cast<std::uint16_t>(value >> 16));
    put16(out, static_cast<std::uint16_t>(value));
}

// Header (12 bytes), then one question: labels (no compression in a query), QTYPE, QCLASS.
std::optional<Question> parse_query(const Bytes& packet) {
    if (packet.size() < 12 || read16(packet, 4) != 1) return std::nullopt;
    Question question;
    question.id = read16(packet, 0);
    question.flags = read16(packet, 2);
    if (question.flags & 0x8000) return std::nullopt;  // a response, not a query
    std::size_t at = 12;
    for (;;) {
        if (at >= packet.size()) return std::nullopt;
        const std::size_t length = packet[at++];
        if (length == 0) break;
        if (length > 63 || at + length > packet.size()) return std::nullopt;
        if (!question.name.empty()) question.name += '.';
        for (std::size_t i = 0; i < length; ++i)
            question.name += static_cast<char>(std::tolower(packet[at + i]));
        at += length;
    }
    if (at + 4 > packet.size()) return std::nullopt;
    question.type = read16(packet, at);
    question.klass = read16(packet, at + 2);
    question.end = at + 4;
    return question;
}

std::string lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!result.empty() && result.back() == '.') result.pop_back();
    return result;
}

template <class Map>
auto find_name(const Map& map, const std::string& name) {
    return std::find_if(map.begin(), map.end(),
                        [&](const auto& entry) { return lower(entry.first) == name; });
}

// The answer to `question` (taken from `query`): a header, the question again, and zero or one
// record whose name points back at the question's (offset 12).
Bytes answer(const Bytes& query, const Question& question, const DnsServerOptions& options) {
    std::uint8_t rcode = 0;
    std::optional<asio::ip::address> address;
    if (question.klass != class_in) {
        rcode = rcode_notimp;
    } else if (std::any_of(options.nxdomain.begin(), options.nxdomain.end(),
                           [&](const std::string& name) { return lower(name) == question.name; })) {
        rcode = rcode_nxdomain;
    } else if (question.type == type_a) {
        const auto found = find_name(options.a, question.name);
        const std::string text = found != options.a.end() ? found->second : options.default_a;
        if (!text.empty()) address = asio::ip::make_address_v4(text);
    } else if (question.type == type_aaaa) {
        const auto found = find_name(options.aaaa, question.name);
        if (found != options.aaaa.end()) address = asio::ip::make_address_v6(found->second);
    }
    Bytes out;
    put16(out, question.id);
    // QR, the query's opcode and RD, AA, RA, the rcode.
    put16(out,
          static_cast<std::uint16_t>(0x8000 | (question.flags & 0x7900) | 0x0400 | 0x0080 | rcode));
    put16(out, 1);
    put16(out, address ? 1 : 0);
    put16(out, 0);
    put16(out, 0);
    out.insert(out.end(), query.begin() + 12, query.begin() + static_cast<long>(question.end));
    if (address) {
        const auto ttl = find_name(options.ttls, question.name);
        put16(out, 0xC00C);
        put16(out, question.type);
        put16(out, class_in);
        put32(out, ttl != options.ttls.end() ? ttl->second : options.ttl);
        if (address->is_v4()) {
            const auto bytes = address->to_v4().to_bytes();
            put16(out, static_cast<std::uint16_t>(bytes.size()));
            out.insert(out.end(), bytes.begin(), bytes.end());
        } else {
            const auto bytes = address->to_v6().to_bytes();
            put16(out, static_cast<std::uint16_t>(bytes.size()));
            out.insert(out.end(), bytes.begin(), bytes.end());
        }
    }
    return out;
}

Bytes format_error(const Bytes& query) {
    Bytes out;
    put16(out, query.size() >= 2 ? read16(query, 0) : 0);
    put16(out, 0x8000 | rcode_formerr);
    for (int i = 0; i < 4; ++i) put16(out, 0);
    return out;
}

}  // namespace

struct DnsServer::State {
    explicit State(DnsServerOptions options)
        : options(std::move(options)),
          socket(io,
                 udp::endpoint(asio::ip::make_address(this->options.bind), this->options.port)) {}

    asio::awaitable<void> reply_after(Bytes reply, udp::endpoint to) {
        asio::steady_timer timer(io, options.delay);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        co_await socket.async_send_to(asio::buffer(reply), to, asio::as_tuple(asio::use_awaitable));
    }

    asio::awaitable<void> serve() {
        Bytes packet(1500);
        for (;;) {
            udp::endpoint from;
            auto [error, size] = co_await socket.async_receive_from(
                asio::buffer(packet), from, asio::as_tuple(asio::use_awaitable));
            if (error == asio::error::operation_aborted) co_return;
            if (error) continue;
            Bytes query(packet.begin(), packet.begin() + static_cast<long>(size));
            const auto question = parse_query(query);
            {
                std::lock_guard lock(mutex);
                ++total;
                if (question) ++per_name[question->name];
            }
            if (options.silent) continue;
            Bytes reply = question ? answer(query, *question, options) : format_error(query);
            asio::co_spawn(io, reply_after(std::move(reply), from), asio::detached);
        }
    }

    DnsServerOptions options;
    asio::io_context io;
    udp::socket socket;
    mutable std::mutex mutex;
    std::size_t total = 0;
    std::map<std::string, std::size_t> per_name;
    std::thread thread;
};

DnsServer::DnsServer(DnsServerOptions options)
    : state_(std::make_unique<State>(std::move(options))) {
    asio::co_spawn(state_->io, state_->serve(), asio::detached);
    state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

DnsServer::~DnsServer() {
    stop();
}

unsigned short DnsServer::port() const noexcept {
    return state_->socket.local_endpoint().port();
}

std::string DnsServer::address() const {
    return state_->options.bind + ":" + std::to_string(port());
}

std::size_t DnsServer::queries() const {
    std::lock_guard lock(state_->mutex);
    return state_->total;
}

std::size_t DnsServer::queries_for(std::string_view name) const {
    std::lock_guard lock(state_->mutex);
    const auto found = state_->per_name.find(lower(name));
    return found == state_->per_name.end() ? 0 : found->second;
}

void DnsServer::stop() {
    if (!state_->thread.joinable()) return;
    state_->io.stop();
    state_->thread.join();
}

}  // namespace corocrawl::test_server
