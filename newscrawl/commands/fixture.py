"""``scrapy fixture URL [--case NAME]``: save a page and the JSON of what newscrawl extracts.

Live (fetched through Scrapy, so robots.txt and the User-Agent apply), or offline with
``--from-file PATH --url URL``. Neither writes to the database nor leaves a lock file. The
page's bytes are kept exactly as sent; the JSON is the golden file a person reviews and the
golden test checks from then on.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.commands._cli import CommandError, fixtures_folder, one_line_errors, quiet_banner
from newscrawl.golden import expected_for, write_case
from newscrawl.offline import NO_STORE_SETTINGS, guess_callback, read_saved_page, spider_for_url

CASE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class FetchOnce(scrapy.Spider):
    """Fetches one URL and keeps its body."""

    name = "fixture-fetch"

    def __init__(self, url: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.url = url
        self.body: bytes | None = None
        self.failure: str | None = None

    async def start(self):
        yield scrapy.Request(self.url, callback=self.keep, errback=self.failed, dont_filter=True)

    def keep(self, response):
        self.body = response.body

    def failed(self, failure):
        self.failure = str(failure.value) or failure.type.__name__


def default_case(url: str, spider: Any) -> str:
    article_id = spider.article_id(url)
    if article_id:
        return f"article_{article_id}"
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[^a-z0-9_-]+", "_", last.lower()).strip("_-") or "page"


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "URL [--case NAME] | --from-file PATH --url URL [--case NAME]"

    def short_desc(self) -> str:
        return "Save a page under tests/fixtures/<outlet>/ with the JSON it should extract to"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--case", help="the fixture's name (default: from the URL)")
        parser.add_argument("--from-file", metavar="PATH", help="a page saved already")
        parser.add_argument("--url", help="with --from-file: the URL it was saved from")
        parser.add_argument("--force", action="store_true", help="replace an existing case")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        quiet_banner(self.settings)
        for name, value in NO_STORE_SETTINGS.items():  # a fetch, not a run: nothing stored
            self.settings.set(name, value, "cmdline")
        # Everything that can be checked is checked here, before the crawler process exists:
        # its start-up banner would bury the one line that says what is wrong.
        if opts.from_file:
            if args or not opts.url:
                raise UsageError("offline: scrapy fixture --from-file PATH --url URL")
            self.url = opts.url
        elif len(args) == 1 and not opts.url:
            self.url = args[0]
        else:
            raise UsageError("give one URL: scrapy fixture URL [--case NAME]")
        self.spider = spider_for_url(self.url, self.settings)(**{})
        self.case = opts.case or default_case(self.url, self.spider)
        if not CASE.match(self.case):
            raise UsageError(f"{self.case!r} is not a case name: lowercase letters, digits, _, -")
        self.folder = fixtures_folder() / self.spider.name
        taken = [self.folder / f"{self.case}{suffix}" for suffix in (".json", ".html", ".xml")]
        if any(path.exists() for path in taken) and not opts.force:
            raise CommandError(f"{taken[0]} exists already: choose another --case, or --force")
        self.body = read_saved_page(opts.from_file) if opts.from_file else None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        body = self.body if self.body is not None else self.fetch(self.url)
        if body is None:
            return
        callback = guess_callback(self.url, body, self.spider)
        suffix = ".xml" if callback in ("parse_feed", "parse_sitemap") else ".html"
        page, expected = self.folder / f"{self.case}{suffix}", self.folder / f"{self.case}.json"
        self.folder.mkdir(parents=True, exist_ok=True)
        page.write_bytes(body)
        result = expected_for(page, self.url, self.settings)
        write_case(expected, result)
        print(f"wrote {page}\nwrote {expected}")
        print(summary(result))

    def fetch(self, url: str) -> bytes | None:
        crawler = self.crawler_process.create_crawler(FetchOnce)
        holder: dict[str, Any] = {}
        crawler.signals.connect(lambda spider: holder.update(spider=spider),
                                signal=signals.spider_closed, weak=False)  # fmt: skip
        self.crawler_process.crawl(crawler, url=url)
        self.crawler_process.start()
        spider = holder.get("spider")
        if spider is None or spider.body is None:
            reason = spider.failure if spider is not None else "the fetch did not run"
            self.fail(f"could not fetch {url} ({reason or 'blocked by robots.txt?'})")
            return None
        return spider.body

    def fail(self, message: str) -> None:
        print(f"scrapy fixture: {message}", file=sys.stderr)
        self.exitcode = 1


def summary(result: dict[str, Any]) -> str:
    """What to check by hand before committing the case."""
    if result.get("skipped"):
        return f"not an article: skipped as {result['skipped']}"
    if result.get("requests"):
        return f"{len(result['requests'])} link(s) found: check the list in the .json"
    lines = []
    for item in result.get("items", []):
        paragraphs = item["body"].split("\n\n")
        width = shutil.get_terminal_size((100, 20)).columns - 14
        for field in ("title", "author", "category", "published_at", "updated_at"):
            layer = item["extraction"].get(field.removesuffix("_at"), "missing")
            lines.append(f"{field:>12}: {item.get(field)}  [{layer}]")
        lines.append(f"{'body':>12}: {len(paragraphs)} paragraphs  [{item['extraction']['body']}]")
        lines.append(f"{'first':>12}: {paragraphs[0][:width]}")
        lines.append(f"{'last':>12}: {paragraphs[-1][:width]}")
    return "\n".join(lines)
