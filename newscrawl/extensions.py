"""Crawl-wide extensions."""

from __future__ import annotations

import logging
import sqlite3

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl import runlock
from newscrawl.store import Store, StoreError

logger = logging.getLogger(__name__)


class RunLockExtension:
    """Holds the outlet's run lock for the whole crawl, so the same outlet never runs twice at once.

    ``scrapy crawlall`` takes the locks itself before starting (and says so in its exit status);
    for a plain ``scrapy crawl`` (Scrapyd runs those) a second run closes at once with the finish
    reason ``locked``.

    Holding the lock, it marks the outlet's runs that a dead process left ``running`` as
    ``abandoned``: while the lock is ours, no live process can be running the outlet.
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
        self.mark_abandoned(spider.name)

    def mark_abandoned(self, name: str) -> None:
        current = self.crawler.stats.get_value("newscrawl/run_id")
        try:
            with Store(self.db_path) as store:
                count = store.mark_abandoned(name, current)
        except (sqlite3.Error, OSError, StoreError) as exc:
            logger.warning("could not check for abandoned %s runs: %s", name, exc)
            return
        if count:
            logger.warning("%d earlier %s run(s) ended unrecorded: abandoned", count, name)

    def spider_closed(self) -> None:
        if self.held:
            runlock.release(self.db_path, self.held)
            self.held = None
