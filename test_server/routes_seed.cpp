// The seed's site and the synthetic pages (see routes.cpp for what every route shares):
//
//   /                    index page linking /bobo, /jay and /tom
//   /bobo /jay /tom      the seed's pages, after the server's delay (default 2 s): <title> is the
//                        route's name, UTF-8 Chinese text, <ul> lists of links, and exactly one
//                        <a id="feng" href="http://www.haha.com">
//   /page/N              synthetic page N (a non-negative integer, else 404), no delay: title
//                        "page N", the feng link, and three <a class="next"> links to
//                        /page/((N*7+1)%1000), /page/((N*13+5)%1000) and /page/(N+1) — an endless,
//                        deterministic site
//   /links               <a class="rel"> links of every relative shape; against
//                        http://HOST/links they resolve to /page/1, /page/2, /x, /links?q=1,
//                        http://other.example/y and https://abs.example/z
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "route_handlers.hpp"

namespace corocrawl::test_server::handlers {
Reply index_page(const Call&) {
    return {make_response(http::status::ok, R"(<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="UTF-8"><title>corocrawl test server</title></head>
<body>
<h1>corocrawl 测试服务器</h1>
<ul>
<li><a href="/bobo">bobo</a></li>
<li><a href="/jay">jay</a></li>
<li><a href="/tom">tom</a></li>
</ul>
</body>
</html>
)")};
}

struct SeedPage {
    std::string_view name;
    std::string_view heading;
    std::string_view text;
};

constexpr std::array seed_pages{
    SeedPage{"bobo", "波波的小站", "欢迎光临波波的小站！这里有音乐、电影和一些随笔。"},
    SeedPage{"jay", "周杰伦的歌", "这里收录了一些经典歌曲：晴天、七里香、稻香。"},
    SeedPage{"tom", "汤姆的读书笔记", "今天读完了《三体》，宇宙很大，人很渺小。"},
};

// /bobo, /jay, /tom: the same shape, each with its own words, after the server's delay.
Reply seed_page(const Call& call) {
    auto name = call.target.path().substr(1);
    const SeedPage* page = &seed_pages[0];
    for (const auto& candidate : seed_pages) {
        if (candidate.name == name) page = &candidate;
    }
    std::string body = R"(<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<title>)";
    body.append(page->name).append("</title>\n</head>\n<body>\n<h1>").append(page->heading);
    body.append("</h1>\n<p>")
        .append(page->text)
        .append("</p>\n<h2>朋友们</h2>\n<ul class=\"friends\">\n");
    for (const auto& friend_page : seed_pages) {
        if (&friend_page == page) continue;
        body.append("<li><a href=\"/").append(friend_page.name).append("\">");
        body.append(friend_page.heading).append("</a></li>\n");
    }
    body.append(R"(</ul>
<h2>更多</h2>
<ul class="more">
<li><a href="/page/1">第一页</a></li>
<li><a href="/page/2">第二页</a></li>
<li><a href="/">首页</a></li>
</ul>
<p>找到我：)");
    body.append(feng_link).append("</p>\n</body>\n</html>\n");
    return {make_response(http::status::ok, std::move(body)), call.page_delay};
}

Reply synthetic_page(const Call& call) {
    auto n = parse_number(call.parameter);
    if (!n) return {not_found()};
    const std::uint64_t next[] = {(*n % 1000 * 7 + 1) % 1000, (*n % 1000 * 13 + 5) % 1000, *n + 1};
    auto title = "page " + std::to_string(*n);
    std::string body = "<!DOCTYPE html>\n<html>\n<head><meta charset=\"UTF-8\"><title>" + title +
                       "</title></head>\n<body>\n<h1>" + title + "</h1>\n<p>";
    body.append(feng_link).append("</p>\n<ul>\n");
    for (auto m : next) {
        auto href = "/page/" + std::to_string(m);
        body.append("<li><a class=\"next\" href=\"" + href + "\">" + href + "</a></li>\n");
    }
    body.append("</ul>\n</body>\n</html>\n");
    return {make_response(http::status::ok, std::move(body))};
}

Reply relative_links(const Call&) {
    return {make_response(http::status::ok, R"(<!DOCTYPE html>
<html>
<head><meta charset="UTF-8"><title>links</title></head>
<body>
<ul>
<li><a class="rel" href="/page/1">absolute path</a></li>
<li><a class="rel" href="page/2">relative path</a></li>
<li><a class="rel" href="../x">parent directory</a></li>
<li><a class="rel" href="?q=1">query only</a></li>
<li><a class="rel" href="//other.example/y">network path</a></li>
<li><a class="rel" href="https://abs.example/z">absolute URL</a></li>
</ul>
</body>
</html>
)")};
}

}  // namespace corocrawl::test_server::handlers
