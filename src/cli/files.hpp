// The files of the command line: opening those it names (a file that cannot be used is a usage
// error, reported before any traffic), and the scratch files `bench` hands its child runs.
#pragma once

#include <cstddef>
#include <fstream>
#include <istream>
#include <stop_token>
#include <string>
#include <vector>

#include "corocrawl/shard.hpp"

namespace corocrawl::cli {

// `-i PATH`: stdin for "-", `file` opened on PATH otherwise; nullptr for no PATH.
std::istream* open_input(const std::string& path, std::ifstream& file);

// Opens (and truncates) PATH for writing; the error names `option`.
void open_for_writing(std::ofstream& file, const std::string& path, const std::string& option,
                      bool append = false);

// The URL lines of the file at PATH that `shard` takes, counted by the rules of `-i` (blank
// lines and # comments skipped); gives up, with what it counted so far, when `stop` is requested.
std::size_t count_url_lines(const std::string& path, const Shard& shard, std::stop_token stop);

// The URL arguments that `shard` takes.
std::size_t count_url_arguments(const std::vector<std::string>& urls, const Shard& shard);

// The whole content of PATH ("" when it cannot be read).
std::string read_file(const std::string& path);

// A new empty file in the temporary directory, named PREFIX-XXXXXX, removed with this object.
class ScratchFile {
  public:
    explicit ScratchFile(const std::string& prefix);
    ~ScratchFile();
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;

    const std::string& path() const noexcept { return path_; }

  private:
    std::string path_;
};

}  // namespace corocrawl::cli
