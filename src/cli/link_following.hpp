// -r and --sitemap: the done-callback that feeds a crawl's frontier. From an HTML page it takes
// the links, from a redirect its Location, from a sitemap the pages it lists; the frontier then
// decides which of them are crawled.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "corocrawl/crawler.hpp"
#include "corocrawl/links.hpp"

namespace corocrawl::cli {

class LinkFollower {
  public:
    // `follow`: --follow's XPaths (throws InvalidXPath), none for the default links; without
    // `recursive`, only sitemaps are read.
    LinkFollower(Crawler& crawler, const FrontierOptions& options,
                 const std::vector<std::string>& follow);

    // A --sitemap URL: its record's body is read as a sitemap.
    void add_sitemap(const std::string& url);

    // The done-callback.
    void operator()(const Result& result);

  private:
    bool is_sitemap(const Result& result);
    void follow_sitemap(const Result& result);

    Crawler& crawler_;
    std::optional<LinkExtractor> links_;  // with -r
    bool follow_nofollow_;
    bool sitemaps_from_robots_;
    std::mutex mutex_;                          // guards sitemaps_
    std::unordered_set<std::string> sitemaps_;  // normalised URLs
};

}  // namespace corocrawl::cli
