#include "charset_encoder.hpp"

#include <iconv.h>

#include <memory>

namespace corocrawl::test_server {
namespace {

const iconv_t no_converter = reinterpret_cast<iconv_t>(-1);
constexpr std::size_t conversion_failed = static_cast<std::size_t>(-1);

struct IconvClose {
    void operator()(void* converter) const { iconv_close(converter); }
};
using Converter = std::unique_ptr<void, IconvClose>;  // iconv_t is a void*

}  // namespace

std::optional<std::string> encode_utf8_as(std::string_view charset, std::string_view utf8) {
    auto opened = iconv_open(std::string(charset).c_str(), "UTF-8");
    if (opened == no_converter) return std::nullopt;
    Converter converter(opened);

    // A character is at least one UTF-8 byte and at most four bytes in any of our charsets.
    std::string encoded(utf8.size() * 4 + 4, '\0');
    auto* in = const_cast<char*>(utf8.data());  // iconv's signature; it does not write there
    auto in_left = utf8.size();
    auto* out = encoded.data();
    auto out_left = encoded.size();
    if (iconv(converter.get(), &in, &in_left, &out, &out_left) == conversion_failed ||
        iconv(converter.get(), nullptr, nullptr, &out, &out_left) == conversion_failed) {
        return std::nullopt;  // the second call ends a stateful encoding's shift sequence
    }
    encoded.resize(encoded.size() - out_left);
    return encoded;
}

}  // namespace corocrawl::test_server
