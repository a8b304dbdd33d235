"""The Scrapy peer: one spider over the URLs of a file, one XPath per page, each value printed on a
line of its own. Run with Debian's /usr/bin/python3 (python3-scrapy).

  scrapy_crawl.py URL_FILE XPATH [--concurrency N]

Settings are Scrapy's defaults except what a fair throughput run needs: CONCURRENT_REQUESTS and
CONCURRENT_REQUESTS_PER_DOMAIN = N (the per-domain default of 8 would otherwise bound a one-host
crawl), no robots.txt, no telnet console, logging at ERROR.
"""
import argparse
import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class ListSpider(scrapy.Spider):
    name = "bench"

    def __init__(self, urls, xpath, **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.xpath = xpath

    def start_requests(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        for value in response.xpath(self.xpath).getall():
            sys.stdout.write(value + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url_file")
    parser.add_argument("xpath")
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    with open(args.url_file) as file:
        urls = [line.strip() for line in file if line.strip()]
    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "ERROR",
    })
    process.crawl(ListSpider, urls=urls, xpath=args.xpath)
    process.start()


if __name__ == "__main__":
    main()
