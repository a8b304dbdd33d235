#include "cli/files.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

namespace corocrawl::cli {

std::istream* open_input(const std::string& path, std::ifstream& file) {
    if (path.empty()) return nullptr;
    if (path == "-") return &std::cin;
    file.open(path);
    if (!file)
        throw CLI::ValidationError("--input", "cannot read " + path + ": " + std::strerror(errno));
    return &file;
}

void open_for_writing(std::ofstream& file, const std::string& path, const std::string& option) {
    file.open(path, std::ios::binary | std::ios::trunc);
    if (!file)
        throw CLI::ValidationError(option, "cannot write " + path + ": " + std::strerror(errno));
}

}  // namespace corocrawl::cli
