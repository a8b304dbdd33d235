// An option that takes one of a few names: CLI11 maps the name to the enum, and --help lists the
// names as people type them ({text,jsonl,csv}) instead of CLI11's own mapping text.
#pragma once

#include <CLI/CLI.hpp>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "corocrawl/options.hpp"

namespace corocrawl::cli {

// `names` in the order --help shows them; matched without regard to case.
template <class Enum>
CLI::Validator choices(const std::vector<std::pair<std::string, Enum>>& names) {
    std::string shown;
    for (const auto& [name, value] : names) shown += (shown.empty() ? "{" : ",") + name;
    CLI::Validator validator = CLI::CheckedTransformer(
        std::map<std::string, Enum>(names.begin(), names.end()), CLI::ignore_case);
    validator.description(shown + "}");
    return validator;
}

// -m and --modes: every mode by name, fastest (the default) first.
inline CLI::Validator mode_choices() {
    std::vector<std::pair<std::string, Mode>> names;
    for (auto mode = std::rbegin(all_modes); mode != std::rend(all_modes); ++mode) {
        names.emplace_back(mode_name(*mode), *mode);  // all_modes lists them slowest first
    }
    return choices(names);
}

}  // namespace corocrawl::cli
