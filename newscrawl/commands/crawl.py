"""``scrapy crawl OUTLET``: Scrapy's own command, with outlet arguments checked first.

A mistyped spider name, ``-a since=…`` or ``-a base_url=…``, or a database SQLite cannot use or
write, gets one line saying what to write, before the crawler starts (and prints its banner),
instead of a traceback from deep inside the crawler. A run that lost articles to the store (disk
full) or could not be recorded exits 1 with one line saying so; other health problems are left
to the ``runs`` table and ``scrapy report``, as before.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl import health
from newscrawl.commands._cli import check_database, check_spider, one_line_errors


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
        super().run(args, opts)
        if self.crawler is not None and self.exitcode == 0:
            problem = health.storage_problem(self.crawler.stats.get_stats())
            if problem:
                print(f"scrapy crawl: {args[0]}: {problem}", file=sys.stderr)
                self.exitcode = 1

    def _create_crawler(self, spname: str):  # Scrapy's hook; kept to read the run's stats
        self.crawler = super()._create_crawler(spname)
        return self.crawler
