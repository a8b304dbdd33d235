// Where records go: text, JSON Lines or CSV, each record written whole and flushed.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string_view>

#include "corocrawl/result.hpp"

namespace corocrawl {

enum class Format { text, jsonl, csv };

struct SinkOptions {
    Format format = Format::text;
    bool with_url = false;   // text: prefix each value with "URL<TAB>"
    bool ordered = false;    // hold records back until every earlier input index is written
    bool extracting = true;  // XPath expressions were given (text prints values, not statuses)
};

// Thread-safe: records from any thread are written one at a time, never interleaved.
// In text format, failures go to `errors` (stderr) so stdout carries only values.
class Sink {
public:
    Sink(std::ostream& out, std::ostream& errors, SinkOptions options);
    ~Sink();

    void write(const Result& result);
    // Writes whatever `ordered` still holds back (after an interruption, gaps are skipped).
    void finish();

private:
    void write_now(const Result& result);

    std::ostream& out_;
    std::ostream& errors_;
    SinkOptions options_;
    std::mutex mutex_;
    std::size_t next_index_ = 0;
    std::map<std::size_t, Result> held_;
    bool wrote_csv_header_ = false;
};

}  // namespace corocrawl
