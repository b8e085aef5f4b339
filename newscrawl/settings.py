"""Scrapy settings for newscrawl. Polite by default; every knob can be overridden with ``-s``."""

from __future__ import annotations

import os
from pathlib import Path

from scrapy.utils.conf import closest_scrapy_cfg

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

# -- where articles go ---------------------------------------------------------------------------


def _default_db() -> str:
    """``data/newscrawl.db`` of the newscrawl checkout a command runs in (the nearest scrapy.cfg
    at or above the working directory that names these settings); anywhere else the user's data
    folder, ``$XDG_DATA_HOME/newscrawl`` (``~/.local/share/newscrawl``), never a stray ``data/``
    in whatever directory the command happens to start in."""
    cfg = closest_scrapy_cfg()
    if cfg and "newscrawl.settings" in Path(cfg).read_text(encoding="utf-8", errors="replace"):
        return str(Path(cfg).parent / "data" / "newscrawl.db")
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return str(Path(data_home) / "newscrawl" / "newscrawl.db")


# The environment variable wins over the default so that scheduled runs (cron, systemd, Scrapyd)
# can point at a database without editing files; ``-s NEWSCRAWL_DB=...`` wins over both.
NEWSCRAWL_DB = os.environ.get("NEWSCRAWL_DB") or _default_db()
NEWSCRAWL_BATCH_SIZE = 100
NEWSCRAWL_BATCH_SECONDS = 5.0
# Articles whose body SimHashes differ in at most this many of 64 bits are recorded as
# near-duplicates (0-7; measured in docs/benchmarks.md). Nothing is dropped for it.
NEWSCRAWL_NEAR_DISTANCE = 7

ITEM_PIPELINES = {
    "newscrawl.pipelines.CleanPipeline": 100,
    "newscrawl.pipelines.HashPipeline": 200,
    "newscrawl.pipelines.StorePipeline": 300,
}

# -- scheduled runs ------------------------------------------------------------------------------
# Incremental: an article URL already in the store is not fetched again, except that articles
# first seen less than REVISIT_MAX_AGE hours ago are fetched again once every REVISIT_INTERVAL
# hours, so an edit becomes a new revision. Listing pagination stops at a page of known articles.
NEWSCRAWL_INCREMENTAL = True
NEWSCRAWL_REVISIT_MAX_AGE_HOURS = 24.0
NEWSCRAWL_REVISIT_INTERVAL_HOURS = 6.0
NEWSCRAWL_LISTING_PAGES = 5  # the most listing pages followed per category in one run
# Discovery's per-run bounds (hostile sitemaps and listings): how deep sitemap indexes may nest
# (robots.txt -> index -> sitemap is 2), how many discovery documents one run fetches, and how
# many article requests it queues (feed articles always get in, and go first).
NEWSCRAWL_DISCOVERY_MAX_DEPTH = 3
NEWSCRAWL_DISCOVERY_MAX_DOCUMENTS = 1000
NEWSCRAWL_MAX_QUEUED_ARTICLES = 10_000
# An outlet is unhealthy after this many consecutive runs without a new article.
NEWSCRAWL_STALE_RUNS = 6
NEWSCRAWL_MAX_FALLBACK_SHARE = 0.5
NEWSCRAWL_LOG_MAX_BYTES = 20 * 1024 * 1024  # per run's log file under data/logs/
NEWSCRAWL_LOG_KEEP = 200  # log files kept

SPIDER_MIDDLEWARES = {
    "newscrawl.middlewares.IncrementalMiddleware": 900,
    "newscrawl.middlewares.QueuedArticlesBound": 850,  # after it: known articles never count
}
DOWNLOADER_MIDDLEWARES = {
    # Same origin means scheme, host and port: Scrapy's filter, which looks at the host only,
    # is replaced in its place (before RobotsTxtMiddleware, so no other port's robots.txt).
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newscrawl.middlewares.SameOriginMiddleware": 50,
    "newscrawl.middlewares.BackoffMiddleware": 560,
    # Above RedirectMiddleware (600), so it sees a redirect first: loops and redirects off the
    # site fail with a counted reason instead of vanishing in the scheduler's filters.
    "newscrawl.middlewares.RedirectGuardMiddleware": 610,
}
EXTENSIONS = {
    "newscrawl.extensions.RunLockExtension": 0,
    "newscrawl.extensions.ShortNetworkErrors": 0,  # an unreachable site: one line, no traceback
    # Spidermon, counting each item's fields for its coverage checks in one quick pass.
    "newscrawl.monitors.Monitoring": 500,
}
# Scrapy's in-memory stats, without the ~3 µs look-up Scrapy adds to each of ~45 calls a page.
STATS_CLASS = "newscrawl.extensions.QuickStatsCollector"

# Spidermon: per-run checks, run when each outlet's crawl closes (newscrawl.monitors).
SPIDERMON_ENABLED = True
SPIDERMON_ADD_FIELD_COVERAGE = True
SPIDERMON_FIELD_COVERAGE_SKIP_NONE = True
SPIDERMON_FIELD_COVERAGE_SKIP_IF_NO_ITEM = True  # a run with nothing new is not a failure
SPIDERMON_FIELD_COVERAGE_RULES = {
    "Article/title": 0.95,
    "Article/body": 0.95,
    "Article/published_at": 0.90,
}
# A page that still fails after its retries logs one ERROR ("Gave up retrying"): a few of those
# are the web, not a broken outlet. A bug in the spider's code is never tolerated (monitors.py).
SPIDERMON_MAX_ERRORS = 10
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished"]
SPIDERMON_SPIDER_CLOSE_MONITORS = ["newscrawl.monitors.RunHealth"]

# -- politeness ----------------------------------------------------------------------------------
# Who runs this crawler: a URL or e-mail address site owners can reach you at. Set it.
NEWSCRAWL_CONTACT = os.environ.get("NEWSCRAWL_CONTACT", "")
USER_AGENT = "newscrawl/0.1 (Bengali news research crawler" + (
    f"; +{NEWSCRAWL_CONTACT})" if NEWSCRAWL_CONTACT else ")"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a news article is ~60 KB; anything past 10 MB is not one
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5

# -- engine --------------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = os.environ.get("NEWSCRAWL_LOG_LEVEL", "INFO")
# Neither of Scrapy's consoles into a running crawl (telnet; since Scrapy 2.19 an HTTP server that
# runs Python sent to it, on by default): an unattended scheduled run has no one to use them.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for the output of every response, whatever it
# yields (default 100: ~1 ms of CPU per page, measured in docs/benchmarks.md). An article page
# yields one item and every pipeline here is synchronous, so more tasks buy nothing; responses
# are still handled CONCURRENT_REQUESTS at a time.
CONCURRENT_ITEMS = 1
