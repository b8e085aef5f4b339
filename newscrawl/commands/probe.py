"""``scrapy probe OUTLET [--limit N]``: fetch a few of the newest articles live and report.

The first thing to run when an outlet seems to have changed: it prints, for each field, how many
articles had it and which extraction layer gave it, and exits non-zero when title, body or
published date fall under 90%. Nothing is written to the database.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any, ClassVar

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from newscrawl.commands._cli import (
    add_spider_args_option,
    count_option,
    one_line_errors,
    parse_spider_args,
    spider_argument_problem,
)

REPORTED = ("title", "subtitle", "author", "category", "published", "updated", "body")
REQUIRED = ("title", "body", "published")
THRESHOLD = 0.9


class Collector:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def item_scraped(self, item: Any) -> None:
        self.items.append(ItemAdapter(item).asdict())


def field_value(item: dict[str, Any], name: str) -> Any:
    return item.get(f"{name}_at") if name in ("published", "updated") else item.get(name)


def report(items: list[dict[str, Any]], stats: dict[str, Any]) -> tuple[list[str], bool]:
    """Lines of a fill-rate table, and whether the outlet looks healthy."""
    lines = [f"{'field':<10} {'filled':>9}  layers"]
    healthy = bool(items)
    for name in REPORTED:
        filled = [i for i in items if field_value(i, name)]
        share = len(filled) / len(items) if items else 0.0
        layers = Counter((i.get("extraction") or {}).get(name, "?") for i in filled)
        layer_text = ", ".join(f"{layer} {n}" for layer, n in layers.most_common()) or "-"
        flag = ""
        if name in REQUIRED and share < THRESHOLD:
            healthy = False
            flag = f"  <- under {THRESHOLD:.0%}"
        lines.append(
            f"{name:<10} {len(filled):>3}/{len(items):<3} {share:>4.0%}  {layer_text}{flag}"
        )
    for key, value in sorted(stats.items()):
        if key.startswith(
            ("newscrawl/skipped/", "newscrawl/failed/", "newscrawl/discovery_failed/")
        ):
            lines.append(f"{key.removeprefix('newscrawl/')}: {value}")
    if not items:
        lines.append("no article could be read: is the site reachable, or has its layout changed?")
    return lines, healthy


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "OUTLET [--limit N] [-a base_url=URL]"

    def short_desc(self) -> str:
        return "Fetch a few of an outlet's newest articles live and report what was extracted"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--limit", type=count_option(), default=5, help="articles to fetch (default 5)"
        )
        add_spider_args_option(parser, "")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        parse_spider_args(opts)
        self.settings.set("ITEM_PIPELINES", {"newscrawl.pipelines.CleanPipeline": 100}, "cmdline")
        self.settings.set("CLOSESPIDER_ITEMCOUNT", opts.limit, "cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("name one outlet: scrapy probe inqilab", print_help=False)
        loader = get_spider_loader(self.settings)
        if args[0] not in loader.list():
            known = ", ".join(sorted(loader.list()))
            print(f"scrapy probe: no outlet {args[0]!r} (known: {known})", file=sys.stderr)
            self.exitcode = 2
            return
        problem = spider_argument_problem(self.settings, args[0], opts.spargs)
        if problem:
            print(f"scrapy probe: {problem}", file=sys.stderr)
            self.exitcode = 2
            return
        crawler = self.crawler_process.create_crawler(loader.load(args[0]))
        collector = Collector()
        crawler.signals.connect(collector.item_scraped, signal=signals.item_scraped)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        lines, healthy = report(collector.items[: opts.limit], crawler.stats.get_stats())
        print(f"{args[0]}: {len(collector.items[: opts.limit])} article(s) probed")
        print("\n".join(lines))
        self.exitcode = 0 if healthy else 1
