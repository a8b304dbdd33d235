#include "corocrawl/url.hpp"

#include <algorithm>
#include <cctype>
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

// RFC 3986, 6.2.2.1 and 6.2.2.2: a percent-encoded unreserved character is the character itself,
// and hex digits are compared in upper case. Reserved ones stay encoded: they mean something else
// than the character would.
std::string percent_normalised(std::string_view encoded) {
    const auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        const int high = encoded[i] == '%' && i + 2 < encoded.size() ? hex(encoded[i + 1]) : -1;
        const int low = high >= 0 ? hex(encoded[i + 2]) : -1;
        if (low < 0) {
            out += encoded[i];
            continue;
        }
        const char decoded = static_cast<char>(high * 16 + low);
        if (std::isalnum(static_cast<unsigned char>(decoded)) || decoded == '-' || decoded == '.' ||
            decoded == '_' || decoded == '~') {
            out += decoded;
        } else {
            out += '%';
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(encoded[i + 1])));
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(encoded[i + 2])));
        }
        i += 2;
    }
    return out;
}

// RFC 3986, 5.2.4 (Boost.URL 1.81 has it only inside normalisations that decode too much). A
// ".." above the root is dropped, as the RFC says: servers disagree on what "/../x" means.
std::string without_dot_segments(std::string_view path) {
    std::vector<std::string_view> segments;  // of the output, each with its leading '/'
    while (!path.empty()) {
        if (path.starts_with("../")) {
            path.remove_prefix(3);
        } else if (path.starts_with("./") || path.starts_with("/./")) {
            path.remove_prefix(2);  // "./x" -> "x", "/./x" -> "/x"
        } else if (path == "/.") {
            path = "/";
        } else if (path.starts_with("/../") || path == "/..") {
            path = path.size() == 3 ? std::string_view("/") : path.substr(3);
            if (!segments.empty()) segments.pop_back();
        } else if (path == "." || path == "..") {
            path = {};
        } else {
            const auto end = path.find('/', 1);
            const auto length = end == std::string_view::npos ? path.size() : end;
            segments.push_back(path.substr(0, length));
            path.remove_prefix(length);
        }
    }
    std::string out;
    for (const auto segment : segments) out += segment;
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
    // Not u.normalize(): Boost.URL 1.81 also decodes reserved characters ("%2F" in a path,
    // "%26" in a query), which changes what the URL names.
    u.normalize_scheme();
    u.normalize_authority();
    std::string path = without_dot_segments(percent_normalised(u.encoded_path()));
    if (path.empty()) path.push_back('/');

    // Target and text are put together here: Boost.URL 1.81's set_encoded_path would write a
    // path starting with "//" as "/.//" (and "/" as "/./"), which the next parse shortens again.
    Url url;
    url.scheme = u.scheme();
    url.host = u.host_address();
    url.port = u.has_port() ? std::string(u.port()) : std::string(default_port);
    url.target = std::string(path);
    if (u.has_query()) url.target.append("?").append(percent_normalised(u.encoded_query()));
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
    // inside its parameter), sorted by name, then value: views into the text, no copies.
    std::vector<std::string_view> params;
    for (const auto param : view.encoded_params()) {
        const char* end = param.has_value ? param.value.data() + param.value.size()
                                          : param.key.data() + param.key.size();
        params.emplace_back(param.key.data(), static_cast<std::size_t>(end - param.key.data()));
    }
    const auto name = [](std::string_view param) { return param.substr(0, param.find('=')); };
    const auto before = [&](std::string_view a, std::string_view b) {
        return name(a) != name(b) ? name(a) < name(b) : a < b;
    };
    if (std::is_sorted(params.begin(), params.end(), before)) return url.text;
    std::stable_sort(params.begin(), params.end(), before);
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
