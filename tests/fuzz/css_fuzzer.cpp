// Fuzz target: the CSS selector compiler (src/extract/css_selector) and the XPath it emits.
//
// Input: a selector. Invariants: it is either rejected with a position inside it, or its XPath
// compiles in libxml2 (an accepted selector is never a usage error of the XPath layer) and runs
// on a small page.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "corocrawl/css_selector.hpp"
#include "corocrawl/xpath.hpp"
#include "fuzz_check.hpp"

namespace {

using corocrawl::fuzz::check;

constexpr std::string_view page =
    R"(<html><head><title>t</title></head><body><div id="a" class="x y"><p lang="en-GB">)"
    R"(one <a href="/1">1</a></p><p>two</p><ul><li>a</li><li class="x">b</li></ul></div>)"
    R"(<em></em></body></html>)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return 0;  // long selectors only make each run slower, not deeper
    const std::string_view selector(reinterpret_cast<const char*>(data), size);
    std::string xpath;
    try {
        xpath = corocrawl::css_to_xpath(selector);
    } catch (const corocrawl::InvalidSelector& e) {
        check(e.position <= size, "the error position is inside the selector", e.what());
        check(std::string_view(e.what()).find("at position") != std::string_view::npos,
              "the message names the position", e.what());
        return 0;
    }
    check(xpath.starts_with("descendant-or-self::"), "the XPath is relative to the document",
          xpath);
    try {
        const corocrawl::XPathSet set({xpath});
        const auto extractions = set.extract(page, "text/html", "");
        check(extractions.size() == 1, "one extraction for one selector");
    } catch (const corocrawl::InvalidXPath& e) {
        check(false, "an accepted selector compiles as XPath", e.what());
    }
    return 0;
}
