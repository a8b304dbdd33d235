#include "sink/formats.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <span>

namespace corocrawl::formats {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at the start of `text`; when it is not well formed,
// 0 and `consumed` is the maximal ill-formed prefix that one U+FFFD replaces (Unicode §3.9).
std::size_t utf8_sequence_length(std::string_view text, std::size_t& consumed) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char second_low = 0x80;
    unsigned char second_high = 0xBF;
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) second_low = 0xA0;   // no overlong forms
        if (lead == 0xED) second_high = 0x9F;  // no UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) second_low = 0x90;   // no overlong forms
        if (lead == 0xF4) second_high = 0x8F;  // nothing above U+10FFFF
    } else {
        consumed = 1;
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char low = i == 1 ? second_low : 0x80;
        const unsigned char high = i == 1 ? second_high : 0xBF;
        if (i >= text.size() || byte(i) < low || byte(i) > high) {
            consumed = i;
            return 0;
        }
    }
    return length;
}

// The status column of text and CSV without expressions: the HTTP status, or, when no
// response arrived, the error kind's name.
std::string status_or_error_kind(const Result& result) {
    if (result.status == 0 && result.error) return std::string(to_string(result.error->kind));
    return std::to_string(result.status);
}

// The values a record shows: all of them, or with --first only the first.
std::span<const std::string> kept_values(const Extraction& extraction, const SinkOptions& options) {
    const std::span<const std::string> values(extraction.values);
    return options.first ? values.first(std::min<std::size_t>(values.size(), 1)) : values;
}

std::string format_text(const Result& result, const SinkOptions& options) {
    std::string output;
    if (!options.extracting) {
        return status_or_error_kind(result) + "\t" + escape_control_characters(result.url) + "\n";
    }
    const std::string url_prefix =
        options.with_url ? escape_control_characters(result.url) + "\t" : std::string();
    for (const Extraction& extraction : result.extractions) {
        for (const std::string& value : kept_values(extraction, options)) {
            output += url_prefix;
            if (options.with_field) {
                output += escape_control_characters(extraction.expression);
                output += '\t';
            }
            output += escape_control_characters(value);
            output += '\n';
        }
    }
    return output;
}

// One row: url, field, value, then where the URL came from (depth, referrer), so that the first
// three columns mean what they meant before a crawl could follow links.
std::string csv_row(const Result& result, std::string_view field, std::string_view value) {
    return csv_field(result.url) + "," + csv_field(field) + "," + csv_field(value) + "," +
           std::to_string(result.depth) + "," + csv_field(result.referrer) + "\r\n";
}

std::string format_csv(const Result& result, const SinkOptions& options) {
    if (!options.extracting) return csv_row(result, "", status_or_error_kind(result));
    std::string output;
    for (const Extraction& extraction : result.extractions) {
        for (const std::string& value : kept_values(extraction, options)) {
            output += csv_row(result, extraction.expression, value);
        }
    }
    return output;
}

boost::json::string json_string(std::string_view text) {
    return boost::json::string(valid_utf8(text));
}

std::string format_jsonl(const Result& result, const SinkOptions& options) {
    boost::json::object record;  // keeps insertion order: the documented key order
    record["url"] = json_string(result.url);
    record["final_url"] = json_string(result.final_url);
    record["status"] = result.status;
    record["ok"] = result.ok();
    record["elapsed_ms"] = result.elapsed.count();
    record["bytes"] = result.bytes;
    record["attempts"] = result.attempts;
    record["depth"] = result.depth;
    if (result.referrer.empty()) {
        record["referrer"] = nullptr;
    } else {
        record["referrer"] = json_string(result.referrer);
    }
    boost::json::object results;
    if (result.ok()) {
        for (const Extraction& extraction : result.extractions) {
            boost::json::value values;
            if (options.first) {
                // One title per page: a string, or null when the page had none.
                if (!extraction.values.empty()) values = json_string(extraction.values.front());
            } else {
                auto& array = values.emplace_array();
                array.reserve(extraction.values.size());
                for (const std::string& value : extraction.values)
                    array.push_back(json_string(value));
            }
            // The same expression given twice yields the same values: the first one stands.
            results.emplace(valid_utf8(extraction.expression), std::move(values));
        }
    }
    record["results"] = std::move(results);
    if (result.error) {
        record["error"] = boost::json::object{
            {"kind", to_string(result.error->kind)},
            {"message", json_string(result.error->message)},
        };
    } else {
        record["error"] = nullptr;
    }
    return boost::json::serialize(record) + "\n";
}

}  // namespace

std::string format_output(const Result& result, const SinkOptions& options) {
    switch (options.format) {
        case Format::text:
            return format_text(result, options);
        case Format::csv:
            return format_csv(result, options);
        case Format::jsonl:
            return format_jsonl(result, options);
    }
    return {};
}

std::string format_errors(const Result& result, const SinkOptions& options) {
    if (!result.error || options.format == Format::jsonl) return {};
    return "corocrawl: " + std::string(to_string(result.error->kind)) + ": " +
           escape_control_characters(result.url) + ": " +
           escape_control_characters(result.error->message) + "\n";
}

std::string escape_control_characters(std::string_view text) {
    static constexpr char hex_digits[] = "0123456789abcdef";
    std::string escaped;
    escaped.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const auto byte = static_cast<unsigned char>(c);
        const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
        if (byte == 0xC2 && next >= 0x80 && next <= 0x9F) {
            // A C1 control (U+0080–U+009F) in UTF-8: U+009B is CSI to some terminals.
            escaped += "\\u00";
            escaped += hex_digits[next >> 4];
            escaped += hex_digits[next & 0x0F];
            ++i;
        } else if (byte >= 0x20 && byte != 0x7F) {
            escaped += c;
        } else if (c == '\n') {
            escaped += "\\n";
        } else if (c == '\r') {
            escaped += "\\r";
        } else if (c == '\t') {
            escaped += "\\t";
        } else {
            escaped += "\\x";
            escaped += hex_digits[byte >> 4];
            escaped += hex_digits[byte & 0x0F];
        }
    }
    return escaped;
}

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string valid_utf8(std::string_view text) {
    std::string valid;
    valid.reserve(text.size());
    while (!text.empty()) {
        std::size_t consumed = 0;
        if (const std::size_t length = utf8_sequence_length(text, consumed); length != 0) {
            valid.append(text.substr(0, length));
            text.remove_prefix(length);
        } else {
            valid.append(replacement_character);
            text.remove_prefix(consumed);
        }
    }
    return valid;
}

}  // namespace corocrawl::formats
