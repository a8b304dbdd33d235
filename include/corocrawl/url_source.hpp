// The input of a crawl: URL arguments, then a file or stdin, read one line at a time so a huge
// list is streamed rather than loaded before the first request.
#pragma once

#include <cstddef>
#include <istream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "corocrawl/result.hpp"
#include "corocrawl/shard.hpp"

namespace corocrawl {

namespace engine {
class CancelSignal;
}

class UrlSource {
  public:
    // `stream` (may be null) is read after `arguments`. With `stream_is_stdin`, `stream` is
    // ignored and descriptor 0 is read directly (not through std::cin), so that interrupt() can
    // end a wait on a pipe or terminal that stays silent; and an interruption reports only the
    // lines already taken from it, where a file's unread lines are all reported (as cancelled).
    // Only the lines `shard` takes are handed on (arguments, file and stdin alike); the others are
    // passed over as blank lines are: no index, no record.
    explicit UrlSource(std::vector<std::string> arguments, std::istream* stream = nullptr,
                       bool stream_is_stdin = false, Shard shard = {});
    ~UrlSource();
    UrlSource(const UrlSource&) = delete;
    UrlSource& operator=(const UrlSource&) = delete;

    // The next URL line, or nothing at the end of the input (or after interrupt()). Thread-safe.
    // A crawl reads it on a thread of its own, so a slow stdin holds up no fetching.
    std::optional<InputLine> next();

    // Before the first next(): the first `lines` URL lines were taken by an earlier run (of the
    // same shard: `lines` counts only the lines it took), which left a file at byte `offset`.
    // Arguments are skipped, a file is read on from `offset`, stdin (which cannot seek) is read
    // past those lines.
    void skip(std::size_t lines, std::uint64_t offset);

    // Ends any wait for stdin, now and from now on. Thread-safe.
    void interrupt() noexcept;
    // After an interruption: the lines still worth a `cancelled` record.
    std::vector<InputLine> rest_after_cancel();

  private:
    // How far to go for a line of stdin: wait for one, or only split what was already read.
    enum class StdinRead { wait, buffered };
    std::optional<InputLine> next_locked(StdinRead how);
    std::optional<std::string> next_stream_line();
    std::optional<std::string> next_stdin_line(StdinRead how);
    // The next argument this shard takes, trimmed; nothing when they are used up.
    std::optional<std::string> next_argument();

    std::mutex mutex_;
    std::vector<std::string> arguments_;
    std::size_t next_argument_ = 0;
    Shard shard_;
    std::istream* stream_;
    bool stream_is_stdin_;
    std::string stdin_buffer_;  // read from descriptor 0, not yet split into lines
    bool stdin_ended_ = false;
    std::unique_ptr<engine::CancelSignal> wake_;  // raised by interrupt()
    std::size_t next_index_ = 0;
    std::uint64_t stream_offset_ = 0;  // bytes of the file or stdin consumed
};

}  // namespace corocrawl
