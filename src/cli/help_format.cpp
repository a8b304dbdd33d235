#include "cli/help_format.hpp"

namespace corocrawl::cli {
namespace {

// An option's placeholder: the one set with option_text(), else its choices, else a word for its
// type.
std::string placeholder(const CLI::Option* option) {
    if (!option->get_option_text().empty()) return option->get_option_text();
    const std::string type = option->get_type_name();  // e.g. "ENUM:{text,jsonl,csv}"
    if (const auto open = type.find('{'); open != std::string::npos) {
        return type.substr(open, type.find('}', open) + 1 - open);
    }
    const std::string base = type.substr(0, type.find(':'));
    if (base == "UINT" || base == "INT") return "N";
    if (base == "FLOAT") return "NUMBER";
    return base;
}

}  // namespace

std::string HelpFormat::make_option_name(const CLI::Option* option, bool positional) const {
    if (positional) return option->get_name(true, false);
    std::string names;  // without the {default} CLI11 appends to a negated flag's name
    for (const auto& name : option->get_snames()) names += (names.empty() ? "-" : ",-") + name;
    for (const auto& name : option->get_lnames()) names += (names.empty() ? "--" : ",--") + name;
    return names;
}

std::string HelpFormat::make_option_opts(const CLI::Option* option) const {
    if (option->get_type_size() == 0) return {};  // a flag takes no value
    std::string text = " " + placeholder(option);
    if (option->get_expected_max() == CLI::detail::expected_max_vector_size) text += " ...";
    const std::string shown_default = option->get_default_str();
    if (!shown_default.empty() && shown_default != "[]") text += " [" + shown_default + "]";
    return text;
}

}  // namespace corocrawl::cli
