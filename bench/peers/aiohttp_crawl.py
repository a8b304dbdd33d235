"""The aiohttp + lxml peer: fetch every URL of a file, evaluate one XPath on each page, print each
value on a line of its own. Run with Debian's /usr/bin/python3 (python3-aiohttp, python3-lxml).

  aiohttp_crawl.py URL_FILE XPATH --concurrency N [--session-per-url]

--session-per-url is the classic tutorial shape: `async with aiohttp.ClientSession()` around each
request, so nothing (connections, DNS cache) is shared between URLs. Without it one session is
shared and an asyncio.Semaphore bounds the requests in flight, which is how it should be written.
"""
import argparse
import asyncio
import resource
import sys

import aiohttp
import lxml.html


def raise_open_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def extract(body, xpath):
    return [str(value) for value in lxml.html.fromstring(body).xpath(xpath)]


async def fetch_shared(session, semaphore, url, xpath, out):
    async with semaphore:
        async with session.get(url) as response:
            body = await response.read()
    out.extend(extract(body, xpath))


async def fetch_own_session(semaphore, url, xpath, out):
    async with semaphore:
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                body = await response.read()
    out.extend(extract(body, xpath))


async def crawl(urls, xpath, concurrency, session_per_url):
    semaphore = asyncio.Semaphore(concurrency)
    values = []
    timeout = aiohttp.ClientTimeout(total=300)
    if session_per_url:
        await asyncio.gather(*(fetch_own_session(semaphore, url, xpath, values) for url in urls))
    else:
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            await asyncio.gather(
                *(fetch_shared(session, semaphore, url, xpath, values) for url in urls))
    return values


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url_file")
    parser.add_argument("xpath")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--session-per-url", action="store_true")
    args = parser.parse_args()
    raise_open_file_limit()
    with open(args.url_file) as file:
        urls = [line.strip() for line in file if line.strip()]
    values = asyncio.run(crawl(urls, args.xpath, args.concurrency, args.session_per_url))
    sys.stdout.write("".join(value + "\n" for value in values))


if __name__ == "__main__":
    main()
