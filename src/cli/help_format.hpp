// How --help prints an option: its names as people type them, a placeholder for its value
// (FILE, N, the choices {text,jsonl,csv}), and its default in brackets:
//   -f,--format {text,jsonl,csv} [text]
//   -c,--concurrency N [100]
//   --compressed,--no-compressed
// instead of CLI11's own "ENUM:{csv->2,jsonl->1,text->0}", "UINT:INT in [1 - 10000]=8" and
// "--no-compressed{false}".
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace corocrawl::cli {

// An option's placeholder as --help shows it: its option_text(), else its choices ({a,b,c}, from
// its validator's description), else a word for its type (N, NUMBER, TEXT).
std::string placeholder(const CLI::Option* option);

// Whether it takes a value: a flag (expected(0)) does not.
bool takes_value(const CLI::Option* option);

// Its choices, when the placeholder lists them ({text,jsonl,csv}): {"text", "jsonl", "csv"}.
std::vector<std::string> choices_of(const CLI::Option* option);

// The options --help lists for `app` (its own, not its subcommands'), in the order it lists them:
// everything but the options put in no group (hidden).
std::vector<const CLI::Option*> shown_options(const CLI::App& app);

class HelpFormat : public CLI::Formatter {
  public:
    std::string make_option_name(const CLI::Option* option, bool positional) const override;
    std::string make_option_opts(const CLI::Option* option) const override;
};

}  // namespace corocrawl::cli
