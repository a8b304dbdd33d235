// Invariant checks for the fuzz targets: a broken invariant is a crash, which libFuzzer keeps as
// a reproducer and the corpus regression test reports as a failure.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace corocrawl::fuzz {

inline void check(bool holds, std::string_view invariant, std::string_view detail = {}) {
    if (holds) return;
    std::fputs("fuzz invariant broken: ", stderr);
    std::fwrite(invariant.data(), 1, invariant.size(), stderr);
    std::fputs("\n  ", stderr);
    std::fwrite(detail.data(), 1, detail.size(), stderr);
    std::fputc('\n', stderr);
    std::abort();
}

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
inline bool is_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        char32_t code = 0;
        if (byte < 0x80) {
            ++i;
            continue;
        } else if (byte >= 0xC2 && byte <= 0xDF) {
            length = 2;
            code = byte & 0x1F;
        } else if (byte >= 0xE0 && byte <= 0xEF) {
            length = 3;
            code = byte & 0x0F;
        } else if (byte >= 0xF0 && byte <= 0xF4) {
            length = 4;
            code = byte & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3F);
        }
        const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
        if (overlong || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return false;
        i += length;
    }
    return true;
}

}  // namespace corocrawl::fuzz
