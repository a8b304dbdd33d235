#include "charset_encoder.hpp"

#include "extract/iconv_converter.hpp"

namespace corocrawl::test_server {
std::optional<std::string> encode_utf8_as(std::string_view charset, std::string_view utf8) {
    const charset::IconvConverter converter(std::string(charset).c_str(), "UTF-8");
    if (!converter.valid()) return std::nullopt;

    // A character is at least one UTF-8 byte and at most four bytes in any of our charsets.
    std::string encoded(utf8.size() * 4 + 4, '\0');
    auto* in = const_cast<char*>(utf8.data());  // iconv's signature; it does not write there
    auto in_left = utf8.size();
    auto* out = encoded.data();
    auto out_left = encoded.size();
    if (iconv(converter.get(), &in, &in_left, &out, &out_left) == charset::IconvConverter::failed ||
        iconv(converter.get(), nullptr, nullptr, &out, &out_left) ==
            charset::IconvConverter::failed) {
        return std::nullopt;  // the second call ends a stateful encoding's shift sequence
    }
    encoded.resize(encoded.size() - out_left);
    return encoded;
}

}  // namespace corocrawl::test_server
