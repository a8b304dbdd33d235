// Fuzz target: HTML parsing and XPath extraction (src/extract/xpath, extract/charset, libxml2).
//
// Input: a Content-Type line, then the body. A fixed set of expressions, compiled once, is
// evaluated on every page with --absolute resolution against a base URL. Invariants: one
// extraction per expression, in order, and every value is UTF-8 whatever the page's bytes are.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "corocrawl/xpath.hpp"
#include "fuzz_check.hpp"

namespace {

using corocrawl::fuzz::check;

const corocrawl::XPathSet& expressions() {
    static const corocrawl::XPathSet set({
        "//a/@href",
        "//title",
        "//img/@src | //form/@action | //link/@href",
        "count(//*)",
        "string(//meta[@name='description']/@content)",
        "//*[@id]/@id",
        "//p[contains(., 'a')]/text()",
        "normalize-space(//h1)",
        "//comment()",
        "boolean(//table//td)",
        "sum(//li/@value) div count(//li)",
    });
    return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view content_type =
        newline == std::string_view::npos ? std::string_view{} : input.substr(0, newline);
    const std::string_view body =
        newline == std::string_view::npos ? input : input.substr(newline + 1);

    (void)corocrawl::XPathSet::is_html(content_type);
    const corocrawl::XPathSet& set = expressions();
    const auto extractions =
        set.extract(body, content_type, "http://fuzz.example/dir/page.html", true);

    check(extractions.size() == set.expressions().size(), "one extraction per expression");
    for (std::size_t i = 0; i < extractions.size(); ++i) {
        check(extractions[i].expression == set.expressions()[i], "extractions keep their order");
        for (const auto& value : extractions[i].values) {
            check(corocrawl::fuzz::is_utf8(value), "every value is UTF-8", value);
        }
    }
    return 0;
}
