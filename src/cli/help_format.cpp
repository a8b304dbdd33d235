#include "cli/help_format.hpp"

namespace corocrawl::cli {

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

bool takes_value(const CLI::Option* option) {
    return option->get_expected_max() != 0;
}

std::vector<std::string> choices_of(const CLI::Option* option) {
    const std::string text = placeholder(option);
    const auto open = text.find('{');
    const auto close = text.find('}', open);
    if (open == std::string::npos || close == std::string::npos) return {};
    std::vector<std::string> names;
    std::string name;
    for (const char c : text.substr(open + 1, close - open - 1)) {
        if (c == ',') {
            names.push_back(std::move(name));
            name.clear();
        } else {
            name += c;
        }
    }
    names.push_back(std::move(name));
    return names;
}

std::vector<const CLI::Option*> shown_options(const CLI::App& app) {
    return app.get_options([](const CLI::Option* option) { return !option->get_group().empty(); });
}

std::string HelpFormat::make_option_name(const CLI::Option* option, bool positional) const {
    if (positional) return option->get_name(true, false);
    std::string names;  // without the {default} CLI11 appends to a negated flag's name
    for (const auto& name : option->get_snames()) names += (names.empty() ? "-" : ",-") + name;
    for (const auto& name : option->get_lnames()) names += (names.empty() ? "--" : ",--") + name;
    return names;
}

std::string HelpFormat::make_option_opts(const CLI::Option* option) const {
    if (!takes_value(option)) return {};
    std::string text = " " + placeholder(option);
    if (option->get_expected_max() == CLI::detail::expected_max_vector_size) text += " ...";
    const std::string shown_default = option->get_default_str();
    if (!shown_default.empty() && shown_default != "[]") text += " [" + shown_default + "]";
    return text;
}

}  // namespace corocrawl::cli
