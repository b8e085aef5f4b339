"""``scrapy crawl OUTLET``: Scrapy's own command, with outlet arguments checked first.

A mistyped spider name, ``-a since=…`` or ``-a base_url=…``, or a database SQLite cannot use or
write, gets one line saying what to write, before the crawler starts (and prints its banner),
instead of a traceback from deep inside the crawler. A run that reached no page of its site (every
request failed to download), lost articles to the store (disk full) or could not be recorded
exits 1, its last line saying so and what to do; one that found its outlet's run lock held
exits 75, as ``scrapy crawlall`` does; one stopped by a second Ctrl-C or SIGTERM (recorded as
``killed``) exits 130; one stopped by a single one ends with a line saying so (recorded as
``shutdown``, unhealthy); other health problems are left to the ``runs``
table and ``scrapy report``, as before. Scrapy's log stays on the console, without tracebacks
for network errors or for Spidermon's failed checks (each is its check's name and reason).
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl import health
from newscrawl.commands._cli import (
    EXIT_INTERRUPTED,
    check_database,
    check_spider,
    one_line_errors,
    say,
)
from newscrawl.commands.crawlall import EXIT_LOCKED

TRACEBACK = "Traceback (most recent call last):"


class ShortMonitorFailures(logging.Filter):
    """Spidermon reports a failed check as unittest does, with the traceback of the assertion in
    Spidermon's own code; this keeps the check's name and the reason (the traceback's last line).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("[Spidermon]") and TRACEBACK in message:
            head, _, trace = message.partition(TRACEBACK)
            reason = trace.strip().splitlines()[-1] if trace.strip() else ""
            record.msg, record.args = f"{head.rstrip()}\n{reason}", ()
        return True


@one_line_errors
class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            raise UsageError("name one outlet: scrapy crawl inqilab")
        check_spider(self.settings, args[0], opts.spargs)
        check_database(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        self.crawler = None
        spider_log = logging.getLogger(args[0])  # Spidermon reports through the spider's logger
        short = ShortMonitorFailures()
        spider_log.addFilter(short)
        try:
            super().run(args, opts)
        finally:
            spider_log.removeFilter(short)
        if self.crawler is None or self.exitcode != 0:
            return
        stats = self.crawler.stats.get_stats()
        if "finish_reason" not in stats and "newscrawl/health/outcome" in stats:
            # A second Ctrl-C or SIGTERM: the run was recorded as killed, never closed.
            say(self, f"{args[0]}: stopped before the run could close; recorded as killed")
            self.exitcode = EXIT_INTERRUPTED
            return
        if stats.get("finish_reason") == "locked":
            say(
                self,
                f"{args[0]}: another run of {args[0]} holds its lock (see above); this run did"
                " nothing: run it again once that one has finished",
            )
            self.exitcode = EXIT_LOCKED
            return
        problem = health.storage_problem(stats)
        unreachable = health.unreachable_problem(stats)
        if problem:
            say(self, f"{args[0]}: {problem}")
            self.exitcode = 1
        elif unreachable:
            site = getattr(self.crawler.spider, "base_url", None) or "the site"
            say(
                self,
                f"{args[0]}: {unreachable}: check that {site} is up and that this machine "
                "reaches it (network, DNS, proxy, firewall), then run again",
            )
            self.exitcode = 1
        elif stats.get("finish_reason") == "shutdown":
            say(self, f"{args[0]}: {health.STOPPED}; recorded as not finished (shutdown)")

    def _create_crawler(self, spname: str):  # Scrapy's hook; kept to read the run's stats
        self.crawler = super()._create_crawler(spname)
        return self.crawler
