#include "fetch/body_decoder.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

namespace corocrawl::fetch {
namespace {

// A z_stream set up for inflating, ended whatever happens.
class Inflater {
  public:
    // window_bits: 15 + 32 detects zlib or gzip; -15 is raw deflate.
    explicit Inflater(int window_bits) { ok_ = inflateInit2(&stream_, window_bits) == Z_OK; }
    ~Inflater() {
        if (ok_) inflateEnd(&stream_);
    }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;

    // Inflates all of `input`; false with `error` set on failure.
    bool inflate_all(std::string_view input, std::size_t max_output, std::string& output,
                     Error& error) {
        if (!ok_) {
            error = {ErrorKind::decode, "zlib could not be initialised"};
            return false;
        }
        stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
        stream_.avail_in = static_cast<uInt>(input.size());
        std::array<char, 64 * 1024> chunk;
        for (;;) {
            stream_.next_out = reinterpret_cast<Bytef*>(chunk.data());
            stream_.avail_out = static_cast<uInt>(chunk.size());
            const int status = inflate(&stream_, Z_NO_FLUSH);
            const std::size_t produced = chunk.size() - stream_.avail_out;
            if (output.size() + produced > max_output) {
                error = {ErrorKind::body_too_large,
                         "decoded body larger than " + std::to_string(max_output) + " bytes"};
                return false;
            }
            output.append(chunk.data(), produced);
            if (status == Z_STREAM_END) {
                if (stream_.avail_in == 0) return true;
                inflateReset(&stream_);  // another gzip member follows
                continue;
            }
            if (status == Z_BUF_ERROR && stream_.avail_in == 0) {
                error = {ErrorKind::decode, "compressed body ends before its stream does"};
                return false;
            }
            if (status != Z_OK && status != Z_BUF_ERROR) {
                error = {ErrorKind::decode, std::string("corrupt compressed body: ") +
                                                (stream_.msg ? stream_.msg : zError(status))};
                return false;
            }
        }
    }

  private:
    z_stream stream_{};
    bool ok_ = false;
};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

std::variant<std::string, Error> decode_body(std::string body, std::string_view content_encoding,
                                             std::size_t max_decoded) {
    const std::string encoding = lower(content_encoding);
    if (encoding.empty() || encoding == "identity") return body;
    if (encoding != "gzip" && encoding != "x-gzip" && encoding != "deflate") {
        return Error{ErrorKind::decode,
                     "unsupported Content-Encoding: " + std::string(content_encoding)};
    }
    std::string decoded;
    Error error{ErrorKind::decode, {}};
    if (Inflater(15 + 32).inflate_all(body, max_decoded, decoded, error)) return decoded;
    // Some servers send "deflate" as a raw deflate stream, without the zlib wrapper.
    if (encoding == "deflate" && error.kind == ErrorKind::decode) {
        decoded.clear();
        if (Inflater(-15).inflate_all(body, max_decoded, decoded, error)) return decoded;
    }
    return error;
}

}  // namespace corocrawl::fetch
