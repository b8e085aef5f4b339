"""Middlewares for scheduled runs: fetch only what is new, slow down when a site says so, count
the redirects Scrapy would otherwise drop without a word, never leave the crawl's origin, and
bound the articles one run queues."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.response import get_meta_refresh
from w3lib.url import safe_url_string

from newscrawl.spiders.base import challenge_page
from newscrawl.spiders.discovery import may_fetch
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
        page = _PageTally(response)
        for output in result:
            if self._keep(output, page):
                yield output

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        # One output at a time: what a callback yielded before an error still reaches the crawl.
        page = _PageTally(response)
        async for output in result:
            if self._keep(output, page):
                yield output

    def _keep(self, output: Any, page: _PageTally) -> bool:
        if not isinstance(output, Request) or self.store is None:
            return True
        if page.is_listing and output.meta.get("discovery_kind") == "listing":
            # The spider yields a listing's next page after its article links (parse_listing).
            if page.articles and not page.fresh:
                self._count("listing_stopped")
                return False
            return True
        article_id = output.meta.get("article_id")
        if article_id is None:
            return True
        page.articles += 1
        if self._wanted(output, article_id):
            page.fresh += 1
            return True
        return False

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


class _PageTally:
    """How many of one page's article links were new: the listing-pagination rule's input."""

    def __init__(self, response: Response):
        self.is_listing = response.meta.get("discovery_kind") == "listing"
        self.articles = 0
        self.fresh = 0


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
        if retry_after is not None:
            # Scrapy jitters every slot delay by ±DOWNLOAD_DELAY_JITTER (50%), so a delay equal
            # to Retry-After sent the retry up to half the wait early; scaled up, even the
            # shortest jittered wait is what the site asked for.
            wanted = retry_after / (1 - min(_jitter(slot), 0.9))
        else:
            wanted = max(slot.delay * 2, self.min_step)
        slot.delay = min(max(slot.delay, wanted), self.max_delay)
        self.crawler.stats.inc_value("newscrawl/backoff")
        logger.info("backing off %s: delay now %.1f s", request.url, slot.delay)


def _jitter(slot: Any) -> float:
    """The slot's random delay variation: ``jitter``, or older Scrapy's ``randomize_delay``."""
    jitter = getattr(slot, "jitter", None)
    if jitter is None:
        jitter = 0.5 if getattr(slot, "randomize_delay", False) else 0.0
    return float(jitter)


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
    return challenge_page(response)


class Refused(IgnoreRequest):
    """A request newscrawl gives up on; ``reason`` becomes ``newscrawl/failed/<reason>``."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class RedirectGuardMiddleware:
    """Fails, with a reason the spider counts, the redirects Scrapy would drop without a word.

    Scrapy's RedirectMiddleware and MetaRefreshMiddleware hand a redirect's target back to the
    scheduler, where a target off the crawl's origin is filtered as offsite and a target already
    fetched (a redirect loop, A -> B -> A) is filtered as a duplicate: neither reaches the
    request's errback, so the page vanished from the crawl's accounting. Placed before both (a
    higher number sees the response first), this raises ``Refused`` instead:
    ``newscrawl/failed/redirect_offsite`` (another scheme, host or port: ``302 -> :8081/admin``
    included), ``newscrawl/failed/redirect_loop``. Chains longer than ``REDIRECT_MAX_TIMES`` are
    Scrapy's (``too_many_redirects``); a redirect to another scheme (``file:``) is not followed
    by Scrapy and fails as ``http_30x``.
    """

    REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.meta_refresh = settings.getbool("METAREFRESH_ENABLED")
        self.meta_refresh_max_delay = settings.getfloat("METAREFRESH_MAXDELAY")
        self.meta_refresh_ignore_tags = settings.getlist("METAREFRESH_IGNORE_TAGS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("dont_redirect"):
            return response
        target = self._redirect_target(request, response) or self._refresh_target(response)
        if not target or urlsplit(target).scheme not in ("http", "https"):
            return response  # not followed by Scrapy either
        seen = [*request.meta.get("redirect_urls", ()), request.url]
        if target.partition("#")[0] in {url.partition("#")[0] for url in seen}:
            raise Refused("redirect_loop", f"redirect loop at {request.url} -> {target}")
        if not may_fetch(self.crawler.spider, target):
            raise Refused("redirect_offsite", f"redirect off the site: {request.url} -> {target}")
        return response

    def _redirect_target(self, request: Request, response: Response) -> str | None:
        location = response.headers.get(b"Location")
        if (
            response.status not in self.REDIRECT_STATUSES
            or not location
            or request.meta.get("handle_httpstatus_all")
            or response.status in request.meta.get("handle_httpstatus_list", ())
        ):
            return None  # not a redirect RedirectMiddleware would follow
        return urljoin(request.url, safe_url_string(location))

    def _refresh_target(self, response: Response) -> str | None:
        """Where a ``<meta http-equiv="refresh">`` MetaRefreshMiddleware follows would lead."""
        if not self.meta_refresh or not isinstance(response, HtmlResponse):
            return None
        delay, url = get_meta_refresh(response, ignore_tags=self.meta_refresh_ignore_tags)
        if url and delay is not None and delay < self.meta_refresh_max_delay:
            return url
        return None


class SameOriginMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter, by origin (scheme, host and port) instead of host name alone.

    Replaces ``scrapy.downloadermiddlewares.offsite.OffsiteMiddleware``, whose host rule let a
    crawl of ``127.0.0.1:8080`` reach any other port of that host, robots.txt included. A spider
    with ``origins`` (every outlet spider) is held to them; others keep Scrapy's rule. Requests
    the spider makes are checked before they are made, and redirects by
    ``RedirectGuardMiddleware``: this is the last line, counted by Scrapy as ``offsite/filtered``.
    """

    def should_follow(self, request: Request, spider: Spider) -> bool:
        return may_fetch(spider, request.url)


class QueuedArticlesBound:
    """At most ``NEWSCRAWL_MAX_QUEUED_ARTICLES`` article requests queued in one run.

    Placed after IncrementalMiddleware (a lower number sees the spider's output later), so
    articles already stored never use up the bound. The spider yields each document's links
    newest first, so what the bound cuts is the oldest. Feed articles always pass (each feed is
    declared by the outlet and capped at ``max_feed_items``): a listing of 100,000 links cannot
    crowd them out. What it refuses is counted as ``newscrawl/discovery_bound/articles``.
    """

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.limit = crawler.settings.getint("NEWSCRAWL_MAX_QUEUED_ARTICLES")
        self.queued = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QueuedArticlesBound:
        return cls(crawler)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        return (output for output in result if self._keep(output))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for output in result:
            if self._keep(output):
                yield output

    def _keep(self, output: Any) -> bool:
        if not isinstance(output, Request) or output.meta.get("article_id") is None:
            return True
        from_feed = (output.meta.get("discovered") or {}).get("via") == "feed"
        if self.queued >= self.limit and not from_feed:
            self.stats.inc_value("newscrawl/discovery_bound/articles")
            return False
        self.queued += 1
        return True
