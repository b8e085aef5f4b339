"""Item pipelines: clean, hash, store. Each class does one thing; the order lives in settings."""

from __future__ import annotations

import logging
import secrets
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from newscrawl import health, runlog, simhash, text
from newscrawl.items import LIST_FIELDS, TEXT_FIELDS
from newscrawl.store import Store, StoreError, utcnow

logger = logging.getLogger(__name__)

RAW_FIELDS = ("published_raw", "updated_raw", "language")
INVALID_BYTES_STAT = "newscrawl/encoding/invalid_bytes"


def drop(crawler: Crawler, reason: str, item: Any) -> DropItem:
    """Count a drop under ``newscrawl/dropped/<reason>`` and build the exception to raise."""
    crawler.stats.inc_value(f"newscrawl/dropped/{reason}")
    url = ItemAdapter(item).get("url")
    return DropItem(f"{reason}: {url}")


def clean_article(adapter: ItemAdapter) -> str | None:
    """Clean every text field in place; the reason to drop the article, if there is one."""
    for field in TEXT_FIELDS:
        if adapter.get(field) is not None:
            adapter[field] = text.clean_line(adapter[field]) or None
    for field in LIST_FIELDS:
        values = adapter.get(field) or []
        adapter[field] = list(dict.fromkeys(v for v in map(text.clean_line, values) if v))
    adapter["body"] = text.clean_body(adapter.get("body"))
    for field in RAW_FIELDS:  # kept as found, but never with control characters
        if isinstance(adapter.get(field), str):
            adapter[field] = text.strip_controls(adapter[field])
    if not adapter.get("title"):
        return "missing_title"
    if not adapter["body"]:
        return "missing_body"
    return None


class CleanPipeline:
    """Applies the content-hash cleaning to every text field; drops items with no title or body."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        # Every item the spider yields, so health can tell how many never reached the store.
        self.crawler.stats.inc_value(health.SCRAPED_STAT)
        adapter = ItemAdapter(item)
        reason = clean_article(adapter)
        if reason:
            raise drop(self.crawler, reason, item)
        self.count_replaced(adapter)
        return item

    def count_replaced(self, adapter: ItemAdapter) -> None:
        """Count the U+FFFD in the text to be stored: bytes the page's encoding could not decode,
        replaced rather than lost silently."""
        fields = [*TEXT_FIELDS, "body", *RAW_FIELDS]
        values = [adapter.get(f) for f in fields] + list(adapter.get("tags") or [])
        replaced = sum(text.replaced_characters(v) for v in values if isinstance(v, str))
        if replaced:
            self.crawler.stats.inc_value(INVALID_BYTES_STAT, replaced)
            logger.warning(
                "%s: %d undecodable byte(s) replaced by U+FFFD", adapter["url"], replaced
            )


class HashPipeline:
    """Sets ``content_hash`` (over title and body only) and ``crawled_at``."""

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        # CleanPipeline (before this one) has cleaned both.
        adapter["content_hash"] = text.content_hash(adapter["title"], adapter["body"], cleaned=True)
        adapter["crawled_at"] = utcnow()
        return item


def new_run_id(spider_name: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{spider_name}-{secrets.token_hex(3)}"


# What a failing write says, and the reason it is counted under (newscrawl/store_failed/...).
_STORE_REASONS = {
    "database or disk is full": "disk_full",
    "disk i/o error": "io_error",
    "readonly database": "read_only",
    "database is locked": "locked",
    "file is too large": "file_too_large",
    "no space left": "disk_full",
}


def store_failure_reason(exc: BaseException) -> str:
    message = str(exc).lower()
    for fragment, reason in _STORE_REASONS.items():
        if fragment in message:
            return reason
    return type(exc).__name__


class StorePipeline:
    """Writes articles to SQLite in short batched transactions and records the run.

    Items are buffered and written every ``NEWSCRAWL_BATCH_SIZE`` items or
    ``NEWSCRAWL_BATCH_SECONDS`` seconds, whichever comes first, and at close. A batch of 100
    costs one commit (≈10-20k rows/s batched versus ≈6k/s one per commit), while the time bound
    caps what a killed process can lose at a few seconds of crawling: a polite crawl yields a
    handful of articles per second, so the time bound is the one that usually fires.

    A batch the database refuses (disk full, I/O error, read-only) is counted under
    ``newscrawl/store_failed/<reason>`` and closes the run (finish reason ``store_failed``):
    crawling on would fetch pages only to lose them. A process stopped by a second signal still
    records its run, as ``killed``.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("NEWSCRAWL_DB")
        self.batch_size = settings.getint("NEWSCRAWL_BATCH_SIZE", 100)
        self.batch_seconds = settings.getfloat("NEWSCRAWL_BATCH_SECONDS", 5.0)
        self.buffer: list[dict[str, Any]] = []
        self.last_flush = time.monotonic()
        self.store: Store | None = None
        self.run_id: str | None = None
        self.closing = False
        self.shutdown_trigger: Any = None
        # Flushes a part-filled batch when items stop arriving, so a quiet spider loses nothing.
        self.timer = task.LoopingCall(self.flush_if_due)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        from twisted.internet import reactor

        spider = self.crawler.spider
        near = self.crawler.settings.getint("NEWSCRAWL_NEAR_DISTANCE", simhash.DEFAULT_DISTANCE)
        self.store = Store(self.db_path, near_distance=near)
        self.run_id = new_run_id(spider.name)
        self.crawler.stats.set_value("newscrawl/run_id", self.run_id)
        self.crawler.stats.set_value("newscrawl/db", str(self.store.path))
        self.store.start_run(self.run_id, spider.name)
        self.timer.start(self.batch_seconds, now=False)
        # A second SIGTERM/SIGINT stops the reactor without closing the spider: record the run
        # on the way down rather than leave it "running".
        self.shutdown_trigger = reactor.addSystemEventTrigger(
            "before", "shutdown", self.killed, spider
        )

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        adapter["run_id"] = self.run_id
        # The item's fields as they are (asdict would copy every list and dict inside, at ten
        # times the cost): nothing changes an item once it is stored.
        self.buffer.append(dict(adapter.items()))
        if len(self.buffer) >= self.batch_size:
            self.flush()
        else:
            self.flush_if_due()
        return item

    def flush_if_due(self) -> None:
        if time.monotonic() - self.last_flush >= self.batch_seconds:
            self.flush()

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        if not self.buffer or self.store is None:
            return
        batch, self.buffer = self.buffer, []
        stats = self.crawler.stats
        try:
            outcomes = self.store.write_batch(batch)
        except (sqlite3.Error, OSError) as exc:
            self.store_failed(exc, len(batch))
            return
        for outcome in outcomes:
            stats.inc_value(f"newscrawl/articles/{outcome.kind}")
            if outcome.kind == "duplicate":
                stats.inc_value("newscrawl/duplicates")
            if outcome.near_duplicates:
                stats.inc_value("newscrawl/near_duplicates", outcome.near_duplicates)
        logger.debug("stored a batch of %d articles", len(batch))

    def store_failed(self, exc: BaseException, articles: int) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"newscrawl/store_failed/{store_failure_reason(exc)}")
        if stats.get_value(health.STORE_ERROR_STAT) is None:
            stats.set_value(health.STORE_ERROR_STAT, str(exc))
        logger.error("could not store %d article(s) in %s: %s", articles, self.db_path, exc)
        if self.closing or self.crawler.engine is None:
            return
        self.closing = True
        logger.error("closing the run: articles fetched now could not be stored")
        engine = self.crawler.engine
        task.deferLater(_reactor(), 0, lambda: deferred_from_coro(_close(engine, "store_failed")))

    def close_spider(self) -> None:
        if self.timer.running:
            self.timer.stop()
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        # Runs after close_spider, once the core stats hold the finish reason and the Spidermon
        # monitors (connected earlier, so run earlier) have left their verdict in the stats.
        self.record(spider, reason)

    def killed(self, spider: Any) -> None:
        """The reactor is stopping with this spider still open: a forced (second-signal) stop."""
        self.shutdown_trigger = None
        if self.store is None:
            return
        logger.error("%s: stopped before the run could close; recording it as killed", spider.name)
        if self.timer.running:
            self.timer.stop()
        self.flush()
        self.record(spider, "killed", "the process was stopped before the run could close")

    def record(self, spider: Any, reason: str, extra: str | None = None) -> None:
        if self.store is None:
            return
        if self.shutdown_trigger is not None:
            _reactor().removeSystemEventTrigger(self.shutdown_trigger)
            self.shutdown_trigger = None
        stats = self.crawler.stats
        if runlog.failure():
            stats.set_value(health.LOG_FAILURE_STAT, runlog.failure())
        summary = health.summarize(stats.get_stats())
        stale = None
        if reason != "locked":  # a run that never crawled says nothing about the outlet
            runs = self.crawler.settings.getint("NEWSCRAWL_STALE_RUNS")
            try:
                earlier = self.store.new_articles_before(spider.name, self.run_id, max(runs - 1, 0))
            except sqlite3.Error:
                earlier = []
            stale = health.stale_problem(summary["new_articles"], earlier, runs)
        outcome, problems = health.verdict(stats.get_stats(), stale)
        if extra:
            outcome, problems = "unhealthy", [extra, *problems]
        try:
            self.store.finish_run(self.run_id, reason, stats.get_stats(), {
                **summary, "outcome": outcome, "problems": problems,
            })  # fmt: skip
        except (sqlite3.Error, OSError, StoreError) as exc:
            outcome = "unhealthy"
            problems = [*problems, f"{health.RECORD_FAILED} in {self.db_path} ({exc})"]
            logger.error("could not record run %s: %s", self.run_id, exc)
        finally:
            stats.set_value("newscrawl/health/outcome", outcome)
            stats.set_value(health.PROBLEMS_STAT, problems)
            self.store.close()
            self.store = None


def _reactor() -> Any:
    from twisted.internet import reactor

    return reactor


async def _close(engine: Any, reason: str) -> None:
    try:
        await engine.close_spider_async(reason=reason)
    except Exception as exc:  # already closing (a signal, the end of the crawl): nothing to do
        logger.debug("close after a store failure: %s", exc)
