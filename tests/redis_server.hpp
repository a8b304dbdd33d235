// A real redis-server for a test: started on a unix socket in a scratch directory of its own
// (no TCP port), with an append-only file, so stop() and start() again is a Redis restart that
// reloads what it held, and kill() a crash. Stopped and its directory removed at the end.
//
//   if (!testing::RedisServer::available()) GTEST_SKIP() << testing::RedisServer::missing();
//   testing::RedisServer redis;
//   run_corocrawl({"crawl", ..., "--frontier", redis.address("crawl")});
//
// command() speaks RESP over the socket itself, so a test can look inside (DBSIZE, INFO)
// without redis-cli.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace corocrawl::testing {

class RedisServer {
  public:
    static constexpr const char* binary = "/usr/bin/redis-server";

    // Whether redis-server is installed (scripts/bootstrap installs it); the message to skip with
    // when it is not.
    static bool available() { return access(binary, X_OK) == 0; }
    static std::string missing() {
        return std::string(binary) + " is missing: install redis-server (scripts/bootstrap does)";
    }

    // Starts it in a fresh scratch directory; throws std::runtime_error if it does not answer
    // PING within `startup` (its log in the message).
    explicit RedisServer(std::chrono::milliseconds startup = std::chrono::seconds(10))
        : startup_(startup) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "corocrawl-redis-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp: " + errno_text());
        dir_ = pattern;
        start();
    }
    ~RedisServer() {
        if (pid_ > 0) stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    const std::string& dir() const { return dir_; }
    std::string socket_path() const { return dir_ + "/redis.sock"; }
    // The crawl NAME's --frontier address: "unix:///DIR/redis.sock?name=NAME".
    std::string address(const std::string& name) const {
        return "unix://" + socket_path() + "?name=" + name;
    }
    pid_t pid() const { return pid_; }
    bool running() const { return pid_ > 0; }
    // What the server wrote to its stdout and stderr, every run of it appended.
    std::string log() const {
        std::ifstream in(dir_ + "/redis.log", std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }

    // Starts redis-server on dir() (again, after stop() or kill(): it reloads its append-only
    // file) and waits until it answers PING.
    void start() {
        if (pid_ > 0) throw std::logic_error("redis-server is already running");
        std::vector<std::string> args{
            binary,     "--port", "0",  "--unixsocket", socket_path(), "--unixsocketperm",
            "700",      "--dir",  dir_, "--appendonly", "yes",         "--appendfsync",
            "everysec", "--save", "",   "--daemonize",  "no"};
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        const std::string log_path = dir_ + "/redis.log";
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(),
                                         O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        // Nothing else of the test's: Asio opens its sockets without O_CLOEXEC, and a connection
        // of the test's own HTTP server held open by redis-server would never be seen to close.
        posix_spawn_file_actions_addclosefrom_np(&actions, 3);
        const int spawned = posix_spawn(&pid_, binary, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (spawned != 0) {
            pid_ = 0;
            throw std::runtime_error(std::string("cannot start ") + binary + ": " +
                                     std::strerror(spawned));
        }
        const auto give_up = std::chrono::steady_clock::now() + startup_;
        for (;;) {
            std::string reply;
            try {
                reply = command({"PING"});
            } catch (const std::runtime_error&) {
                // not listening yet
            }
            if (reply == "PONG") return;
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = 0;
                throw std::runtime_error("redis-server exited at start:\n" + log());
            }
            if (std::chrono::steady_clock::now() > give_up) {
                kill();
                throw std::runtime_error("redis-server did not answer PING in time (last: \"" +
                                         reply + "\"):\n" + log());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    // SIGTERM, as a service manager stops it (it writes its append-only file and removes the
    // socket), and waits for it; returns its exit status (128 + signal if it died of one).
    int stop() { return signal_and_wait(SIGTERM); }
    // SIGKILL: a crash, whatever was not yet on disk is lost (at most the last second).
    int kill() { return signal_and_wait(SIGKILL); }

    // One command over the socket; its reply as text: a status or an integer as Redis wrote it,
    // an error with its leading '-' ("-ERR ..."), a bulk string's bytes ("" for nil), an array's
    // elements one per line. Throws std::runtime_error when it cannot connect or the server
    // does not answer within 10 s.
    std::string command(const std::vector<std::string>& args) const {
        const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw std::runtime_error("socket: " + errno_text());
        Connection connection{fd};
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const std::string path = socket_path();
        if (path.size() >= sizeof(address.sun_path))
            throw std::runtime_error("socket path too long: " + path);
        std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
        if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0)
            throw std::runtime_error("connect " + path + ": " + errno_text());
        timeval timeout{10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
        // Appended piece by piece: g++ 12 warns (-Wstringop-overflow, a false positive) about
        // `"*" + std::to_string(n)` once inlined.
        std::string request(1, '*');
        request.append(std::to_string(args.size())).append("\r\n");
        for (const auto& arg : args) {
            request.append(1, '$').append(std::to_string(arg.size())).append("\r\n");
            request.append(arg).append("\r\n");
        }
        for (std::size_t sent = 0; sent < request.size();) {
            const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send: " + errno_text());
            sent += static_cast<std::size_t>(n);
        }
        return connection.reply();
    }

    // INFO SECTION's `field:value` lines ("stats": total_commands_processed, ...; "memory":
    // used_memory, ...).
    std::map<std::string, std::string> info(const std::string& section) const {
        std::map<std::string, std::string> fields;
        std::istringstream text(command({"INFO", section}));
        for (std::string line; std::getline(text, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            const auto colon = line.find(':');
            if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
            fields[line.substr(0, colon)] = line.substr(colon + 1);
        }
        return fields;
    }

    // DBSIZE: how many keys the server holds, all crawls together.
    std::size_t keys() const { return std::stoull(command({"DBSIZE"})); }

  private:
    static std::string errno_text() { return std::strerror(errno); }

    // A connected socket, closed at scope end, and the RESP reader over it.
    struct Connection {
        int fd;
        std::string buffer{};
        ~Connection() { close(fd); }

        std::string line() {
            for (;;) {
                const auto end = buffer.find("\r\n");
                if (end != std::string::npos) {
                    std::string text = buffer.substr(0, end);
                    buffer.erase(0, end + 2);
                    return text;
                }
                fill();
            }
        }
        std::string bytes(std::size_t count) {
            while (buffer.size() < count + 2) fill();
            std::string text = buffer.substr(0, count);
            buffer.erase(0, count + 2);
            return text;
        }
        void fill() {
            char chunk[4096];
            const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
            if (n <= 0)
                throw std::runtime_error(n == 0 ? "redis closed the connection"
                                                : "recv: " + errno_text());
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        std::string reply() {
            const std::string head = line();
            if (head.empty()) throw std::runtime_error("empty RESP reply");
            const std::string rest = head.substr(1);
            switch (head[0]) {
                case '+':
                case ':':
                    return rest;
                case '-':
                    return head;
                case '$':
                    return rest == "-1" ? "" : bytes(std::stoull(rest));
                case '*': {
                    std::string text;
                    const long count = std::stol(rest);
                    for (long i = 0; i < count; ++i) text += (i ? "\n" : "") + reply();
                    return text;
                }
                default:
                    throw std::runtime_error("not a RESP reply: " + head);
            }
        }
    };

    int signal_and_wait(int signal) {
        if (pid_ <= 0) return -1;
        ::kill(pid_, signal);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    std::string dir_;
    std::chrono::milliseconds startup_;
    pid_t pid_ = 0;
};

}  // namespace corocrawl::testing
