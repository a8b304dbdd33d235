"""The Scrapy peer of the site crawl (scenario 8): a CrawlSpider that follows every link of the
seed's host from one seed, each page once, and yields one item per page, written to stdout as JSON
lines ({"url": ..., "status": ...}). Run with Debian's /usr/bin/python3 (python3-scrapy).

  scrapy_site.py SEED_URL [--concurrency N]

Written as the Scrapy documentation writes a CrawlSpider: one Rule(LinkExtractor(), follow=True),
allowed_domains = the seed's host, the start page through parse_start_url (requested
without dont_filter, so that the duplicate filter knows it). Settings are Scrapy's
defaults except CONCURRENT_REQUESTS and CONCURRENT_REQUESTS_PER_DOMAIN = N (the per-domain
default of 8 would bound a one-host crawl), no robots.txt, no telnet console, LOG_LEVEL=WARNING.
Scrapy's own duplicate filter (request fingerprints of the canonical URL) keeps each page once.
"""
import argparse
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class SiteSpider(CrawlSpider):
    name = "site"
    rules = (Rule(LinkExtractor(), callback="parse_item", follow=True),)

    def __init__(self, seed, **kwargs):
        self.start_urls = [seed]
        self.allowed_domains = [urlsplit(seed).hostname]
        super().__init__(**kwargs)

    def start_requests(self):
        # Not Scrapy's default start request, which has dont_filter=True: its fingerprint would
        # never reach the duplicate filter, and the first link back to the seed fetched it again.
        for url in self.start_urls:
            yield Request(url)

    def parse_start_url(self, response):
        return [self.parse_item(response)]

    def parse_item(self, response):
        return {"url": response.url, "status": response.status}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("seed")
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",  # as `scrapy startproject` sets it
        "FEEDS": {"stdout:": {"format": "jsonlines"}},
    })
    process.crawl(SiteSpider, seed=args.seed)
    process.start()


if __name__ == "__main__":
    main()
