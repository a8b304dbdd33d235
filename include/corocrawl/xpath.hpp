// XPath extraction over HTML with libxml2: expressions compiled once, evaluated per page.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "corocrawl/result.hpp"

namespace corocrawl {

// Thrown for an expression libxml2 cannot compile: a usage error, found before any traffic.
struct InvalidXPath : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

class XPathSet {
public:
    // Compiles every expression; throws InvalidXPath naming the first bad one.
    explicit XPathSet(std::vector<std::string> expressions);
    ~XPathSet();
    XPathSet(XPathSet&&) noexcept;
    XPathSet& operator=(XPathSet&&) noexcept;

    const std::vector<std::string>& expressions() const noexcept;

    // Parses `body` as HTML and evaluates each expression, one Extraction per expression in
    // order. The charset comes from `content_type`, else the document's <meta>, else UTF-8.
    // Node-sets become strings (attribute value or text content); string, number and boolean
    // results become one value. With `absolute`, URL-like values are resolved against
    // `base_url`. Safe to call from several threads at once.
    std::vector<Extraction> extract(std::string_view body, std::string_view content_type,
                                    std::string_view base_url, bool absolute = false) const;

    // Whether a response with this Content-Type is parsed as HTML at all (text/html,
    // application/xhtml+xml, or no Content-Type).
    static bool is_html(std::string_view content_type) noexcept;

private:
    struct Compiled;
    std::unique_ptr<Compiled> compiled_;
};

}  // namespace corocrawl
