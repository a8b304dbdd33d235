// Compressed bodies, sent whatever the request's Accept-Encoding says (see routes.cpp for what
// every route shares):
//
//   /gzip/page/N         /page/N's exact HTML with Content-Encoding: gzip
//   /deflate/page/N      the same with Content-Encoding: deflate (the zlib wrapper)
//   /gzip/corrupt        Content-Encoding: gzip; a correct gzip header, corrupted bytes midway
//   /gzip/bomb?size=N    a valid gzip body that decodes to N zero bytes (default 1 GiB, at most
//                        4 GiB); about 1 MiB per GiB on the wire; built once per size, which takes
//                        about 2 s per GiB
#include <cstdint>
#include <string_view>

#include "compression.hpp"
#include "route_handlers.hpp"

namespace corocrawl::test_server::handlers {
namespace {

constexpr std::uint64_t default_bomb_size = std::uint64_t{1} << 30;
constexpr std::uint64_t max_bomb_size = std::uint64_t{4} << 30;

Reply compressed_page(const Call& call, Compression format, std::string_view encoding) {
    auto reply = synthetic_page(call);
    if (reply.response.result() != http::status::ok) return reply;
    reply.response.body() = compress(reply.response.body(), format);
    reply.response.set(http::field::content_encoding, encoding);
    return reply;
}

}  // namespace

Reply gzip_page(const Call& call) {
    return compressed_page(call, Compression::gzip, "gzip");
}

Reply deflate_page(const Call& call) {
    return compressed_page(call, Compression::deflate, "deflate");
}

Reply corrupt_gzip(const Call& call) {
    const Call page_one{call.request, call.target, "1", call.page_delay, call.memory};
    auto reply = synthetic_page(page_one);
    reply.response.body() = corrupted_gzip(reply.response.body());
    reply.response.set(http::field::content_encoding, "gzip");
    return reply;
}

Reply gzip_bomb(const Call& call) {
    auto size_text = call.target.param("size");
    auto size = size_text ? parse_number(*size_text) : default_bomb_size;
    if (!size || *size > max_bomb_size) return {bad_request("size must be 0–4294967296 bytes.")};
    auto response = make_response(http::status::ok, *call.memory.gzip_bomb(*size));
    response.set(http::field::content_encoding, "gzip");
    return {std::move(response)};
}

}  // namespace corocrawl::test_server::handlers
