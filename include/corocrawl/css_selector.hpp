// CSS selectors compiled to XPath 1.0, as parsel (Scrapy's selectors) does it: cssselect's
// HTMLTranslator, plus the pseudo-elements ::text and ::attr(NAME). Sans-IO: a string in, a string
// out; the XPath is then compiled and evaluated by libxml2 like any -x expression.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace corocrawl {

// An invalid or unsupported selector: a usage error, found before any traffic. `position` is the
// 0-based byte offset in the selector where the problem was found.
struct InvalidSelector : std::invalid_argument {
    InvalidSelector(const std::string& message, std::size_t position)
        : std::invalid_argument(message), position(position) {}
    std::size_t position;
};

// Translates `selector` (a selector list: "a, b") to one XPath expression relative to the
// document (each alternative starts with descendant-or-self::, alternatives joined by " | ").
//
// Supported: type selectors (lower-cased, as HTML names are) and `*`; #id; .class (a
// whitespace-separated token of @class); [a], [a=v], [a~=v], [a|=v], [a^=v], [a$=v], [a*=v]
// (values are identifiers or quoted strings, compared case-sensitively); the descendant, child
// (>), adjacent (+) and sibling (~) combinators; :first-child, :last-child, :only-child,
// :first-of-type, :last-of-type, :only-of-type, :empty, :root, :nth-child(), :nth-last-child(),
// :nth-of-type(), :nth-last-of-type() with an+b, odd or even; :not() of a compound selector; and,
// at the end of a selector, ::text (its text nodes) and ::attr(NAME) (that attribute's value).
// CSS escapes (\31 , \.) are read in identifiers and strings.
//
// Throws InvalidSelector for anything else (namespaces, other pseudo-classes, *:nth-of-type, a
// pseudo-element before the end), naming the position.
std::string css_to_xpath(std::string_view selector);

}  // namespace corocrawl
