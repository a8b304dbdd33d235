#include "fetch/body_decoder.hpp"

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <memory>

namespace corocrawl::fetch {
namespace {

Error too_large(std::size_t max_output) {
    return {ErrorKind::body_too_large,
            "decoded body larger than " + std::to_string(max_output) + " bytes"};
}

// Appends `produced` bytes of `chunk` unless that would pass the limit.
bool append_bounded(std::string& output, const char* chunk, std::size_t produced,
                    std::size_t max_output, Error& error) {
    if (output.size() + produced > max_output) {
        error = too_large(max_output);
        return false;
    }
    output.append(chunk, produced);
    return true;
}

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
            if (!append_bounded(output, chunk.data(), chunk.size() - stream_.avail_out, max_output,
                                error)) {
                return false;
            }
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

// A Brotli decoder instance (RFC 7932), destroyed whatever happens.
class BrotliInflater {
  public:
    BrotliInflater() : state_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {}

    bool inflate_all(std::string_view input, std::size_t max_output, std::string& output,
                     Error& error) {
        if (!state_) {
            error = {ErrorKind::decode, "brotli could not be initialised"};
            return false;
        }
        auto next_in = reinterpret_cast<const std::uint8_t*>(input.data());
        std::size_t avail_in = input.size();
        std::array<char, 64 * 1024> chunk;
        for (;;) {
            auto next_out = reinterpret_cast<std::uint8_t*>(chunk.data());
            std::size_t avail_out = chunk.size();
            const auto status = BrotliDecoderDecompressStream(state_.get(), &avail_in, &next_in,
                                                              &avail_out, &next_out, nullptr);
            if (!append_bounded(output, chunk.data(), chunk.size() - avail_out, max_output,
                                error)) {
                return false;
            }
            switch (status) {
                case BROTLI_DECODER_RESULT_SUCCESS:
                    if (avail_in == 0) return true;
                    error = {ErrorKind::decode, "bytes after the end of the brotli stream"};
                    return false;
                case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
                    continue;
                case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
                    error = {ErrorKind::decode, "compressed body ends before its stream does"};
                    return false;
                default:
                    error = {ErrorKind::decode,
                             std::string("corrupt compressed body: ") +
                                 BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state_.get()))};
                    return false;
            }
        }
    }

  private:
    struct Destroy {
        void operator()(BrotliDecoderState* state) const { BrotliDecoderDestroyInstance(state); }
    };
    std::unique_ptr<BrotliDecoderState, Destroy> state_;
};

// A zstd decompression stream (RFC 8878), freed whatever happens.
class ZstdInflater {
  public:
    ZstdInflater() : stream_(ZSTD_createDStream()) {
        // RFC 9659: HTTP's zstd uses at most an 8 MiB window; a frame asking for more would make
        // every connection allocate up to 128 MiB (zstd's own default cap) before a byte decodes.
        if (stream_) ZSTD_DCtx_setParameter(stream_.get(), ZSTD_d_windowLogMax, 23);
    }

    bool inflate_all(std::string_view input, std::size_t max_output, std::string& output,
                     Error& error) {
        if (!stream_) {
            error = {ErrorKind::decode, "zstd could not be initialised"};
            return false;
        }
        ZSTD_inBuffer in{input.data(), input.size(), 0};
        std::array<char, 64 * 1024> chunk;
        std::size_t pending = 1;  // 0 once a frame is complete and flushed
        while (in.pos < in.size || pending != 0) {
            ZSTD_outBuffer out{chunk.data(), chunk.size(), 0};
            pending = ZSTD_decompressStream(stream_.get(), &out, &in);
            if (ZSTD_isError(pending)) {
                error = {ErrorKind::decode,
                         std::string("corrupt compressed body: ") + ZSTD_getErrorName(pending)};
                return false;
            }
            if (!append_bounded(output, chunk.data(), out.pos, max_output, error)) return false;
            // All input consumed, the output buffer not filled, yet the frame is not complete.
            if (pending != 0 && in.pos == in.size && out.pos < out.size) {
                error = {ErrorKind::decode, "compressed body ends before its stream does"};
                return false;
            }
        }
        return true;
    }

  private:
    struct Free {
        void operator()(ZSTD_DStream* stream) const { ZSTD_freeDStream(stream); }
    };
    std::unique_ptr<ZSTD_DStream, Free> stream_;
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
    std::string decoded;
    Error error{ErrorKind::decode, {}};
    if (encoding == "br") {
        if (BrotliInflater().inflate_all(body, max_decoded, decoded, error)) return decoded;
        return error;
    }
    if (encoding == "zstd") {
        if (ZstdInflater().inflate_all(body, max_decoded, decoded, error)) return decoded;
        return error;
    }
    if (encoding != "gzip" && encoding != "x-gzip" && encoding != "deflate") {
        return Error{ErrorKind::decode,
                     "unsupported Content-Encoding: " + std::string(content_encoding)};
    }
    if (Inflater(15 + 32).inflate_all(body, max_decoded, decoded, error)) return decoded;
    // Some servers send "deflate" as a raw deflate stream, without the zlib wrapper.
    if (encoding == "deflate" && error.kind == ErrorKind::decode) {
        decoded.clear();
        if (Inflater(-15).inflate_all(body, max_decoded, decoded, error)) return decoded;
    }
    return error;
}

}  // namespace corocrawl::fetch
