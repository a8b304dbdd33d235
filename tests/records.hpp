// Reading the records of `crawl -f jsonl` in tests.
#pragma once

#include <boost/json/object.hpp>
#include <string>

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

}  // namespace corocrawl::testing
