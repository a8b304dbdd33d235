// The text each /charset/NAME page carries, in UTF-8: what a client must extract from the page,
// whatever charset it came in. Tests use the same strings.
#pragma once

#include <array>
#include <string_view>

namespace corocrawl::test_server {

struct CharsetSample {
    std::string_view charset;  // the label in the route and in the declarations
    std::string_view text;     // UTF-8
};

inline constexpr std::array<CharsetSample, 8> charset_samples{{
    {"gbk", "中文测试"},
    {"gb18030", "中文测试 㐀"},  // 㐀 (U+3400) is not in GBK: only a real GB18030 decoder gets it
    {"big5", "中文測試"},
    {"shift_jis", "日本語テスト"},
    {"euc-kr", "한국어 시험"},
    {"windows-1252", "café naïve € “quotes”"},  // € and “” are not in Latin-1
    {"iso-8859-1", "café naïve"},
    {"utf-8", "中文 日本語 한국어 café €"},
}};

// Declared by the `both` and `bom` variants in <meta>, to be overruled by the header or the BOM.
// Every byte means something in KOI8-R, so a client that obeyed it would print other letters.
inline constexpr std::string_view wrong_charset = "koi8-r";

}  // namespace corocrawl::test_server
