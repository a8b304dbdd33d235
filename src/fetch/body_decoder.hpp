// Content-Encoding decoding (gzip, deflate, br, zstd) with the decoded size bounded: a
// decompression bomb stops at the limit instead of allocating gigabytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "corocrawl/result.hpp"

namespace corocrawl::fetch {

// What the Accept-Encoding header offers: every encoding decode_body understands.
inline constexpr std::string_view supported_encodings = "gzip, deflate, br, zstd";

// Decodes `body` as `content_encoding` says ("", "identity", "gzip", "x-gzip", "deflate", "br",
// "zstd"). Errors: body_too_large past `max_decoded` bytes, decode for a corrupt or truncated
// stream or an encoding we do not know.
std::variant<std::string, Error> decode_body(std::string body, std::string_view content_encoding,
                                             std::size_t max_decoded);

}  // namespace corocrawl::fetch
