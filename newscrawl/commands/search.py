"""``scrapy search``: full-text search of the stored articles (see newscrawl.search)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.commands._cli import (
    add_db_option,
    count_option,
    one_line_errors,
    open_store,
    reject_options,
)
from newscrawl.export import ExportError, parse_day
from newscrawl.search import DEFAULT_LIMIT, PLAIN_MARKS, search

BOLD = ("\x1b[1m", "\x1b[0m")


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return '"WORDS" [--outlet NAME] [--since DAY] [--until DAY] [--limit N] [--newest]'

    def short_desc(self) -> str:
        return "Search the stored articles (SQLite FTS5 query, Bengali words kept whole)"

    def long_desc(self) -> str:
        return (
            "Print the best matches, newest revision of each article, as date, outlet and "
            'title, then a snippet and the URL. WORDS is an FTS5 query: words, "a phrase", '
            "prefix*, OR, NOT, title: word. Best matches come first (FTS5's ranking, slower"
            " for a word in most articles of a big store); --newest lists the articles stored"
            " last first, as fast for any word."
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
        group.add_argument("--since", metavar="YYYY-MM-DD", help="published on or after this day")
        group.add_argument("--until", metavar="YYYY-MM-DD", help="published on or before this day")
        group.add_argument(
            "--limit",
            type=count_option(),
            default=DEFAULT_LIMIT,
            metavar="N",
            help="show the best N (default %(default)s)",
        )
        group.add_argument(
            "--newest",
            action="store_true",
            help="the latest stored matches first, not the best (fast for any word)",
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
        try:
            since, until = parse_day(opts.since, "--since"), parse_day(opts.until, "--until")
        except ExportError as error:
            raise UsageError(str(error), print_help=False) from None
        if since and until and until < since:
            raise UsageError(f"--until {until} is before --since {since}", print_help=False)
        marks = BOLD if sys.stdout.isatty() else PLAIN_MARKS
        with open_store(self.settings, opts) as store:
            # One more than asked for says whether there are more, without counting them all.
            hits = search(
                store,
                words,
                outlets=opts.outlet,
                limit=opts.limit + 1,
                all_revisions=opts.all_revisions,
                marks=marks,
                newest=opts.newest,
                since=since,
                until=until,
            )
        shown = hits[: opts.limit]
        if shown:
            print("\n\n".join(hit.block() for hit in shown))
        summary = _summary(len(shown), words, more=len(hits) > len(shown), newest=opts.newest)
        print(summary, file=sys.stderr)


def _summary(shown: int, words: str, *, more: bool, newest: bool = False) -> str:
    """The line on stderr: how many matched, exactly when all were shown, else a lower bound
    (one more than shown was asked for, not all counted)."""
    if more:
        which = "newest" if newest else "best"
        if shown == 1:
            return f"the {which} article of 2 or more matching {words!r} (--limit for more)"
        more_than = f"{shown} of {shown + 1} or more articles"
        return f"the {which} {more_than} matching {words!r} (--limit for more)"
    if not shown:
        return f"no article matches {words!r}"
    counted = "1 article matches" if shown == 1 else f"{shown} articles match"
    return f"{counted} {words!r}"
