// The man page and the completions are written from the option table --help prints: every flag
// `corocrawl COMMAND --help` shows is in the man page's section for COMMAND and among what the bash
// completion offers after `corocrawl COMMAND -`, so a flag added without them fails here.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "corocrawl/options.hpp"
#include "support.hpp"

namespace corocrawl {
namespace {

using testing::run_corocrawl;

const std::vector<std::string> commands{"crawl", "serve", "bench", "state", "merge"};

std::string read_text(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    EXPECT_TRUE(file) << "cannot read " << path;
    return std::string(std::istreambuf_iterator<char>(file), {});
}

// Every flag name `corocrawl COMMAND --help` lists: the first word of each option line
// ("  -f,--format {text,jsonl,csv} [text]  Output format"), split at commas.
std::set<std::string> help_flags(const std::string& command) {
    const auto help = run_corocrawl({command, "--help"});
    EXPECT_EQ(help.status, 0) << help.err;
    std::set<std::string> flags;
    std::istringstream lines(help.out);
    for (std::string line; std::getline(lines, line);) {
        const auto start = line.find_first_not_of(' ');
        if (start == std::string::npos || start == 0 || line[start] != '-') continue;
        std::istringstream names(line.substr(start, line.find(' ', start) - start));
        for (std::string name; std::getline(names, name, ',');) flags.insert(name);
    }
    return flags;
}

struct Shell {
    int status = -1;
    std::string out;  // stdout and stderr
};

// `command` run by /bin/sh.
Shell shell(const std::string& command) {
    Shell run;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return run;
    char buffer[4096];
    while (const auto n = std::fread(buffer, 1, sizeof buffer, pipe)) run.out.append(buffer, n);
    run.status = ::pclose(pipe);
    return run;
}

// What the bash completion offers for the words typed after `corocrawl` (the last one being
// completed), as bash would: COMP_WORDS and COMP_CWORD set, then the completion function.
std::vector<std::string> bash_complete(const std::vector<std::string>& words) {
    const std::string script = testing::scratch_path("complete.bash");
    {
        std::ofstream out(script);
        out << "source '" COROCRAWL_BASH_COMPLETION "'\nCOMP_WORDS=(corocrawl";
        for (const auto& word : words) out << " '" << word << "'";
        out << ")\nCOMP_CWORD=" << words.size() << "\n_corocrawl\n"
            << "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    }
    const auto run = shell("bash " + script);
    std::filesystem::remove(script);
    EXPECT_EQ(run.status, 0) << run.out;
    auto offered = testing::lines(run.out);
    if (offered == std::vector<std::string>{""}) offered.clear();  // printf of nothing
    return offered;
}

// The man page's section for `corocrawl COMMAND`, roff's \- read as -.
std::string man_section(const std::string& command) {
    std::string page;
    const std::string roff = read_text(COROCRAWL_MAN_PAGE);
    for (std::size_t i = 0; i < roff.size(); ++i) {
        if (roff[i] == '\\' && i + 1 < roff.size() && roff[i + 1] == '-') continue;
        page += roff[i];
    }
    const auto start = page.find(".SH \"corocrawl " + command + "\"");
    EXPECT_NE(start, std::string::npos) << "no section for " << command;
    if (start == std::string::npos) return {};
    return page.substr(start, page.find("\n.SH ", start + 1) - start);
}

TEST(Manual, EveryHelpFlagIsInTheManPage) {
    for (const auto& command : commands) {
        const auto flags = help_flags(command);
        EXPECT_GE(flags.size(), 3u) << command;
        const std::string section = man_section(command);
        for (const auto& flag : flags)
            EXPECT_NE(section.find("\\fB" + flag + "\\fR"), std::string::npos)
                << "corocrawl " << command << " " << flag << ": not in the man page";
    }
}

TEST(Manual, EveryHelpFlagIsCompletedByBash) {
    for (const auto& command : commands) {
        const auto offered = bash_complete({command, "-"});
        const std::set<std::string> completed(offered.begin(), offered.end());
        for (const auto& flag : help_flags(command))
            EXPECT_TRUE(completed.count(flag))
                << "corocrawl " << command << " " << flag << ": not in the bash completion";
    }
}

TEST(Manual, BashCompletesCommandsChoicesAndFiles) {
    EXPECT_EQ(bash_complete({""}),
              (std::vector<std::string>{"crawl", "serve", "bench", "state", "merge"}));
    EXPECT_EQ(bash_complete({"crawl", "-f", ""}),
              (std::vector<std::string>{"text", "jsonl", "csv"}));
    EXPECT_EQ(bash_complete({"crawl", "--mode", "p"}), (std::vector<std::string>{"pool"}));
    EXPECT_EQ(bash_complete({"bench", "--modes", ""}),
              (std::vector<std::string>{"async", "pool", "sync"}));
    EXPECT_TRUE(bash_complete({"crawl", "-x", ""}).empty());  // an XPath: nothing to offer

    const auto scratch =
        std::filesystem::temp_directory_path() / ("corocrawl-manual-" + std::to_string(::getpid()));
    std::filesystem::create_directories(scratch);
    std::ofstream(scratch / "urls.txt") << "http://127.0.0.1/\n";
    const std::string prefix = (scratch / "url").string();
    for (const std::vector<std::string>& words : {std::vector<std::string>{"crawl", "-i", prefix},
                                                  {"crawl", "--warc", prefix},
                                                  {"crawl", "--cacert", prefix},
                                                  {"crawl", "--timeline", prefix},
                                                  {"serve", "--tls-cert", prefix},
                                                  {"merge", "-o", prefix},
                                                  {"serve", "--tls-key", prefix}}) {
        EXPECT_EQ(bash_complete(words), std::vector<std::string>{(scratch / "urls.txt").string()})
            << words[0] << " " << words[1];
    }
    std::filesystem::remove_all(scratch);
}

TEST(Manual, ZshCompletionParses) {
    if (shell("command -v zsh").status != 0) GTEST_SKIP() << "no zsh here";
    const auto run = shell("zsh -n '" COROCRAWL_ZSH_COMPLETION "'");
    EXPECT_EQ(run.status, 0) << run.out;
    const std::string zsh = read_text(COROCRAWL_ZSH_COMPLETION);
    for (const auto& command : commands)
        for (const auto& flag : help_flags(command))
            EXPECT_NE(zsh.find(flag), std::string::npos) << command << " " << flag;
}

TEST(Manual, ManPageRendersWithoutWarnings) {
    if (shell("command -v groff").status != 0) GTEST_SKIP() << "no groff here";
    const auto run = shell("groff -man -Tutf8 -ww -z '" COROCRAWL_MAN_PAGE "'");
    EXPECT_EQ(run.status, 0) << run.out;
    EXPECT_EQ(run.out, "") << "groff's warnings";
    const std::string page = read_text(COROCRAWL_MAN_PAGE);
    for (const char* section :
         {".SH \"EXIT STATUS\"", ".SH \"ERROR KINDS\"", ".SH ENVIRONMENT", ".SH FILES",
          ".SH EXAMPLES", "http_proxy", "too_many_redirects", "cancelled"})
        EXPECT_NE(page.find(section), std::string::npos) << section;
    EXPECT_EQ(page.find("help-format"), page.find("help-format man"))  // hidden, but for the header
        << "the hidden help-format command is documented";
}

TEST(Manual, VersionNamesTheLibrariesBuiltWith) {
    const auto run = run_corocrawl({"--version"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out.rfind("corocrawl " + std::string(version()) + "\n", 0), 0u) << run.out;
    for (const char* library : {"Boost/1.", "libxml2/2.", "OpenSSL/3.", "c-ares/1.", "zlib/1.",
                                "brotli/1.", "zstd/1.", "CLI11/2."})
        EXPECT_NE(run.out.find(library), std::string::npos) << library << " in " << run.out;
}

}  // namespace
}  // namespace corocrawl
