"""A spider whose parse code fails on one page: the run must be recorded unhealthy."""

from __future__ import annotations

import scrapy

from newscrawl.items import Article


class BrokenSpider(scrapy.Spider):
    name = "broken"

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [base_url.rstrip("/") + "/"]

    def parse(self, response):
        yield Article(
            url=response.url, outlet=self.name, article_id="1", title="শিরোনাম",
            body="একটি অনুচ্ছেদ।", extraction={"title": "selectors", "body": "selectors"},
        )  # fmt: skip
        raise ValueError("a bug in the spider's code")
