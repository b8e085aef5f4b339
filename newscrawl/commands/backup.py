"""``scrapy backup DEST``: a consistent one-file copy of the database, safe while it is written."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.commands._cli import add_db_option, fail, one_line_errors, reject_options
from newscrawl.store import StoreError
from newscrawl.store.backup import backup_to_file


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "DEST.db [--force] [--db PATH]"

    def short_desc(self) -> str:
        return "Copy the database to one file with SQLite's backup API (a shard for scrapy merge)"

    def long_desc(self) -> str:
        return (
            "Copy the database to DEST with SQLite's online backup API: one consistent state "
            "even while crawls write to it, in a single file (no -wal) ready to be copied to "
            "the merging machine. DEST appears complete or not at all."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group("Backup options")
        group.add_argument(
            "--force", action="store_true", help="replace DEST if it exists (an earlier backup)"
        )
        add_db_option(group)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        reject_options(args)
        if len(args) != 1:
            raise UsageError("give one destination file: scrapy backup /srv/shards/node-a.db")
        database = Path(opts.db or self.settings.get("NEWSCRAWL_DB"))
        try:
            count = backup_to_file(database, Path(args[0]), force=opts.force)
        except StoreError as error:
            fail(self, error)
        except OSError as error:
            fail(self, f"cannot write {error.filename or args[0]}: {error.strerror or error}")
        else:
            print(f"scrapy backup: {count:,} articles copied to {args[0]}", file=sys.stderr)
