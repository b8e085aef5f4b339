"""``scrapy probe OUTLET [--limit N] [--suggest]``: fetch a few of the newest articles and report.

The first thing to run when an outlet seems to have changed: it prints, for each field, how many
articles had it and which extraction layer gave it, and exits non-zero when title, body or
published date fall under 90%. With ``--suggest``, when fields fell to the fallback or went
missing, the selectors are learned again from the pages just fetched and printed as a unified
diff of the spider (new selectors first, the old ones kept after them). Nothing is written to
the database, and no lock file is left beside it.
"""

from __future__ import annotations

import argparse
import inspect
import os
from collections import Counter
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.http import TextResponse
from scrapy.spiderloader import get_spider_loader

from newscrawl.commands._cli import (
    add_spider_args_option,
    count_option,
    one_line_errors,
    parse_spider_args,
    quiet_banner,
    spider_argument_problem,
)
from newscrawl.learn.selectors import Sample, learn, observe
from newscrawl.learn.spiderfile import suggest
from newscrawl.offline import NO_STORE_SETTINGS

REPORTED = ("title", "subtitle", "author", "category", "published", "updated", "body")
REQUIRED = ("title", "body", "published")
THRESHOLD = 0.9
# Layers that say the outlet's selectors no longer find a field.
FALLEN = ("fallback", "text", "missing")


class Collector:
    def __init__(self, keep_pages: int = 0) -> None:
        self.items: list[dict[str, Any]] = []
        self.pages: dict[str, str] = {}
        self.keep_pages = keep_pages

    def item_scraped(self, item: Any) -> None:
        self.items.append(ItemAdapter(item).asdict())

    def response_received(self, response: Any, request: Any, spider: Any) -> None:
        if len(self.pages) >= self.keep_pages or not isinstance(response, TextResponse):
            return
        if response.status == 200 and spider.article_id(response.url):
            self.pages[response.url] = response.text


def fallen_fields(items: list[dict[str, Any]]) -> list[str]:
    """Fields some article got from the fallback, a date line, or not at all."""
    fields = ("title", "author", "published", "body")
    return [
        name for name in fields
        if any((i.get("extraction") or {}).get(name, "missing") in FALLEN for i in items)
    ]  # fmt: skip


def field_value(item: dict[str, Any], name: str) -> Any:
    return item.get(f"{name}_at") if name in ("published", "updated") else item.get(name)


def report(
    items: list[dict[str, Any]], stats: dict[str, Any], max_fallback: float = 0.5
) -> tuple[list[str], bool]:
    """Lines of a fill-rate table, and whether the outlet looks healthy (as a crawl's health
    checks judge it: required fields filled, most bodies not from the generic fallback)."""
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
    fallback = sum(1 for i in items if (i.get("extraction") or {}).get("body") == "fallback")
    if items and fallback / len(items) > max_fallback:
        healthy = False
        lines.append(
            f"{fallback / len(items):.0%} of bodies came from the generic fallback (over"
            f" {max_fallback:.0%}): the outlet's selectors no longer find the article"
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
        parser.add_argument(
            "--suggest", action="store_true",
            help="when fields fell to the fallback or went missing: new selectors, as a diff",
        )  # fmt: skip

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        quiet_banner(self.settings)
        parse_spider_args(opts)
        # Checked here, before the crawler process exists: its start-up banner would bury them.
        if len(args) != 1:
            raise UsageError("name one outlet: scrapy probe inqilab", print_help=False)
        known = get_spider_loader(self.settings).list()
        if args[0] not in known:
            raise UsageError(f"no outlet {args[0]!r} (known: {', '.join(sorted(known))})")
        problem = spider_argument_problem(self.settings, args[0], opts.spargs)
        if problem:
            raise UsageError(problem)
        for name, value in NO_STORE_SETTINGS.items():
            self.settings.set(name, value, "cmdline")
        self.settings.set("CLOSESPIDER_ITEMCOUNT", opts.limit, "cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        loader = get_spider_loader(self.settings)
        crawler = self.crawler_process.create_crawler(loader.load(args[0]))
        collector = Collector(keep_pages=opts.limit if opts.suggest else 0)
        crawler.signals.connect(collector.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(collector.response_received, signal=signals.response_received)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        lines, healthy = report(
            collector.items[: opts.limit],
            crawler.stats.get_stats(),
            self.settings.getfloat("NEWSCRAWL_MAX_FALLBACK_SHARE", 0.5),
        )
        print(f"{args[0]}: {len(collector.items[: opts.limit])} article(s) probed")
        print("\n".join(lines))
        self.exitcode = 0 if healthy else 1
        if opts.suggest:
            self.suggest(loader.load(args[0]), collector)

    def suggest(self, spidercls: Any, collector: Collector) -> None:
        items = collector.items[: collector.keep_pages]
        fallen = fallen_fields(items)
        if not fallen:
            print("no field fell to the fallback or went missing: no selector to suggest")
            return
        samples = [Sample(url, html) for url, html in collector.pages.items()]
        if not samples:
            print(f"{', '.join(fallen)} fell back, but no article page was fetched to learn from")
            return
        names = list(spidercls.site_names)
        learned = learn([observe(s, names) for s in samples], names)
        wanted = {n: v for n, v in learned.items() if n in fallen or (n == "dates" and
                  "published" in fallen)}  # fmt: skip
        source_file = Path(inspect.getsourcefile(spidercls) or "")
        diff = None
        if wanted and source_file.is_file():
            shown = os.path.relpath(source_file)
            diff = suggest(source_file.read_text("utf-8"), wanted, shown)
        if not diff:
            print(f"{', '.join(fallen)} fell back; no selector could be learned for them "
                  f"from {len(samples)} page(s)")  # fmt: skip
            return
        print(f"\nselectors learned from {len(samples)} fresh page(s) for {', '.join(wanted)};")
        print(f"to apply: scrapy probe {spidercls.name} --suggest ... | patch -p1\n")
        print(diff, end="")
