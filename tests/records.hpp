// Reading the records of `crawl -f jsonl` in tests.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <variant>

#include "corocrawl/url.hpp"

namespace corocrawl::testing {

// "ok" for a record without an error, else its error's kind ("timeout", "tls", ...).
inline std::string kind_of(const boost::json::object& record) {
    const auto& error = record.at("error");
    return error.is_null() ? "ok" : std::string(error.at("kind").as_string());
}

// The error's message; "" for a record without an error.
inline std::string message_of(const boost::json::object& record) {
    const auto& error = record.at("error");
    return error.is_null() ? "" : std::string(error.at("message").as_string());
}

// The canonical form of a URL a crawl recorded (so the Q and Q' spellings of a site page
// compare equal).
inline std::string canonical(const std::string& url) {
    return canonical_url(std::get<Url>(parse_url(url)));
}

}  // namespace corocrawl::testing
