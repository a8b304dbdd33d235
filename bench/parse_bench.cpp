// Scenario 5, parse cost: extraction alone (HTML parse + one compiled XPath), no network, on a
// 1 KB and a 200 KB page. Pages/s is items_per_second, MB/s is bytes_per_second.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "corocrawl/links.hpp"
#include "corocrawl/xpath.hpp"

namespace {

constexpr const char* feng_xpath = R"(//a[@id="feng"]/@href)";

// A page shaped like the web's: a head, a navigation list, paragraphs of mixed text, the feng link
// in the middle of the body — `size` bytes in all, so that both sizes parse the same mix.
std::string page_of_size(std::size_t size) {
    const std::string head =
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head><meta charset=\"UTF-8\">"
        "<title>周杰伦 - 歌曲列表</title></head>\n<body>\n<h1>歌曲列表</h1>\n";
    const std::string feng = "<p><a id=\"feng\" href=\"http://www.haha.com\">feng</a></p>\n";
    const std::string tail = "</body>\n</html>\n";
    const std::string block =
        "<div class=\"entry\"><h2>晴天 <small>2003</small></h2>\n"
        "<p>Some text with <b>bold</b>, <i>italic</i> and a <a href=\"/song/1\">link</a>; "
        "故事的小黄花，从出生那年就飘着。</p>\n"
        "<ul><li><a href=\"/a\">one</a></li><li><a href=\"/b\">two</a></li></ul></div>\n";
    const std::size_t room = size - std::min(size, head.size() + feng.size() + tail.size());
    std::string blocks;
    while (blocks.size() + block.size() <= room) blocks += block;
    blocks.append(room - blocks.size(), ' ');  // exactly `size` bytes
    const std::size_t middle = blocks.size() / 2 / block.size() * block.size();
    return head + blocks.substr(0, middle) + feng + blocks.substr(middle) + tail;
}

void extract_feng(benchmark::State& state) {
    const std::string page = page_of_size(static_cast<std::size_t>(state.range(0)));
    const corocrawl::XPathSet xpaths({feng_xpath});
    for (auto _ : state) {
        auto extractions = xpaths.extract(page, "text/html; charset=utf-8", "http://bench/page");
        // The benchmark must measure a working extraction, not a fast failure.
        if (extractions.size() != 1 || extractions[0].values.size() != 1 ||
            extractions[0].values[0] != "http://www.haha.com") {
            state.SkipWithError("the feng link was not extracted");
            break;
        }
        benchmark::DoNotOptimize(extractions);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(page.size()));
    state.counters["page_bytes"] = static_cast<double>(page.size());
}

BENCHMARK(extract_feng)->Arg(1024)->Arg(200 * 1024)->Unit(benchmark::kMicrosecond);

// A page of a crawled site (bench/site_gen.py's shape): about 1 KB, 14 links in four forms.
std::string site_page() {
    std::string page =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Page 7</title></head>\n"
        "<body><h1>Page 7 of 20000</h1>\n<p>Lorem ipsum dolor sit amet, consectetur adipiscing "
        "elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p>\n<ul>\n";
    const char* forms[] = {"", "./", "/site/page/", "http://127.0.0.1:8080/site/page/"};
    for (int i = 0; i < 14; ++i) {
        const std::string target = std::to_string(15 + i * 997 % 20000) + ".html";
        page += "<li><a href=\"" + std::string(forms[i % 4]) + target + "\">Page " + target +
                "</a></li>\n";
    }
    return page + "</ul>\n</body></html>\n";
}

// Link following's cost per page: parse, find the links, resolve each (state.range(0) == 1:
// the default links; 0: the same links given as a --follow expression, the general path).
void extract_links(benchmark::State& state) {
    const std::string page = site_page();
    const corocrawl::LinkExtractor links =
        state.range(0) == 1
            ? corocrawl::LinkExtractor()
            : corocrawl::LinkExtractor({"//a/@href | //area/@href | //frame/@src | //iframe/@src"});
    for (auto _ : state) {
        auto found = links.extract(page, "text/html; charset=utf-8",
                                   "http://127.0.0.1:8080/site/page/7.html");
        if (found.size() != 14 || !found[0].url.starts_with("http://127.0.0.1:8080/site/page/")) {
            state.SkipWithError("the links were not extracted");
            break;
        }
        benchmark::DoNotOptimize(found);
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(extract_links)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
