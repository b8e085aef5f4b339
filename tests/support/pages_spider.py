"""A minimal spider for the foundation's end-to-end tests: follows the links of the start page and
yields one Article per linked page (h1 = title, p = body). Outlet spiders have their own tests."""

from __future__ import annotations

import scrapy

from newscrawl.items import Article


class PagesSpider(scrapy.Spider):
    name = "pages"

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [base_url.rstrip("/") + "/"]

    def parse(self, response):
        yield from response.follow_all(css="a.article", callback=self.parse_article)

    def parse_article(self, response):
        yield Article(
            url=response.url,
            outlet=self.name,
            article_id=response.url.rstrip("/").rsplit("/", 1)[-1],
            title=response.css("h1::text").get(),
            body="\n\n".join(response.css("p::text").getall()),
            extraction={"title": "selectors", "body": "selectors"},
        )
