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
    // Compiles every expression; throws InvalidXPath naming the first bad one and libxml2's
    // reason. Each is also evaluated once on an empty document, which rejects an unknown
    // function, undefined variable or namespace prefix wherever that evaluation reaches it
    // (not inside a predicate that never runs: there it fails per page, giving no values).
    explicit XPathSet(std::vector<std::string> expressions);
    // The same, with each expression's values keyed by keys[i] in their Extraction (a field's
    // name, or the CSS selector an expression was compiled from) instead of the expression.
    XPathSet(std::vector<std::string> expressions, std::vector<std::string> keys);
    ~XPathSet();
    XPathSet(XPathSet&&) noexcept;
    XPathSet& operator=(XPathSet&&) noexcept;

    const std::vector<std::string>& expressions() const noexcept;
    const std::vector<std::string>& keys() const noexcept;

    // Parses `body` as HTML and evaluates each expression, one Extraction per expression in
    // order, named by its key; values are always UTF-8. The charset is, in order of precedence: a
    // byte-order mark, the `content_type` charset parameter, a <meta> in the first 1024 bytes,
    // UTF-8 (unknown labels are skipped; gb2312, shift_jis, euc-kr, iso-8859-1 decode as browsers
    // do). A node-set gives one value per node: an attribute's value, a text or comment node's
    // content, an element's text content; an empty node-set gives none. A string gives itself,
    // a number XPath's string form ("3"), a boolean "true" / "false".
    // With `absolute`, a value is resolved against `base_url` (resolve_reference, after trimming
    // ASCII whitespace) exactly when it is the value of an attribute node named href, src,
    // action, formaction, cite, poster, data, background or longdesc (any case). Text, strings
    // built by XPath functions (string(@href), concat) and list-valued attributes such as
    // srcset are left as they are; <base href> in the page is not consulted.
    // Safe to call from several threads at once.
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
