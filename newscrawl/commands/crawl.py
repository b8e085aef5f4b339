"""``scrapy crawl OUTLET``: Scrapy's own command, with outlet arguments checked first.

A mistyped spider name, ``-a since=…`` or ``-a base_url=…``, or a database SQLite cannot use,
gets one line saying what to write, before the crawler starts (and prints its banner), instead
of a traceback from deep inside the crawler.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl.commands._cli import check_database, check_spider, one_line_errors


@one_line_errors
class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            raise UsageError("name one outlet: scrapy crawl inqilab")
        check_spider(self.settings, args[0], opts.spargs)
        check_database(self.settings)
