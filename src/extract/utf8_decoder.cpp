#include "extract/utf8_decoder.hpp"

#include <algorithm>
#include <array>
#include <cerrno>

#include "extract/iconv_converter.hpp"

namespace corocrawl::charset {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

}  // namespace

std::optional<std::string> replace_invalid_utf8(std::string_view body) {
    std::optional<std::string> repaired;
    std::size_t copied = 0;  // bytes of `body` already accounted for in `repaired`
    std::size_t at = 0;
    while (at < body.size()) {
        const auto lead = static_cast<unsigned char>(body[at]);
        std::size_t length = 1;
        unsigned char low = 0x80;  // the range allowed for the byte after the lead
        unsigned char high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) low = 0xA0;   // no overlong forms
            if (lead == 0xED) high = 0x9F;  // no surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) low = 0x90;   // no overlong forms
            if (lead == 0xF4) high = 0x8F;  // nothing past U+10FFFF
        } else if (lead >= 0x80) {
            length = 0;  // a continuation byte or a byte never valid in UTF-8
        }
        // How many bytes of the sequence are valid: all of them, or the invalid prefix to replace.
        std::size_t valid = length == 0 ? 0 : 1;
        while (valid < length && at + valid < body.size()) {
            const auto next = static_cast<unsigned char>(body[at + valid]);
            if (next < (valid == 1 ? low : 0x80) || next > (valid == 1 ? high : 0xBF)) break;
            ++valid;
        }
        if (length != 0 && valid == length) {
            at += length;
            continue;
        }
        if (!repaired) repaired.emplace().reserve(body.size() + replacement_character.size());
        repaired->append(body.substr(copied, at - copied)).append(replacement_character);
        at += std::max<std::size_t>(valid, 1);
        copied = at;
    }
    if (repaired) repaired->append(body.substr(copied));
    return repaired;
}

std::optional<std::string> decode_to_utf8(std::string_view bytes, const std::string& encoding) {
    const IconvConverter converter("UTF-8", encoding.c_str());
    if (!converter.valid()) return std::nullopt;

    std::string utf8;
    utf8.reserve(bytes.size() + bytes.size() / 2);
    char* in = const_cast<char*>(bytes.data());  // iconv's signature; it does not write there
    std::size_t in_left = bytes.size();
    std::array<char, 16 * 1024> chunk;
    for (bool flushing = false;;) {
        char* out = chunk.data();
        std::size_t out_left = chunk.size();
        // After the input, a null input flushes a stateful encoding's pending shift sequence.
        const std::size_t status = flushing
                                       ? iconv(converter.get(), nullptr, nullptr, &out, &out_left)
                                       : iconv(converter.get(), &in, &in_left, &out, &out_left);
        utf8.append(chunk.data(), static_cast<std::size_t>(out - chunk.data()));
        if (status != static_cast<std::size_t>(-1)) {
            if (flushing) return utf8;
            flushing = in_left == 0;
            continue;
        }
        if (errno == E2BIG) continue;  // the chunk is full: convert on into the next one
        // EILSEQ: a sequence the charset does not define; EINVAL: one cut off by the end of the
        // body. Either way one replacement character for its first byte, and on after it.
        utf8 += replacement_character;
        if (errno != EILSEQ && errno != EINVAL) return utf8;
        ++in;
        --in_left;
    }
}

std::optional<std::string> to_valid_utf8(std::string_view body, const std::string& encoding) {
    return encoding == "UTF-8" ? replace_invalid_utf8(body) : decode_to_utf8(body, encoding);
}

}  // namespace corocrawl::charset
