// hiredis behind RAII: a blocking connection with a bounded wait on every command, replies freed
// by their owners, and Lua scripts run by their SHA-1 (loaded again when the server has
// forgotten them, as after a restart). A connection that fails is done with: make a new one.
#pragma once

#include <hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "corocrawl/shared_frontier.hpp"

namespace corocrawl::frontier::redis {

// The connection is gone (refused, reset, timed out): nothing more can be sent on it.
struct ConnectionLost : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Redis answered with an error; the connection is still good.
struct ReplyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct FreeReply {
    void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, FreeReply>;

// A reply's parts, checked: a ReplyError when it is not what was expected.
std::int64_t integer(const redisReply& reply);
std::string_view text(const redisReply& reply);  // a string or status; "" for nil
bool is_nil(const redisReply& reply) noexcept;

// A Lua script, known to each connection by the SHA-1 Redis gave it when loaded.
struct Script {
    std::string_view text;
};

class Connection {
  public:
    // Throws ConnectionLost when it cannot connect within `timeout`, which then bounds every
    // command too.
    Connection(const RedisAddress& address, std::chrono::milliseconds timeout);

    Reply command(const std::vector<std::string>& args);
    // EVALSHA with no keys (the script builds them from its first argument).
    Reply run(const Script& script, const std::vector<std::string>& args);
    // Scripts sent together and answered together: one round trip for all.
    struct Call {
        const Script* script;
        std::vector<std::string> args;
    };
    std::vector<Reply> run_together(const std::vector<Call>& calls);
    // Redis's own clock, in milliseconds since the epoch: every process of a crawl reads its
    // instants from the same server.
    std::int64_t time_ms();

  private:
    // A command sent, and the next reply read (blocking, bounded by the timeout).
    void append(const std::vector<std::string>& args);
    Reply reply();
    const std::string& sha(const Script& script);
    static std::vector<std::string> evalsha(const std::string& sha,
                                            const std::vector<std::string>& args);
    struct Free {
        void operator()(redisContext* context) const noexcept { redisFree(context); }
    };
    std::unique_ptr<redisContext, Free> context_;
    std::vector<std::pair<const void*, std::string>> loaded_;  // script text -> SHA-1
};

}  // namespace corocrawl::frontier::redis
