#include "sink/record_reader.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "sink/formats.hpp"

namespace corocrawl {
namespace {

bool blank(std::string_view line) {
    return line.find_first_not_of(" \t\r\n\v\f") == std::string_view::npos;
}

std::string_view without_cr(std::string_view line) {
    return line.ends_with('\r') ? line.substr(0, line.size() - 1) : line;
}

// The header row as a line holds it, without its line end.
std::string_view csv_header_row() {
    return formats::csv_header.substr(0, formats::csv_header.find('\r'));
}

// The fields of one CSV row (RFC 4180, as formats::csv_field quotes them), or why it is not one.
std::variant<std::vector<std::string>, std::string> csv_fields(std::string_view row) {
    std::vector<std::string> fields;
    std::size_t i = 0;
    for (;;) {
        std::string field;
        if (i < row.size() && row[i] == '"') {
            for (++i;; ++i) {
                if (i >= row.size()) return std::string("a quoted field is not closed");
                if (row[i] == '"') {
                    if (i + 1 < row.size() && row[i + 1] == '"') {
                        field += '"';
                        ++i;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += row[i];
            }
            if (i < row.size() && row[i] != ',') return std::string("text after a closing quote");
        } else {
            for (; i < row.size() && row[i] != ','; ++i) {
                if (row[i] == '"') return std::string("a quote inside an unquoted field");
                field += row[i];
            }
        }
        fields.push_back(std::move(field));
        if (i >= row.size()) return fields;
        ++i;  // the comma
    }
}

bool digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A status row's value: the HTTP status of an ok record (2xx, or a 3xx left to the frontier by
// -r), else a failed one's status or error kind.
bool ok_status(std::string_view value) {
    return value.size() == 3 && digits(value) && value >= "200" && value <= "399";
}

}  // namespace

RecordReader::RecordReader(std::istream& in) : in_(in) {
    while (auto line = next_line()) {
        if (blank(*line)) continue;
        const std::string_view text = without_cr(*line);
        if (text == csv_header_row()) {
            format_ = RecordFormat::csv;
        } else if (text.substr(std::min(text.find_first_not_of(" \t"), text.size()))
                       .starts_with('{')) {
            format_ = RecordFormat::jsonl;
        } else {
            format_ = RecordFormat::unknown;
        }
        first_line_ = std::move(line);
        return;
    }
}

std::optional<std::string> RecordReader::next_line() {
    if (first_line_) return std::exchange(first_line_, std::nullopt);
    std::string line;
    if (!std::getline(in_, line)) return std::nullopt;
    ++line_;
    last_line_ended_ = !in_.eof();
    return line;
}

std::optional<std::variant<ReadRecord, NotARecord>> RecordReader::next() {
    switch (format_) {
        case RecordFormat::jsonl:
            return next_jsonl();
        case RecordFormat::csv:
            return next_csv();
        case RecordFormat::empty:
        case RecordFormat::unknown:
            break;
    }
    return std::nullopt;
}

std::optional<std::variant<ReadRecord, NotARecord>> RecordReader::next_jsonl() {
    for (;;) {
        auto line = next_line();
        if (!line) return std::nullopt;
        if (blank(*line)) continue;
        boost::system::error_code error;
        const boost::json::value value = boost::json::parse(*line, error);
        if (error) return NotARecord{line_, error.message()};
        const auto* object = value.if_object();
        if (!object) return NotARecord{line_, "not a JSON object"};
        const auto* url = object->if_contains("url");
        if (!url || !url->is_string()) return NotARecord{line_, "no \"url\" string"};
        const auto* ok = object->if_contains("ok");
        if (!ok || !ok->is_bool()) return NotARecord{line_, "no \"ok\" boolean"};
        return ReadRecord{std::string(url->get_string()), ok->get_bool(), *line + "\n", line_};
    }
}

std::optional<std::variant<RecordReader::CsvRow, NotARecord>> RecordReader::next_csv_row() {
    std::optional<std::string> line;
    do {
        line = next_line();
        if (!line) return std::nullopt;
    } while (blank(*line));
    CsvRow row;
    row.line = line_;
    std::string text = std::move(*line);
    // A quoted field may hold line ends: the row goes on while a quote is open (an odd count,
    // since a quote inside a quoted field is doubled).
    for (auto quotes = std::count(text.begin(), text.end(), '"'); quotes % 2 == 1;) {
        const auto more = next_line();
        if (!more) return NotARecord{row.line, "a quoted field is not closed"};
        text += '\n';
        text += *more;
        quotes += std::count(more->begin(), more->end(), '"');
    }
    const std::string_view body = without_cr(text);
    if (body == csv_header_row()) {
        row.header = true;
        return row;
    }
    auto parsed = csv_fields(body);
    if (auto* reason = std::get_if<std::string>(&parsed)) return NotARecord{row.line, *reason};
    const auto& fields = std::get<std::vector<std::string>>(parsed);
    if (fields.size() != 5) {
        return NotARecord{row.line, std::to_string(fields.size()) +
                                        " fields, not the 5 of url,field,value,depth,referrer"};
    }
    if (fields[0].empty()) return NotARecord{row.line, "no url"};
    if (!digits(fields[3])) return NotARecord{row.line, "depth '" + fields[3] + "' is not a count"};
    row.url = fields[0];
    row.ok = !fields[1].empty() || ok_status(fields[2]);
    row.text = std::move(text);
    if (!last_line_ended_ && !row.text.ends_with('\r')) row.text += '\r';
    row.text += '\n';
    return row;
}

std::optional<std::variant<ReadRecord, NotARecord>> RecordReader::next_csv() {
    auto first = pending_ ? std::exchange(pending_, std::nullopt) : next_csv_row();
    const auto is_header = [](const std::variant<CsvRow, NotARecord>& row) {
        const auto* csv = std::get_if<CsvRow>(&row);
        return csv && csv->header;
    };
    while (first && is_header(*first)) first = next_csv_row();
    if (!first) return std::nullopt;
    if (auto* bad = std::get_if<NotARecord>(&*first)) return std::move(*bad);
    auto& row = std::get<CsvRow>(*first);
    ReadRecord record{std::move(row.url), row.ok, std::move(row.text), row.line};
    // The record's other rows: those that follow with its URL, up to a header or a bad row.
    while (auto next = next_csv_row()) {
        auto* more = std::get_if<CsvRow>(&*next);
        if (!more || more->header || more->url != record.url) {
            pending_ = std::move(next);
            break;
        }
        record.ok = record.ok && more->ok;
        record.text += more->text;
    }
    return record;
}

}  // namespace corocrawl
