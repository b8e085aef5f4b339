"""``scrapy crawl OUTLET``: Scrapy's own command, with outlet arguments checked first.

A mistyped ``-a since=…`` or ``-a base_url=…`` gets one line saying what to write, instead of
a traceback from deep inside the crawler. A run that lost articles to the store (disk full) or
could not be recorded exits 1 with one line saying so; other health problems are left to the
``runs`` table and ``scrapy report``, as before.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.spiderloader import get_spider_loader

from newscrawl import health
from newscrawl.commands._cli import spider_argument_problem


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1:
            known = get_spider_loader(self.settings).list()
            if args[0] not in known:
                problem = f"no spider {args[0]!r} (known: {', '.join(sorted(known))})"
            else:
                problem = spider_argument_problem(self.settings, args[0], opts.spargs)
            if problem:
                print(f"scrapy crawl: {problem}", file=sys.stderr)
                self.exitcode = 2
                return
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
