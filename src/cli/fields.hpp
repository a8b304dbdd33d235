// The -x and -s arguments as output fields: NAME=EXPRESSION names a field, CSS is compiled to
// XPath, and the whole set is compiled once, in command-line order, before any traffic.
#pragma once

#include <string>
#include <vector>

#include "corocrawl/xpath.hpp"

namespace corocrawl::cli {

struct FieldArgument {
    std::string text;  // as given: "NAME=EXPRESSION" or "EXPRESSION"
    bool css = false;  // from -s (else -x)
};

// The name of "NAME=EXPRESSION": a leading [A-Za-z_][A-Za-z0-9_-]* directly followed by '='; ""
// when there is none (//a[@x="1"] has no name: it does not start with an identifier).
std::string field_name(const std::string& argument);

// Compiles every field: CSS to XPath, then the XPath set, keyed by NAME or by the expression as
// given. Throws CLI::ValidationError (exit 2) for an invalid selector or XPath, or a NAME given
// twice.
XPathSet compile_fields(const std::vector<FieldArgument>& fields);

}  // namespace corocrawl::cli
