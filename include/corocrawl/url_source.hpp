// The input of a crawl: URL arguments, then a file or stdin, read one line at a time so a huge
// list is streamed rather than loaded before the first request.
#pragma once

#include <cstddef>
#include <istream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace corocrawl {

struct InputLine {
    std::size_t index;  // 0-based position among the URL lines (blank and # lines not counted)
    std::string text;   // trimmed of surrounding white space
};

class UrlSource {
public:
    // `stream` (may be null) is read after `arguments`. `stream_is_stdin` decides what an
    // interruption does: a file's unread lines are still reported (as cancelled), stdin's are not.
    explicit UrlSource(std::vector<std::string> arguments, std::istream* stream = nullptr,
                       bool stream_is_stdin = false);

    // The next URL line, or nothing at the end of the input. Thread-safe.
    std::optional<InputLine> next();
    // After an interruption: the lines still worth a `cancelled` record.
    std::vector<InputLine> rest_after_cancel();

private:
    std::optional<InputLine> next_locked();

    std::mutex mutex_;
    std::vector<std::string> arguments_;
    std::size_t next_argument_ = 0;
    std::istream* stream_;
    bool stream_is_stdin_;
    std::size_t next_index_ = 0;
};

}  // namespace corocrawl
