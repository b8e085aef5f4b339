"""Crawl-wide extensions."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl import runlock

logger = logging.getLogger(__name__)


class RunLockExtension:
    """Holds the outlet's run lock for the whole crawl, so the same outlet never runs twice at once.

    ``scrapy crawlall`` takes the locks itself before starting (and says so in its exit status);
    for a plain ``scrapy crawl`` (Scrapyd runs those) a second run closes at once with the finish
    reason ``locked``.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("NEWSCRAWL_DB")
        self.held: str | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLockExtension:
        return cls(crawler)

    async def spider_opened(self, spider) -> None:
        try:
            runlock.acquire(self.db_path, spider.name)
        except runlock.LockHeld as exc:
            logger.error("%s: closing at once", exc)
            await self.crawler.engine.close_spider_async(reason="locked")
            return
        self.held = spider.name

    def spider_closed(self) -> None:
        if self.held:
            runlock.release(self.db_path, self.held)
            self.held = None
