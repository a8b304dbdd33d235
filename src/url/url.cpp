#include "corocrawl/url.hpp"

#include <algorithm>
#include <boost/url.hpp>
#include <cctype>
#include <vector>

namespace corocrawl {
namespace {

namespace urls = boost::urls;

// Browsers accept links with spaces and raw UTF-8 in them; RFC 3986 does not. Percent-encode
// exactly those bytes so such links still parse, and leave everything else for the parser to judge.
bool needs_lenient_encoding(unsigned char c) {
    return c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
           c == '`' || c == '{' || c == '|' || c == '}';
}

// `text` itself when nothing in it needs encoding (most links), else its encoded copy, kept in
// `storage`.
std::string_view encode_lenient(std::string_view text, std::string& storage) {
    if (std::none_of(text.begin(), text.end(), [](char c) {
            return needs_lenient_encoding(static_cast<unsigned char>(c));
        })) {
        return text;
    }
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string& out = storage;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (needs_lenient_encoding(c)) {
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

// Whether `u` is already in the form normalised() gives it, so that it can be taken as it is:
// most links a crawl meets are. Conservative: anything unusual (upper case, percent-encoding,
// dot segments, a default port, user info, a fragment, an IPv6 host) takes the long way.
bool already_normal(urls::url_view u) {
    const auto scheme = u.scheme_id();
    if (u.scheme() != "http" && u.scheme() != "https") return false;
    if (!u.has_authority() || u.has_userinfo() || u.has_fragment()) return false;
    if (u.host_type() != urls::host_type::name && u.host_type() != urls::host_type::ipv4)
        return false;
    const std::string_view host = u.encoded_host();
    if (host.empty() || std::any_of(host.begin(), host.end(), [](char c) {
            return c == '%' || std::isupper(static_cast<unsigned char>(c));
        })) {
        return false;
    }
    if (u.has_port()) {
        const std::string_view port = u.port();
        if (port.empty() || port.size() > 5 ||
            port == (scheme == urls::scheme::https ? "443" : "80") ||
            std::stoul(std::string(port)) > 65535) {
            return false;
        }
    }
    const std::string_view path = u.encoded_path();
    if (!path.starts_with('/') || path.find('%') != std::string_view::npos) return false;
    for (std::size_t dot = path.find("/."); dot != std::string_view::npos;
         dot = path.find("/.", dot + 1)) {
        const auto rest = path.substr(dot + 2);
        if (rest.empty() || rest.front() == '/' || rest == "." || rest.starts_with("./"))
            return false;
    }
    return !u.has_query() || u.encoded_query().find('%') == std::string_view::npos;
}

// Checks an absolute URL and brings it to the one form used for requests, pooling and output.
std::variant<Url, Error> normalised(urls::url_view view, std::string_view original) {
    const auto scheme = view.scheme_id();
    if (scheme != urls::scheme::http && scheme != urls::scheme::https) {
        return Error{
            ErrorKind::unsupported_scheme,
            "unsupported scheme '" + std::string(view.scheme()) + "' (only http and https)"};
    }
    const std::string_view default_port = scheme == urls::scheme::https ? "443" : "80";
    if (already_normal(view)) {
        Url url;
        url.scheme = view.scheme();
        url.host = view.encoded_host();
        url.port = view.has_port() ? std::string(view.port()) : std::string(default_port);
        url.target = view.encoded_resource();
        url.text = view.buffer();
        return url;
    }
    urls::url u(view);
    if (!u.has_authority() || u.encoded_host().empty()) return invalid(original, "no host");
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
    std::string storage;
    const std::string_view encoded = encode_lenient(text, storage);
    auto parsed = urls::parse_uri_reference(encoded);
    if (!parsed) return invalid(text, parsed.error().message());
    if (has_malformed_authority(*parsed)) return invalid(text, "malformed host or port");
    if (!parsed->has_scheme()) return invalid(text, "no scheme (http:// or https://)");
    return normalised(*parsed, text);
}

std::variant<Url, Error> resolve_url(const Url& base, std::string_view reference) {
    std::string storage;
    const std::string_view encoded = encode_lenient(reference, storage);
    auto parsed = urls::parse_uri_reference(encoded);
    if (!parsed) return invalid(reference, parsed.error().message());
    if (has_malformed_authority(*parsed)) return invalid(reference, "malformed host or port");
    const urls::url_view ref = *parsed;
    // RFC 3986, 5.2.2 and 5.2.3, on the text; not urls::resolve(), which in Boost.URL 1.81
    // decodes "%2F" in the merged path. The result is normalised like any URL (dot segments too).
    if (ref.has_scheme()) return normalised(ref, reference);
    std::string target;
    const std::string_view base_path =
        std::string_view(base.target).substr(0, base.target.find('?'));
    const std::string_view path = ref.encoded_path();
    if (ref.has_authority()) {
        return parse_url(base.scheme + ":" + std::string(encoded));
    } else if (path.empty()) {
        target = ref.has_query() ? std::string(base_path) + "?" + std::string(ref.encoded_query())
                                 : base.target;
    } else {
        if (path.starts_with('/')) {
            target = path;
        } else {
            target = base_path.substr(0, base_path.rfind('/') + 1);
            if (target.empty()) target = "/";
            target += path;
        }
        if (ref.has_query()) target.append("?").append(ref.encoded_query());
    }
    // The base's "scheme://authority" (its text is that and its target), then the new target.
    return parse_url(base.text.substr(0, base.text.size() - base.target.size()) + target);
}

std::optional<std::string_view> normal_url_host(std::string_view text) noexcept {
    auto parsed = urls::parse_absolute_uri(text);
    if (!parsed || !already_normal(*parsed)) return std::nullopt;
    const std::string_view host = parsed->encoded_host();
    return text.substr(static_cast<std::size_t>(host.data() - parsed->buffer().data()),
                       host.size());
}

std::string canonical_url(const Url& url, bool keep_query_order) {
    return canonical_url(std::string_view(url.text), keep_query_order);
}

std::string canonical_url(std::string_view text, bool keep_query_order) {
    const urls::url_view view(text);
    if (keep_query_order || !view.has_query()) return std::string(text);
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
    if (std::is_sorted(params.begin(), params.end(), before)) return std::string(text);
    std::stable_sort(params.begin(), params.end(), before);
    std::string canonical(text.substr(0, text.find('?') + 1));
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
