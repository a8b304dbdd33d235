#include "fetch/proxy_policy.hpp"

#include <algorithm>
#include <cctype>

namespace corocrawl::fetch {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool bypasses_proxy(const std::string& host, std::string_view no_proxy) {
    const std::string name = lower(host);
    while (!no_proxy.empty()) {
        const auto comma = no_proxy.find(',');
        std::string_view entry = no_proxy.substr(0, comma);
        no_proxy =
            comma == std::string_view::npos ? std::string_view{} : no_proxy.substr(comma + 1);
        while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
        while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
        if (entry.starts_with('.')) entry.remove_prefix(1);
        if (entry.empty()) continue;
        if (entry == "*") return true;
        const std::string domain = lower(entry);
        if (name == domain || (name.size() > domain.size() && name.ends_with("." + domain)))
            return true;
    }
    return false;
}

}  // namespace

std::optional<Url> proxy_for(const Url& target, const FetchOptions& options) {
    const std::string& proxy = target.is_https() ? options.https_proxy : options.http_proxy;
    if (proxy.empty() || bypasses_proxy(target.host, options.no_proxy)) return std::nullopt;
    auto parsed = parse_url(proxy);
    if (auto* url = std::get_if<Url>(&parsed)) return std::move(*url);
    return std::nullopt;  // validate() has already refused an unusable proxy URL
}

}  // namespace corocrawl::fetch
