// A small site crawler written against corocrawl: start at one page, follow its links within
// the host, print each page's depth, title and URL.
//
// Usage: site_crawler URL [MAX_PAGES]   (e.g. the bundled server's
// http://127.0.0.1:5000/site/page/0)
#include <corocrawl/crawler.hpp>
#include <corocrawl/links.hpp>
#include <corocrawl/xpath.hpp>
#include <iostream>
#include <mutex>
#include <string>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: site_crawler URL [MAX_PAGES]\n";
        return 2;
    }
    corocrawl::CrawlOptions options;
    options.frontier.recursive = true;  // remember the seed: a link back to it is a duplicate
    options.frontier.max_pages = argc > 2 ? std::stoul(argv[2]) : 100;  // the one bound
    options.frontier.max_depth = corocrawl::unlimited;
    options.fetch.follow_redirects = false;  // a redirect is a link too: the frontier judges it

    corocrawl::Crawler crawler(options);
    const corocrawl::LinkExtractor links;
    const corocrawl::XPathSet title({"//title/text()"});
    std::mutex output;  // callbacks run on every event loop's thread at once

    crawler.on_done([&](corocrawl::Result& page) {
        if (!page.ok()) return;
        if (page.status >= 300 && page.status < 400) {
            crawler.enqueue(page, {std::string(page.header("location"))}, corocrawl::Hop::redirect);
            return;
        }
        const auto type = page.header("content-type");
        if (!corocrawl::XPathSet::is_html(type)) return;
        std::vector<std::string> found;
        for (auto& link : links.extract(page.body, type, page.final_url)) {
            if (!link.nofollow) found.push_back(std::move(link.url));
        }
        crawler.enqueue(page, found);  // the frontier keeps to the host and drops the seen
        const auto values = title.extract(page.body, type, page.final_url).front().values;
        const std::lock_guard lock(output);
        std::cout << page.depth << '\t' << (values.empty() ? "" : values.front()) << '\t'
                  << page.url << '\n';
    });
    crawler.add(argv[1]);
    const corocrawl::CrawlStats stats = crawler.run();
    std::cerr << stats.urls << " pages, " << stats.frontier.discovered << " links found, "
              << stats.frontier.duplicates << " seen before, " << stats.frontier.out_of_scope
              << " off the site\n";
    return stats.urls > 0 && stats.ok > 0 ? 0 : 1;
}
