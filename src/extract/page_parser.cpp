#include "extract/page_parser.hpp"

#include <algorithm>
#include <climits>
#include <new>
#include <optional>
#include <utility>

#include "corocrawl/xpath.hpp"
#include "extract/charset.hpp"
#include "extract/utf8_decoder.hpp"

namespace corocrawl::page {
namespace {

[[noreturn]] void throw_invalid(const std::string& expression, const std::string& reason) {
    throw InvalidXPath("invalid XPath expression \"" + expression +
                       "\": " + (reason.empty() ? std::string("rejected by libxml2") : reason));
}

// Compiles one expression that is already known to be valid (see validate()).
libxml::CompiledExpression compile(const std::string& expression) {
    libxml::CompiledExpression compiled(xmlXPathCompile(libxml::to_xml_chars(expression)));
    if (!compiled) throw std::bad_alloc();  // it compiled before: only memory can fail now
    return compiled;
}

}  // namespace

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return to_lower(x) == to_lower(y); });
}

std::string_view trim_ascii_whitespace(std::string_view text) noexcept {
    constexpr std::string_view whitespace = " \t\n\r\f";
    const std::size_t first = text.find_first_not_of(whitespace);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(whitespace) - first + 1);
}

PageParser::PageParser() {
    if (!xpath) throw std::bad_alloc();
}

libxml::Document PageParser::parse(std::string_view body, std::string_view content_type) {
    const charset::DetectedCharset charset =
        charset::detect_charset(body, content_type, libxml::supports_encoding);
    body.remove_prefix(charset.bom_length);
    const std::optional<std::string> utf8 = charset::to_valid_utf8(body, charset.encoding);
    if (utf8) body = *utf8;
    const char* encoding = utf8 ? "UTF-8" : charset.encoding.c_str();
    if (!parser || static_cast<std::size_t>(xmlDictSize(parser->dict)) > max_dictionary_names) {
        parser.reset(htmlNewParserCtxt());
        if (!parser) throw std::bad_alloc();
    }
    // htmlCtxtReadMemory takes an int length; bodies are capped far below that by the fetcher.
    const int length = static_cast<int>(std::min<std::size_t>(body.size(), INT_MAX));
    libxml::Document document(htmlCtxtReadMemory(parser.get(), body.data(), length, nullptr,
                                                 encoding, html_parse_options));
    // An empty body yields no document; an empty one keeps count() at "0" and string() at "".
    if (!document) document.reset(htmlNewDocNoDtD(nullptr, nullptr));
    if (!document) throw std::bad_alloc();
    return document;
}

libxml::CompiledExpression validate(const std::string& expression) {
    if (expression.find('\0') != std::string::npos) {
        throw_invalid(expression, "contains a NUL character");
    }
    std::string reason;
    const libxml::ScopedErrorHandler errors(&reason);
    libxml::CompiledExpression compiled(xmlXPathCompile(libxml::to_xml_chars(expression)));
    if (!compiled) throw_invalid(expression, reason);

    const libxml::Document empty(htmlNewDocNoDtD(nullptr, nullptr));
    const libxml::XPathContext context(xmlXPathNewContext(empty.get()));
    if (!empty || !context) throw std::bad_alloc();
    context->node = reinterpret_cast<xmlNode*>(empty.get());
    if (!libxml::XPathObject(xmlXPathCompiledEval(compiled.get(), context.get()))) {
        throw_invalid(expression, reason);
    }
    return compiled;
}

PerThreadExpressions::PerThreadExpressions(std::vector<std::string> expressions) {
    libxml::initialise_once();
    std::vector<libxml::CompiledExpression> validated;
    validated.reserve(expressions.size());
    for (const std::string& expression : expressions) validated.push_back(validate(expression));
    expressions_ = std::move(expressions);
    per_thread_.emplace(std::this_thread::get_id(), ForThread{std::move(validated), {}});
}

PerThreadExpressions::ForThread& PerThreadExpressions::for_this_thread() {
    const std::thread::id self = std::this_thread::get_id();
    {
        const std::lock_guard lock(mutex_);
        if (const auto found = per_thread_.find(self); found != per_thread_.end()) {
            return found->second;  // map values keep their address across rehashing
        }
    }
    ForThread mine;  // compiled outside the lock
    mine.expressions.reserve(expressions_.size());
    for (const std::string& expression : expressions_) {
        mine.expressions.push_back(compile(expression));
    }
    const std::lock_guard lock(mutex_);
    return per_thread_.emplace(self, std::move(mine)).first->second;
}

}  // namespace corocrawl::page
