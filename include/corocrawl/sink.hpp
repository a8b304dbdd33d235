// Where records go: text, JSON Lines or CSV, each record written whole and flushed.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "corocrawl/result.hpp"

namespace corocrawl {

enum class Format { text, jsonl, csv };

struct SinkOptions {
    Format format = Format::text;
    bool with_url = false;    // text: prefix each value with "URL<TAB>"
    bool with_field = false;  // text: prefix each value with "FIELD<TAB>" (after the URL)
    bool first = false;       // only each field's first value (jsonl: a string or null)
    bool ordered = false;     // hold records back until every earlier input index is written
    bool extracting = true;   // fields were given (text prints values, not statuses)
};

// A record as a Sink with these options writes it on its `out` (without the CSV header).
std::string format_record(const Result& result, const SinkOptions& options);

// Thread-safe: records from any thread are written one at a time, never interleaved.
// In text and CSV, each failure also gets a line on `errors` (stderr), so stdout carries only
// data; in JSON Lines the error is part of the record.
class Sink {
  public:
    Sink(std::ostream& out, std::ostream& errors, SinkOptions options);
    ~Sink();

    // Formats the record (outside the lock), then writes it with one call per stream and
    // flushes. With `ordered`, a record waits until every lower input index has been written.
    void write(const Result& result);
    // A record formatted before by format_record() (one a --state DIR kept), written as is.
    void write_formatted(std::string_view output);
    // Writes whatever `ordered` still holds back, in index order (after an interruption, gaps
    // are skipped); in CSV, writes the header row if no record came. The destructor calls it.
    void finish();

  private:
    // A record formatted on arrival, so records held back for `ordered` keep no page bodies.
    struct FormattedRecord {
        std::string output;
        std::string errors;
    };

    void write_now(const FormattedRecord& record);  // with mutex_ held

    std::ostream& out_;
    std::ostream& errors_;
    SinkOptions options_;
    std::mutex mutex_;
    std::size_t next_index_ = 0;
    std::map<std::size_t, FormattedRecord> held_;
    bool wrote_csv_header_ = false;
};

}  // namespace corocrawl
