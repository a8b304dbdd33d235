#include "corocrawl/xpath.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <mutex>
#include <new>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "corocrawl/url.hpp"
#include "extract/charset.hpp"
#include "extract/libxml.hpp"
#include "extract/utf8_decoder.hpp"

namespace corocrawl {
namespace {

// Never HTML_PARSE_HUGE: without it libxml2 caps element nesting (at 256), so a hostile,
// deeply nested page is truncated instead of exhausting the stack. IGNORE_ENC because the
// encoding is decided by charset::detect_charset, where the HTTP header beats <meta>.
constexpr int html_parse_options = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                   HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT |
                                   HTML_PARSE_IGNORE_ENC;

char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

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

// HTML attributes whose value is a single URL (srcset and ping hold lists: left alone).
bool is_url_attribute(const xmlNode& node) noexcept {
    static constexpr std::array<std::string_view, 9> url_attributes{
        "href", "src", "action", "formaction", "cite", "poster", "data", "background", "longdesc"};
    if (node.type != XML_ATTRIBUTE_NODE || node.name == nullptr) return false;
    const std::string_view name = reinterpret_cast<const char*>(node.name);
    return std::any_of(url_attributes.begin(), url_attributes.end(),
                       [name](std::string_view url_attribute) {
                           return equals_ignoring_case(name, url_attribute);
                       });
}

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

// What one thread reuses from page to page: making a parser context (with its dictionary of
// names) and an XPath context (which registers every XPath function in a hash) per page cost
// more than parsing a small page does.
struct PageParser {
    // A context's dictionary keeps every element and attribute name it has seen; a thread that
    // parses hostile pages full of made-up names starts a fresh one past this many.
    static constexpr std::size_t max_dictionary_names = 100'000;

    libxml::ParserContext parser;
    libxml::XPathContext xpath{xmlXPathNewContext(nullptr)};

    PageParser() {
        if (!xpath) throw std::bad_alloc();
    }

    // Parses the body as HTML in its detected charset; libxml2 hands back UTF-8 text.
    libxml::Document parse(std::string_view body, std::string_view content_type) {
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
};

// One string per node: an attribute's value, a text or comment node's content, an element's
// text content.
void append_node_values(const xmlNodeSet* nodes, std::string_view base_url, bool absolute,
                        std::vector<std::string>& values) {
    if (nodes == nullptr) return;
    for (int i = 0; i < nodes->nodeNr; ++i) {
        const xmlNode* node = nodes->nodeTab[i];
        std::string value = libxml::to_string(libxml::String(xmlNodeGetContent(node)));
        if (absolute && is_url_attribute(*node)) {
            value = resolve_reference(base_url, trim_ascii_whitespace(value));
        }
        values.push_back(std::move(value));
    }
}

std::vector<std::string> values_of(const xmlXPathObject& result, std::string_view base_url,
                                   bool absolute) {
    std::vector<std::string> values;
    switch (result.type) {
        case XPATH_NODESET:
            append_node_values(result.nodesetval, base_url, absolute, values);
            break;
        case XPATH_STRING:
            values.emplace_back(
                result.stringval == nullptr ? "" : reinterpret_cast<const char*>(result.stringval));
            break;
        case XPATH_NUMBER:  // XPath's own number-to-string: 3 → "3", 0.5 → "0.5", NaN → "NaN"
            values.push_back(
                libxml::to_string(libxml::String(xmlXPathCastNumberToString(result.floatval))));
            break;
        case XPATH_BOOLEAN:
            values.emplace_back(result.boolval ? "true" : "false");
            break;
        default:  // XSLT tree fragments and XPointer types: their XPath string value
            values.push_back(libxml::to_string(
                libxml::String(xmlXPathCastToString(const_cast<xmlXPathObject*>(&result)))));
            break;
    }
    return values;
}

// Rejects what does not compile, and what compiles but fails on an empty document (an unknown
// function, an undefined variable or namespace prefix, where that evaluation reaches them):
// usage errors, better found before any traffic than as silently empty results.
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

}  // namespace

// Thread safety: one compiled xmlXPathCompExpr must NOT be evaluated by two threads at once in
// libxml2 2.9: evaluation writes into it (XPATH_OP_FUNCTION caches the looked-up function in
// op->cache / op->cacheURI on first use), a data race. So expressions are validated once, up
// front, and each thread that extracts compiles its own copy on first use from the validated
// strings; copies live as long as the set. A thread id reused after its thread ended takes
// over that thread's copies, which is safe since the old thread can no longer use them.
struct XPathSet::Compiled {
    // What each extracting thread has of its own: its copies of the expressions and its parser.
    struct ForThread {
        std::vector<libxml::CompiledExpression> expressions;
        PageParser page;
    };

    std::vector<std::string> expressions;
    std::vector<std::string> keys;
    std::mutex mutex;
    std::unordered_map<std::thread::id, ForThread> per_thread;

    ForThread& for_this_thread() {
        const std::thread::id self = std::this_thread::get_id();
        {
            const std::lock_guard lock(mutex);
            if (const auto found = per_thread.find(self); found != per_thread.end()) {
                return found->second;  // map values keep their address across rehashing
            }
        }
        ForThread mine;  // compiled outside the lock
        mine.expressions.reserve(expressions.size());
        for (const std::string& expression : expressions) {
            mine.expressions.push_back(compile(expression));
        }
        const std::lock_guard lock(mutex);
        return per_thread.emplace(self, std::move(mine)).first->second;
    }
};

XPathSet::XPathSet(std::vector<std::string> expressions)
    : XPathSet(expressions, std::vector<std::string>(expressions)) {}

XPathSet::XPathSet(std::vector<std::string> expressions, std::vector<std::string> keys)
    : compiled_(std::make_unique<Compiled>()) {
    if (keys.size() != expressions.size()) {
        throw std::invalid_argument("XPathSet: one key per expression");
    }
    compiled_->keys = std::move(keys);
    libxml::initialise_once();
    std::vector<libxml::CompiledExpression> validated;
    validated.reserve(expressions.size());
    for (const std::string& expression : expressions) validated.push_back(validate(expression));
    compiled_->expressions = std::move(expressions);
    // The constructing thread keeps the copies it validated.
    compiled_->per_thread.emplace(std::this_thread::get_id(),
                                  Compiled::ForThread{std::move(validated), {}});
}

XPathSet::~XPathSet() = default;
XPathSet::XPathSet(XPathSet&&) noexcept = default;
XPathSet& XPathSet::operator=(XPathSet&&) noexcept = default;

const std::vector<std::string>& XPathSet::expressions() const noexcept {
    return compiled_->expressions;
}

const std::vector<std::string>& XPathSet::keys() const noexcept {
    return compiled_->keys;
}

std::vector<Extraction> XPathSet::extract(std::string_view body, std::string_view content_type,
                                          std::string_view base_url, bool absolute) const {
    const std::vector<std::string>& expressions = compiled_->expressions;
    if (expressions.empty()) return {};
    const libxml::ScopedErrorHandler quiet;
    Compiled::ForThread& mine = compiled_->for_this_thread();
    const std::vector<libxml::CompiledExpression>& compiled = mine.expressions;

    const libxml::Document document = mine.page.parse(body, content_type);
    xmlXPathContext* context = mine.page.xpath.get();
    context->doc = document.get();

    std::vector<Extraction> extractions;
    extractions.reserve(expressions.size());
    for (std::size_t i = 0; i < expressions.size(); ++i) {
        // Relative expressions start at the document, as in lxml's doc.xpath().
        context->node = reinterpret_cast<xmlNode*>(document.get());
        const libxml::XPathObject result(xmlXPathCompiledEval(compiled[i].get(), context));
        // What validation could not reach (an unknown function inside a predicate) or a
        // resource limit fails here: that expression gives no values, the page goes on.
        extractions.push_back({compiled_->keys[i], result ? values_of(*result, base_url, absolute)
                                                          : std::vector<std::string>{}});
    }
    context->doc = nullptr;  // the document goes now; the context waits for the next one
    context->node = nullptr;
    return extractions;
}

bool XPathSet::is_html(std::string_view content_type) noexcept {
    const std::string_view media_type =
        trim_ascii_whitespace(content_type.substr(0, content_type.find(';')));
    return media_type.empty() || equals_ignoring_case(media_type, "text/html") ||
           equals_ignoring_case(media_type, "application/xhtml+xml");
}

}  // namespace corocrawl
