// How one Result reads in each output format. Pure functions: the Sink decides when and where
// the text goes.
#pragma once

#include <string>
#include <string_view>

#include "corocrawl/result.hpp"
#include "corocrawl/sink.hpp"

namespace corocrawl::formats {

// What one record writes to the output stream (possibly nothing, e.g. a page without values).
std::string format_output(const Result& result, const SinkOptions& options);

// What one record writes to the error stream: in text and CSV, "corocrawl: KIND: URL: MESSAGE"
// for a failure; nothing otherwise.
std::string format_errors(const Result& result, const SinkOptions& options);

// The first CSV row, written before the first record.
inline constexpr std::string_view csv_header = "url,field,value,depth,referrer\r\n";

// Text format's guard against terminal control: \n, \r, \t as two-character escapes, other
// bytes below 0x20 and 0x7f as \xNN, the C1 controls U+0080–U+009F as \u00NN; everything else
// (other UTF-8 included) unchanged.
std::string escape_control_characters(std::string_view text);

// RFC 4180 field: quoted (with '"' doubled) when it holds ',', '"', CR or LF.
std::string csv_field(std::string_view text);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD, so JSON built from it is valid
// (Boost.JSON's serializer copies bytes >= 0x80 through unchecked).
std::string valid_utf8(std::string_view text);

}  // namespace corocrawl::formats
