// Text in a named charset to UTF-8 the way browsers decode it: a byte sequence the charset does
// not define becomes U+FFFD and decoding goes on. (libxml2's own decoding stops at the first such
// byte and drops the rest of the page.)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace corocrawl::charset {

// `bytes` in `encoding` (an iconv name: "GBK", "CP932", ...) as UTF-8; nothing when iconv does not
// know the encoding.
std::optional<std::string> decode_to_utf8(std::string_view bytes, const std::string& encoding);

}  // namespace corocrawl::charset
