// Feeds every file of a fuzz target's seed corpus and of its regressions folder through the
// target's own LLVMFuzzerTestOneInput, in the normal (g++) build: the corpus cannot rot, and
// what a fuzzer once found stays fixed. A broken invariant aborts; the last "input:" line in
// the output names the file.
//
// FUZZ_TARGET names the target (its corpus is tests/fuzz/corpus/<name>/, its reproducers
// tests/fuzz/regressions/<name>/); COROCRAWL_SOURCE_DIR is the project root.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// The files of `folder`, sorted; a failure when the folder is missing or holds none, so a moved
// or emptied corpus cannot pass by running nothing.
std::vector<fs::path> inputs_in(const fs::path& folder) {
    std::vector<fs::path> files;
    if (!fs::is_directory(folder)) {
        ADD_FAILURE() << folder.string() << " is missing";
        return files;
    }
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.is_regular_file() && !entry.path().filename().string().starts_with('.')) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) ADD_FAILURE() << folder.string() << " holds no inputs";
    return files;
}

void run_all(const std::vector<fs::path>& files) {
    for (const fs::path& file : files) {
        std::cout << "input: " << file.string() << std::endl;  // flushed: named even if it aborts
        std::ifstream stream(file, std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(stream), {}};
        EXPECT_TRUE(stream.good() || stream.eof()) << file;
        EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                         bytes.size()),
                  0)
            << file;
    }
}

const fs::path fuzz_folder = fs::path(COROCRAWL_SOURCE_DIR) / "tests" / "fuzz";

TEST(FuzzCorpus, EverySeedRunsCleanly) {
    const auto seeds = inputs_in(fuzz_folder / "corpus" / FUZZ_TARGET);
    EXPECT_GE(seeds.size(), 5U) << "the seed corpus of " << FUZZ_TARGET << " is too small";
    run_all(seeds);
}

TEST(FuzzCorpus, EveryRegressionRunsCleanly) {
    // Every target has at least one reproducer; a new target starts with a seed copied here.
    run_all(inputs_in(fuzz_folder / "regressions" / FUZZ_TARGET));
}

}  // namespace
