// What XPathSet and LinkExtractor share: the HTML parse options, a per-thread parser (a reused
// htmlParserCtxt and XPath context) and per-thread copies of validated XPath expressions.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "extract/libxml.hpp"

namespace corocrawl::page {

// Never HTML_PARSE_HUGE: without it libxml2 caps element nesting (at 256), so a hostile,
// deeply nested page is truncated instead of exhausting the stack. IGNORE_ENC because the
// encoding is decided by charset::detect_charset, where the HTTP header beats <meta>.
inline constexpr int html_parse_options = HTML_PARSE_RECOVER | HTML_PARSE_NONET |
                                          HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                          HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC;

inline char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept;

std::string_view trim_ascii_whitespace(std::string_view text) noexcept;

// What one thread reuses from page to page: making a parser context (with its dictionary of
// names) and an XPath context (which registers every XPath function in a hash) per page cost
// more than parsing a small page does.
struct PageParser {
    // A context's dictionary keeps every element and attribute name it has seen; a thread that
    // parses hostile pages full of made-up names starts a fresh one past this many.
    static constexpr std::size_t max_dictionary_names = 100'000;

    libxml::ParserContext parser;
    libxml::XPathContext xpath{xmlXPathNewContext(nullptr)};

    PageParser();

    // Parses the body as HTML in its detected charset; libxml2 hands back UTF-8 text. Never
    // null: an empty body gives an empty document.
    libxml::Document parse(std::string_view body, std::string_view content_type);
};

// Rejects what does not compile, and what compiles but fails on an empty document (an unknown
// function, an undefined variable or namespace prefix, where that evaluation reaches them):
// throws InvalidXPath naming the expression and libxml2's reason.
libxml::CompiledExpression validate(const std::string& expression);

// Thread safety: one compiled xmlXPathCompExpr must NOT be evaluated by two threads at once in
// libxml2 2.9: evaluation writes into it (XPATH_OP_FUNCTION caches the looked-up function in
// op->cache / op->cacheURI on first use), a data race. So expressions are validated once, up
// front, and each thread that evaluates compiles its own copy on first use from the validated
// strings; copies live as long as this object. A thread id reused after its thread ended takes
// over that thread's copies, which is safe since the old thread can no longer use them.
class PerThreadExpressions {
  public:
    // What each evaluating thread has of its own: its copies of the expressions and its parser.
    struct ForThread {
        std::vector<libxml::CompiledExpression> expressions;
        PageParser page;
    };

    // Validates every expression (throws InvalidXPath); the constructing thread keeps the
    // copies it validated.
    explicit PerThreadExpressions(std::vector<std::string> expressions);

    const std::vector<std::string>& expressions() const noexcept { return expressions_; }

    ForThread& for_this_thread();

  private:
    std::vector<std::string> expressions_;
    std::mutex mutex_;
    std::unordered_map<std::thread::id, ForThread> per_thread_;
};

}  // namespace corocrawl::page
