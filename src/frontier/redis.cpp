#include "frontier/redis.hpp"

#include <signal.h>

#include <algorithm>
#include <optional>

namespace corocrawl::frontier::redis {

std::int64_t integer(const redisReply& reply) {
    if (reply.type == REDIS_REPLY_INTEGER) return reply.integer;
    if (reply.type == REDIS_REPLY_STRING) {
        try {
            return std::stoll(std::string(reply.str, reply.len));
        } catch (const std::exception&) {
        }
    }
    if (reply.type == REDIS_REPLY_NIL) return 0;
    throw ReplyError("Redis answered with something other than a number");
}

std::string_view text(const redisReply& reply) {
    if (reply.type == REDIS_REPLY_STRING || reply.type == REDIS_REPLY_STATUS)
        return {reply.str, reply.len};
    if (reply.type == REDIS_REPLY_NIL) return {};
    throw ReplyError("Redis answered with something other than a string");
}

bool is_nil(const redisReply& reply) noexcept {
    return reply.type == REDIS_REPLY_NIL;
}

namespace {

// hiredis writes with write(2): to a server that has gone, that raises SIGPIPE, which would end
// the process. It is blocked on this thread while a command is sent, and one it raised is taken
// off before the thread's mask is put back (the way libcurl does it, without touching the
// process's own disposition).
class SigpipeBlocked {
  public:
    SigpipeBlocked() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    }
    ~SigpipeBlocked() {
        sigset_t pending;
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE) == 1) {
            const timespec now{0, 0};
            sigtimedwait(&pipe_, nullptr, &now);
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    SigpipeBlocked(const SigpipeBlocked&) = delete;
    SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

  private:
    sigset_t pipe_{};
    sigset_t previous_{};
};

timeval to_timeval(std::chrono::milliseconds timeout) {
    return {static_cast<time_t>(timeout.count() / 1000),
            static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
}

}  // namespace

Connection::Connection(const RedisAddress& address, std::chrono::milliseconds timeout) {
    const timeval wait = to_timeval(timeout);
    context_.reset(address.socket.empty()
                       ? redisConnectWithTimeout(address.host.c_str(), address.port, wait)
                       : redisConnectUnixWithTimeout(address.socket.c_str(), wait));
    if (!context_) throw ConnectionLost("out of memory");
    if (context_->err) throw ConnectionLost(context_->errstr);
    if (redisSetTimeout(context_.get(), wait) != REDIS_OK) throw ConnectionLost(context_->errstr);
}

void Connection::append(const std::vector<std::string>& args) {
    if (!context_ || context_->err) throw ConnectionLost("not connected");
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto& arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK)
        throw ConnectionLost(context_->errstr);
}

Reply Connection::reply() {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || !raw)
        throw ConnectionLost(context_->err ? context_->errstr : "no reply");
    return Reply(static_cast<redisReply*>(raw));
}

Reply Connection::command(const std::vector<std::string>& args) {
    const SigpipeBlocked blocked;
    append(args);
    Reply answer = reply();
    if (answer->type == REDIS_REPLY_ERROR) throw ReplyError(std::string(answer->str, answer->len));
    return answer;
}

const std::string& Connection::sha(const Script& script) {
    const auto known = std::find_if(loaded_.begin(), loaded_.end(), [&](const auto& entry) {
        return entry.first == script.text.data();
    });
    if (known != loaded_.end()) return known->second;
    std::string loaded(text(*command({"SCRIPT", "LOAD", std::string(script.text)})));
    return loaded_.emplace_back(script.text.data(), std::move(loaded)).second;
}

std::vector<std::string> Connection::evalsha(const std::string& sha,
                                             const std::vector<std::string>& args) {
    std::vector<std::string> call;
    call.reserve(args.size() + 3);
    call.push_back("EVALSHA");
    call.push_back(sha);
    call.push_back("0");
    call.insert(call.end(), args.begin(), args.end());
    return call;
}

namespace {

bool is_noscript(std::string_view error) {
    return error.substr(0, 8) == "NOSCRIPT";
}

}  // namespace

Reply Connection::run(const Script& script, const std::vector<std::string>& args) {
    try {
        return command(evalsha(sha(script), args));
    } catch (const ReplyError& e) {
        // Its scripts flushed (SCRIPT FLUSH): loaded again.
        if (!is_noscript(e.what())) throw;
        command({"SCRIPT", "LOAD", std::string(script.text)});
        return command(evalsha(sha(script), args));
    }
}

std::vector<Reply> Connection::run_together(const std::vector<Call>& calls) {
    std::vector<std::vector<std::string>> commands;
    for (const auto& call : calls) commands.push_back(evalsha(sha(*call.script), call.args));
    const SigpipeBlocked blocked;
    for (const auto& args : commands) append(args);
    std::vector<Reply> replies;
    std::optional<std::string> error;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        replies.push_back(reply());
        const redisReply& answer = *replies.back();
        if (answer.type == REDIS_REPLY_ERROR && !error) error.emplace(answer.str, answer.len);
    }
    if (error) throw ReplyError(*error);  // every reply read: the connection stays in step
    return replies;
}

std::int64_t Connection::time_ms() {
    const Reply reply = command({"TIME"});
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2)
        throw ReplyError("TIME: an unexpected answer");
    return integer(*reply->element[0]) * 1000 + integer(*reply->element[1]) / 1000;
}

}  // namespace corocrawl::frontier::redis
