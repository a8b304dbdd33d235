// Records read back from what a Sink wrote: JSON Lines (`crawl -f jsonl`) or CSV (`crawl -f csv`),
// one record at a time, each with its URL, whether it was ok, and its text exactly as written, so
// `corocrawl merge` can choose among records and write the chosen ones unchanged.
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <variant>

namespace corocrawl {

// What a file of records holds, as its first line tells.
enum class RecordFormat {
    empty,    // nothing but blank lines
    jsonl,    // its first line starts with '{'
    csv,      // its first line is the CSV header (formats::csv_header)
    unknown,  // anything else
};

struct ReadRecord {
    std::string url;
    bool ok = false;
    // As written, whole lines with their line ends: one JSON line; or the CSV rows of one record
    // (one row per value, a status row without fields), without the header. A last line the
    // file ends without a line end is given one ("\n" in JSON Lines, "\r\n" in CSV).
    std::string text;
    std::size_t line = 0;  // where it starts, from 1
};

// A line (in CSV, a row: quoted fields may span lines) that is not a record.
struct NotARecord {
    std::size_t line = 0;  // where it starts, from 1
    std::string reason;    // "no \"url\" string", Boost.JSON's message, ...
};

// Reads `in` (which must outlive it) one record at a time. Blank lines are passed over.
//
// JSON Lines: each line one object with a string "url" and a boolean "ok".
// CSV: rows of url,field,value,depth,referrer (RFC 4180). A record is the run of consecutive rows
// of one URL (a Sink writes each record's rows together); a header row ends a run as a new URL
// does, so a file a restarted crawl appended to, holding the header again, reads as the records
// of both runs. A record with fields (extracted values) is ok — a Sink writes values only for ok
// pages; a status row (empty field) is ok when its value is a 2xx or 3xx status (3xx: a redirect
// -r left to the frontier), failed for any other status or an error kind.
class RecordReader {
  public:
    // Reads up to the first line that is not blank, to tell the format.
    explicit RecordReader(std::istream& in);

    RecordFormat format() const noexcept { return format_; }

    // The next record, or a line that is not one, or nothing at the end of the input.
    std::optional<std::variant<ReadRecord, NotARecord>> next();

  private:
    struct CsvRow {
        std::string text;  // as written, with its line end
        std::size_t line = 0;
        std::string url;
        bool ok = false;
        bool header = false;
    };

    std::optional<std::string> next_line();
    std::optional<std::variant<ReadRecord, NotARecord>> next_jsonl();
    std::optional<std::variant<ReadRecord, NotARecord>> next_csv();
    // The next row (blank lines passed over), or a row that is not one; nothing at the end.
    std::optional<std::variant<CsvRow, NotARecord>> next_csv_row();

    std::istream& in_;
    RecordFormat format_ = RecordFormat::empty;
    std::optional<std::string> first_line_;  // read to tell the format, not yet handed on
    std::size_t line_ = 0;                   // lines read so far
    bool last_line_ended_ = true;            // whether the line last read had its '\n'
    std::optional<std::variant<CsvRow, NotARecord>> pending_;  // read past the record before
};

}  // namespace corocrawl
