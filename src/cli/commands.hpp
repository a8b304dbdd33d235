// The subcommands of the `corocrawl` executable; main() only wires them to CLI11.
#pragma once

#include <CLI/CLI.hpp>

namespace corocrawl::cli {

// Each registers its subcommand; its callback stores the process exit status in `exit_status`.
void add_crawl_command(CLI::App& app, int& exit_status);
void add_serve_command(CLI::App& app, int& exit_status);
void add_state_command(CLI::App& app, int& exit_status);
void add_frontier_command(CLI::App& app, int& exit_status);
void add_merge_command(CLI::App& app, int& exit_status);
void add_bench_command(CLI::App& app, int& exit_status);

}  // namespace corocrawl::cli
