#include "corocrawl/url_source.hpp"

namespace corocrawl {
namespace {

std::string_view trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n\v\f");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n\v\f") - first + 1);
}

}  // namespace

UrlSource::UrlSource(std::vector<std::string> arguments, std::istream* stream, bool stream_is_stdin)
    : arguments_(std::move(arguments)), stream_(stream), stream_is_stdin_(stream_is_stdin) {}

std::optional<InputLine> UrlSource::next() {
    std::lock_guard lock(mutex_);
    return next_locked();
}

std::optional<InputLine> UrlSource::next_locked() {
    // Arguments are taken as given (a blank argument is still a bad URL worth reporting); lines of
    // a file skip blanks and # comments.
    if (next_argument_ < arguments_.size()) {
        return InputLine{next_index_++, std::string(trimmed(arguments_[next_argument_++]))};
    }
    std::string line;
    while (stream_ && std::getline(*stream_, line)) {
        const auto text = trimmed(line);
        if (text.empty() || text.front() == '#') continue;
        return InputLine{next_index_++, std::string(text)};
    }
    return std::nullopt;
}

std::vector<InputLine> UrlSource::rest_after_cancel() {
    std::lock_guard lock(mutex_);
    if (stream_is_stdin_) stream_ = nullptr;  // whoever feeds stdin may never stop
    std::vector<InputLine> rest;
    while (auto line = next_locked()) rest.push_back(std::move(*line));
    return rest;
}

}  // namespace corocrawl
