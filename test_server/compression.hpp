// Compressed bodies for the test server's /gzip, /deflate, /br and /zstd routes (zlib, brotli and
// zstd, each behind RAII).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace corocrawl::test_server {

enum class Compression {
    gzip,     // RFC 1952, Content-Encoding: gzip
    deflate,  // the zlib wrapper (RFC 1950), which is what HTTP's Content-Encoding: deflate means
    brotli,   // RFC 7932, Content-Encoding: br
    zstd,     // RFC 8878, Content-Encoding: zstd; frames carry a checksum
};

// The Content-Encoding token for `format`: "gzip", "deflate", "br", "zstd".
std::string_view content_encoding(Compression format);

std::string compress(std::string_view data, Compression format);

// `data` compressed, then with bytes in the middle overwritten: the stream's header is intact, so
// a client only finds out when it decodes. Every format above detects it (brotli, which has no
// checksum, through its invalid codes: tests/test_server_test.cpp checks that it does).
std::string corrupted(std::string_view data, Compression format);

// A valid stream that decodes to `size` zero bytes, compressed a chunk at a time: it never holds
// `size` bytes. gzip: about 1 MiB of output and 2 s of work per GiB; brotli and zstd are smaller
// and faster.
std::string compressed_zeros(std::uint64_t size, Compression format);

}  // namespace corocrawl::test_server
