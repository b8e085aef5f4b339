"""``scrapy newoutlet NAME --domain example.com``: the skeleton of a new outlet spider."""

from __future__ import annotations

import argparse
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
from newscrawl.commands._cli import fixtures_folder, one_line_errors

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
DOMAIN = re.compile(r"^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$")

SKELETON = '''"""{title} ({domain}).

Facts marked [V] were checked on the live site; [G] are guesses. JSON-LD, meta tags and the
generic fallback stand in for every selector left empty or wrong, and the crawl stats
(``newscrawl/extraction/<field>/<layer>``) show which layer read each field.
"""

from __future__ import annotations

import re
from typing import ClassVar

from newscrawl.spiders.base import OutletSpider


class {cls}(OutletSpider):
    name = "{name}"
    site_url = "https://{host}"
    # Every host name the site answers to; links naming them are followed on a -a base_url mirror.
    site_hosts = {hosts!r}
    # Stripped from titles ("Headline | Site") and from byline lines ("Site Desk Name").
    site_names = ({site_name!r},)

    # Discovery: paths (or full URLs) on the site. A guess that turns out wrong is counted under
    # newscrawl/discovery_failed/ and the crawl goes on.
    feeds = {feeds!r}  # RSS or Atom [G]
    sitemaps = {sitemaps!r}  # (news) sitemaps [G]
    sitemaps_from_robots = True  # also the Sitemap: lines of robots.txt
    listings = {listings!r}  # category pages, followed with ?page=N [G]
    archive_path = None  # a date archive for -a since=YYYY-MM-DD backfill, if the site has one

    # The path of an article page; the group ``id`` is the site's own article id, so one
    # article reached at two URLs is one article. [G] any path with a number of 3+ digits:
    # make it as exact as the site allows, e.g. r"^/news/(?P<id>\\d+)$".
    article_path = re.compile(r"^/(?:[\\w-]+/)*?(?P<id>\\d{{3,}})(?:[/-][\\w-]*)?/?$")

    # CSS selectors tried after JSON-LD and meta tags, in order; the first that matches wins.
    # Leave a field empty to rely on the other layers. "::attr(x)" reads an attribute.
    selectors: ClassVar[dict[str, tuple[str, ...]]] = {{
        "title": ("h1",),  # the headline
        "subtitle": (),  # a sub-heading or shoulder line
        "author": (),  # the byline element
        "category": (),  # the section name (a breadcrumb link, an active menu item)
        "dates": (),  # one line holding "published | updated", as some sites print it
        "published": ("time::attr(datetime)",),  # the publication date alone
        "updated": (),  # the update date alone
        "body": ("article p",),  # the article's paragraphs
        "tags": (),  # tag links ("::text")
        "image": (),  # the lead image ("img::attr(src)")
    }}

    # Text rules, applied to the body whichever layer found it (regular expressions):
    body_end_patterns = ()  # a paragraph that starts the page furniture: cut from there on
    boilerplate_patterns = ()  # paragraphs to drop, e.g. re.compile(r"^আরও পড়ুন\\s*:")
    byline_lead_in = None  # e.g. re.compile(r"^(?P<author>\\S+ ডেস্ক)\\s*:\\s*")
    sign_off = None  # a closing line to drop, e.g. re.compile(r"সান নিউজ/\\S+")
'''

FIXTURE_NOTE = """Fixtures for the {name} spider
==============================

Put saved pages here, each beside the JSON of what newscrawl extracts from it:

  <case>.html   the page's raw bytes, exactly as the site sent them (article or listing page)
  <case>.xml    a feed or sitemap
  <case>.json   {{"url": ..., "items"/"requests"/"skipped": ...}}: the expected result

Capture them with the fixture command, which writes both files:

  scrapy fixture https://{host}/path/to/an/article --case plain     (needs internet)
  scrapy fixture --from-file saved.html --url https://{host}/... --case plain

Read every .json by hand before committing: title, dates, author, and the body paragraphs
(nothing of the page around the article, nothing of the article missing). After a deliberate
change to the spider, `python -m pytest tests/test_golden.py --update-golden` rewrites the
.json files; review the diff. Say here which pages are real captures.
"""


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) + "Spider"


def site_path(url: str | None, hosts: tuple[str, ...]) -> str | None:
    """A path for a URL on the site (the skeleton stays valid on a mirror), else the URL."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme:
        return url if url.startswith("/") else f"/{url}"
    if parts.hostname in hosts:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url


def render(name: str, domain: str, feeds: list[str], sitemaps: list[str], listings: list[str]):
    host = domain if domain.startswith("www.") else f"www.{domain}"
    bare = host.removeprefix("www.")
    hosts = (host, bare)
    return SKELETON.format(
        title=bare.split(".")[0].capitalize(),
        domain=bare,
        cls=class_name(name),
        name=name,
        host=host,
        hosts=hosts,
        site_name=bare.split(".")[0].capitalize(),
        feeds=tuple(site_path(u, hosts) for u in feeds) or ("/rss",),
        sitemaps=tuple(site_path(u, hosts) for u in sitemaps),
        listings=tuple(site_path(u, hosts) for u in listings),
    )


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "NAME --domain example.com [--feed URL] [--sitemap URL] [--listing URL]"

    def short_desc(self) -> str:
        return "Write the skeleton of a new outlet spider and its fixture folder"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--domain", required=True, help="the site, e.g. dhakapost.com")
        for option in ("feed", "sitemap", "listing"):
            parser.add_argument(
                f"--{option}", action="append", default=[], metavar="URL",
                help=f"a {option} URL (repeatable)",
            )  # fmt: skip

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("name the outlet: scrapy newoutlet NAME --domain example.com")
        name, domain = args[0], opts.domain.strip().lower().removeprefix("https://")
        domain = domain.removeprefix("http://").strip("/")
        problem = self.problem_with(name, domain)
        if problem:
            print(f"scrapy newoutlet: {problem}", file=sys.stderr)
            self.exitcode = 2
            return
        spider_file = Path(newscrawl.spiders.__path__[0]) / f"{name}.py"
        spider_file.write_text(render(name, domain, opts.feed, opts.sitemap, opts.listing))
        fixtures = fixtures_folder() / name
        fixtures.mkdir(parents=True, exist_ok=True)
        host = domain if domain.startswith("www.") else f"www.{domain}"
        (fixtures / "README").write_text(FIXTURE_NOTE.format(name=name, host=host))
        print(self.next_steps(name, spider_file, fixtures, host))

    def problem_with(self, name: str, domain: str) -> str | None:
        if not NAME.match(name) or keyword.iskeyword(name):
            return f"{name!r} is not a valid name: lowercase letters, digits and _, like dhakapost"
        if name in get_spider_loader(self.settings).list():
            return f"an outlet named {name!r} exists already"
        if (Path(newscrawl.spiders.__path__[0]) / f"{name}.py").exists():
            return f"newscrawl/spiders/{name}.py exists already"
        if not DOMAIN.match(domain):
            return f"{domain!r} is not a domain name like dhakapost.com"
        return None

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
