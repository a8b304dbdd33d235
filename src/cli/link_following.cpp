#include "cli/link_following.hpp"

#include <iostream>

#include "corocrawl/sitemap.hpp"
#include "corocrawl/url.hpp"
#include "corocrawl/xpath.hpp"

namespace corocrawl::cli {
namespace {

// The one form a URL is compared in (the frontier's items are normalised this way too).
std::string normalised(std::string_view url) {
    auto parsed = parse_url(url);
    const auto* valid = std::get_if<Url>(&parsed);
    return valid ? valid->text : std::string(url);
}

}  // namespace

LinkFollower::LinkFollower(Crawler& crawler, const FrontierOptions& options,
                           const std::vector<std::string>& follow)
    : crawler_(crawler),
      follow_nofollow_(options.follow_nofollow),
      sitemaps_from_robots_(options.sitemaps_from_robots) {
    if (!options.recursive) return;
    if (follow.empty()) {
        links_.emplace();
    } else {
        links_.emplace(follow);
    }
}

void LinkFollower::add_sitemap(const std::string& url) {
    std::lock_guard lock(mutex_);
    sitemaps_.insert(normalised(url));
}

bool LinkFollower::is_sitemap(const Result& result) {
    // --sitemap auto: what robots.txt names (nothing else has robots.txt as its referrer: it is
    // not a page, and no link is taken from it).
    if (sitemaps_from_robots_ && result.referrer.ends_with("/robots.txt")) return true;
    std::lock_guard lock(mutex_);
    return !sitemaps_.empty() && sitemaps_.contains(normalised(result.url));
}

void LinkFollower::operator()(const Result& result) {
    if (!result.ok()) return;  // a 404 page's links are not the site's
    if (is_sitemap(result)) {
        follow_sitemap(result);
        return;
    }
    if (!links_) return;
    if (result.status >= 300 && result.status < 400) {
        // Left to the frontier by FetchOptions::follow_redirects.
        const auto location = result.header("location");
        crawler_.enqueue(result, {resolve_reference(result.url, location)}, Hop::redirect);
        return;
    }
    const auto content_type = result.header("content-type");
    if (!XPathSet::is_html(content_type)) return;
    std::vector<std::string> urls;
    for (auto& link : links_->extract(result.body, content_type, result.final_url)) {
        if (!link.nofollow || follow_nofollow_) urls.push_back(std::move(link.url));
    }
    crawler_.enqueue(result, urls, Hop::link);
}

void LinkFollower::follow_sitemap(const Result& result) {
    const Sitemap sitemap = parse_sitemap(result.body, result.final_url);
    if (sitemap.error)
        std::cerr << "corocrawl: sitemap " << result.url << ": " << *sitemap.error << '\n';
    for (const auto& child : sitemap.sitemaps) add_sitemap(child);
    crawler_.enqueue(result, sitemap.sitemaps, Hop::sitemap);
    crawler_.enqueue(result, sitemap.pages, Hop::sitemap);
}

}  // namespace corocrawl::cli
