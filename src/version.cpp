#include "corocrawl/options.hpp"

namespace corocrawl {

std::string_view version() noexcept {
    return COROCRAWL_VERSION;
}

}  // namespace corocrawl
