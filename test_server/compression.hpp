// Compressed bodies for the test server's /gzip and /deflate routes (zlib, behind RAII).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace corocrawl::test_server {

enum class Compression {
    gzip,     // RFC 1952, Content-Encoding: gzip
    deflate,  // the zlib wrapper (RFC 1950), which is what HTTP's Content-Encoding: deflate means
};

std::string compress(std::string_view data, Compression format);

// `data` gzipped, then with bytes in the middle overwritten: the gzip header is intact, so a client
// only finds out when it decodes.
std::string corrupted_gzip(std::string_view data);

// A valid gzip stream that decodes to `size` zero bytes, compressed a chunk at a time: it never
// holds `size` bytes. About 1 MiB of output and 2 s of work per GiB.
std::string gzip_of_zeros(std::uint64_t size);

}  // namespace corocrawl::test_server
