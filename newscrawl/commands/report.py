"""``scrapy report``: the last runs, per outlet, as a table (or JSON for machines)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.commands._cli import (
    CommandError,
    add_db_option,
    count_option,
    json_line,
    one_line_errors,
    open_store,
    reject_options,
)
from newscrawl.offline import outlet_spiders
from newscrawl.text import for_terminal

COLUMNS = (
    "started", "outlet", "status", "new", "dup", "rev", "near", "title", "body", "date", "health",
)  # fmt: skip


def _percent(rates: dict[str, float] | None, field: str) -> str:
    value = (rates or {}).get(field)
    return "-" if value is None else f"{value:.0%}"


def row_for(run: dict[str, Any]) -> tuple[str, ...]:
    return tuple(map(for_terminal, _cells(run)))


def _cells(run: dict[str, Any]) -> tuple[str, ...]:
    return (
        run["started_at"][:16].replace("T", " "),
        run["spider"] + (f"@{run['node']}" if run.get("node") else ""),  # merged from a node
        run["status"],
        str(run.get("new_articles") or 0),
        str(run.get("duplicates") or 0),
        str(run.get("revisions") or 0),
        str(run.get("near_duplicates") or 0),
        _percent(run.get("fill_rates"), "title"),
        _percent(run.get("fill_rates"), "body"),
        _percent(run.get("fill_rates"), "published_at"),
        run.get("outcome") or ("skipped: locked" if run["status"] == "locked" else "-"),
    )


def table(runs: list[dict[str, Any]]) -> list[str]:
    rows = [COLUMNS, *map(row_for, runs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]  # fmt: skip
    for run in runs:
        for problem in run.get("problems") or []:
            where = for_terminal(f"{run['spider']} {run['started_at'][:16]}")
            lines.append(f"  {where}: {for_terminal(str(problem))}")
    return lines


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--last N] [--outlet NAME] [--json | --html FILE]"

    def short_desc(self) -> str:
        return "Show the last crawl runs: new articles, duplicates, fill rates, health"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--last", type=count_option(), default=10, metavar="N",
            help="the newest N runs (default 10)",
        )  # fmt: skip
        parser.add_argument("--outlet", metavar="NAME", help="only this outlet")
        parser.add_argument("--json", action="store_true", help="JSON Lines, one run a line")
        parser.add_argument(
            "--html", metavar="FILE", help="write a page with charts of the last 4 weeks to FILE"
        )
        add_db_option(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        reject_options(args)
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        if opts.html:
            if opts.json:
                raise UsageError("--html and --json are two outputs: give one")
            self.write_html(opts)
            return
        with open_store(self.settings, opts) as store:
            runs = store.runs(opts.outlet, limit=opts.last)
        if not runs and opts.outlet:
            known = sorted(outlet_spiders(self.settings))
            if opts.outlet not in known:
                raise UsageError(f"no outlet {opts.outlet!r} (known: {', '.join(known)})")
        if opts.json:
            for run in runs:
                print(json_line(run))
            return
        if not runs:
            whose = f" of {opts.outlet}" if opts.outlet else ""
            print(f"no runs{whose} recorded yet", file=sys.stderr)
            return
        print("\n".join(table(runs)))

    def write_html(self, opts: argparse.Namespace) -> None:
        from newscrawl.reporting import ReportError, write_report

        try:
            with open_store(self.settings, opts) as store:
                write_report(store, Path(opts.html), outlet=opts.outlet)
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        print(f"wrote {opts.html}", file=sys.stderr)
