#include "corocrawl/options.hpp"

namespace corocrawl {

std::string_view version() noexcept {
    return COROCRAWL_VERSION;
}

std::string_view mode_name(Mode mode) noexcept {
    switch (mode) {
        case Mode::async:
            return "async";
        case Mode::pool:
            return "pool";
        case Mode::sync:
            return "sync";
    }
    return "unknown";
}

}  // namespace corocrawl
