// Helpers shared by the integration tests: run the real `corocrawl` binary, find a closed port.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace corocrawl::testing {

// Sanitizer builds run several times slower and take more memory (shadow memory; ASan's
// quarantine): time and memory bounds scale by these there. The release bounds are the ones
// that catch a regression.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif
inline constexpr std::size_t sanitizer_factor = sanitized ? 4 : 1;

struct Run {
    int status = -1;  // exit status, or 128 + signal
    std::string out;
    std::string err;
    std::chrono::milliseconds elapsed{0};
    long peak_rss_kib = 0;  // the child's largest resident set (wait4's ru_maxrss)
};

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A scratch file name unique to this process and call.
inline std::string scratch_path(const std::string& stem) {
    static int counter = 0;
    return (std::filesystem::temp_directory_path() / ("corocrawl-" + std::to_string(getpid()) +
                                                      "-" + std::to_string(counter++) + "-" + stem))
        .string();
}

// A signal sent to the running child: once `after` has passed since its start, its stdout
// holds at least `lines` whole lines and `until` (when given) holds, so a slow (sanitized,
// loaded) machine interrupts it at the same point of its work, not earlier. `until` is for
// progress stdout does not show (records going to -o FILE): the server's count of requests, say.
// Waits for those lines and that condition at most a minute, and not at all once the child has
// exited.
struct Interrupt {
    std::chrono::milliseconds after{0};  // 0: no signal
    int signal = SIGINT;
    std::size_t lines = 0;
    std::function<bool()> until{};

    Interrupt() = default;
    Interrupt(std::chrono::milliseconds after, int signal = SIGINT, std::size_t lines = 0,
              std::function<bool()> until = {})
        : after(after), signal(signal), lines(lines), until(std::move(until)) {}
};

enum class Stdin {
    file,       // `input` from a file: stdin ends after it
    open_pipe,  // `input` written to a pipe that stays open (a writer that has gone quiet)
};

// Whether process `pid` has exited, without reaping it.
inline bool has_exited(pid_t pid) {
    siginfo_t info{};
    return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == pid;
}

// Waits until the file at `path` holds `count` newlines, or `pid` has exited, or a minute.
inline void wait_for_lines(const std::string& path, std::size_t count, pid_t pid) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (count > 0 && !has_exited(pid) && std::chrono::steady_clock::now() < give_up) {
        const std::string text = read_file(path);
        if (static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) >= count) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

// Waits until `condition()` holds, or `pid` has exited, or a minute.
inline void wait_until(const std::function<bool()>& condition, pid_t pid) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (condition && !condition() && !has_exited(pid) &&
           std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

// Runs `corocrawl ARGS...` with `input` on stdin, and sends it `interrupt` if one is given.
inline Run run_corocrawl(const std::vector<std::string>& args, const std::string& input = "",
                         const Interrupt& interrupt = {}, Stdin stdin_kind = Stdin::file) {
    const std::string in_path = scratch_path("stdin"), out_path = scratch_path("stdout"),
                      err_path = scratch_path("stderr");
    std::ofstream(in_path, std::ios::binary) << input;
    int pipe_ends[2] = {-1, -1};
    if (stdin_kind == Stdin::open_pipe && pipe(pipe_ends) != 0) return {};

    std::vector<std::string> argv_storage{COROCRAWL_BINARY};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_storage) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (stdin_kind == Stdin::open_pipe) {
        posix_spawn_file_actions_adddup2(&actions, pipe_ends[0], 0);
        posix_spawn_file_actions_addclose(&actions, pipe_ends[1]);
    } else {
        posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
    }
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);

    Run run;
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
        if (stdin_kind == Stdin::open_pipe) {
            close(pipe_ends[0]);
            if (write(pipe_ends[1], input.data(), input.size()) !=
                static_cast<ssize_t>(input.size())) {
                kill(pid, SIGKILL);
            }
        }
        if (interrupt.after.count() > 0) {
            wait_for_lines(out_path, interrupt.lines, pid);
            wait_until(interrupt.until, pid);
            std::this_thread::sleep_until(start + interrupt.after);
            kill(pid, interrupt.signal);
        }
        int wstatus = 0;
        rusage usage{};
        wait4(pid, &wstatus, 0, &usage);
        run.peak_rss_kib = usage.ru_maxrss;
        run.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    }
    if (stdin_kind == Stdin::open_pipe) close(pipe_ends[1]);  // the writer quits only now
    run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    posix_spawn_file_actions_destroy(&actions);
    run.out = read_file(out_path);
    run.err = read_file(err_path);
    std::remove(in_path.c_str());
    std::remove(out_path.c_str());
    std::remove(err_path.c_str());
    return run;
}

inline std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
}

// A loopback port nothing listens on (bound, then released).
inline unsigned short closed_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

}  // namespace corocrawl::testing
