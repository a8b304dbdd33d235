// Which character encoding an HTML body is in, decided before libxml2 sees it (libxml2's own
// HTML default is ISO-8859-1, and it would let a <meta> override the HTTP header).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace corocrawl::charset {

struct DetectedCharset {
    std::string encoding;        // a name for libxml2 / iconv, e.g. "UTF-8", "GBK", "CP932"
    std::size_t bom_length = 0;  // bytes of byte-order mark to skip at the start of the body
};

// Asked whether a decoder exists for an encoding name; labels it rejects are skipped.
using EncodingSupported = std::function<bool(const std::string& encoding)>;

// Precedence, as browsers do it: a byte-order mark (UTF-8, UTF-16LE/BE); else the Content-Type
// header's charset parameter; else a <meta charset> or <meta http-equiv="Content-Type"> in the
// first 1024 bytes; else UTF-8. An unknown or unsupported label counts as absent.
DetectedCharset detect_charset(std::string_view body, std::string_view content_type,
                               const EncodingSupported& supported);

// The charset parameter of a Content-Type value ("" when absent), quotes removed.
std::string charset_from_content_type(std::string_view content_type);

// The charset a <meta> element declares in this prefix of a document ("" when none).
std::string charset_from_meta(std::string_view head);

// Maps a charset label to the encoding name we hand to iconv: case and whitespace normalised,
// and the WHATWG aliases iconv gets wrong or rejects mapped to the superset browsers decode
// (gb2312 → GBK, shift_jis → CP932, euc-kr → CP949, iso-8859-1 → WINDOWS-1252, ...).
// Unmapped labels come back as given, upper-cased.
std::string encoding_for_label(std::string_view label);

}  // namespace corocrawl::charset
