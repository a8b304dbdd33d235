// Compressed and chunked bodies, sent whatever the request's Accept-Encoding says (see routes.cpp
// for what every route shares):
//
//   /chunked/page/N      /page/N's exact HTML with Transfer-Encoding: chunked (HTTP/1.1)
//   /gzip/page/N         /page/N's exact HTML with Content-Encoding: gzip
//   /deflate/page/N      the same with Content-Encoding: deflate (the zlib wrapper)
//   /br/page/N           the same with Content-Encoding: br (brotli)
//   /zstd/page/N         the same with Content-Encoding: zstd (a checksummed frame)
//   /gzip/corrupt        Content-Encoding: gzip; a correct gzip header, corrupted bytes midway;
//   /br/corrupt          likewise in brotli and zstd
//   /zstd/corrupt
//   /gzip/bomb?size=N    a valid gzip body that decodes to N zero bytes (default 1 GiB, at most
//                        4 GiB); about 1 MiB per GiB on the wire; built once per size, which takes
//                        about 2 s per GiB
//   /br/bomb?size=N      likewise in brotli and zstd (far smaller on the wire, built faster)
//   /zstd/bomb?size=N
#include <cstdint>
#include <string_view>

#include "compression.hpp"
#include "route_handlers.hpp"

namespace corocrawl::test_server::handlers {
namespace {

constexpr std::uint64_t default_bomb_size = std::uint64_t{1} << 30;
constexpr std::uint64_t max_bomb_size = std::uint64_t{4} << 30;

}  // namespace

Reply chunked_page(const Call& call) {
    auto reply = synthetic_page(call);
    reply.response.chunked(true);  // route() keeps it so, without a Content-Length
    return reply;
}

template <Compression format>
Reply compressed_page(const Call& call) {
    auto reply = synthetic_page(call);
    if (reply.response.result() != http::status::ok) return reply;
    reply.response.body() = compress(reply.response.body(), format);
    reply.response.set(http::field::content_encoding, content_encoding(format));
    return reply;
}

template <Compression format>
Reply corrupt_page(const Call& call) {
    const Call page_one{call.request, call.target, "1", call.page_delay, call.memory, call.hosts};
    auto reply = synthetic_page(page_one);
    reply.response.body() = corrupted(reply.response.body(), format);
    reply.response.set(http::field::content_encoding, content_encoding(format));
    return reply;
}

template <Compression format>
Reply bomb(const Call& call) {
    auto size_text = call.target.param("size");
    auto size = size_text ? parse_number(*size_text) : default_bomb_size;
    if (!size || *size > max_bomb_size) return {bad_request("size must be 0–4294967296 bytes.")};
    auto response = make_response(http::status::ok, *call.memory.bomb(format, *size));
    response.set(http::field::content_encoding, content_encoding(format));
    return {std::move(response)};
}

// The formats routes.cpp names.
template Reply compressed_page<Compression::gzip>(const Call&);
template Reply compressed_page<Compression::deflate>(const Call&);
template Reply compressed_page<Compression::brotli>(const Call&);
template Reply compressed_page<Compression::zstd>(const Call&);
template Reply corrupt_page<Compression::gzip>(const Call&);
template Reply corrupt_page<Compression::brotli>(const Call&);
template Reply corrupt_page<Compression::zstd>(const Call&);
template Reply bomb<Compression::gzip>(const Call&);
template Reply bomb<Compression::brotli>(const Call&);
template Reply bomb<Compression::zstd>(const Call&);

}  // namespace corocrawl::test_server::handlers
