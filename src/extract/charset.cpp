#include "extract/charset.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

namespace corocrawl::charset {
namespace {

// Browsers look for <meta> only this far into the body (HTML standard's prescan).
constexpr std::size_t prescan_length = 1024;

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

char to_upper(char c) noexcept {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}

std::string lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(), to_lower);
    return result;
}

std::string_view trim(std::string_view text) noexcept {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) noexcept {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(),
                      [](char a, char b) { return to_lower(a) == to_lower(b); });
}

bool is_ascii_letter(char c) noexcept {
    return to_lower(c) >= 'a' && to_lower(c) <= 'z';
}

// Byte-order marks win over every declaration, as in browsers.
std::optional<DetectedCharset> charset_from_bom(std::string_view body) {
    if (body.starts_with("\xEF\xBB\xBF")) return DetectedCharset{"UTF-8", 3};
    if (body.starts_with("\xFF\xFE")) return DetectedCharset{"UTF-16LE", 2};
    if (body.starts_with("\xFE\xFF")) return DetectedCharset{"UTF-16BE", 2};
    return std::nullopt;
}

// The HTML standard's "extract a character encoding from a meta element" over a content
// attribute such as "text/html; charset=gbk".
std::string charset_from_content_attribute(std::string_view content) {
    std::size_t position = 0;
    while (true) {
        const std::string lowered = lower(content.substr(position));
        const std::size_t found = lowered.find("charset");
        if (found == std::string::npos) return {};
        position += found + 7;
        std::size_t cursor = position;
        while (cursor < content.size() && is_space(content[cursor])) ++cursor;
        if (cursor >= content.size() || content[cursor] != '=') continue;  // "charsetx", look on
        ++cursor;
        while (cursor < content.size() && is_space(content[cursor])) ++cursor;
        if (cursor >= content.size()) return {};
        if (content[cursor] == '"' || content[cursor] == '\'') {
            const char quote = content[cursor];
            const std::size_t end = content.find(quote, cursor + 1);
            if (end == std::string_view::npos) return {};
            return std::string(content.substr(cursor + 1, end - cursor - 1));
        }
        std::size_t end = cursor;
        while (end < content.size() && !is_space(content[end]) && content[end] != ';') ++end;
        return std::string(content.substr(cursor, end - cursor));
    }
}

// A cursor over the prescanned bytes that reads tag attributes the way the HTML standard's
// prescan does (names lower-cased, values quoted or bare).
class AttributeReader {
  public:
    AttributeReader(std::string_view text, std::size_t position) : text_(text), at_(position) {}

    // The next attribute of the current tag, or nothing at its '>' (or the end of the text).
    std::optional<std::pair<std::string, std::string>> next() {
        while (at_ < text_.size() && (is_space(text_[at_]) || text_[at_] == '/')) ++at_;
        if (at_ >= text_.size() || text_[at_] == '>') return std::nullopt;
        std::string name;
        while (at_ < text_.size() && !is_space(text_[at_]) && text_[at_] != '=' &&
               text_[at_] != '>' && text_[at_] != '/') {
            name += to_lower(text_[at_++]);
        }
        skip_spaces();
        if (at_ >= text_.size() || text_[at_] != '=') return std::pair{name, std::string()};
        ++at_;
        skip_spaces();
        std::string value;
        if (at_ < text_.size() && (text_[at_] == '"' || text_[at_] == '\'')) {
            const char quote = text_[at_++];
            while (at_ < text_.size() && text_[at_] != quote) value += text_[at_++];
            if (at_ < text_.size()) ++at_;
        } else {
            while (at_ < text_.size() && !is_space(text_[at_]) && text_[at_] != '>') {
                value += text_[at_++];
            }
        }
        return std::pair{name, value};
    }

    // Just past the tag's closing '>' (or the end of the text).
    std::size_t end_of_tag() {
        while (next()) {
        }
        return std::min(at_ + 1, text_.size());
    }

  private:
    void skip_spaces() {
        while (at_ < text_.size() && is_space(text_[at_])) ++at_;
    }

    std::string_view text_;
    std::size_t at_;
};

// Reads the attributes of one <meta ...> tag; the charset it declares, if any.
std::string charset_of_meta_tag(AttributeReader& attributes) {
    std::string charset;
    std::string content;
    bool http_equiv_content_type = false;
    while (auto attribute = attributes.next()) {
        auto& [name, value] = *attribute;
        if (name == "charset" && charset.empty()) {
            charset = std::string(trim(value));
        } else if (name == "content" && content.empty()) {
            content = std::move(value);
        } else if (name == "http-equiv") {
            http_equiv_content_type = lower(trim(value)) == "content-type";
        }
    }
    if (!charset.empty()) return charset;
    if (http_equiv_content_type) return charset_from_content_attribute(content);
    return {};
}

}  // namespace

std::string charset_from_content_type(std::string_view content_type) {
    // Parameters follow the media type, each "name=value" or name="quoted \"value\"".
    std::size_t at = content_type.find(';');
    while (at != std::string_view::npos) {
        ++at;
        while (at < content_type.size() && is_space(content_type[at])) ++at;
        const std::size_t equals = content_type.find('=', at);
        const std::size_t semicolon = content_type.find(';', at);
        if (equals == std::string_view::npos || equals > semicolon) {
            at = semicolon;
            continue;
        }
        const bool is_charset = lower(trim(content_type.substr(at, equals - at))) == "charset";
        std::size_t cursor = equals + 1;
        while (cursor < content_type.size() && is_space(content_type[cursor])) ++cursor;
        std::string value;
        if (cursor < content_type.size() && content_type[cursor] == '"') {
            for (++cursor; cursor < content_type.size() && content_type[cursor] != '"'; ++cursor) {
                if (content_type[cursor] == '\\' && cursor + 1 < content_type.size()) ++cursor;
                value += content_type[cursor];
            }
            at = content_type.find(';', cursor);
        } else {
            const std::size_t end = std::min(content_type.find(';', cursor), content_type.size());
            value = std::string(trim(content_type.substr(cursor, end - cursor)));
            at = content_type.find(';', cursor);
        }
        if (is_charset) return value;
    }
    return {};
}

std::string charset_from_meta(std::string_view head) {
    const std::string_view text = head.substr(0, std::min(head.size(), prescan_length));
    std::size_t at = 0;
    while (at < text.size()) {
        const std::string_view rest = text.substr(at);
        if (rest.starts_with("<!--")) {
            const std::size_t end = text.find("-->", at + 4);
            if (end == std::string_view::npos) return {};
            at = end + 3;
        } else if (starts_with_ignoring_case(rest, "<meta") && rest.size() > 5 &&
                   (is_space(rest[5]) || rest[5] == '/')) {
            AttributeReader attributes(text, at + 5);
            std::string charset = charset_of_meta_tag(attributes);
            if (!charset.empty()) return charset;
            at = attributes.end_of_tag();
        } else if ((rest.size() > 1 && rest[0] == '<' && is_ascii_letter(rest[1])) ||
                   (rest.size() > 2 && rest.starts_with("</") && is_ascii_letter(rest[2]))) {
            // Another tag: skip its name and attributes, so that a quoted "<meta" is not read.
            std::size_t name_end = at + 1;
            while (name_end < text.size() && !is_space(text[name_end]) && text[name_end] != '>') {
                ++name_end;
            }
            at = AttributeReader(text, name_end).end_of_tag();
        } else if (rest.starts_with("<!") || rest.starts_with("</") || rest.starts_with("<?")) {
            const std::size_t end = text.find('>', at + 2);
            if (end == std::string_view::npos) return {};
            at = end + 1;
        } else {
            ++at;
        }
    }
    return {};
}

std::string encoding_for_label(std::string_view label) {
    struct Alias {
        std::string_view label;
        std::string_view encoding;
    };
    // Labels from the WHATWG Encoding Standard whose meaning in browsers differs from the
    // iconv encoding of the same name (supersets), or which iconv does not know.
    static constexpr std::array aliases{
        Alias{"utf8", "UTF-8"},
        Alias{"unicode-1-1-utf-8", "UTF-8"},
        Alias{"gb2312", "GBK"},
        Alias{"gb_2312", "GBK"},
        Alias{"gb_2312-80", "GBK"},
        Alias{"csgb2312", "GBK"},
        Alias{"csiso58gb231280", "GBK"},
        Alias{"iso-ir-58", "GBK"},
        Alias{"chinese", "GBK"},
        Alias{"x-gbk", "GBK"},
        Alias{"big5", "BIG5-HKSCS"},
        Alias{"cn-big5", "BIG5-HKSCS"},
        Alias{"csbig5", "BIG5-HKSCS"},
        Alias{"x-x-big5", "BIG5-HKSCS"},
        // iconv's SHIFT_JIS turns '\' into '¥' and '~' into '‾'; browsers decode windows-31j.
        Alias{"shift_jis", "CP932"},
        Alias{"shift-jis", "CP932"},
        Alias{"sjis", "CP932"},
        Alias{"x-sjis", "CP932"},
        Alias{"ms_kanji", "CP932"},
        Alias{"ms932", "CP932"},
        Alias{"csshiftjis", "CP932"},
        Alias{"windows-31j", "CP932"},
        Alias{"x-euc-jp", "EUC-JP"},
        Alias{"euc-kr", "CP949"},
        Alias{"ks_c_5601-1987", "CP949"},
        Alias{"ks_c_5601-1989", "CP949"},
        Alias{"ksc5601", "CP949"},
        Alias{"ksc_5601", "CP949"},
        Alias{"korean", "CP949"},
        Alias{"csksc56011987", "CP949"},
        Alias{"iso-ir-149", "CP949"},
        Alias{"windows-949", "CP949"},
        // Browsers decode all of these as windows-1252 (0x80-0x9F are printable there).
        Alias{"iso-8859-1", "WINDOWS-1252"},
        Alias{"iso8859-1", "WINDOWS-1252"},
        Alias{"iso_8859-1", "WINDOWS-1252"},
        Alias{"iso88591", "WINDOWS-1252"},
        Alias{"latin1", "WINDOWS-1252"},
        Alias{"l1", "WINDOWS-1252"},
        Alias{"cp819", "WINDOWS-1252"},
        Alias{"ibm819", "WINDOWS-1252"},
        Alias{"csisolatin1", "WINDOWS-1252"},
        Alias{"iso-ir-100", "WINDOWS-1252"},
        Alias{"us-ascii", "WINDOWS-1252"},
        Alias{"ascii", "WINDOWS-1252"},
        Alias{"ansi_x3.4-1968", "WINDOWS-1252"},
        Alias{"x-cp1252", "WINDOWS-1252"},
        Alias{"utf-16", "UTF-16LE"},
        Alias{"unicode", "UTF-16LE"},
        Alias{"ucs-2", "UTF-16LE"},
    };
    const std::string lowered = lower(trim(label));
    for (const Alias& alias : aliases) {
        if (alias.label == lowered) return std::string(alias.encoding);
    }
    std::string encoding = lowered;
    std::transform(encoding.begin(), encoding.end(), encoding.begin(), to_upper);
    return encoding;
}

std::optional<std::string> replace_invalid_utf8(std::string_view body) {
    static constexpr std::string_view replacement = "\xEF\xBF\xBD";
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
        if (!repaired) repaired.emplace().reserve(body.size() + replacement.size());
        repaired->append(body.substr(copied, at - copied)).append(replacement);
        at += std::max<std::size_t>(valid, 1);
        copied = at;
    }
    if (repaired) repaired->append(body.substr(copied));
    return repaired;
}

DetectedCharset detect_charset(std::string_view body, std::string_view content_type,
                               const EncodingSupported& supported) {
    if (auto from_bom = charset_from_bom(body)) return *from_bom;

    const std::string declared = charset_from_content_type(content_type);
    if (!declared.empty()) {
        std::string encoding = encoding_for_label(declared);
        if (supported(encoding)) return {std::move(encoding), 0};
    }

    const std::string from_meta = charset_from_meta(body);
    if (!from_meta.empty()) {
        std::string encoding = encoding_for_label(from_meta);
        // A byte stream in which an ASCII <meta> could be read is not UTF-16, whatever it says.
        if (encoding.starts_with("UTF-16")) return {"UTF-8", 0};
        if (supported(encoding)) return {std::move(encoding), 0};
    }
    return {"UTF-8", 0};
}

}  // namespace corocrawl::charset
