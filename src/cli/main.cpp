// `corocrawl`: wires the command line to the library; all behaviour lives in the subcommands.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/help_format.hpp"
#include "cli/library_versions.hpp"
#include "cli/manual.hpp"

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    CLI::App app{"corocrawl: a fast asynchronous web crawler with XPath extraction", "corocrawl"};
    app.set_version_flag("--version", corocrawl::cli::version_text(),
                         "Print the version and the libraries' versions, and exit");
    app.require_subcommand(1);
    app.option_defaults()->always_capture_default();
    app.formatter(std::make_shared<corocrawl::cli::HelpFormat>());  // subcommands inherit it

    int exit_status = 0;
    corocrawl::cli::add_crawl_command(app, exit_status);
    corocrawl::cli::add_serve_command(app, exit_status);
    corocrawl::cli::add_bench_command(app, exit_status);
    corocrawl::cli::add_state_command(app, exit_status);
    corocrawl::cli::add_frontier_command(app, exit_status);
    corocrawl::cli::add_merge_command(app, exit_status);
    corocrawl::cli::add_help_format_command(app, exit_status);  // hidden: for the build
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end well; every other parse or validation problem is a usage
        // error, exit status 2, reported before any traffic.
        return app.exit(e) == 0 ? 0 : 2;
    }
    return exit_status;
}
