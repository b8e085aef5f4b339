"""``scrapy similar HASH``: an article's near-duplicates (the same story text elsewhere)."""

from __future__ import annotations

import argparse
import re
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl import simhash
from newscrawl.commands._cli import add_db_option, count_option, one_line_errors, open_store
from newscrawl.store import StoreError
from newscrawl.text import for_terminal

HASH = re.compile(r"^[0-9a-f]{16}$")


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "CONTENT_HASH [--distance K]"

    def short_desc(self) -> str:
        return "List an article's near-duplicates: outlet, date, distance, title"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--distance", type=count_option(0, simhash.MAX_DISTANCE), metavar="K",
            help=f"search afresh within K differing bits (0-{simhash.MAX_DISTANCE}); "
            "by default, list the pairs recorded as articles arrived",
        )  # fmt: skip
        add_db_option(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or not HASH.match(args[0]):
            raise UsageError(
                "give one content hash (16 hex digits): scrapy similar 5f6b10e0cfd5bf7b"
            )
        with open_store(self.settings, opts) as store:
            article = store.article(args[0])
            if article is None:
                raise StoreError(f"no article with content hash {args[0]} in {store.path}")
            similar = store.similar(args[0], opts.distance)
        outlet, date, title = map(
            for_terminal, (article["outlet"], article["published_at"] or "-", article["title"])
        )
        print(f"{outlet}  {date}  {title}")
        print(f"cluster {article['cluster']}, {len(similar)} near-duplicate(s)")
        for other in similar:
            outlet, date, title = map(
                for_terminal, (other["outlet"], (other["published_at"] or "-")[:16], other["title"])
            )
            print(
                f"  {other['distance']:>2} bits  {outlet:<10} {date:<16}  "
                f"{other['content_hash']}  {title}"
            )
