"""``scrapy search``: full-text search of the stored articles (see newscrawl.search)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.commands._cli import (
    add_db_option,
    fail,
    open_store,
    reader_went_away,
    reject_options,
)
from newscrawl.search import DEFAULT_LIMIT, PLAIN_MARKS, SearchError, search
from newscrawl.store import StoreError

BOLD = ("\x1b[1m", "\x1b[0m")


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return '"WORDS" [--outlet NAME] [--limit N]'

    def short_desc(self) -> str:
        return "Search the stored articles (SQLite FTS5 query, Bengali words kept whole)"

    def long_desc(self) -> str:
        return (
            "Print the best matches, newest revision of each article, as date, outlet and "
            'title, then a snippet and the URL. WORDS is an FTS5 query: words, "a phrase", '
            "prefix*, OR, NOT, title: word."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group("Search options")
        group.add_argument(
            "--outlet",
            action="append",
            default=[],
            metavar="NAME",
            help="only this outlet (repeat for several)",
        )
        group.add_argument(
            "--limit", type=int, default=DEFAULT_LIMIT, metavar="N", help="default: %(default)s"
        )
        group.add_argument(
            "--all-revisions",
            action="store_true",
            help="search every stored revision, not only the latest of each article",
        )
        add_db_option(group)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        reject_options(args)
        if not args:
            raise UsageError('give the words to search for, e.g. scrapy search "কিম জং উন"')
        words = " ".join(args)
        marks = BOLD if sys.stdout.isatty() else PLAIN_MARKS
        try:
            with open_store(self.settings, opts) as store:
                hits = search(
                    store,
                    words,
                    outlets=opts.outlet,
                    limit=opts.limit,
                    all_revisions=opts.all_revisions,
                    marks=marks,
                )
            if hits:
                print("\n\n".join(hit.block() for hit in hits))
        except (SearchError, StoreError) as error:
            fail(self, error)
        except BrokenPipeError:
            reader_went_away(self)
        else:
            print(_summary(len(hits), words, opts.limit), file=sys.stderr)


def _summary(found: int, words: str, limit: int) -> str:
    if not found:
        return f"no article matches {words!r}"
    more = f" (the first {limit}: --limit for more)" if found == limit else ""
    counted = "1 article matches" if found == 1 else f"{found} articles match"
    return f"{counted} {words!r}{more}"
