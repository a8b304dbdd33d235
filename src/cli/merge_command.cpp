// `corocrawl merge FILE... [-o OUT]`: the record files several crawls wrote (the shards of one
// list, or the workers of one frontier, which deliver at least once) made into one record per URL.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "sink/formats.hpp"
#include "sink/record_reader.hpp"

namespace corocrawl::cli {
namespace {

struct MergeCommand {
    std::vector<std::string> files;  // "-": stdin
    std::string output;              // empty: stdout
    bool quiet = false;
};

// One input, opened and its format told (a usage error when it cannot be read).
struct Input {
    std::string name;                      // as given
    std::unique_ptr<std::ifstream> file;   // none for stdin
    std::unique_ptr<RecordReader> reader;  // reads *file, or std::cin
};

const char* format_name(RecordFormat format) {
    return format == RecordFormat::csv ? "CSV" : "JSON Lines";
}

std::vector<Input> open_inputs(const MergeCommand& command) {
    std::vector<Input> inputs(command.files.size());
    bool stdin_taken = false;
    const Input* format_from = nullptr;  // the first input with records: the others match it
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        Input& input = inputs[i];
        input.name = command.files[i];
        if (input.name == "-") {
            if (std::exchange(stdin_taken, true))
                throw CLI::ValidationError("merge", "'-' (stdin) is given twice");
            input.reader = std::make_unique<RecordReader>(std::cin);
        } else {
            input.file = std::make_unique<std::ifstream>(input.name, std::ios::binary);
            if (!*input.file)
                throw CLI::ValidationError(
                    "merge", "cannot read " + input.name + ": " + std::strerror(errno));
            std::error_code error;
            if (std::filesystem::is_directory(input.name, error))
                throw CLI::ValidationError("merge", "cannot read " + input.name + ": a directory");
            if (!command.output.empty() &&
                std::filesystem::equivalent(input.name, command.output, error)) {
                throw CLI::ValidationError("--output", command.output + " is also an input");
            }
            input.reader = std::make_unique<RecordReader>(*input.file);
        }
        const RecordFormat format = input.reader->format();
        if (format == RecordFormat::unknown) {
            throw CLI::ValidationError("merge", input.name +
                                                    ": not records as crawl -f jsonl or -f csv "
                                                    "writes them (its first line is neither a "
                                                    "JSON object nor the CSV header)");
        }
        if (format == RecordFormat::empty) continue;
        if (format_from && format_from->reader->format() != format) {
            throw CLI::ValidationError(
                "merge", format_from->name + " is " + format_name(format_from->reader->format()) +
                             ", " + input.name + " is " + format_name(format) +
                             ": merge the files of one format");
        }
        if (!format_from) format_from = &input;
    }
    return inputs;
}

// The record each URL keeps: an ok one over a failed one; among equals, the last one read.
class RecordChoice {
  public:
    // Whether `record` is a URL seen before.
    bool add(ReadRecord&& record) {
        const auto [found, added] = places_.try_emplace(record.url, kept_.size());
        if (added) {
            kept_.push_back({record.ok, std::move(record.text)});
            return false;
        }
        Kept& kept = kept_[found->second];
        if (record.ok || !kept.ok) kept = {record.ok, std::move(record.text)};
        return true;
    }
    // The kept records, in the order their URLs came first.
    template <typename Write>
    void for_each(Write&& write) const {
        for (const Kept& kept : kept_) write(kept.text);
    }
    std::size_t urls() const noexcept { return kept_.size(); }

  private:
    struct Kept {
        bool ok;
        std::string text;
    };
    std::unordered_map<std::string, std::size_t> places_;
    std::vector<Kept> kept_;
};

int run_merge(const MergeCommand& command) {
    // Every usage error (a missing file, mixed formats, an unwritable -o) before any output.
    std::vector<Input> inputs = open_inputs(command);
    std::ofstream output_file;
    if (!command.output.empty()) open_for_writing(output_file, command.output, "--output");
    std::ostream& out = command.output.empty() ? std::cout : output_file;

    RecordFormat format = RecordFormat::empty;
    RecordChoice choice;
    std::size_t records = 0, duplicates = 0, bad_lines = 0;
    for (Input& input : inputs) {
        if (input.reader->format() != RecordFormat::empty) format = input.reader->format();
        const std::string shown = input.name == "-" ? "(stdin)" : input.name;
        while (auto read = input.reader->next()) {
            if (auto* bad = std::get_if<NotARecord>(&*read)) {
                std::cerr << shown << ':' << bad->line << ": not a record (" << bad->reason
                          << ")\n";
                ++bad_lines;
                continue;
            }
            ++records;
            if (choice.add(std::get<ReadRecord>(std::move(*read)))) ++duplicates;
        }
        if (input.file ? input.file->bad() : std::cin.bad()) {
            std::cerr << "corocrawl: " << shown
                      << ": a read failed; the records before it are merged\n";
            ++bad_lines;
        }
    }

    if (format == RecordFormat::csv) out << formats::csv_header;
    choice.for_each([&out](const std::string& text) { out << text; });
    out.flush();
    if (!out) {
        std::cerr << "corocrawl: cannot write "
                  << (command.output.empty() ? "stdout" : command.output) << '\n';
        return 1;
    }
    if (!command.quiet) {
        std::cerr << "corocrawl: merged " << records << " records from " << inputs.size()
                  << " files into " << choice.urls() << " (" << duplicates << " duplicates)"
                  << std::endl;
    }
    return bad_lines > 0 ? 1 : 0;
}

}  // namespace

void add_merge_command(CLI::App& app, int& exit_status) {
    auto command = std::make_shared<MergeCommand>();
    CLI::App* merge = app.add_subcommand(
        "merge", "Merge record files (jsonl or csv) of several crawls into one record per URL");
    merge
        ->add_option("files", command->files,
                     "Record files crawl -f jsonl or -f csv wrote, all of one format ('-': stdin)")
        ->required()
        ->option_text("FILE");
    merge->add_option("-o,--output", command->output, "Write the merged records to FILE")
        ->option_text("FILE");
    merge->add_flag("-q,--quiet", command->quiet, "No summary line on stderr");
    merge->footer(
        "A URL with more than one record keeps an ok one over a failed one, and among equals the\n"
        "last one given (a later FILE, a later line); records come out in the order their URLs\n"
        "first appear. A CSV header repeated inside a file (a restarted crawl appending) is\n"
        "passed over. A line that is not a record is named on stderr (FILE:LINE) and makes the\n"
        "exit status 1; a FILE that cannot be read, or files of two formats, are usage errors\n"
        "(2).\n"
        "\n"
        "Examples:\n"
        "  corocrawl merge shard-0.jsonl shard-1.jsonl shard-2.jsonl -o all.jsonl\n"
        "  cat worker-*.csv | corocrawl merge - > all.csv");
    merge->callback([command, &exit_status] { exit_status = run_merge(*command); });
}

}  // namespace corocrawl::cli
