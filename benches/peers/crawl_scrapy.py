"""Scrapy on the loopback site of site.py: list pages → detail pages, CSS extraction of title and
text, no politeness (robots off, no delay), the concurrency jiance's crawl bench uses. Run with
`scrapy runspider crawl_scrapy.py -a hosts=host:port,host:port,… -s LOG_LEVEL=ERROR`; prints the
number of items at the end."""

import scrapy


class Site(scrapy.Spider):
    name = "site"
    custom_settings = {
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": 64,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "DOWNLOAD_DELAY": 0,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "ERROR",
    }

    def __init__(self, hosts: str = "", **kw):
        super().__init__(**kw)
        self.start_urls = [f"http://{h}/list/1" for h in hosts.split(",") if h]
        self.items = 0

    def parse(self, response):
        for href in response.css("a.d::attr(href)").getall():
            yield response.follow(href, self.detail)
        nxt = response.css("a[rel=next]::attr(href)").get()
        if nxt:
            yield response.follow(nxt, self.parse)

    def detail(self, response):
        self.items += 1
        yield {
            "url": response.url,
            "title": response.css("h1::text").get(),
            "text": " ".join(response.css("div.text ::text").getall()),
        }

    def closed(self, reason):
        print(f"items {self.items}")
