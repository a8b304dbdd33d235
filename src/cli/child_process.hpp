// Runs a program as a child process and reports what it cost: wall time and peak memory.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace corocrawl::cli {

struct ChildRun {
    int exit_status = -1;  // the exit status, or 128 + the signal that ended it
    std::chrono::duration<double> wall{0};
    long peak_rss_kib = 0;  // the child's largest resident set
};

// Runs `argv` (argv[0] is the program's path) with stdin from /dev/null and stdout and stderr
// written to the given files, and waits for it. Throws std::system_error when it cannot start.
ChildRun run_child(const std::vector<std::string>& argv, const std::string& stdout_path,
                   const std::string& stderr_path);

}  // namespace corocrawl::cli
