#include "corocrawl/links.hpp"

#include <optional>
#include <utility>
#include <variant>

#include "corocrawl/url.hpp"
#include "extract/libxml.hpp"
#include "extract/page_parser.hpp"

namespace corocrawl {
namespace {

using page::equals_ignoring_case;
using page::trim_ascii_whitespace;

constexpr const char* default_links = "//a/@href | //area/@href | //frame/@src | //iframe/@src";
// Evaluated after the link expressions on every page: what says how to resolve and follow them.
constexpr const char* page_settings = "//base[@href] | //meta[@name][@content]";

std::string_view view(const xmlChar* text) noexcept {
    return text == nullptr ? std::string_view() : reinterpret_cast<const char*>(text);
}

const xmlChar* xml(const char* text) noexcept {
    return reinterpret_cast<const xmlChar*>(text);
}

// An attribute's value, without a copy when it is one text node (as the HTML parser makes it).
std::string_view attribute_value(const xmlAttr& attribute, std::string& scratch) {
    const xmlNode* child = attribute.children;
    if (child == nullptr) return {};
    if (child->next == nullptr && child->type == XML_TEXT_NODE) return view(child->content);
    scratch = libxml::to_string(
        libxml::String(xmlNodeGetContent(reinterpret_cast<const xmlNode*>(&attribute))));
    return scratch;
}

// The value of the element's attribute `name` ("" when absent).
std::string_view attribute_of(const xmlNode& element, const char* name, std::string& scratch) {
    const xmlAttr* attribute = xmlHasProp(&element, xml(name));
    return attribute == nullptr ? std::string_view() : attribute_value(*attribute, scratch);
}

// Whether `text`, split at any of `separators`, holds `token` (ASCII case-insensitive).
bool has_token(std::string_view text, std::string_view token, std::string_view separators) {
    while (!text.empty()) {
        const std::size_t end = text.find_first_of(separators);
        if (equals_ignoring_case(text.substr(0, end), token)) return true;
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return false;
}

constexpr std::string_view ascii_whitespace = " \t\n\r\f";

bool rel_says_nofollow(const xmlNode* element) {
    if (element == nullptr || element->type != XML_ELEMENT_NODE) return false;
    std::string scratch;
    return has_token(attribute_of(*element, "rel", scratch), "nofollow", ascii_whitespace);
}

// What the page itself says: its first <base href>, and whether a robots meta forbids following.
struct PageSettings {
    std::optional<std::string> base_href;
    bool nofollow = false;
};

PageSettings page_settings_of(const xmlXPathObject* result) {
    PageSettings settings;
    if (result == nullptr || result->type != XPATH_NODESET || result->nodesetval == nullptr) {
        return settings;
    }
    std::string scratch;
    const xmlNodeSet& nodes = *result->nodesetval;
    for (int i = 0; i < nodes.nodeNr; ++i) {
        const xmlNode& element = *nodes.nodeTab[i];
        if (element.type != XML_ELEMENT_NODE) continue;
        const std::string_view name = view(element.name);
        if (name == "base") {
            if (!settings.base_href) {
                settings.base_href = std::string(attribute_of(element, "href", scratch));
            }
        } else if (name == "meta" &&
                   equals_ignoring_case(
                       trim_ascii_whitespace(attribute_of(element, "name", scratch)), "robots")) {
            const std::string_view content = attribute_of(element, "content", scratch);
            constexpr std::string_view separators = ", \t\n\r\f";
            if (has_token(content, "nofollow", separators) ||
                has_token(content, "none", separators)) {
                settings.nofollow = true;
            }
        }
    }
    return settings;
}

// Turns raw values into Links: trimmed, empty ones dropped, resolved against `base` when there
// is one.
class LinkMaker {
  public:
    LinkMaker(const std::optional<Url>& base, bool page_nofollow, std::vector<Link>& links)
        : base_(base), page_nofollow_(page_nofollow), links_(links) {}

    void add(std::string_view raw, bool nofollow) {
        const std::string_view value = trim_ascii_whitespace(raw);
        if (value.empty()) return;
        Link link;
        link.nofollow = page_nofollow_ || nofollow;
        auto resolved = base_ ? resolve_url(*base_, value) : parse_url(value);
        if (auto* url = std::get_if<Url>(&resolved)) link.url = std::move(url->text);
        if (link.url.empty()) link.url = std::string(value);
        links_.push_back(std::move(link));
    }

    // One node of a link expression's node-set.
    void add_node(const xmlNode& node) {
        std::string scratch;
        switch (node.type) {
            case XML_ATTRIBUTE_NODE:
                add(attribute_value(reinterpret_cast<const xmlAttr&>(node), scratch),
                    rel_says_nofollow(node.parent));
                return;
            case XML_ELEMENT_NODE: {
                const xmlAttr* attribute = xmlHasProp(&node, xml("href"));
                if (attribute == nullptr) attribute = xmlHasProp(&node, xml("src"));
                if (attribute != nullptr) {
                    add(attribute_value(*attribute, scratch), rel_says_nofollow(&node));
                } else {
                    add(libxml::to_string(libxml::String(xmlNodeGetContent(&node))),
                        rel_says_nofollow(&node));
                }
                return;
            }
            case XML_NAMESPACE_DECL:  // an xmlNs, not an xmlNode: it has no parent field
                add(libxml::to_string(libxml::String(xmlNodeGetContent(&node))), false);
                return;
            default:  // text, CDATA, comment, processing instruction, document
                add(libxml::to_string(libxml::String(xmlNodeGetContent(&node))),
                    rel_says_nofollow(node.parent));
                return;
        }
    }

    void add_result(const xmlXPathObject& result) {
        if (result.type == XPATH_NODESET) {
            if (result.nodesetval == nullptr) return;
            for (int i = 0; i < result.nodesetval->nodeNr; ++i)
                add_node(*result.nodesetval->nodeTab[i]);
        } else if (result.type == XPATH_STRING) {
            add(view(result.stringval), false);
        } else {  // a number or boolean: its XPath string value
            add(libxml::to_string(
                    libxml::String(xmlXPathCastToString(const_cast<xmlXPathObject*>(&result)))),
                false);
        }
    }

  private:
    const std::optional<Url>& base_;
    bool page_nofollow_;
    std::vector<Link>& links_;
};

std::optional<Url> url_or_nothing(std::variant<Url, Error> parsed) {
    if (auto* url = std::get_if<Url>(&parsed)) return std::move(*url);
    return std::nullopt;
}

// The URL links resolve against: the first <base href> resolved against the page's URL, else
// the page's URL; nothing when neither is an http(s) URL.
std::optional<Url> base_for(std::string_view page_url,
                            const std::optional<std::string>& base_href) {
    std::optional<Url> page = url_or_nothing(parse_url(page_url));
    if (!base_href) return page;
    const std::string_view href = trim_ascii_whitespace(*base_href);
    std::optional<Url> base = url_or_nothing(page ? resolve_url(*page, href) : parse_url(href));
    return base ? base : page;
}

std::vector<std::string> with_page_settings(std::vector<std::string> xpaths) {
    xpaths.emplace_back(page_settings);
    return xpaths;
}

}  // namespace

// The link expressions, then page_settings, per thread (see page::PerThreadExpressions).
struct LinkExtractor::Compiled {
    explicit Compiled(std::vector<std::string> xpaths)
        : link_count(xpaths.size()), expressions(with_page_settings(std::move(xpaths))) {
        links.assign(expressions.expressions().begin(),
                     expressions.expressions().begin() + static_cast<std::ptrdiff_t>(link_count));
    }

    std::size_t link_count;
    page::PerThreadExpressions expressions;
    std::vector<std::string> links;  // the link expressions as given
};

LinkExtractor::LinkExtractor() : LinkExtractor(std::vector<std::string>{default_links}) {}

LinkExtractor::LinkExtractor(std::vector<std::string> xpaths)
    : compiled_(std::make_unique<Compiled>(std::move(xpaths))) {}

LinkExtractor::~LinkExtractor() = default;
LinkExtractor::LinkExtractor(LinkExtractor&&) noexcept = default;
LinkExtractor& LinkExtractor::operator=(LinkExtractor&&) noexcept = default;

const std::vector<std::string>& LinkExtractor::xpaths() const noexcept {
    return compiled_->links;
}

std::vector<Link> LinkExtractor::extract(std::string_view body, std::string_view content_type,
                                         std::string_view page_url) const {
    const libxml::ScopedErrorHandler quiet;
    page::PerThreadExpressions::ForThread& mine = compiled_->expressions.for_this_thread();
    const libxml::Document document = mine.page.parse(body, content_type);
    xmlXPathContext* context = mine.page.xpath.get();
    context->doc = document.get();
    const auto evaluate = [&](std::size_t i) {
        context->node = reinterpret_cast<xmlNode*>(document.get());
        return libxml::XPathObject(xmlXPathCompiledEval(mine.expressions[i].get(), context));
    };

    const std::size_t link_count = compiled_->link_count;
    const PageSettings settings = page_settings_of(evaluate(link_count).get());
    const std::optional<Url> base = base_for(page_url, settings.base_href);
    std::vector<Link> links;
    LinkMaker maker(base, settings.nofollow, links);
    for (std::size_t i = 0; i < link_count; ++i) {
        // An expression that fails on this page (a resource limit) gives no links.
        if (const libxml::XPathObject result = evaluate(i)) maker.add_result(*result);
    }
    context->doc = nullptr;  // the document goes now; the context waits for the next one
    context->node = nullptr;
    return links;
}

}  // namespace corocrawl
