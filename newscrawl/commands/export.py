"""``scrapy export``: articles out as JSON Lines, CSV, Parquet or a text corpus, with a dataset
card (see newscrawl.export and newscrawl.card)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.commands._cli import (
    add_db_option,
    fail,
    one_line_errors,
    open_store,
    reader_went_away,
    reject_options,
)
from newscrawl.export import FORMATS, STDOUT, ExportError, Progress, export, parse_day
from newscrawl.store import StoreError


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[-f jsonl|csv|txt|parquet] [-o FILE|FOLDER|-] [options]"

    def short_desc(self) -> str:
        return "Export articles as JSON Lines, CSV, Parquet or a verifiable text corpus"

    def long_desc(self) -> str:
        return (
            "Export the latest revision of each article (or every revision) as JSON Lines or "
            "CSV to a file or stdout, as a Parquet file, or as a folder of "
            "NNN_<content_hash>.txt files plus index.csv, with a dataset card (README.md) "
            "beside it. Files appear complete or not at all; only an earlier export is ever "
            "replaced."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group("Export options")
        group.add_argument(
            "-f", "--format", choices=FORMATS, default="jsonl", help="default: %(default)s"
        )
        group.add_argument(
            "-o",
            "--output",
            metavar="PATH",
            help="a file for jsonl, csv (default: - for stdout) and parquet, a folder for txt",
        )
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
            "--new",
            action="store_true",
            help="only articles no earlier export to the same output (or --name) took",
        )
        group.add_argument(
            "--name",
            metavar="LABEL",
            help="remember this export as LABEL instead of its output path (for --new)",
        )
        group.add_argument(
            "--all-revisions",
            action="store_true",
            help="every stored revision, not only the latest of each article",
        )
        group.add_argument(
            "--bom",
            action="store_true",
            help="start CSV with a UTF-8 BOM so spreadsheet programs read Bengali correctly",
        )
        group.add_argument(
            "--csv-raw",
            action="store_true",
            help="write CSV cells starting with = + - @ as they are (default: prefix a ')",
        )
        group.add_argument(
            "--force",
            action="store_true",
            help="replace an existing output an earlier export wrote (never anything else)",
        )
        group.add_argument(
            "--card",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="write a dataset card, README.md, beside the output (default: on for txt and"
            " parquet)",
        )
        add_db_option(group)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        reject_options(args)
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}: the output goes in --output")
        output = opts.output or (STDOUT if opts.format != "txt" else None)
        if output is None:
            raise UsageError("--format txt writes a folder: give --output FOLDER")
        try:  # a mistyped day is a usage mistake (exit 2), as in scrapy search
            since, until = parse_day(opts.since, "--since"), parse_day(opts.until, "--until")
        except ExportError as error:
            raise UsageError(str(error), print_help=False) from None
        if since and until and until < since:
            raise UsageError(
                f"--since {since} is after --until {until}: no article could match",
                print_help=False,
            )
        try:
            with open_store(self.settings, opts) as store:
                summary = export(
                    store,
                    output,
                    fmt=opts.format,
                    outlets=opts.outlet,
                    since=since,
                    until=until,
                    all_revisions=opts.all_revisions,
                    new=opts.new,
                    name=opts.name,
                    force=opts.force,
                    bom=opts.bom,
                    raw_csv=opts.csv_raw,
                    card=opts.card,
                    progress=Progress(sys.stderr),
                )
        except (ExportError, StoreError) as error:
            fail(self, error)
        except BrokenPipeError:
            reader_went_away(self)
        except OSError as error:  # a folder that cannot be made, a full disk: the user can act
            fail(self, f"cannot write {error.filename or output}: {error.strerror or error}")
        else:
            warning = summary.warning()
            if warning:
                print(f"scrapy export: {warning}", file=sys.stderr)
            print(summary.describe(), file=sys.stderr)
