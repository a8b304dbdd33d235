// The test server's route handlers, by family; routes.cpp maps paths to them. Each family's file
// documents its routes.
#pragma once

#include "compression.hpp"
#include "route_helpers.hpp"

namespace corocrawl::test_server::handlers {

// routes_seed.cpp: the seed's site and the synthetic pages.
Reply index_page(const Call& call);      // /
Reply seed_page(const Call& call);       // /bobo /jay /tom
Reply synthetic_page(const Call& call);  // /page/N
Reply relative_links(const Call& call);  // /links

// routes_http.cpp: statuses, redirects, sizes, echo, hangs, failures, non-HTML.
Reply status_code(const Call& call);     // /status/CODE
Reply redirect_chain(const Call& call);  // /redirect/N
Reply redirect_to(const Call& call);     // /redirect-to
Reply redirect_loop(const Call& call);   // /loop/a, /loop/b
Reply sized_page(const Call& call);      // /bytes/N
Reply echo(const Call& call);            // /echo
Reply hang(const Call& call);            // /hang
Reply flaky(const Call& call);           // /flaky/KEY
Reply json_document(const Call& call);   // /json
Reply png_image(const Call& call);       // /image.png

// routes_compression.cpp: compressed and chunked bodies.
Reply chunked_page(const Call& call);  // /chunked/page/N
template <Compression format>
Reply compressed_page(const Call& call);  // /gzip/page/N, /deflate/page/N, /br/..., /zstd/...
template <Compression format>
Reply corrupt_page(const Call& call);  // /gzip/corrupt, /br/corrupt, /zstd/corrupt
template <Compression format>
Reply bomb(const Call& call);  // /gzip/bomb, /br/bomb, /zstd/bomb

// routes_charset.cpp: pages in other charsets.
Reply charset_page(const Call& call);  // /charset/NAME

// routes_hostile.cpp: pages that attack their client, for the security tests.
Reply hostile_page(const Call& call);  // /hostile/entities, /hostile/control

// routes_site.cpp: the synthetic site (site.hpp has its contract).
Reply site_page(const Call& call);             // /site/page/K
Reply site_missing(const Call& call);          // /site/missing/K
Reply site_unreachable(const Call& call);      // /site/unreachable/X
Reply site_redirect(const Call& call);         // /site/redirect/K
Reply site_away(const Call& call);             // /site/away/K
Reply site_data(const Call& call);             // /site/data/K.json
Reply site_image(const Call& call);            // /site/image/K.png
Reply site_nofollow(const Call& call);         // /site/nofollow/K
Reply site_meta_nofollow(const Call& call);    // /site/meta-nofollow/K
Reply site_nofollow_meta(const Call& call);    // /site/nofollow-meta/K
Reply site_orphan(const Call& call);           // /site/orphan/K
Reply site_trap(const Call& call);             // /site/trap/ and everything under it
Reply site_sitemap(const Call& call);          // /site/sitemap.xml
Reply site_sitemap_index(const Call& call);    // /site/sitemap-index.xml
Reply site_sitemap_pages(const Call& call);    // /site/sitemap-pages.xml
Reply site_sitemap_orphans(const Call& call);  // /site/sitemap-orphans.xml.gz

// routes_robots.cpp: robots.txt per host, and the targets of its redirects.
Reply robots_txt(const Call& call);      // /robots.txt
Reply robots_private(const Call& call);  // /robots/private.txt
Reply robots_loop(const Call& call);     // /robots/loop/a, /robots/loop/b
Reply robots_hop(const Call& call);      // /robots/hop/N

// routes_hosts.cpp: what the server recorded per host.
Reply host_report(const Call& call);  // /hosts

}  // namespace corocrawl::test_server::handlers
