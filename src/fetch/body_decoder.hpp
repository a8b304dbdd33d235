// Content-Encoding decoding (gzip, deflate) with the decoded size bounded: a decompression bomb
// stops at the limit instead of allocating gigabytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "corocrawl/result.hpp"

namespace corocrawl::fetch {

// Decodes `body` as `content_encoding` says ("", "identity", "gzip", "x-gzip", "deflate").
// Errors: body_too_large past `max_decoded` bytes, decode for a corrupt stream or an encoding
// we did not ask for.
std::variant<std::string, Error> decode_body(std::string body, std::string_view content_encoding,
                                             std::size_t max_decoded);

}  // namespace corocrawl::fetch
