"""``scrapy crawl OUTLET``: Scrapy's own command, with outlet arguments checked first.

A mistyped ``-a since=…`` or ``-a base_url=…`` gets one line saying what to write, instead of
a traceback from deep inside the crawler.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.spiderloader import get_spider_loader

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
        super().run(args, opts)
