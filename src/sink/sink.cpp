#include "corocrawl/sink.hpp"

#include <utility>

#include "sink/formats.hpp"

namespace corocrawl {
namespace {

// One write call per record and a flush, so a reader of a pipe never sees half a record.
void write_whole(std::ostream& stream, const std::string& text) {
    if (text.empty()) return;
    stream.write(text.data(), static_cast<std::streamsize>(text.size()));
    stream.flush();
}

}  // namespace

Sink::Sink(std::ostream& out, std::ostream& errors, SinkOptions options)
    : out_(out), errors_(errors), options_(options) {}

Sink::~Sink() {
    try {  // a last chance for held records; a destructor must not throw
        finish();
    } catch (...) {
    }
}

void Sink::write(const Result& result) {
    // Formatting is the expensive part and needs no lock.
    FormattedRecord record{formats::format_output(result, options_),
                           formats::format_errors(result, options_)};
    const std::lock_guard lock(mutex_);
    if (!options_.ordered || result.index < next_index_) {
        // Unordered, or a late duplicate of an index already passed: nothing to wait for.
        write_now(record);
        return;
    }
    if (result.index != next_index_) {
        held_.insert_or_assign(result.index, std::move(record));
        return;
    }
    write_now(record);
    ++next_index_;
    for (auto next = held_.begin(); next != held_.end() && next->first == next_index_;
         next = held_.erase(next)) {
        write_now(next->second);
        ++next_index_;
    }
}

void Sink::write_formatted(std::string_view output) {
    const std::lock_guard lock(mutex_);
    write_now({std::string(output), {}});
}

std::string format_record(const Result& result, const SinkOptions& options) {
    return formats::format_output(result, options);
}

void Sink::finish() {
    const std::lock_guard lock(mutex_);
    for (const auto& [index, record] : held_) {
        write_now(record);
        next_index_ = index + 1;
    }
    held_.clear();
    if (options_.format == Format::csv && !wrote_csv_header_) {
        write_whole(out_, std::string(formats::csv_header));
        wrote_csv_header_ = true;
    }
}

void Sink::write_now(const FormattedRecord& record) {
    if (options_.format == Format::csv && !wrote_csv_header_) {
        write_whole(out_, std::string(formats::csv_header));
        wrote_csv_header_ = true;
    }
    write_whole(out_, record.output);
    write_whole(errors_, record.errors);
}

}  // namespace corocrawl
