#include "extract/utf8_decoder.hpp"

#include <iconv.h>

#include <array>
#include <cerrno>

namespace corocrawl::charset {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// An iconv conversion descriptor, closed whatever happens.
class Converter {
  public:
    Converter(const char* to, const char* from) : descriptor_(iconv_open(to, from)) {}
    ~Converter() {
        if (valid()) iconv_close(descriptor_);
    }
    Converter(const Converter&) = delete;
    Converter& operator=(const Converter&) = delete;

    bool valid() const noexcept { return descriptor_ != reinterpret_cast<iconv_t>(-1); }
    iconv_t get() const noexcept { return descriptor_; }

  private:
    iconv_t descriptor_;
};

}  // namespace

std::optional<std::string> decode_to_utf8(std::string_view bytes, const std::string& encoding) {
    const Converter converter("UTF-8", encoding.c_str());
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

}  // namespace corocrawl::charset
