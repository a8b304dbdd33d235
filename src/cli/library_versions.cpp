#include "cli/library_versions.hpp"

#include <ares.h>
#include <brotli/decode.h>
#include <libxml/parser.h>  // xmlParserVersion
#include <openssl/crypto.h>
#include <zlib.h>
#include <zstd.h>

#include <CLI/Version.hpp>
#include <boost/version.hpp>
#include <cstdint>

#include "corocrawl/options.hpp"

namespace corocrawl::cli {
namespace {

// libxml2 says "20914" for 2.9.14.
std::string libxml2_version() {
    const std::string digits = xmlParserVersion;
    if (digits.size() < 5) return digits;
    const auto part = [&](std::size_t from, std::size_t n) {
        return std::to_string(std::stoi(digits.substr(from, n)));
    };
    const std::size_t major = digits.size() - 4;
    return part(0, major) + "." + part(major, 2) + "." + part(major + 2, 2);
}

// Brotli packs its version as major << 24 | minor << 12 | patch.
std::string brotli_version() {
    const std::uint32_t v = BrotliDecoderVersion();
    return std::to_string(v >> 24) + "." + std::to_string((v >> 12) & 0xFFF) + "." +
           std::to_string(v & 0xFFF);
}

// Boost says "1_81": the release, from BOOST_VERSION (100 * 1000 * major + 100 * minor + patch).
std::string boost_version() {
    return std::to_string(BOOST_VERSION / 100000) + "." +
           std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100);
}

// OpenSSL says "OpenSSL 3.0.11 19 Sep 2023": the version is the second word.
std::string openssl_version() {
    const std::string text = OpenSSL_version(OPENSSL_VERSION);
    const auto start = text.find(' ');
    if (start == std::string::npos) return text;
    const auto end = text.find(' ', start + 1);
    return text.substr(start + 1, end == std::string::npos ? end : end - start - 1);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> library_versions() {
    return {{"Boost", boost_version()},     {"libxml2", libxml2_version()},
            {"OpenSSL", openssl_version()}, {"c-ares", ares_version(nullptr)},
            {"zlib", zlibVersion()},        {"brotli", brotli_version()},
            {"zstd", ZSTD_versionString()}, {"CLI11", CLI11_VERSION}};
}

std::string version_text() {
    std::string text = "corocrawl " + std::string(version()) + "\nLibraries:";
    for (const auto& [name, number] : library_versions()) text += " " + name + "/" + number;
    return text;
}

}  // namespace corocrawl::cli
