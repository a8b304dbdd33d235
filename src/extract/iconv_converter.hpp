// An iconv conversion descriptor behind RAII: opened from one charset to another, closed whatever
// happens. The crawler decodes pages with it; the test server encodes its /charset pages.
#pragma once

#include <iconv.h>

#include <cstddef>

namespace corocrawl::charset {

class IconvConverter {
  public:
    // iconv's names, e.g. ("UTF-8", "GBK"). Check valid(): an unknown charset opens nothing.
    IconvConverter(const char* to, const char* from) : descriptor_(iconv_open(to, from)) {}
    ~IconvConverter() {
        if (valid()) iconv_close(descriptor_);
    }
    IconvConverter(const IconvConverter&) = delete;
    IconvConverter& operator=(const IconvConverter&) = delete;

    bool valid() const noexcept { return descriptor_ != reinterpret_cast<iconv_t>(-1); }
    iconv_t get() const noexcept { return descriptor_; }

    // What iconv() returns when it stops short (errno says why).
    static constexpr std::size_t failed = static_cast<std::size_t>(-1);

  private:
    iconv_t descriptor_;
};

}  // namespace corocrawl::charset
