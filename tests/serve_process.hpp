// `corocrawl serve` as a child process, for tests that need the real command (its defaults, its
// signal handling) or a process of its own (its own descriptor limit, its own memory figures).
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace corocrawl::testing {

class ServeProcess {
  public:
    // Starts `corocrawl serve --port 0 EXTRA...` and waits for its "serving URL" line.
    explicit ServeProcess(const std::vector<std::string>& extra_args = {}) {
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        std::vector<std::string> args{COROCRAWL_BINARY, "serve", "--port", "0"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        close(out[1]);
        if (spawned != 0) {
            close(out[0]);
            throw std::runtime_error("cannot start corocrawl serve");
        }
        for (char c; read(out[0], &c, 1) == 1 && c != '\n';) first_line_ += c;
        close(out[0]);
        const auto colon = first_line_.rfind(':');
        if (!first_line_.starts_with("serving ") || colon == std::string::npos) {
            stop();
            throw std::runtime_error("unexpected first line from serve: " + first_line_);
        }
        url_ = first_line_.substr(std::string("serving ").size());
        port_ = static_cast<unsigned short>(std::stoi(first_line_.substr(colon + 1)));
    }
    ~ServeProcess() {
        if (pid_ > 0) stop();
    }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    unsigned short port() const { return port_; }
    const std::string& url() const { return url_; }  // "http://127.0.0.1:PORT"
    pid_t pid() const { return pid_; }

    // A field of /proc/PID/status in KiB: VmRSS (resident now) or VmHWM (the peak).
    std::size_t memory_kib(const std::string& field) const {
        std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
        for (std::string line; std::getline(status, line);) {
            if (line.starts_with(field + ":")) return std::stoul(line.substr(field.size() + 1));
        }
        return 0;
    }

    // SIGTERM, as a user would stop it; returns the exit status (128 + signal when killed).
    int stop() {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

  private:
    pid_t pid_ = 0;
    std::string first_line_;
    std::string url_;
    unsigned short port_ = 0;
};

}  // namespace corocrawl::testing
