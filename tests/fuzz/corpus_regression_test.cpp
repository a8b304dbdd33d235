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

std::vector<fs::path> inputs_in(const fs::path& folder) {
    std::vector<fs::path> files;
    if (!fs::is_directory(folder)) return files;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.is_regular_file() && !entry.path().filename().string().starts_with('.')) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::size_t run_all(const std::vector<fs::path>& files) {
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
    return files.size();
}

const fs::path fuzz_folder = fs::path(COROCRAWL_SOURCE_DIR) / "tests" / "fuzz";

TEST(FuzzCorpus, EverySeedRunsCleanly) {
    const auto seeds = inputs_in(fuzz_folder / "corpus" / FUZZ_TARGET);
    EXPECT_GE(seeds.size(), 5U) << "the seed corpus of " << FUZZ_TARGET << " is missing";
    run_all(seeds);
}

TEST(FuzzCorpus, EveryRegressionRunsCleanly) {
    // Empty until the fuzzer finds something in this target.
    run_all(inputs_in(fuzz_folder / "regressions" / FUZZ_TARGET));
}

}  // namespace
