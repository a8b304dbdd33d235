#include "fetch/dns_resolver.hpp"

#include <ares.h>
#include <netinet/in.h>
#include <poll.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <cctype>
#include <charconv>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace corocrawl::fetch {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

// ---- RAII around every c-ares object -----------------------------------------------------------

// ares_library_init once per process, ares_library_cleanup at its exit.
class AresLibrary {
  public:
    static void ensure() { static const AresLibrary library; }

  private:
    AresLibrary() {
        if (const int status = ares_library_init(ARES_LIB_INIT_ALL); status != ARES_SUCCESS)
            throw std::runtime_error(std::string("c-ares: ") + ares_strerror(status));
    }
    ~AresLibrary() { ares_library_cleanup(); }
};

struct ChannelDeleter {
    void operator()(ares_channel channel) const noexcept { ares_destroy(channel); }
};
using ChannelPtr = std::unique_ptr<std::remove_pointer_t<ares_channel>, ChannelDeleter>;

struct AddrinfoDeleter {
    void operator()(ares_addrinfo* info) const noexcept { ares_freeaddrinfo(info); }
};
using AddrinfoPtr = std::unique_ptr<ares_addrinfo, AddrinfoDeleter>;

// How long c-ares waits for one answer before it asks again (doubling each round), and how
// often it asks. The lookup's own deadline (--connect-timeout) usually ends it first.
constexpr int query_timeout_ms = 2000;
constexpr int query_tries = 3;

// A channel asking `servers` (empty: resolv.conf's); `options` may add a socket-state callback.
ChannelPtr make_channel(const std::string& servers, ares_options options = {}, int mask = 0) {
    AresLibrary::ensure();
    options.timeout = query_timeout_ms;
    options.tries = query_tries;
    ares_channel raw = nullptr;
    if (const int status =
            ares_init_options(&raw, &options, mask | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
        status != ARES_SUCCESS) {
        throw std::runtime_error(std::string("c-ares: ") + ares_strerror(status));
    }
    ChannelPtr channel(raw);
    if (!servers.empty()) {
        if (const int status = ares_set_servers_ports_csv(channel.get(), servers.c_str());
            status != ARES_SUCCESS) {
            throw std::invalid_argument("--dns-servers '" + servers +
                                        "': not ADDR[:PORT],...: " + ares_strerror(status));
        }
    }
    return channel;
}

// ---- answers -----------------------------------------------------------------------------------

// The lookup's answer and how long it may be kept.
struct Outcome {
    DnsAnswer answer;
    std::chrono::seconds ttl{0};
    bool cacheable = false;
};

Outcome outcome_of(int status, ares_addrinfo* result) {
    const AddrinfoPtr owner(result);
    Outcome outcome;
    if (status == ARES_SUCCESS && result) {
        int ttl = -1;
        for (const auto* node = result->nodes; node; node = node->ai_next) {
            asio::ip::address address;
            if (node->ai_family == AF_INET) {
                const auto* in = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
                asio::ip::address_v4::bytes_type bytes;
                std::memcpy(bytes.data(), &in->sin_addr, bytes.size());
                address = asio::ip::address_v4(bytes);
            } else if (node->ai_family == AF_INET6) {
                const auto* in6 = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
                asio::ip::address_v6::bytes_type bytes;
                std::memcpy(bytes.data(), &in6->sin6_addr, bytes.size());
                address = asio::ip::address_v6(bytes, in6->sin6_scope_id);
            } else {
                continue;
            }
            auto& addresses = outcome.answer.addresses;
            if (std::find(addresses.begin(), addresses.end(), address) != addresses.end()) continue;
            addresses.push_back(address);
            ttl = ttl < 0 ? node->ai_ttl : std::min(ttl, node->ai_ttl);
        }
        outcome.ttl = std::chrono::seconds(std::max(ttl, 0));
        outcome.cacheable = !outcome.answer.addresses.empty();
        if (!outcome.answer.addresses.empty()) return outcome;
        status = ARES_ENODATA;
    }
    outcome.answer.error = error_code(status, dns_category());
    // The name does not exist or has no address: worth remembering briefly. A timeout, a
    // refused query or a cancelled lookup says nothing about the name.
    outcome.cacheable =
        status == ARES_ENOTFOUND || status == ARES_ENODATA || status == ARES_ENONAME;
    return outcome;
}

ares_addrinfo_hints address_hints() {
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;  // A and AAAA, asked together
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = ARES_AI_NOSORT;  // Happy Eyeballs orders them (fetch/happy_eyeballs.hpp)
    return hints;
}

std::optional<unsigned short> port_number(std::string_view text) {
    unsigned short port = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (error != std::errc{} || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return port;
}

bool same_host(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

class DnsCategory : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "c-ares"; }
    std::string message(int status) const override { return ares_strerror(status); }
};

}  // namespace

const boost::system::error_category& dns_category() noexcept {
    static const DnsCategory category;
    return category;
}

ResolveEntry parse_resolve_entry(std::string_view text) {
    const auto invalid = [&](const std::string& why) {
        return std::invalid_argument("--resolve '" + std::string(text) + "': " + why +
                                     " (expected HOST:PORT:ADDR)");
    };
    const auto first = text.find(':');
    const auto second = first == std::string_view::npos ? first : text.find(':', first + 1);
    if (second == std::string_view::npos) throw invalid("missing ':'");
    ResolveEntry entry;
    entry.host = std::string(text.substr(0, first));
    entry.port = std::string(text.substr(first + 1, second - first - 1));
    std::string_view address = text.substr(second + 1);
    if (entry.host.empty()) throw invalid("no host");
    const auto port = port_number(entry.port);
    if (!port || *port == 0) throw invalid("bad port");
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
        address = address.substr(1, address.size() - 2);
    error_code error;
    entry.address = asio::ip::make_address(address, error);
    if (error) throw invalid("'" + std::string(address) + "' is not an IP address");
    entry.port = std::to_string(*port);
    return entry;
}

DnsConfig::DnsConfig(const FetchOptions& options, std::shared_ptr<DnsCache> cache)
    : servers_(options.dns_servers), cache_(std::move(cache)) {
    for (const auto& text : options.resolve) entries_.push_back(parse_resolve_entry(text));
    if (!servers_.empty()) make_channel(servers_);  // throws for servers c-ares cannot use
}

std::optional<Resolution> DnsConfig::known(std::string_view host, std::string_view port,
                                           Clock::time_point now) const {
    const auto number = port_number(port);
    if (!number) return Resolution{{}, asio::error::service_not_found};
    error_code not_an_address;
    if (const auto address = asio::ip::make_address(host, not_an_address); !not_an_address)
        return Resolution{{tcp::endpoint(address, *number)}, {}};
    Resolution resolution;
    for (const auto& entry : entries_) {
        if (entry.port == port && same_host(entry.host, host))
            resolution.endpoints.emplace_back(entry.address, *number);
    }
    if (!resolution.endpoints.empty()) return resolution;
    if (auto answer = cache_->find(host, now)) return with_port(*answer, port);
    return std::nullopt;
}

Resolution with_port(const DnsAnswer& answer, std::string_view port) {
    Resolution resolution;
    resolution.error = answer.error;
    const auto number = port_number(port).value_or(0);
    for (const auto& address : answer.addresses) resolution.endpoints.emplace_back(address, number);
    return resolution;
}

// ---- async: one channel whose sockets the io_context waits on ----------------------------------

namespace {

// One lookup in flight: its answer arrives on `done` (buffered, so a caller that has given up
// leaves it there).
struct Lookup {
    Lookup(asio::any_io_executor executor, std::string host, std::shared_ptr<DnsCache> cache)
        : done(std::move(executor), 1), host(std::move(host)), cache(std::move(cache)) {}

    asio::experimental::concurrent_channel<void(error_code, DnsAnswer)> done;
    std::string host;
    std::shared_ptr<DnsCache> cache;
};

void on_async_answer(void* arg, int status, int, ares_addrinfo* result) {
    const std::unique_ptr<std::shared_ptr<Lookup>> owner(
        static_cast<std::shared_ptr<Lookup>*>(arg));
    Lookup& lookup = **owner;
    Outcome outcome = outcome_of(status, result);
    if (outcome.cacheable)
        lookup.cache->store(lookup.host, outcome.answer, outcome.ttl, Clock::now());
    lookup.done.try_send(error_code{}, std::move(outcome.answer));
}

}  // namespace

// Every call into c-ares is made under `mutex`: the threads running the io_context may all
// resolve at once. c-ares calls on_socket_state from inside those calls, so that runs under it
// too.
struct AsyncResolver::Channel : std::enable_shared_from_this<AsyncResolver::Channel> {
    // What the io_context waits for on one of c-ares' sockets.
    struct Watch {
        explicit Watch(const asio::any_io_executor& executor, ares_socket_t fd)
            : descriptor(executor, fd) {}
        asio::posix::stream_descriptor descriptor;  // released, never closed: c-ares' own fd
        bool read = false, write = false;           // what c-ares wants
        bool reading = false, writing = false;      // what is being waited for
    };

    Channel(asio::any_io_executor executor, const std::string& servers)
        : executor(executor), timer(executor) {
        ares_options options{};
        options.sock_state_cb = &Channel::on_socket_state;
        options.sock_state_cb_data = this;
        ares = make_channel(servers, options, ARES_OPT_SOCK_STATE_CB);
    }

    ~Channel() {
        std::lock_guard lock(mutex);
        ares.reset();  // the lookups still in flight end (ARES_EDESTRUCTION), sockets released
        for (auto& [fd, watch] : watches) watch->descriptor.release();
        watches.clear();
    }

    void start(const std::shared_ptr<Lookup>& lookup) {
        std::lock_guard lock(mutex);
        ++waiting;
        const auto hints = address_hints();
        ares_getaddrinfo(ares.get(), lookup->host.c_str(), nullptr, &hints, &on_async_answer,
                         new std::shared_ptr<Lookup>(lookup));
        reschedule();
    }

    // The caller of a lookup stopped waiting; when it gave up and nobody else waits, the
    // queries left are dropped, so that they keep neither sockets nor the io_context busy.
    void stop_waiting(bool gave_up) {
        std::lock_guard lock(mutex);
        if (--waiting == 0 && gave_up) ares_cancel(ares.get());
        reschedule();
    }

    static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
        auto& self = *static_cast<Channel*>(data);
        const auto found = self.watches.find(fd);
        if (!readable && !writable) {
            if (found != self.watches.end()) {
                found->second->descriptor.release();  // pending waits end, aborted
                self.watches.erase(found);
            }
            return;
        }
        auto watch = found != self.watches.end()
                         ? found->second
                         : self.watches.emplace(fd, std::make_shared<Watch>(self.executor, fd))
                               .first->second;
        watch->read = readable != 0;
        watch->write = writable != 0;
        self.arm(fd, watch);
    }

    void arm(ares_socket_t fd, const std::shared_ptr<Watch>& watch) {
        const auto wait = [&](bool write) {
            watch->descriptor.async_wait(
                write ? asio::posix::descriptor_base::wait_write
                      : asio::posix::descriptor_base::wait_read,
                [weak = weak_from_this(), fd, weak_watch = std::weak_ptr<Watch>(watch),
                 write](error_code error) {
                    if (auto self = weak.lock()) self->on_ready(fd, weak_watch, write, error);
                });
        };
        if (watch->read && !watch->reading) {
            watch->reading = true;
            wait(false);
        }
        if (watch->write && !watch->writing) {
            watch->writing = true;
            wait(true);
        }
    }

    void on_ready(ares_socket_t fd, const std::weak_ptr<Watch>& weak_watch, bool write,
                  error_code error) {
        std::lock_guard lock(mutex);
        const auto watch = weak_watch.lock();
        if (!watch) return;
        (write ? watch->writing : watch->reading) = false;
        const auto current = [&] {
            const auto found = watches.find(fd);
            return found != watches.end() && found->second == watch;
        };
        if (error || !current()) return;
        ares_process_fd(ares.get(), write ? ARES_SOCKET_BAD : fd, write ? fd : ARES_SOCKET_BAD);
        if (current()) arm(fd, watch);
        reschedule();
    }

    // The timer to c-ares' next timeout (a query to ask again, or to give up on).
    void reschedule() {
        timeval storage{};
        const timeval* next = ares_timeout(ares.get(), nullptr, &storage);
        if (!next) {
            timer.cancel();
            return;
        }
        timer.expires_after(std::chrono::seconds(next->tv_sec) +
                            std::chrono::microseconds(next->tv_usec));
        timer.async_wait([weak = weak_from_this()](error_code error) {
            if (error) return;
            if (auto self = weak.lock()) {
                std::lock_guard lock(self->mutex);
                ares_process_fd(self->ares.get(), ARES_SOCKET_BAD, ARES_SOCKET_BAD);
                self->reschedule();
            }
        });
    }

    asio::any_io_executor executor;
    std::mutex mutex;
    asio::steady_timer timer;
    std::unordered_map<ares_socket_t, std::shared_ptr<Watch>> watches;
    std::size_t waiting = 0;  // lookups whose caller still waits
    ChannelPtr ares;          // last: destroyed first, its callbacks still see the rest
};

AsyncResolver::AsyncResolver(asio::any_io_executor executor, DnsConfig config)
    : config_(std::move(config)),
      channel_(std::make_shared<Channel>(std::move(executor), config_.servers())) {}

AsyncResolver::~AsyncResolver() = default;

asio::awaitable<Resolution> AsyncResolver::resolve(std::string host, std::string port,
                                                   Clock::time_point deadline) {
    if (auto known = config_.known(host, port, Clock::now())) co_return std::move(*known);
    const auto executor = co_await asio::this_coro::executor;
    auto lookup = std::make_shared<Lookup>(executor, std::move(host), config_.shared_cache());
    channel_->start(lookup);
    asio::steady_timer timer(executor, deadline);
    constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
    auto outcome = co_await (lookup->done.async_receive(nothrow) || timer.async_wait(nothrow));
    const bool answered = outcome.index() == 0;
    channel_->stop_waiting(!answered);
    if (!answered) co_return Resolution{{}, boost::beast::error::timeout};
    auto& [error, answer] = std::get<0>(outcome);
    if (error) co_return Resolution{{}, error};
    co_return with_port(answer, port);
}

// ---- blocking: a channel per lookup, waited on with poll() -------------------------------------

BlockingResolver::BlockingResolver(DnsConfig config, int cancel_fd)
    : config_(std::move(config)), cancel_fd_(cancel_fd) {}

Resolution BlockingResolver::resolve(const std::string& host, const std::string& port,
                                     Clock::time_point deadline) const {
    if (auto known = config_.known(host, port, Clock::now())) return std::move(*known);
    std::optional<Outcome> outcome;  // declared before the channel: its destruction ends a
                                     // lookup still in flight, which then writes here
    const auto on_answer = [](void* arg, int status, int, ares_addrinfo* result) {
        static_cast<std::optional<Outcome>*>(arg)->emplace(outcome_of(status, result));
    };
    const ChannelPtr channel = make_channel(config_.servers());
    const auto hints = address_hints();
    ares_getaddrinfo(channel.get(), host.c_str(), nullptr, &hints, on_answer, &outcome);
    while (!outcome) {
        const auto now = Clock::now();
        if (now >= deadline) return {{}, boost::beast::error::timeout};
        ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
        const int bits = ares_getsock(channel.get(), sockets, ARES_GETSOCK_MAXNUM);
        pollfd fds[ARES_GETSOCK_MAXNUM + 1];
        nfds_t count = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
            const short events = static_cast<short>((ARES_GETSOCK_READABLE(bits, i) ? POLLIN : 0) |
                                                    (ARES_GETSOCK_WRITABLE(bits, i) ? POLLOUT : 0));
            if (events) fds[count++] = {sockets[i], events, 0};
        }
        fds[count] = {cancel_fd_, POLLIN, 0};
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        timeval storage{};
        if (const timeval* next = ares_timeout(channel.get(), nullptr, &storage)) {
            wait = std::min(wait, std::chrono::milliseconds(next->tv_sec * 1000 +
                                                            (next->tv_usec + 999) / 1000));
        }
        const int ready =
            ::poll(fds, count + 1, static_cast<int>(std::min<long long>(wait.count(), 60'000)));
        if (ready < 0 && errno != EINTR)
            return {{}, error_code(errno, asio::error::get_system_category())};
        if (fds[count].revents & POLLIN) return {{}, asio::error::operation_aborted};
        bool processed = false;
        for (nfds_t i = 0; i < count && ready > 0; ++i) {
            if (!fds[i].revents) continue;
            const bool readable = fds[i].revents & (POLLIN | POLLERR | POLLHUP);
            const bool writable = fds[i].revents & POLLOUT;
            ares_process_fd(channel.get(), readable ? fds[i].fd : ARES_SOCKET_BAD,
                            writable ? fds[i].fd : ARES_SOCKET_BAD);
            processed = true;
        }
        if (!processed) ares_process_fd(channel.get(), ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    }
    if (outcome->cacheable)
        config_.cache().store(host, outcome->answer, outcome->ttl, Clock::now());
    return with_port(outcome->answer, port);
}

}  // namespace corocrawl::fetch
