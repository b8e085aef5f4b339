"""``scrapy merge SHARD.db …``: other nodes' databases into this one (see newscrawl.store.merge)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.commands._cli import add_db_option, fail, one_line_errors, reject_options
from newscrawl.export import Progress
from newscrawl.store import Store, StoreError
from newscrawl.store.merge import MERGE_BATCH, merge_shard


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "SHARD.db [SHARD.db ...] [--node NAME] [--db PATH]"

    def short_desc(self) -> str:
        return "Merge other machines' databases (made by scrapy backup) into this one"

    def long_desc(self) -> str:
        return (
            "Merge each shard into the configured database: every article once by content hash, "
            "revision chains renumbered in the order they were first seen, URLs' first and last "
            "sightings combined, runs kept with their node. Merging a shard again changes "
            "nothing; a crawl may write to the database meanwhile."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group("Merge options")
        group.add_argument(
            "--node",
            metavar="NAME",
            help="the machine the shard's runs came from (default: the shard's file name)",
        )
        group.add_argument(
            "--batch-size",
            type=int,
            default=MERGE_BATCH,
            metavar="N",
            help="articles per transaction (default: %(default)s)",
        )
        add_db_option(group)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        reject_options(args)
        if not args:
            raise UsageError("give the shard(s) to merge: scrapy merge node-a.db node-b.db")
        if opts.node and len(args) > 1:
            raise UsageError("--node names one shard's machine: merge shards one at a time")
        if opts.batch_size < 1:
            raise UsageError("--batch-size must be at least 1", print_help=False)
        try:
            store = Store(opts.db or self.settings.get("NEWSCRAWL_DB"))
        except StoreError as error:
            fail(self, error)
            return
        with store:
            # A shard that cannot be merged is reported and the others still are.
            for shard in args:
                try:
                    summary = merge_shard(
                        store,
                        Path(shard),
                        node=opts.node,
                        batch_size=opts.batch_size,
                        progress=Progress(sys.stderr),
                    )
                except StoreError as error:
                    fail(self, error)
                else:
                    print(f"scrapy merge: {summary.describe()}", file=sys.stderr)
