// The man page and the shell completions, written from the same CLI11 option table that --help
// prints (`corocrawl help-format man|bash|zsh [FILE]`, hidden; the build runs it), so a flag
// cannot be in one and missing from the others.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>

namespace corocrawl::cli {

// The roff source of corocrawl(1): a section per subcommand, its options with their placeholders,
// defaults and choices, and the exit status, error kinds, environment and files.
void write_man_page(std::ostream& out, const CLI::App& app);

// A bash completion script (`complete -F _corocrawl corocrawl`): subcommands, every flag, the
// choices of options that list them ({a,b,c}), file names for options whose placeholder says FILE.
void write_bash_completion(std::ostream& out, const CLI::App& app);

// The same for zsh (#compdef corocrawl, _arguments).
void write_zsh_completion(std::ostream& out, const CLI::App& app);

// Registers the hidden `help-format` subcommand that writes them for `app`.
void add_help_format_command(CLI::App& app, int& exit_status);

}  // namespace corocrawl::cli
