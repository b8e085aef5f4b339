"""The baselines newscrawl's crawl is compared with: plain Scrapy over the same pages.

``scrapy runspider bench/baseline_spider.py -a base_url=URL -a extract=0|1 -a listing_pages=N``

Discovery is the inqilab spider's (feed, news sitemap, category listings with ``?page=N``), so
all variants fetch the same pages. ``extract=0`` (a) parses discovery pages for links and reads
nothing from articles; ``extract=1`` (b) takes title, date line and body with three parsel
selectors and yields a dict that no pipeline stores. It imports nothing from newscrawl, so it
runs with Scrapy's defaults (no project middlewares, extensions or pipelines).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import scrapy

REAL_HOSTS = ("dailyinqilab.com", "www.dailyinqilab.com")
FEEDS = ("/rss/rss.xml",)
SITEMAPS = ("/news-sitemap.xml",)
LISTINGS = (
    "/national", "/international", "/politics", "/economy", "/bangladesh", "/sports/cricket",
    "/entertainment/dhallywood", "/editorial",
)  # fmt: skip
ARTICLE_PATH = re.compile(r"^/[a-z0-9-]+/[a-z0-9-]+/\d+/?$")


class BaselineSpider(scrapy.Spider):
    name = "baseline"

    def __init__(self, base_url: str, extract: str = "0", listing_pages: str = "5", **kw):
        super().__init__(**kw)
        self.base_url = base_url.rstrip("/")
        self.extract = extract == "1"
        self.listing_pages = int(listing_pages)
        self.requested: set[str] = set()

    async def start(self):
        for path in FEEDS + SITEMAPS:
            yield scrapy.Request(self.base_url + path, callback=self.parse_links, priority=10)
        for path in LISTINGS:
            yield scrapy.Request(
                self.base_url + path, callback=self.parse_listing, priority=10, meta={"page": 1}
            )

    def localize(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.hostname in REAL_HOSTS:
            return self.base_url + parts.path
        return url

    def article_requests(self, urls: list[str]):
        # Only links not requested yet, as the inqilab spider does: a listing page that brings
        # nothing new ends that listing's pagination in both.
        for url in map(self.localize, map(str.strip, urls)):
            if url in self.requested or not url.startswith(self.base_url):
                continue
            if ARTICLE_PATH.match(urlsplit(url).path):
                self.requested.add(url)
                yield scrapy.Request(url, callback=self.parse_article)

    def parse_links(self, response):
        # Feed <link> and sitemap <loc> texts; a regular expression is enough for the baseline.
        yield from self.article_requests(re.findall(r"<(?:link|loc)>([^<]+)<", response.text))

    def parse_listing(self, response):
        found = list(self.article_requests(response.css("a::attr(href)").getall()))
        yield from found
        page = response.meta["page"]
        if found and page < self.listing_pages:
            path = urlsplit(response.url).path
            yield scrapy.Request(
                f"{self.base_url}{path}?page={page + 1}",
                callback=self.parse_listing,
                priority=10,
                meta={"page": page + 1},
            )

    def parse_article(self, response):
        if not self.extract:
            return
        yield {
            "title": response.css("div.col-md-9.mt-3 h2::text").get(),
            "date": response.css("p.news-date-time::text").get(),
            "body": "\n\n".join(response.css("div.new-details div.description p::text").getall()),
        }
