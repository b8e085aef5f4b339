"""``scrapy newoutlet NAME --url https://site/``: a new outlet spider learned from its site.

Reads robots.txt, the feeds and sitemaps it finds and a handful of articles, infers
``article_path``, learns each field's CSS selector from what the extraction layers agree on, and
writes the spider, the sample pages as fixtures with their expected JSON, and a table of fields
x layers x fill rate. Offline: ``--from-file PAGE --url URL`` (repeatable). The hand path,
``--domain example.com``, writes a skeleton of guesses instead (``newscrawl.learn.skeleton``).
"""

from __future__ import annotations

import argparse
import importlib
import keyword
import re
import sys
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

import newscrawl.spiders
from newscrawl.commands._cli import CommandError, fixtures_folder, one_line_errors
from newscrawl.golden import expected_for, write_case
from newscrawl.learn import outlet as learning
from newscrawl.learn.discover import Site
from newscrawl.learn.fetch import Fetcher
from newscrawl.learn.selectors import Sample, fill_table
from newscrawl.learn.skeleton import (
    DEFAULT_ARTICLE_PATH,
    FIXTURE_NOTE,
    read_page,
    render,
    site_names_of,
)
from newscrawl.offline import read_saved_page
from newscrawl.spiders.discovery import origin_of

__all__ = ["DEFAULT_ARTICLE_PATH", "Command", "render"]

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
DOMAIN = re.compile(r"^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$")


def site_url_of(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL; None for anything else."""
    if origin_of(url) is None:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def discovery_url_problem(option: str, value: str) -> str | None:
    if value.startswith("/") or origin_of(value) is not None:
        return None
    return f"--{option} {value!r} is neither a URL (https://site/rss.xml) nor a path (/rss.xml)"


def case_name(url: str, number: int) -> str:
    last = [p for p in urlsplit(url).path.split("/") if p]
    stem = re.sub(r"[^a-z0-9_-]+", "_", (last[-1] if last else "page").lower()).strip("_-")
    return f"sample{number}_{stem[:30]}".rstrip("_-")


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return (
            "NAME --url https://site/ [-a base_url=MIRROR] [--samples N]"
            " | NAME --from-file PAGE --url URL [...]"
            " | NAME --domain example.com [--page FILE_OR_URL] [--feed URL] [--sitemap URL]"
        )

    def short_desc(self) -> str:
        return "Learn a new outlet spider from its site (or write a skeleton by hand)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--url", action="append", default=[], metavar="URL",
            help="the site (https://site/) to learn from; with --from-file, each page's URL",
        )  # fmt: skip
        parser.add_argument(
            "--from-file", action="append", default=[], metavar="PAGE",
            help="a saved article page to learn from, offline (repeatable, each with --url)",
        )  # fmt: skip
        parser.add_argument(
            "-a", dest="spargs", action="append", default=[], metavar="base_url=URL",
            help="base_url=URL: fetch from this mirror of the site instead",
        )  # fmt: skip
        parser.add_argument("--samples", type=int, default=learning.SAMPLES,
                            help="article pages to learn from (default 5)")  # fmt: skip
        parser.add_argument("--domain", help="the hand path: a skeleton for this domain")
        for option in ("feed", "sitemap", "listing"):
            parser.add_argument(
                f"--{option}", action="append", default=[], metavar="URL",
                help=f"a {option} URL or path (repeatable)",
            )  # fmt: skip
        parser.add_argument(
            "--page", metavar="FILE_OR_URL",
            help="with --domain: one of the site's pages, saved or its URL: the site's real name",
        )  # fmt: skip

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("name the outlet: scrapy newoutlet NAME --url https://site/")
        name = args[0]
        problem = self.problem_with(name) or self.options_problem(opts)
        if problem:
            print(f"scrapy newoutlet: {problem}", file=sys.stderr)
            self.exitcode = 2
            return
        if opts.domain:
            self.skeleton(name, opts)
        else:
            self.learned(name, opts)

    def options_problem(self, opts: argparse.Namespace) -> str | None:
        for option in ("feed", "sitemap", "listing"):
            for value in getattr(opts, option):
                problem = discovery_url_problem(option, value)
                if problem:
                    return problem
        if not 1 <= opts.samples <= 50:
            return "--samples must be 1 to 50"
        if opts.domain:
            domain = opts.domain.strip().lower().removeprefix("https://").removeprefix("http://")
            opts.domain = domain.strip("/")
            if opts.url or opts.from_file:
                return "--domain writes a skeleton: leave out --url and --from-file"
            if not DOMAIN.match(opts.domain):
                return f"{opts.domain!r} is not a domain name like dhakapost.com"
            return None
        if not opts.url:
            return "give the site: --url https://site/ (or --domain example.com for a skeleton)"
        for url in opts.url:
            if site_url_of(url) is None:
                return f"--url {url!r} is not an http(s) URL like https://www.example.com/"
        if opts.from_file and len(opts.from_file) != len(opts.url):
            return "give each --from-file PAGE its own --url URL"
        if not opts.from_file and len(opts.url) > 1:
            return "give one --url: the site's address (or --from-file PAGE --url URL pairs)"
        for spec in opts.spargs:
            key, _, value = spec.partition("=")
            if key != "base_url" or site_url_of(value) is None:
                return f"-a {spec!r}: only -a base_url=http://host[:port] is understood here"
        if opts.spargs and opts.from_file:
            return "-a base_url is for fetching: leave it out with --from-file"
        return None

    def problem_with(self, name: str) -> str | None:
        if not NAME.match(name) or keyword.iskeyword(name):
            return f"{name!r} is not a valid name: lowercase letters, digits and _, like dhakapost"
        if name in get_spider_loader(self.settings).list():
            return f"an outlet named {name!r} exists already"
        if (Path(newscrawl.spiders.__path__[0]) / f"{name}.py").exists():
            return f"newscrawl/spiders/{name}.py exists already"
        return None

    # -- the one-command path ------------------------------------------------------------------

    def learned(self, name: str, opts: argparse.Namespace) -> None:
        site_url = site_url_of(opts.url[0])
        assert site_url is not None
        feeds = [*opts.feed]
        if opts.from_file:
            samples = [
                Sample.from_bytes(url, read_saved_page(path))
                for path, url in zip(opts.from_file, opts.url, strict=True)
            ]
            lesson = learning.from_samples(samples)
        else:
            base = dict(s.partition("=")[::2] for s in opts.spargs).get("base_url") or site_url
            fetcher = Fetcher(
                base_url=site_url_of(base) or site_url,
                user_agent=self.settings.get("USER_AGENT"),
                delay=self.settings.getfloat("DOWNLOAD_DELAY"),
                timeout=self.settings.getfloat("DOWNLOAD_TIMEOUT"),
                max_bytes=self.settings.getint("DOWNLOAD_MAXSIZE"),
            )
            print(f"reading {fetcher.base_url} (robots.txt, feeds, sitemaps, articles)")
            try:
                lesson = learning.from_site(fetcher, Site(site_url, fetcher.base_url), opts.samples)
            except learning.LearnError as exc:
                message = f"{exc}; or learn from saved pages: --from-file PAGE --url URL"
                raise CommandError(message) from None
        if lesson.site_url:
            print(f"{opts.url[0]} stands in for {lesson.site_url} (its pages say so): the spider"
                  f" is for {lesson.site_url}; crawl the mirror with -a base_url=")  # fmt: skip
            site_url = lesson.site_url
        spider_file = Path(newscrawl.spiders.__path__[0]) / f"{name}.py"
        spider_file.write_text(learning.spider_source(name, site_url, lesson, feeds), "utf-8")
        importlib.invalidate_caches()
        fixtures = fixtures_folder() / name
        fixtures.mkdir(parents=True, exist_ok=True)
        host = urlsplit(site_url).netloc
        (fixtures / "README").write_text(FIXTURE_NOTE.format(name=name, host=host), "utf-8")
        checked = []
        for number, sample in enumerate(lesson.samples, 1):
            case = case_name(sample.url, number)
            page = fixtures / f"{case}.html"
            if sample.raw is not None:
                page.write_bytes(sample.raw)  # as the site sent it
            else:
                page.write_text(sample.html, "utf-8")
            expected = expected_for(page, sample.url, self.settings)
            write_case(fixtures / f"{case}.json", expected)
            checked += expected.get("items", [])
        print(f"wrote {spider_file}")
        print(f"wrote {len(lesson.samples)} sample(s) with their expected JSON in {fixtures}")
        print(f"article_path: {lesson.article_path}")
        print(fill_table(lesson.observations, lesson.learned, checked))
        for problem in lesson.problems:
            print(f"note: {problem}")
        if "body" not in lesson.learned:
            print(
                "note: no selector gave the agreed body on the samples: bodies come from"
                " JSON-LD or, with no selector at all, the generic rules; check the JSON"
            )
        print(self.learned_steps(name, spider_file, fixtures))

    @staticmethod
    def learned_steps(name: str, spider_file: Path, fixtures: Path) -> str:
        return f"""
Next:
  1. Read {spider_file.name}: the selectors, and the samples' agreement beside each.
  2. Read the .json files in {fixtures}: title, dates, author, the body.
  3. python -m pytest tests/test_golden.py     # the golden and guard tests
  4. scrapy crawl {name}  (or scrapy probe {name} --limit 5 first)
"""

    # -- the hand path -------------------------------------------------------------------------

    def skeleton(self, name: str, opts: argparse.Namespace) -> None:
        domain = opts.domain
        names: list[str] = []
        if opts.page:
            try:
                names = site_names_of(read_page(opts.page))
            except (OSError, ValueError) as exc:
                print(f"scrapy newoutlet: warning: cannot read {opts.page} ({exc}); "
                      "site_names guessed from the domain", file=sys.stderr)  # fmt: skip
        spider_file = Path(newscrawl.spiders.__path__[0]) / f"{name}.py"
        spider_file.write_text(render(name, domain, opts.feed, opts.sitemap, opts.listing, names))
        fixtures = fixtures_folder() / name
        fixtures.mkdir(parents=True, exist_ok=True)
        host = domain if domain.startswith("www.") else f"www.{domain}"
        (fixtures / "README").write_text(FIXTURE_NOTE.format(name=name, host=host))
        print(self.next_steps(name, spider_file, fixtures, host))

    @staticmethod
    def next_steps(name: str, spider_file: Path, fixtures: Path, host: str) -> str:
        return f"""wrote {spider_file}
wrote {fixtures}/README

Next:
  1. Open {spider_file.name} and set article_path, feeds/listings and the selectors
     (docs/adding-an-outlet.md walks through it).
  2. Save an article page and its expected output:
       scrapy fixture https://{host}/<an article> --case plain
     (or --from-file PAGE --url URL when you have the page already). Review the .json.
  3. python -m pytest tests/test_golden.py     # the golden and guard tests
  4. scrapy probe {name} --limit 5             # against the live site
"""
