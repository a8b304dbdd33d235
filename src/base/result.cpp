#include "corocrawl/result.hpp"

#include <algorithm>
#include <cctype>

namespace corocrawl {

std::string_view to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::invalid_url:
            return "invalid_url";
        case ErrorKind::unsupported_scheme:
            return "unsupported_scheme";
        case ErrorKind::dns:
            return "dns";
        case ErrorKind::connect:
            return "connect";
        case ErrorKind::tls:
            return "tls";
        case ErrorKind::timeout:
            return "timeout";
        case ErrorKind::http_status:
            return "http_status";
        case ErrorKind::too_many_redirects:
            return "too_many_redirects";
        case ErrorKind::body_too_large:
            return "body_too_large";
        case ErrorKind::protocol:
            return "protocol";
        case ErrorKind::decode:
            return "decode";
        case ErrorKind::proxy:
            return "proxy";
        case ErrorKind::robots:
            return "robots";
        case ErrorKind::worker_lost:
            return "worker_lost";
        case ErrorKind::cancelled:
            return "cancelled";
    }
    return "unknown";
}

std::string_view Result::header(std::string_view name) const noexcept {
    const auto same = [name](const Header& h) {
        return std::equal(
            h.name.begin(), h.name.end(), name.begin(), name.end(),
            [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
    };
    const auto found = std::find_if(headers.begin(), headers.end(), same);
    return found == headers.end() ? std::string_view{} : std::string_view{found->value};
}

}  // namespace corocrawl
