#include "compression.hpp"

#define ZLIB_CONST  // next_in is then a pointer to const
#include <zlib.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace corocrawl::test_server {
namespace {

constexpr int zlib_window_bits = 15;
constexpr int gzip_window_bits = 15 + 16;  // zlib's way of asking for the gzip wrapper
constexpr int memory_level = 8;            // zlib's default

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

    // Compresses `input` onto the end of `output`; `flush` is Z_NO_FLUSH, or Z_FINISH for the last
    // piece. Pieces must stay below 4 GiB (zlib counts in unsigned int).
    void feed(std::string_view input, int flush, std::string& output) {
        stream_.next_in = reinterpret_cast<const Bytef*>(input.data());
        stream_.avail_in = static_cast<uInt>(input.size());
        std::array<char, 64 * 1024> chunk;
        do {
            stream_.next_out = reinterpret_cast<Bytef*>(chunk.data());
            stream_.avail_out = static_cast<uInt>(chunk.size());
            if (deflate(&stream_, flush) == Z_STREAM_ERROR) {
                throw std::runtime_error("deflate failed");
            }
            output.append(chunk.data(), chunk.size() - stream_.avail_out);
        } while (stream_.avail_out == 0);  // a full chunk: there may be more to come
    }

  private:
    z_stream stream_{};
};

}  // namespace

std::string compress(std::string_view data, Compression format) {
    Deflater deflater(format == Compression::gzip ? gzip_window_bits : zlib_window_bits,
                      Z_DEFAULT_STRATEGY);
    std::string compressed;
    deflater.feed(data, Z_FINISH, compressed);
    return compressed;
}

std::string corrupted_gzip(std::string_view data) {
    auto gzip = compress(data, Compression::gzip);
    constexpr std::size_t header_size = 10, damage = 8;
    auto middle = std::max(header_size, gzip.size() / 2 - damage / 2);
    for (std::size_t i = middle; i < std::min(middle + damage, gzip.size()); ++i) {
        gzip[i] = static_cast<char>(~gzip[i]);
    }
    return gzip;
}

std::string gzip_of_zeros(std::uint64_t size) {
    // Zeros are one long run: run-length matching is all it takes, and the fastest strategy.
    Deflater deflater(gzip_window_bits, Z_RLE);
    const std::string zeros(1 << 20, '\0');
    std::string compressed;
    auto left = size;
    for (; left > zeros.size(); left -= zeros.size()) deflater.feed(zeros, Z_NO_FLUSH, compressed);
    deflater.feed(std::string_view(zeros).substr(0, left), Z_FINISH, compressed);
    return compressed;
}

}  // namespace corocrawl::test_server
