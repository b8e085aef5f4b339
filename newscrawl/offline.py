"""Run an outlet spider's parsing over a saved page, without a crawl.

Used by ``scrapy extract``, ``scrapy fixture`` and the golden-file tests: the same code path a
crawl takes from response to item, so a saved page shows exactly what a crawl would store.

A page from a host no outlet spider handles is read by the generic outlet: JSON-LD, meta tags,
the generic rules and trafilatura, no selector. A page whose URL the outlet's ``article_path``
does not match is still read as an article when it says it is one (JSON-LD article, ``og:type``
article), with a warning: the pattern, not the URL, is usually what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader

from newscrawl import text
from newscrawl.pipelines import clean_article
from newscrawl.spiders.base import OutletSpider

# Settings of commands that fetch but never store (probe, fixture): no pipeline past cleaning, no
# run lock, no look-up of known articles, no health checks; nothing is written beside the
# database, and the database is never opened.
NO_STORE_SETTINGS: dict[str, Any] = {
    "ITEM_PIPELINES": {"newscrawl.pipelines.CleanPipeline": 100},
    # Replaces the project's EXTENSIONS: name again the ones a fetch without a store keeps.
    "EXTENSIONS": {
        "newscrawl.extensions.RunLockExtension": None,
        "newscrawl.extensions.ShortNetworkErrors": 0,  # an unreachable site: one line each
    },
    "NEWSCRAWL_INCREMENTAL": False,
    "SPIDERMON_ENABLED": False,
}

# Which callback reads a saved page, by what the page is.
CALLBACKS = ("parse_article", "parse_feed", "parse_sitemap", "parse_listing", "parse_archive")


class OfflineError(Exception):
    """A problem with the saved page or its URL; the message says what to do."""


@dataclass
class Result:
    items: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    skipped: str | None = None
    stats: dict[str, int] = field(default_factory=dict)
    warning: str | None = None


class GenericOutlet(OutletSpider):
    """Any site, no selectors: every field from JSON-LD, meta tags, generic rules, trafilatura.

    Not in ``newscrawl/spiders``: it reads saved pages, it does not crawl.
    """

    name = "generic"
    article_path = re.compile(r"^(?P<id>/.*)$")
    selectors: ClassVar[dict[str, Sequence[str]]] = {}


def generic_outlet(host: str) -> type[OutletSpider]:
    attributes = {"site_url": f"https://{host}", "site_hosts": (host,)}
    return type("GenericOutlet", (GenericOutlet,), attributes)


def outlet_spiders(settings: Settings) -> dict[str, type[OutletSpider]]:
    loader = get_spider_loader(settings)
    spiders = {name: loader.load(name) for name in loader.list()}
    return {n: s for n, s in spiders.items() if issubclass(s, OutletSpider)}


def spider_for_url(url: str, settings: Settings, generic: bool = False) -> type[OutletSpider]:
    """The outlet spider for the URL's host; else the generic outlet, if ``generic``."""
    host = urlsplit(url).hostname
    if not host:
        raise OfflineError(f"{url!r} is not a full URL: give it as https://host/path")
    for spider in outlet_spiders(settings).values():
        if host in spider.site_hosts:
            return spider
    if generic:
        return generic_outlet(host)
    known = ", ".join(h for s in outlet_spiders(settings).values() for h in s.site_hosts[:1])
    raise OfflineError(f"no spider handles {host} (known: {known})")


ARTICLE_MARK = re.compile(
    rb"""<meta[^>]+(?:property|name)=["']og:type["'][^>]+content=["']article["']"""
    rb"""|<meta[^>]+content=["']article["'][^>]+(?:property|name)=["']og:type["']"""
    rb"""|["']@type["']\s*:\s*\[?\s*["'](?:News|Reportage|Analysis|Opinion)?Article["']"""
    rb"""|itemprop=["']articleBody["']|property=["']article:published_time["']""",
    re.I,
)


# The document's first element (after any prolog, comment or doctype).
_ROOT = re.compile(rb"<(?![?!/])([a-z][\w.-]*:)?([a-z][\w.-]*)")


def says_it_is_an_article(body: bytes) -> bool:
    return bool(ARTICLE_MARK.search(body))


def guess_callback(url: str, body: bytes, spider: OutletSpider) -> str:
    head = body[:2000].lstrip().lower()
    root = _ROOT.search(head)
    xhtml = bool(root) and root.group(2) == b"html"  # an XML prolog, but a page
    if not xhtml and (head.startswith(b"<?xml") or b"<rss" in head or b"<urlset" in head):
        return "parse_sitemap" if b"<urlset" in body[:4000] or b"<sitemapindex" in body[:4000] \
            else "parse_feed"  # fmt: skip
    if spider.article_id(url):
        return "parse_article"
    if spider.archive_path and urlsplit(url).path == spider.archive_path:
        return "parse_archive"
    return "parse_listing"


def read_saved_page(path: Path | str) -> bytes:
    """A saved page's bytes; a file that cannot be read is a one-line OfflineError."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise OfflineError(f"cannot read {path}: {exc.strerror or exc}") from None


def parse_saved_page(
    path: Path | str,
    url: str,
    settings: Settings,
    callback: str | None = None,
    spider_kwargs: dict[str, Any] | None = None,
) -> Result:
    body = read_saved_page(path)
    spidercls = spider_for_url(url, settings, generic=True)
    spider = spidercls(**(spider_kwargs or {}))
    warning = None
    if not callback:
        callback = guess_callback(url, body, spider)
        if callback == "parse_listing" and says_it_is_an_article(body):
            callback = "parse_article"
            warning = (
                f"{url} does not match {spider.name}'s article_path; read as an article anyway"
                f" (widen article_path in newscrawl/spiders/{spider.name}.py)"
            )
    if callback not in CALLBACKS:
        raise OfflineError(f"unknown callback {callback!r}: one of {', '.join(CALLBACKS)}")
    response_cls = XmlResponse if callback in ("parse_feed", "parse_sitemap") else HtmlResponse
    meta = {"page": 1, "article_id": spider.article_id(url)}
    response = response_cls(url=url, body=body, request=Request(url, meta=meta))
    result = Result(warning=warning)
    for output in getattr(spider, callback)(response) or ():
        if isinstance(output, Request):
            discovered = output.meta.get("discovered") or {}
            result.requests.append(
                {"url": output.url, "published": discovered.get("published")}
                if discovered
                else {"url": output.url}
            )
        else:
            result.items.append(as_stored(output))
            if isinstance(spider, GenericOutlet):
                result.items[-1]["extraction"]["outlet"] = "generic"
    result.stats = spider.stats.get_stats()
    skipped = [k.rsplit("/", 1)[1] for k in result.stats if k.startswith("newscrawl/skipped/")]
    result.skipped = skipped[0] if skipped else None
    return result


def as_stored(item: Any) -> dict[str, Any]:
    """The item as the pipelines would store it, less what only a crawl knows (time, run)."""
    adapter = ItemAdapter(item)
    if clean_article(adapter) is None:
        adapter["content_hash"] = text.content_hash(adapter["title"], adapter["body"])
    return {k: v for k, v in adapter.asdict().items() if k not in ("crawled_at", "run_id")}
