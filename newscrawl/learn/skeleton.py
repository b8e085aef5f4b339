"""The hand-written path's skeleton: a spider of guesses for ``scrapy newoutlet --domain``."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from parsel import Selector

from newscrawl.extraction import generic, jsonld
from newscrawl.extraction.meta import page_site_names, title_suffix

# Article URL shapes of real news sites (see the skeleton's comment); the path, or path?query.
DEFAULT_ARTICLE_PATH = (
    r"^(?:/[^?#]*\?(?:[^#]*&)?(?:id|nid|news_id|article_id|story_id)="
    r"|/(?:[^/?#]+/)*?(?:[^/?#]*?[-_])?(?!(?:19|20)\d\d[-/]\d\d[-/]\d\d/?$)"
    r"(?=\d{3,}(?:[-/._]|$)|(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{6,16}/?$))"
    r"(?P<id>\d{4}/\d{2}/\d{2}/[^/?#]+|\w+)"
)
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
    site_names = {site_names!r}  # {names_note}

    # Discovery: paths (or full URLs) on the site. A guess that turns out wrong is counted under
    # newscrawl/discovery_failed/ and the crawl goes on.
    feeds = {feeds!r}  # RSS or Atom [G]
    sitemaps = {sitemaps!r}  # (news) sitemaps [G]
    sitemaps_from_robots = True  # also the Sitemap: lines of robots.txt
    listings = {listings!r}  # category pages, followed with ?page=N [G]
    archive_path = None  # a date archive for -a since=YYYY-MM-DD backfill, if the site has one

    # The path of an article page; the group ``id`` is the site's own article id, so one
    # article reached at two URLs is one article. [G] the shapes news sites use: a number of 3+
    # digits as a path segment or at the end of a slug (/804943/<slug>, /section/words-12345,
    # /slug-12345.html), a short code of letters and digits (/bangladesh/6suuafru01),
    # /YYYY/MM/DD/slug, ?id=N. Make it as exact as the site allows, e.g. r"^/news/(?P<id>\\d+)$".
    article_path = re.compile(
        {article_path}
    )

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


def render(
    name: str,
    domain: str,
    feeds: list[str],
    sitemaps: list[str],
    listings: list[str],
    site_names: Sequence[str] = (),
) -> str:
    host = domain if domain.startswith("www.") else f"www.{domain}"
    bare = host.removeprefix("www.")
    hosts = (host, bare)
    guessed = bare.split(".")[0].capitalize()
    article_path = "\n".join(
        f"        r{part!r}" if '"' in part else f'        r"{part}"'
        for part in _split_pattern(DEFAULT_ARTICLE_PATH)
    ).strip()
    return SKELETON.format(
        article_path=article_path,
        site_names=tuple(site_names) or (guessed,),
        names_note="[V] as the site's pages state them" if site_names else "[G] from the domain",
        title=bare.split(".")[0].capitalize(),
        domain=bare,
        cls=class_name(name),
        name=name,
        host=host,
        hosts=hosts,
        feeds=tuple(site_path(u, hosts) for u in feeds) or ("/rss",),
        sitemaps=tuple(site_path(u, hosts) for u in sitemaps),
        listings=tuple(site_path(u, hosts) for u in listings),
    )


def _split_pattern(pattern: str) -> list[str]:
    """The default pattern in the pieces it is written in above, one per skeleton line."""
    pieces, rest = [], pattern
    for marker in ("|/(?:", "(?=\\d{3,}", "(?P<id>"):
        head, _, tail = rest.partition(marker)
        pieces.append(head)
        rest = marker + tail
    return [*pieces, rest]


def site_names_of(page: str) -> list[str]:
    """The site's names as one of its pages states them: og:site_name, JSON-LD publisher,
    the ``<title>`` suffix after the headline."""
    sel = Selector(text=page)
    data = jsonld.blocks(sel)
    node = jsonld.article(data) or {}
    headline = (
        jsonld.first_text(node.get("headline"))
        or sel.xpath('//meta[@property="og:title"]/@content').get()
    )
    names = [*page_site_names(sel), *jsonld.publisher_names(data)]
    suffix = title_suffix(sel.xpath("//title/text()").get(), headline or generic.headline(sel))
    return list(dict.fromkeys([*names, *([suffix] if suffix else [])]))


def read_page(source: str) -> str:
    """A saved page, or one fetched from its URL (one request, 15 s at most)."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"User-Agent": "newscrawl newoutlet"})
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.read(5_000_000).decode("utf-8", "replace")
    return Path(source).read_text("utf-8", "replace")
