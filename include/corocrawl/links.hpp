// Link discovery for `crawl -r`: the URLs a page points at, resolved, in document order.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace corocrawl {

struct Link {
    std::string url;  // absolute, resolved; or the raw value trimmed when it cannot be resolved
    bool nofollow = false;  // rel="nofollow" on its element, or <meta name="robots"
                            // content="...nofollow..."> (or "none") on the page
};

class LinkExtractor {
  public:
    // The default links: //a/@href | //area/@href | //frame/@src | //iframe/@src
    LinkExtractor();
    // `--follow XPATH` (repeatable): these expressions instead; throws InvalidXPath (xpath.hpp)
    // for a bad one, as XPathSet does.
    explicit LinkExtractor(std::vector<std::string> xpaths);
    ~LinkExtractor();
    LinkExtractor(LinkExtractor&&) noexcept;
    LinkExtractor& operator=(LinkExtractor&&) noexcept;

    const std::vector<std::string>& xpaths() const noexcept;

    // Parses `body` as HTML (same charset rules as XPathSet::extract) and returns the links in
    // document order, expression by expression (duplicates kept; the frontier dedups). A node
    // gives one value: an attribute its value; an element its href, else its src attribute, else
    // its text content; a text or comment node its content. A string, number or boolean result
    // gives its XPath string value. Each value is trimmed of ASCII whitespace and resolved
    // against the page's first <base href> (itself resolved against page_url) when there is
    // one, else page_url (the final URL after redirects); empty values are dropped. A value that
    // does not resolve to an http(s) URL (mailto:, javascript:, a malformed one, or any value
    // when page_url is not a URL) comes back trimmed, as it was. A link is nofollow when the
    // element it came from (an attribute's or text's parent) has "nofollow" among its
    // space-separated rel tokens (any case), or when a <meta name="robots"> of the page has
    // "nofollow" or "none" among its comma-separated content tokens (any case).
    // Safe to call from several threads at once.
    std::vector<Link> extract(std::string_view body, std::string_view content_type,
                              std::string_view page_url) const;

  private:
    struct Compiled;
    std::unique_ptr<Compiled> compiled_;
};

}  // namespace corocrawl
