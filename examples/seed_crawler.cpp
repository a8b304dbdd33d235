// The classic asyncio crawler, written against corocrawl:
//
//     tasks = [asyncio.ensure_future(fetch(url)) for url in urls]
//     for task in tasks:
//         task.add_done_callback(parse)
//     loop.run_until_complete(asyncio.wait(tasks))
//     print("total time:", time.time() - start)
//
// Usage: seed_crawler [URL...]   (default: the bundled server's /bobo /jay /tom on port 5000)
#include <corocrawl/crawler.hpp>
#include <corocrawl/xpath.hpp>
#include <iostream>
#include <mutex>

int main(int argc, char** argv) {
    std::vector<std::string> urls{"http://127.0.0.1:5000/bobo", "http://127.0.0.1:5000/jay",
                                  "http://127.0.0.1:5000/tom"};
    if (argc > 1) urls.assign(argv + 1, argv + argc);

    const corocrawl::XPathSet xpath({R"(//a[@id="feng"]/@href)"});
    std::mutex output;  // callbacks run on every event loop's thread at once
    const auto parse = [&xpath, &output](corocrawl::Result& page) {
        if (!page.ok()) {
            const std::lock_guard lock(output);
            std::cout << page.url << ": " << page.error->message << '\n';
            return;
        }
        const auto found = xpath.extract(page.body, page.header("content-type"), page.final_url);
        const std::lock_guard lock(output);
        for (const auto& href : found.front().values) std::cout << href << '\n';
    };

    corocrawl::Crawler crawler;  // async mode, the defaults
    for (const auto& url : urls) crawler.add(url).add_done_callback(parse);

    const corocrawl::CrawlStats stats = crawler.run();
    std::cout << "total time: " << static_cast<double>(stats.wall.count()) / 1000.0 << " s\n";
    return stats.failed == 0 ? 0 : 1;
}
