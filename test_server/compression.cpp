#include "compression.hpp"

#define ZLIB_CONST  // next_in is then a pointer to const
#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

namespace corocrawl::test_server {
namespace {

constexpr int zlib_window_bits = 15;
constexpr int gzip_window_bits = 15 + 16;  // zlib's way of asking for the gzip wrapper
constexpr int memory_level = 8;            // zlib's default

// Each compressor takes its input a piece at a time: feed(piece, last, output).

// One deflate stream, ended however the function using it returns.
class Deflater {
  public:
    Deflater(int window_bits, int strategy) {
        if (deflateInit2(&stream_, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, memory_level,
                         strategy) != Z_OK) {
            throw std::runtime_error("deflateInit2 failed");
        }
    }
    ~Deflater() { deflateEnd(&stream_); }
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;

    // Pieces must stay below 4 GiB (zlib counts in unsigned int).
    void feed(std::string_view input, bool last, std::string& output) {
        stream_.next_in = reinterpret_cast<const Bytef*>(input.data());
        stream_.avail_in = static_cast<uInt>(input.size());
        std::array<char, 64 * 1024> chunk;
        do {
            stream_.next_out = reinterpret_cast<Bytef*>(chunk.data());
            stream_.avail_out = static_cast<uInt>(chunk.size());
            if (deflate(&stream_, last ? Z_FINISH : Z_NO_FLUSH) == Z_STREAM_ERROR) {
                throw std::runtime_error("deflate failed");
            }
            output.append(chunk.data(), chunk.size() - stream_.avail_out);
        } while (stream_.avail_out == 0);  // a full chunk: there may be more to come
    }

  private:
    z_stream stream_{};
};

// One brotli encoder instance, destroyed however the function using it returns.
class BrotliCompressor {
  public:
    explicit BrotliCompressor(int quality)
        : state_(BrotliEncoderCreateInstance(nullptr, nullptr, nullptr)) {
        if (!state_ || !BrotliEncoderSetParameter(state_.get(), BROTLI_PARAM_QUALITY,
                                                  static_cast<std::uint32_t>(quality))) {
            throw std::runtime_error("brotli encoder failed to start");
        }
    }

    void feed(std::string_view input, bool last, std::string& output) {
        auto next_in = reinterpret_cast<const std::uint8_t*>(input.data());
        std::size_t avail_in = input.size();
        const auto operation = last ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_PROCESS;
        std::array<char, 64 * 1024> chunk;
        do {
            auto next_out = reinterpret_cast<std::uint8_t*>(chunk.data());
            std::size_t avail_out = chunk.size();
            if (!BrotliEncoderCompressStream(state_.get(), operation, &avail_in, &next_in,
                                             &avail_out, &next_out, nullptr)) {
                throw std::runtime_error("brotli compression failed");
            }
            output.append(chunk.data(), chunk.size() - avail_out);
        } while (avail_in > 0 || BrotliEncoderHasMoreOutput(state_.get()) ||
                 (last && !BrotliEncoderIsFinished(state_.get())));
    }

  private:
    struct Destroy {
        void operator()(BrotliEncoderState* state) const { BrotliEncoderDestroyInstance(state); }
    };
    std::unique_ptr<BrotliEncoderState, Destroy> state_;
};

// One zstd compression context, freed however the function using it returns.
class ZstdCompressor {
  public:
    explicit ZstdCompressor(int level) : context_(ZSTD_createCCtx()) {
        if (!context_ ||
            ZSTD_isError(ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_compressionLevel, level)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_checksumFlag, 1))) {
            throw std::runtime_error("zstd compressor failed to start");
        }
    }

    void feed(std::string_view input, bool last, std::string& output) {
        ZSTD_inBuffer in{input.data(), input.size(), 0};
        const auto mode = last ? ZSTD_e_end : ZSTD_e_continue;
        std::array<char, 64 * 1024> chunk;
        for (;;) {
            ZSTD_outBuffer out{chunk.data(), chunk.size(), 0};
            const std::size_t left = ZSTD_compressStream2(context_.get(), &out, &in, mode);
            if (ZSTD_isError(left)) throw std::runtime_error(ZSTD_getErrorName(left));
            output.append(chunk.data(), out.pos);
            if (last ? left == 0 : in.pos == in.size) break;
        }
    }

  private:
    struct Free {
        void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
    };
    std::unique_ptr<ZSTD_CCtx, Free> context_;
};

// Feeds `size` zero bytes to `compressor` a MiB at a time.
template <class Compressor>
std::string zeros_through(Compressor&& compressor, std::uint64_t size) {
    const std::string zeros(1 << 20, '\0');
    std::string compressed;
    auto left = size;
    for (; left > zeros.size(); left -= zeros.size()) compressor.feed(zeros, false, compressed);
    compressor.feed(std::string_view(zeros).substr(0, left), true, compressed);
    return compressed;
}

}  // namespace

std::string_view content_encoding(Compression format) {
    switch (format) {
        case Compression::gzip:
            return "gzip";
        case Compression::deflate:
            return "deflate";
        case Compression::brotli:
            return "br";
        case Compression::zstd:
            return "zstd";
    }
    return "identity";
}

std::string compress(std::string_view data, Compression format) {
    std::string compressed;
    switch (format) {
        case Compression::gzip:
        case Compression::deflate:
            Deflater(format == Compression::gzip ? gzip_window_bits : zlib_window_bits,
                     Z_DEFAULT_STRATEGY)
                .feed(data, true, compressed);
            break;
        case Compression::brotli:
            BrotliCompressor(BROTLI_MAX_QUALITY).feed(data, true, compressed);
            break;
        case Compression::zstd:
            ZstdCompressor(ZSTD_maxCLevel()).feed(data, true, compressed);
            break;
    }
    return compressed;
}

std::string corrupted(std::string_view data, Compression format) {
    auto stream = compress(data, format);
    constexpr std::size_t header_size = 10, damage = 8;  // gzip's header is the longest, 10 bytes
    auto middle = std::max(header_size, stream.size() / 2 - damage / 2);
    for (std::size_t i = middle; i < std::min(middle + damage, stream.size()); ++i) {
        stream[i] = static_cast<char>(~stream[i]);
    }
    return stream;
}

std::string compressed_zeros(std::uint64_t size, Compression format) {
    switch (format) {
        case Compression::gzip:
        case Compression::deflate:
            // Zeros are one long run: run-length matching is all it takes, and the fastest.
            return zeros_through(
                Deflater(format == Compression::gzip ? gzip_window_bits : zlib_window_bits, Z_RLE),
                size);
        case Compression::brotli:
            return zeros_through(BrotliCompressor(1), size);
        case Compression::zstd:
            return zeros_through(ZstdCompressor(1), size);
    }
    return {};
}

}  // namespace corocrawl::test_server
