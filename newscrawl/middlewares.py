"""Middlewares for scheduled runs: fetch only what is new, and slow down when a site says so."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from newscrawl.spiders.base import CHALLENGE_MARKERS
from newscrawl.store import Store

logger = logging.getLogger(__name__)


class IncrementalMiddleware:
    """Drops requests for articles the store already has, and stops listing pagination early.

    Discovery pages (feeds, sitemaps, first listing pages) are always fetched. An article whose
    outlet id is already stored is skipped unless it is young enough to be revisited for edits
    and its last visit is older than the revisit interval. A listing page whose article links
    are all known ends that listing's pagination.
    """

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_INCREMENTAL"):
            raise NotConfigured
        self.crawler = crawler
        self.max_age = timedelta(hours=settings.getfloat("NEWSCRAWL_REVISIT_MAX_AGE_HOURS"))
        self.interval = timedelta(hours=settings.getfloat("NEWSCRAWL_REVISIT_INTERVAL_HOURS"))
        self.store: Store | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    def spider_opened(self) -> None:
        self.store = Store(self.crawler.settings.get("NEWSCRAWL_DB"))

    def spider_closed(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from self._filter(response, result)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        outputs = [output async for output in result]
        for output in self._filter(response, outputs):
            yield output

    def _filter(self, response: Response, outputs: Iterable[Any]) -> Iterator[Any]:
        is_listing = response.meta.get("discovery_kind") == "listing"
        articles = fresh = 0
        for output in outputs:
            if not isinstance(output, Request) or self.store is None:
                yield output
                continue
            if is_listing and output.meta.get("discovery_kind") == "listing":
                if articles and not fresh:
                    self._count("listing_stopped")
                    continue
                yield output
                continue
            article_id = output.meta.get("article_id")
            if article_id is None:
                yield output
                continue
            articles += 1
            if self._wanted(output, article_id):
                fresh += 1
                yield output

    def _wanted(self, request: Request, article_id: str) -> bool:
        spider = self.crawler.spider
        seen = self.store.article_seen(spider.name, article_id)
        if seen is None:
            return True
        first_seen, last_seen = seen
        now = datetime.now(UTC)
        if now - first_seen <= self.max_age and now - last_seen >= self.interval:
            self._count("revisit")
            request.meta["revisit"] = True
            return True
        self._count("known")
        return False

    def _count(self, what: str) -> None:
        self.crawler.stats.inc_value(f"newscrawl/incremental/{what}")


class BackoffMiddleware:
    """Slows an outlet down when it answers 429/503 or a challenge page, instead of hammering it.

    The download slot's delay doubles (or becomes the Retry-After the site asked for), up to
    ``AUTOTHROTTLE_MAX_DELAY``; AutoThrottle never lowers a delay on a non-200 response, and
    lowers it gradually again as normal pages come back. The retry itself is Scrapy's.
    """

    BACKOFF_STATUSES = frozenset({429, 503})

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.max_delay = crawler.settings.getfloat("AUTOTHROTTLE_MAX_DELAY", 60.0)
        self.min_step = max(crawler.settings.getfloat("DOWNLOAD_DELAY"), 1.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in self.BACKOFF_STATUSES or _is_challenge(response):
            self._slow_down(request, _retry_after(response))
        return response

    def _slow_down(self, request: Request, retry_after: float | None) -> None:
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is None:
            return
        wanted = retry_after if retry_after is not None else max(slot.delay * 2, self.min_step)
        slot.delay = min(max(slot.delay, wanted), self.max_delay)
        self.crawler.stats.inc_value("newscrawl/backoff")
        logger.info("backing off %s: delay now %.1f s", request.url, slot.delay)


def _retry_after(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    try:
        return float(value.decode()) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to doubling


def _is_challenge(response: Response) -> bool:
    if response.status in (403, 503) and response.headers.get(b"cf-mitigated") == b"challenge":
        return True
    if not isinstance(response, TextResponse):
        return False
    head = response.text[:20000]
    return any(marker in head for marker in CHALLENGE_MARKERS)
