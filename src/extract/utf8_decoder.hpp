// A page's bytes as the valid UTF-8 libxml2 is handed, decoded the way browsers decode: a byte
// sequence the charset does not define becomes U+FFFD and decoding goes on. (libxml2's own
// decoding stops at the first such byte and drops the rest of the page; its UTF-8 input copies
// invalid bytes through or rereads the rest as Latin-1.)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace corocrawl::charset {

// `body` in `encoding` as valid UTF-8. Nothing when `body` can be handed on as it is: already
// valid UTF-8, or in an encoding iconv does not know (libxml2 is then left to try it).
std::optional<std::string> to_valid_utf8(std::string_view body, const std::string& encoding);

// Each maximal invalid byte sequence becomes U+FFFD, as in the Encoding Standard's UTF-8
// decoder. Nothing when `body` is already valid UTF-8.
std::optional<std::string> replace_invalid_utf8(std::string_view body);

// `bytes` in `encoding` (an iconv name: "GBK", "CP932", ...) as UTF-8; nothing when iconv does not
// know the encoding.
std::optional<std::string> decode_to_utf8(std::string_view bytes, const std::string& encoding);

}  // namespace corocrawl::charset
