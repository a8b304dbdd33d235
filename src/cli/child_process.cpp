#include "cli/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cerrno>
#include <system_error>

extern char** environ;

namespace corocrawl::cli {
namespace {

class SpawnFileActions {
  public:
    SpawnFileActions() { posix_spawn_file_actions_init(&actions_); }
    ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
    SpawnFileActions(const SpawnFileActions&) = delete;
    SpawnFileActions& operator=(const SpawnFileActions&) = delete;

    void open(int fd, const std::string& path, int flags) {
        posix_spawn_file_actions_addopen(&actions_, fd, path.c_str(), flags, 0600);
    }
    const posix_spawn_file_actions_t* get() const noexcept { return &actions_; }

  private:
    posix_spawn_file_actions_t actions_;
};

// The child starts with no signal blocked, whatever this process blocks for its own handling.
class SpawnAttributes {
  public:
    SpawnAttributes() {
        posix_spawnattr_init(&attributes_);
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attributes_, &none);
        posix_spawnattr_setflags(&attributes_, POSIX_SPAWN_SETSIGMASK);
    }
    ~SpawnAttributes() { posix_spawnattr_destroy(&attributes_); }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;

    const posix_spawnattr_t* get() const noexcept { return &attributes_; }

  private:
    posix_spawnattr_t attributes_;
};

}  // namespace

ChildRun run_child(const std::vector<std::string>& argv, const std::string& stdout_path,
                   const std::string& stderr_path) {
    std::vector<char*> arguments;
    for (const auto& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
    arguments.push_back(nullptr);
    SpawnFileActions actions;
    actions.open(0, "/dev/null", O_RDONLY);
    actions.open(1, stdout_path, O_WRONLY | O_CREAT | O_TRUNC);
    actions.open(2, stderr_path, O_WRONLY | O_CREAT | O_TRUNC);
    const SpawnAttributes attributes;

    // The memory figure is the child's own: wait4 reports the peak resident set of the process it
    // reaps (and of that process's reaped children), measured by the kernel over the child's
    // whole life. Nothing of this process's memory is in it: posix_spawn starts the child on a
    // fresh address space at exec. That is why each run is a process of its own rather than a
    // crawl in this one, where the peak would be this process's, bundled server included.
    ChildRun run;
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    if (const int error = posix_spawn(&pid, arguments[0], actions.get(), attributes.get(),
                                      arguments.data(), environ)) {
        throw std::system_error(error, std::generic_category(), "cannot start " + argv[0]);
    }
    int status = 0;
    rusage usage{};
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "wait4");
    }
    run.wall = std::chrono::steady_clock::now() - start;
    run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.peak_rss_kib = usage.ru_maxrss;  // Linux: in KiB
    return run;
}

}  // namespace corocrawl::cli
