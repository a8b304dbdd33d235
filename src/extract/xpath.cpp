#include "corocrawl/xpath.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "corocrawl/url.hpp"
#include "extract/libxml.hpp"
#include "extract/page_parser.hpp"

namespace corocrawl {
namespace {

using page::equals_ignoring_case;
using page::trim_ascii_whitespace;

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

}  // namespace

// Per-thread copies of the expressions and parser: see page::PerThreadExpressions.
struct XPathSet::Compiled {
    Compiled(std::vector<std::string> expressions, std::vector<std::string> keys)
        : expressions(std::move(expressions)), keys(std::move(keys)) {}

    page::PerThreadExpressions expressions;
    std::vector<std::string> keys;
};

XPathSet::XPathSet(std::vector<std::string> expressions)
    : XPathSet(expressions, std::vector<std::string>(expressions)) {}

XPathSet::XPathSet(std::vector<std::string> expressions, std::vector<std::string> keys) {
    if (keys.size() != expressions.size()) {
        throw std::invalid_argument("XPathSet: one key per expression");
    }
    compiled_ = std::make_unique<Compiled>(std::move(expressions), std::move(keys));
}

XPathSet::~XPathSet() = default;
XPathSet::XPathSet(XPathSet&&) noexcept = default;
XPathSet& XPathSet::operator=(XPathSet&&) noexcept = default;

const std::vector<std::string>& XPathSet::expressions() const noexcept {
    return compiled_->expressions.expressions();
}

const std::vector<std::string>& XPathSet::keys() const noexcept {
    return compiled_->keys;
}

std::vector<Extraction> XPathSet::extract(std::string_view body, std::string_view content_type,
                                          std::string_view base_url, bool absolute) const {
    const std::vector<std::string>& expressions = compiled_->expressions.expressions();
    if (expressions.empty()) return {};
    const libxml::ScopedErrorHandler quiet;
    page::PerThreadExpressions::ForThread& mine = compiled_->expressions.for_this_thread();
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
