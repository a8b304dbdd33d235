// Opening the files named on the command line: a file that cannot be used is a usage error,
// reported before any traffic.
#pragma once

#include <fstream>
#include <istream>
#include <string>

namespace corocrawl::cli {

// `-i PATH`: stdin for "-", `file` opened on PATH otherwise; nullptr for no PATH.
std::istream* open_input(const std::string& path, std::ifstream& file);

// Opens (and truncates) PATH for writing; the error names `option`.
void open_for_writing(std::ofstream& file, const std::string& path, const std::string& option);

}  // namespace corocrawl::cli
