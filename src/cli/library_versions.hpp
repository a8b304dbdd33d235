// What `corocrawl --version` prints: its own version, then the libraries it was built with, as
// `curl --version` does.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace corocrawl::cli {

// Each library's name and version: the one running where the library can say (OpenSSL_version,
// ares_version, zlibVersion, xmlParserVersion, BrotliDecoderVersion, ZSTD_versionString), else
// the one compiled in (Boost, CLI11: header-only).
std::vector<std::pair<std::string, std::string>> library_versions();

// "corocrawl VERSION" on the first line, then "Libraries: NAME/VERSION ...".
std::string version_text();

}  // namespace corocrawl::cli
