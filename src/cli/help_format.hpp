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

namespace corocrawl::cli {

class HelpFormat : public CLI::Formatter {
  public:
    std::string make_option_name(const CLI::Option* option, bool positional) const override;
    std::string make_option_opts(const CLI::Option* option) const override;
};

}  // namespace corocrawl::cli
