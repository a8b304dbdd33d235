#include "cli/fields.hpp"

#include <CLI/CLI.hpp>
#include <set>

#include "corocrawl/css_selector.hpp"

namespace corocrawl::cli {
namespace {

bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

}  // namespace

std::string field_name(const std::string& argument) {
    if (argument.empty() || !is_name_start(argument[0])) return {};
    std::size_t end = 1;
    while (end < argument.size() && is_name_char(argument[end])) ++end;
    if (end >= argument.size() || argument[end] != '=') return {};
    return argument.substr(0, end);
}

XPathSet compile_fields(const std::vector<FieldArgument>& fields) {
    std::vector<std::string> xpaths, keys;
    std::set<std::string> names;
    for (const auto& field : fields) {
        const std::string option = field.css ? "--css" : "--xpath";
        const std::string name = field_name(field.text);
        const std::string expression =
            name.empty() ? field.text : field.text.substr(name.size() + 1);
        if (!name.empty() && !names.insert(name).second) {
            throw CLI::ValidationError(option, "field name '" + name + "' is given twice");
        }
        try {
            xpaths.push_back(field.css ? css_to_xpath(expression) : expression);
        } catch (const InvalidSelector& e) {
            throw CLI::ValidationError(option, e.what());
        }
        keys.push_back(name.empty() ? expression : name);
    }
    try {
        return XPathSet(std::move(xpaths), std::move(keys));
    } catch (const InvalidXPath& e) {
        throw CLI::ValidationError("--xpath", e.what());
    }
}

}  // namespace corocrawl::cli
