// Text from UTF-8 into another charset, for the /charset routes (glibc iconv, behind RAII).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace corocrawl::test_server {

// `utf8` in `charset` (an iconv name or alias: "gbk", "shift_jis", ...); nothing when iconv does
// not know the charset or the text has a character the charset cannot represent.
std::optional<std::string> encode_utf8_as(std::string_view charset, std::string_view utf8);

}  // namespace corocrawl::test_server
