#include "corocrawl/url.hpp"

#include <algorithm>
#include <boost/url.hpp>
#include <vector>

namespace corocrawl {
namespace {

namespace urls = boost::urls;

// Browsers accept links with spaces and raw UTF-8 in them; RFC 3986 does not. Percent-encode
// exactly those bytes so such links still parse, and leave everything else for the parser to judge.
std::string encode_lenient(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
            c == '`' || c == '{' || c == '|' || c == '}') {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

Error invalid(std::string_view text, std::string_view why) {
    return Error{ErrorKind::invalid_url,
                 "invalid URL '" + std::string(text) + "': " + std::string(why)};
}

// After an authority the path is empty or starts with '/' (RFC 3986, 3.3). Boost.URL 1.81 ends
// a port at its first non-digit and takes the rest as a relative path instead: "http://a:b/c"
// would become host "a", target "b/c", text "http://ab/c".
bool has_malformed_authority(urls::url_view u) {
    return u.has_authority() && !u.encoded_path().empty() && !u.encoded_path().starts_with('/');
}

// Checks an absolute URL and brings it to the one form used for requests, pooling and output.
std::variant<Url, Error> normalised(urls::url u, std::string_view original) {
    const auto scheme = u.scheme_id();
    if (scheme != urls::scheme::http && scheme != urls::scheme::https) {
        return Error{ErrorKind::unsupported_scheme,
                     "unsupported scheme '" + std::string(u.scheme()) + "' (only http and https)"};
    }
    if (!u.has_authority() || u.encoded_host().empty()) return invalid(original, "no host");
    const std::string_view default_port = scheme == urls::scheme::https ? "443" : "80";
    if (u.has_port()) {
        if (u.port().empty() || u.port() == default_port) {
            u.remove_port();
        } else if (u.port().size() > 5 || std::stoul(std::string(u.port())) > 65535) {
            return invalid(original, "port out of range");
        }
    }
    u.remove_fragment();
    u.normalize();
    // RFC 3986 (5.2.4) drops ".." segments that would climb above the root; Boost.URL 1.81
    // keeps them, and servers disagree on what "/../x" means.
    std::string_view path = u.encoded_path();
    while (path.starts_with("/../")) path.remove_prefix(3);
    if (path == "/..") path = "/";
    if (path.empty()) path = "/";

    // Target and text are put together here: Boost.URL 1.81's set_encoded_path would write a
    // path starting with "//" as "/.//" (and "/" as "/./"), which the next parse shortens again.
    Url url;
    url.scheme = u.scheme();
    url.host = u.host_address();
    url.port = u.has_port() ? std::string(u.port()) : std::string(default_port);
    url.target = std::string(path);
    if (u.has_query()) {
        const auto query = u.encoded_query();
        url.target.append("?").append(query.data(), query.size());
    }
    const auto authority = u.encoded_authority();
    url.text.append(url.scheme).append("://").append(authority.data(), authority.size());
    url.text.append(url.target);
    return url;
}

}  // namespace

std::string Url::origin() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return scheme + "://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

std::variant<Url, Error> parse_url(std::string_view text) {
    if (text.empty()) return invalid(text, "empty");
    const std::string encoded = encode_lenient(text);
    auto parsed = urls::parse_uri_reference(encoded);
    if (!parsed) return invalid(text, parsed.error().message());
    if (has_malformed_authority(*parsed)) return invalid(text, "malformed host or port");
    if (!parsed->has_scheme()) return invalid(text, "no scheme (http:// or https://)");
    return normalised(urls::url(*parsed), text);
}

std::variant<Url, Error> resolve_url(const Url& base, std::string_view reference) {
    const std::string encoded = encode_lenient(reference);
    auto parsed = urls::parse_uri_reference(encoded);
    if (!parsed) return invalid(reference, parsed.error().message());
    if (has_malformed_authority(*parsed)) return invalid(reference, "malformed host or port");
    urls::url resolved;
    if (auto r = urls::resolve(urls::url_view(base.text), *parsed, resolved); !r) {
        return invalid(reference, r.error().message());
    }
    return normalised(std::move(resolved), reference);
}

std::string canonical_url(const Url& url, bool keep_query_order) {
    const urls::url_view view(url.text);
    if (keep_query_order || !view.has_query()) return url.text;
    // Each "name=value" as it was written (still percent-encoded, so an encoded '&' or '=' stays
    // inside its parameter), sorted by name, then value.
    std::vector<std::string> params;
    for (const auto param : view.encoded_params()) {
        std::string text(param.key);
        if (param.has_value) text.append("=").append(param.value);
        params.push_back(std::move(text));
    }
    const auto name = [](std::string_view param) { return param.substr(0, param.find('=')); };
    std::stable_sort(params.begin(), params.end(), [&](std::string_view a, std::string_view b) {
        return name(a) != name(b) ? name(a) < name(b) : a < b;
    });
    std::string canonical = url.text.substr(0, url.text.find('?') + 1);
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (i > 0) canonical += '&';
        canonical += params[i];
    }
    return canonical;
}

std::string resolve_reference(std::string_view base, std::string_view reference) {
    auto parsed_base = parse_url(base);
    if (const auto* base_url = std::get_if<Url>(&parsed_base)) {
        auto resolved = resolve_url(*base_url, reference);
        if (const auto* url = std::get_if<Url>(&resolved)) return url->text;
    }
    return std::string(reference);
}

}  // namespace corocrawl
