"""``scrapy fixture URL [--case NAME]``: save a page and the JSON of what newscrawl extracts.

Live (fetched through Scrapy, so robots.txt and the User-Agent apply), or offline with
``--from-file PATH --url URL``. The page's bytes are kept exactly as sent; the JSON is the
golden file a person reviews and the golden test checks from then on.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.commands._cli import fixtures_folder
from newscrawl.golden import expected_for, write_case
from newscrawl.offline import OfflineError, guess_callback, spider_for_url

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

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if opts.from_file:
            if args or not opts.url:
                raise UsageError("offline: scrapy fixture --from-file PATH --url URL")
            url = opts.url
        elif len(args) == 1 and not opts.url:
            url = args[0]
        else:
            raise UsageError("give one URL: scrapy fixture URL [--case NAME]")
        try:
            spider = spider_for_url(url, self.settings)(**{})
        except OfflineError as exc:
            return self.fail(str(exc))
        case = opts.case or default_case(url, spider)
        if not CASE.match(case):
            return self.fail(f"{case!r} is not a case name: lowercase letters, digits, _ and -")
        body = self.read(opts.from_file) if opts.from_file else self.fetch(url)
        if body is None:
            return None
        folder = fixtures_folder() / spider.name
        suffix = ".xml" if guess_callback(url, body, spider) in ("parse_feed", "parse_sitemap") \
            else ".html"  # fmt: skip
        page, expected = folder / f"{case}{suffix}", folder / f"{case}.json"
        if (page.exists() or expected.exists()) and not opts.force:
            return self.fail(f"{expected} exists already: choose another --case, or --force")
        folder.mkdir(parents=True, exist_ok=True)
        page.write_bytes(body)
        result = expected_for(page, url, self.settings)
        write_case(expected, result)
        print(f"wrote {page}\nwrote {expected}")
        print(summary(result))
        return None

    def read(self, path: str) -> bytes | None:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            self.fail(f"cannot read {path}: {exc.strerror or exc}")
            return None

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
            lines.append(f"{field:>12}: {item.get(field)}  [{item['extraction'].get(field, '')}]")
        lines.append(f"{'body':>12}: {len(paragraphs)} paragraphs  [{item['extraction']['body']}]")
        lines.append(f"{'first':>12}: {paragraphs[0][:width]}")
        lines.append(f"{'last':>12}: {paragraphs[-1][:width]}")
    return "\n".join(lines)
