// Fuzz target: URL parsing, normalisation and resolution (src/url).
//
// Input: a URL; or "base\nreference", which is also resolved. Invariants: what parses is in the
// one normal form (re-parsing it changes nothing), and failures are URL errors, never anything
// else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "corocrawl/url.hpp"
#include "fuzz_check.hpp"

namespace {

using corocrawl::fuzz::check;

bool is_port(std::string_view port) {
    if (port.empty() || port.size() > 5) return false;
    for (char c : port) {
        if (c < '0' || c > '9') return false;
    }
    return std::stoul(std::string(port)) <= 65535;
}

void check_error(const corocrawl::Error& error, std::string_view input) {
    check(error.kind == corocrawl::ErrorKind::invalid_url ||
              error.kind == corocrawl::ErrorKind::unsupported_scheme,
          "a URL that does not parse fails as invalid_url or unsupported_scheme", input);
}

void check_normal_form(const corocrawl::Url& url, std::string_view input) {
    check(url.scheme == "http" || url.scheme == "https", "scheme is http or https", input);
    check(!url.host.empty(), "host is not empty", input);
    check(is_port(url.port), "port is a number up to 65535", input);
    check(url.target.starts_with('/'), "target starts with /", input);
    check(url.text.starts_with(url.scheme + "://"), "text starts with scheme://", input);
    check(url.text.find('#') == std::string::npos, "no fragment", input);
    for (unsigned char c : url.text) {
        check(c > 0x20 && c < 0x7f, "text is printable ASCII", input);
    }
    check(url.origin().starts_with(url.scheme + "://"), "origin starts with scheme://", input);

    auto again = corocrawl::parse_url(url.text);
    const auto* reparsed = std::get_if<corocrawl::Url>(&again);
    check(reparsed != nullptr, "a normalised URL parses again", url.text);
    check(reparsed->text == url.text, "normalising twice changes nothing",
          url.text + " -> " + reparsed->text);
    check(
        reparsed->host == url.host && reparsed->port == url.port && reparsed->target == url.target,
        "re-parsing keeps host, port and target", url.text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view first = input.substr(0, newline);

    auto parsed = corocrawl::parse_url(first);
    if (const auto* error = std::get_if<corocrawl::Error>(&parsed)) {
        check_error(*error, first);
        return 0;
    }
    const auto& base = std::get<corocrawl::Url>(parsed);
    check_normal_form(base, first);
    if (newline == std::string_view::npos) return 0;

    const std::string_view reference = input.substr(newline + 1);
    auto resolved = corocrawl::resolve_url(base, reference);
    const std::string via_reference = corocrawl::resolve_reference(first, reference);
    if (const auto* error = std::get_if<corocrawl::Error>(&resolved)) {
        check_error(*error, reference);
        check(via_reference == reference, "resolve_reference keeps what does not resolve",
              reference);
        return 0;
    }
    const auto& url = std::get<corocrawl::Url>(resolved);
    check_normal_form(url, reference);
    check(via_reference == url.text, "resolve_reference agrees with resolve_url", reference);
    return 0;
}
