// The route table of the bundled test server: which path goes to which handler, and what every
// route shares. Every route answers GET and HEAD (HEAD: the GET's headers, Content-Length included,
// without the body) unless noted, and takes `?delay=MS`, which replaces its delay for that request
// (0 ≤ MS ≤ 3,600,000; anything else is a 400). The query is read with Boost.URL: `%XX` escapes
// and '+' for a space are decoded; a target that is not a valid origin-form URL (RFC 3986's
// characters in the path and query, well-formed escapes) is a 400.
//
// The routes, by family (each file documents its own):
//   routes_seed.cpp          /  /bobo /jay /tom  /page/N  /links
//   routes_http.cpp          /status/CODE  /redirect/N  /redirect-to  /loop/a /loop/b  /bytes/N
//                            /echo  /hang  /flaky/KEY  /json  /image.png
//   routes_compression.cpp   /chunked/page/N, /{gzip,deflate,br,zstd}/page/N,
//                            /{gzip,br,zstd}/corrupt, /{gzip,br,zstd}/bomb
//   routes_charset.cpp       /charset/NAME
//   routes_hostile.cpp       /hostile/entities  /hostile/control
//   routes_site.cpp          /site/...: the synthetic site for link following (site.hpp)
//   routes_robots.cpp        /robots.txt, chosen by the Host header (robots-CASE.* names a
//                            built-in case; Server::set_robots registers one per host)
//                            /robots/private.txt  /robots/loop/a /robots/loop/b  /robots/hop/N
//   routes_hosts.cpp         /hosts: per Host, the requests recorded (ServerOptions::record_hosts)
//
// Any other path: 404. A method other than GET or HEAD on a route that takes only those: 405 with
// `Allow: GET, HEAD`. Pages are text/html; charset=utf-8 unless said otherwise.
#include "routes.hpp"

#include <boost/url/parse.hpp>
#include <cstdint>
#include <exception>
#include <optional>
#include <string_view>
#include <utility>

#include "route_handlers.hpp"

namespace corocrawl::test_server {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using namespace handlers;

constexpr milliseconds max_delay = 1h;

struct Route {
    std::string_view path;  // exact, or, ending in '/', a prefix followed by one parameter segment
    Reply (*handler)(const Call&);
    bool any_method = false;  // else GET and HEAD only
    bool subtree = false;     // the prefix (ending in '/') followed by any path, itself included
};

constexpr Route routes[] = {
    {"/", index_page},
    {"/bobo", seed_page},
    {"/jay", seed_page},
    {"/tom", seed_page},
    {"/page/", synthetic_page},
    {"/status/", status_code},
    {"/redirect/", redirect_chain},
    {"/redirect-to", redirect_to},
    {"/loop/a", redirect_loop},
    {"/loop/b", redirect_loop},
    {"/bytes/", sized_page},
    {"/echo", echo, true},
    {"/hang", hang},
    {"/links", relative_links},
    {"/chunked/page/", chunked_page},
    {"/gzip/page/", compressed_page<Compression::gzip>},
    {"/deflate/page/", compressed_page<Compression::deflate>},
    {"/br/page/", compressed_page<Compression::brotli>},
    {"/zstd/page/", compressed_page<Compression::zstd>},
    {"/gzip/corrupt", corrupt_page<Compression::gzip>},
    {"/br/corrupt", corrupt_page<Compression::brotli>},
    {"/zstd/corrupt", corrupt_page<Compression::zstd>},
    {"/gzip/bomb", bomb<Compression::gzip>},
    {"/br/bomb", bomb<Compression::brotli>},
    {"/zstd/bomb", bomb<Compression::zstd>},
    {"/flaky/", flaky, true},
    {"/charset/", charset_page},
    {"/json", json_document},
    {"/image.png", png_image},
    {"/hostile/", hostile_page},
    {"/site/page/", site_page},
    {"/site/missing/", site_missing},
    {"/site/unreachable/", site_unreachable},
    {"/site/redirect/", site_redirect},
    {"/site/away/", site_away},
    {"/site/data/", site_data},
    {"/site/image/", site_image},
    {"/site/nofollow/", site_nofollow},
    {"/site/meta-nofollow/", site_meta_nofollow},
    {"/site/nofollow-meta/", site_nofollow_meta},
    {"/site/orphan/", site_orphan},
    {"/site/trap/", site_trap, false, true},
    {"/site/sitemap.xml", site_sitemap},
    {"/site/sitemap-index.xml", site_sitemap_index},
    {"/site/sitemap-pages.xml", site_sitemap_pages},
    {"/site/sitemap-orphans.xml.gz", site_sitemap_orphans},
    {"/robots.txt", robots_txt},
    {"/robots/private.txt", robots_private},
    {"/robots/loop/", robots_loop},
    {"/robots/hop/", robots_hop},
    {"/hosts", host_report},
};

// The route for `path` and its parameter segment, if any.
std::optional<std::pair<const Route*, std::string_view>> find_route(std::string_view path) {
    for (const auto& route : routes) {
        if (path == route.path) return std::pair{&route, std::string_view{}};
        if (route.subtree && path.starts_with(route.path)) {
            return std::pair{&route, path.substr(route.path.size())};
        }
        bool has_parameter = route.path.size() > 1 && route.path.ends_with('/');
        if (has_parameter && path.starts_with(route.path)) {
            auto parameter = path.substr(route.path.size());
            if (!parameter.empty() && parameter.find('/') == std::string_view::npos) {
                return std::pair{&route, parameter};
            }
        }
    }
    return std::nullopt;
}

Reply dispatch(const Request& request, milliseconds page_delay, RouteMemory& memory,
               const HostRecords& hosts) {
    const auto parsed = boost::urls::parse_origin_form(
        std::string_view(request.target().data(), request.target().size()));
    if (!parsed) return {bad_request("The target is not a valid origin-form URL.")};
    const Target target{*parsed};
    auto found = find_route(target.path());
    if (!found) return {not_found()};
    auto [route, parameter] = *found;
    auto method = request.method();
    if (!route->any_method && method != http::verb::get && method != http::verb::head) {
        auto response = status_page(405, "Only GET and HEAD.");
        response.set(http::field::allow, "GET, HEAD");
        return {std::move(response)};
    }
    auto delay = target.param("delay");
    std::optional<std::uint64_t> delay_ms;
    if (delay) {
        delay_ms = parse_number(*delay);
        if (!delay_ms || *delay_ms > static_cast<std::uint64_t>(max_delay.count())) {
            return {bad_request("delay must be 0–3600000 milliseconds.")};
        }
    }
    auto reply = route->handler(Call{request, target, parameter, page_delay, memory, hosts});
    if (delay_ms) reply.delay = milliseconds(*delay_ms);
    return reply;
}

}  // namespace

Reply route(const Request& request, milliseconds page_delay, RouteMemory& memory,
            const HostRecords& hosts) {
    Reply reply;
    try {
        reply = dispatch(request, page_delay, memory, hosts);
    } catch (const std::exception&) {  // e.g. no memory for a large /bytes/N or /gzip/bomb
        reply = {status_page(500, "The server failed.")};
    }
    auto& response = reply.response;
    // Chunked only where HTTP/1.1 has a body to frame (a HEAD answer gets the Content-Length).
    const bool chunked =
        response.chunked() && request.version() == 11 && request.method() != http::verb::head;
    response.version(request.version());
    response.set(http::field::server, "corocrawl-test-server");
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    if (chunked) {
        response.erase(http::field::content_length);
        response.chunked(true);
    }
    if (response.result() == http::status::no_content) response.erase(http::field::content_length);
    if (request.method() == http::verb::head) {
        response.body().clear();  // Content-Length still says how long the GET's body is
    }
    return reply;
}

Response rejection(http::status status) {
    auto response = status_page(static_cast<unsigned>(status), "The request could not be read.");
    response.set(http::field::server, "corocrawl-test-server");
    response.keep_alive(false);
    response.prepare_payload();
    return response;
}

}  // namespace corocrawl::test_server
