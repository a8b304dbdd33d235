// Which proxy, if any, a request goes through.
#pragma once

#include <optional>

#include "corocrawl/options.hpp"
#include "corocrawl/url.hpp"

namespace corocrawl::fetch {

// The proxy for `target`: https_proxy or http_proxy by the target's scheme, unless no_proxy
// names the host (exactly, or as a domain the host is in: "example.com" and ".example.com"
// both cover "www.example.com"; "*" covers every host), as curl reads it.
std::optional<Url> proxy_for(const Url& target, const FetchOptions& options);

}  // namespace corocrawl::fetch
