#include "cli/files.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <system_error>

#include "corocrawl/url_source.hpp"

namespace corocrawl::cli {

std::istream* open_input(const std::string& path, std::ifstream& file) {
    if (path.empty()) return nullptr;
    if (path == "-") return &std::cin;
    file.open(path);
    if (!file)
        throw CLI::ValidationError("--input", "cannot read " + path + ": " + std::strerror(errno));
    return &file;
}

void open_for_writing(std::ofstream& file, const std::string& path, const std::string& option,
                      bool append) {
    file.open(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    if (!file)
        throw CLI::ValidationError(option, "cannot write " + path + ": " + std::strerror(errno));
}

namespace {

// The URLs `source` yields, by the crawl's own rules (comments, blank lines, trimming, shard).
std::size_t count_urls(UrlSource& source, std::stop_token stop = {}) {
    std::size_t count = 0;
    while (!stop.stop_requested() && source.next()) ++count;
    return count;
}

}  // namespace

std::size_t count_url_lines(const std::string& path, const Shard& shard, std::stop_token stop) {
    std::ifstream file(path);
    UrlSource lines({}, &file, false, shard);
    return count_urls(lines, stop);
}

std::size_t count_url_arguments(const std::vector<std::string>& urls, const Shard& shard) {
    UrlSource arguments(urls, nullptr, false, shard);
    return count_urls(arguments);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

ScratchFile::ScratchFile(const std::string& prefix) {
    std::string name = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    const int fd = mkstemp(name.data());
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "mkstemp");
    ::close(fd);
    path_ = std::move(name);
}

ScratchFile::~ScratchFile() {
    std::remove(path_.c_str());
}

}  // namespace corocrawl::cli
