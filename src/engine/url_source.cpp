#include "corocrawl/url_source.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

#include "engine/cancel_signal.hpp"

namespace corocrawl {
namespace {

std::string_view trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n\v\f");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n\v\f") - first + 1);
}

}  // namespace

UrlSource::UrlSource(std::vector<std::string> arguments, std::istream* stream, bool stream_is_stdin,
                     Shard shard)
    : arguments_(std::move(arguments)),
      shard_(shard),
      stream_(stream_is_stdin ? nullptr : stream),
      stream_is_stdin_(stream_is_stdin),
      wake_(std::make_unique<engine::CancelSignal>()) {}

UrlSource::~UrlSource() = default;

std::optional<InputLine> UrlSource::next() {
    std::lock_guard lock(mutex_);
    return next_locked(StdinRead::wait);
}

void UrlSource::interrupt() noexcept {
    wake_->raise();
}

std::optional<InputLine> UrlSource::next_locked(StdinRead how) {
    // Arguments are taken as given (a blank argument is still a bad URL worth reporting); lines of
    // a file or stdin skip blanks and # comments. Either skips what another shard takes.
    if (auto argument = next_argument()) return InputLine{next_index_++, std::move(*argument)};
    for (;;) {
        auto line = stream_is_stdin_ ? next_stdin_line(how) : next_stream_line();
        if (!line) return std::nullopt;
        const auto text = trimmed(*line);
        if (text.empty() || text.front() == '#' || !shard_.takes(text)) continue;
        return InputLine{next_index_++, std::string(text), stream_offset_};
    }
}

std::optional<std::string> UrlSource::next_argument() {
    while (next_argument_ < arguments_.size()) {
        std::string text(trimmed(arguments_[next_argument_++]));
        if (shard_.takes(text)) return text;
    }
    return std::nullopt;
}

void UrlSource::skip(std::size_t lines, std::uint64_t offset) {
    std::lock_guard lock(mutex_);
    std::size_t rest = lines;
    for (; rest > 0 && next_argument(); --rest) ++next_index_;
    if (rest == 0) return;
    if (stream_) {
        if (stream_->seekg(static_cast<std::streamoff>(offset))) {
            stream_offset_ = offset;
            next_index_ += rest;
            return;
        }
        stream_->clear();  // a stream that cannot seek is read past the lines instead
    }
    while (rest > 0 && next_locked(StdinRead::wait)) --rest;
}

std::optional<std::string> UrlSource::next_stream_line() {
    std::string line;
    if (!stream_ || !std::getline(*stream_, line)) return std::nullopt;
    stream_offset_ += line.size() + (stream_->eof() ? 0 : 1);  // the newline, when there was one
    return line;
}

std::optional<std::string> UrlSource::next_stdin_line(StdinRead how) {
    for (;;) {
        if (const auto end = stdin_buffer_.find('\n'); end != std::string::npos) {
            std::string line = stdin_buffer_.substr(0, end);
            stdin_buffer_.erase(0, end + 1);
            stream_offset_ += end + 1;
            return line;
        }
        if (stdin_ended_) {
            if (stdin_buffer_.empty()) return std::nullopt;
            stream_offset_ += stdin_buffer_.size();
            return std::exchange(stdin_buffer_, {});  // a last line without its newline
        }
        if (how == StdinRead::buffered) return std::nullopt;
        std::array<pollfd, 2> ready{{{STDIN_FILENO, POLLIN, 0}, {wake_->fd(), POLLIN, 0}}};
        const int count = ::poll(ready.data(), ready.size(), -1);
        if (count < 0 && errno == EINTR) continue;
        if (count < 0) {
            stdin_ended_ = true;
            continue;
        }
        if (ready[1].revents & POLLIN) return std::nullopt;  // interrupted
        std::array<char, 64 * 1024> chunk;
        const ssize_t n = ::read(STDIN_FILENO, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            stdin_ended_ = true;
        } else {
            stdin_buffer_.append(chunk.data(), static_cast<std::size_t>(n));
        }
    }
}

std::vector<InputLine> UrlSource::rest_after_cancel() {
    std::lock_guard lock(mutex_);
    std::vector<InputLine> rest;
    while (auto argument = next_argument()) rest.push_back({next_index_++, std::move(*argument)});
    // A file's rest is all known; of stdin, whoever feeds it may never stop, so only the lines
    // already taken from it (and so gone from the pipe) are reported.
    for (;;) {
        auto line = stream_is_stdin_ ? next_stdin_line(StdinRead::buffered) : next_stream_line();
        if (!line) break;
        const auto text = trimmed(*line);
        if (!text.empty() && text.front() != '#' && shard_.takes(text))
            rest.push_back({next_index_++, std::string(text)});
    }
    return rest;
}

}  // namespace corocrawl
