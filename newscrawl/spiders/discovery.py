"""Discovery: the feeds, sitemaps, robots.txt lines, listings and archive pages that lead to
articles, read safely, on the crawl's own origin, within per-run bounds.

Same origin
    A URL is fetched only on one of the crawl's origins: scheme, host and port. Crawling a mirror
    (``-a base_url=``) that is the mirror's alone; crawling the site, its hosts on the scheme and
    port of ``site_url``. Links naming the real site are pointed at the origin being crawled
    (``localize``); anything else (another port of the same host included) is not followed.
Bounds
    ``NEWSCRAWL_DISCOVERY_MAX_DEPTH``: how many documents deep a sitemap index (or robots.txt)
    may lead; ``NEWSCRAWL_DISCOVERY_MAX_DOCUMENTS``: discovery documents one run fetches. Each
    document gives at most ``max_feed_items``/``max_sitemap_urls``/``max_listing_links`` links,
    the newest by their date (document order where they have none); the run's total of queued
    articles is capped by ``middlewares.QueuedArticlesBound``. Feed articles go first (request
    priority), so a huge listing or sitemap cannot starve them.
Documents
    Read by ``documents.DocumentReader``: XML with entity declarations refused, gzipped or not,
    within ``DOWNLOAD_MAXSIZE``; one that cannot be read is ``discovery_unreadable/<kind>``.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newscrawl.spiders.documents import (
    FEED_DATE,
    FEED_ENTRIES,
    FEED_LINK,
    LASTMOD,
    LOC,
    SITEMAPS,
    URL_DATE,
    URLS,
    DocumentReader,
    Link,
    entry_links,
    failure_reason,
    newest_first,
    too_large,
)

Origin = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_LINKED_DOCUMENTS = 50  # sitemaps followed from one sitemap index or one robots.txt
DISCOVERY_PRIORITY = 10  # discovery first, so a short run still sees the newest links
# Feed articles before sitemap articles before listing and archive articles.
ARTICLE_PRIORITY = {"feed": 3, "sitemap": 2}
# Defaults of the NEWSCRAWL_* bounds when there is no crawl (``scrapy extract``).
MAX_DEPTH = 3
MAX_DOCUMENTS = 1000


# A crawl asks this of one article URL ~9 times (discovery, the id, the origin checks of the
# spider and the middlewares): ~2.5 µs each, a look-up here 0.2 µs.
@functools.lru_cache(maxsize=1 << 14)
def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL, the port made explicit; None for anything else."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname, port or DEFAULT_PORTS[scheme]


def may_fetch(spider: Any, url: str) -> bool:
    """Whether a URL is on the spider's origins; for a spider without ``origins``, Scrapy's rule
    (the host is one of ``allowed_domains`` or under one)."""
    origins = getattr(spider, "origins", None)
    if origins is not None:
        return origin_of(url) in origins
    host = (urlsplit(url).hostname or "").lower()
    domains = getattr(spider, "allowed_domains", None) or ()
    return not domains or any(host == d or host.endswith(f".{d}") for d in domains if d)


class DiscoveryMixin(DocumentReader):
    """Everything an ``OutletSpider`` does before it has an article page in hand."""

    # -- declared by each outlet ---------------------------------------------------------------
    site_url: ClassVar[str] = ""
    site_hosts: ClassVar[Sequence[str]] = ()
    feeds: ClassVar[Sequence[str]] = ()
    sitemaps: ClassVar[Sequence[str]] = ()
    sitemaps_from_robots: ClassVar[bool] = False  # also read the Sitemap: lines of robots.txt
    listings: ClassVar[Sequence[str]] = ()
    listing_pages: ClassVar[int] = 2
    archive_path: ClassVar[str | None] = None  # backfill; None: the outlet has no date archive
    archive_pages: ClassVar[int] = 500

    max_feed_items: ClassVar[int] = 1000
    max_sitemap_urls: ClassVar[int] = 5000
    max_listing_links: ClassVar[int] = 1000

    # Provided by the spider (OutletSpider).
    base_url: str
    since: date | None
    until: date | None
    stats: Any
    logger: Any
    setting: Any
    article_id: Any
    parse_article: Any
    article_failed: Any

    # -- origins -------------------------------------------------------------------------------

    def init_discovery(self, mirrored: bool) -> None:
        base = self.base_origin = origin_of(self.base_url)
        assert base is not None
        # The real site on the usual ports: links naming it are pointed at the crawled origin.
        self.site_origins = frozenset(
            (scheme, host, port)
            for scheme, port in DEFAULT_PORTS.items()
            for host in self.site_hosts
        )
        crawled = {base} if mirrored else {(base[0], host, base[2]) for host in self.site_hosts}
        self.origins = frozenset(crawled | {base})
        self._documents = 0

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def localize(self, url: str) -> str:
        """A link naming the real site, pointed at the origin being crawled (a mirror, or the
        site's own host, scheme and port): one article is one URL, whichever host a link names."""
        found = origin_of(url)
        if found in self.site_origins and found != self.base_origin:
            parts, base = urlsplit(url), urlsplit(self.base_url)
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
        return url

    def on_origin(self, url: str) -> bool:
        return origin_of(url) in self.origins

    # -- discovery requests --------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self.discovery_requests():
            yield request

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        if self.since:
            requests = [self.archive_request(1)]
        else:
            requests = [self.discovery_request(p, self.parse_feed, "feed") for p in self.feeds]
            requests += [
                self.discovery_request(p, self.parse_sitemap, "sitemap") for p in self.sitemaps
            ]
            if self.sitemaps_from_robots:
                requests.append(self.discovery_request("/robots.txt", self.parse_robots, "robots"))
            requests += [
                self.discovery_request(p, self.parse_listing, "listing", page=1)
                for p in self.listings
            ]
        yield from (request for request in requests if request is not None)

    def discovery_request(
        self, path: str, callback: Any, kind: str, depth: int = 0, **meta: Any
    ) -> scrapy.Request | None:
        """A request for a discovery document, or None (counted) once a run's bound is reached."""
        if depth > self.setting("NEWSCRAWL_DISCOVERY_MAX_DEPTH", MAX_DEPTH):
            self.stats.inc_value("newscrawl/discovery_bound/depth")
            return None
        if self._documents >= self.setting("NEWSCRAWL_DISCOVERY_MAX_DOCUMENTS", MAX_DOCUMENTS):
            self.stats.inc_value("newscrawl/discovery_bound/documents")
            return None
        self._documents += 1
        return scrapy.Request(
            self.url(path),
            callback=callback,
            errback=self.discovery_failed,
            meta={"discovery_kind": kind, "discovery_depth": depth, **meta},
            priority=DISCOVERY_PRIORITY,
        )

    def discovery_failed(self, failure: Failure) -> None:
        kind = failure.request.meta.get("discovery_kind", "page")
        if too_large(failure):
            self.unreadable(failure.request.url, kind, "too_large")
            return
        reason = failure_reason(failure)
        self.stats.inc_value(f"newscrawl/discovery_failed/{kind}/{reason}")
        self.logger.warning("%s %s failed (%s)", kind, failure.request.url, reason)

    def article_request(
        self, url: str, via: str, published: str | None = None
    ) -> scrapy.Request | None:
        url = self.localize(url)
        article_id = self.article_id(url)
        if article_id is None or article_id in self._requested_ids or not self.on_origin(url):
            return None
        self._requested_ids.add(article_id)
        self.stats.inc_value(f"newscrawl/discovered/{via}")
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={"article_id": article_id, "discovered": {"via": via, "published": published}},
            priority=ARTICLE_PRIORITY.get(via, 0),
        )

    def article_requests(
        self, kind: str, links: Sequence[Link], limit: int, via: str | None = None
    ) -> Iterator[scrapy.Request]:
        """Requests for the newest ``limit`` of a document's links (the rest counted)."""
        self._count_capped(kind, len(links), limit)
        for url, published in newest_first(links)[:limit]:
            if request := self.article_request(url, via or kind, published):
                yield request

    # -- feeds, sitemaps, robots.txt -----------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        sel = self.xml_document(response, "feed")
        if sel is None:
            return
        links = entry_links(sel, FEED_ENTRIES, FEED_LINK, FEED_DATE)
        if not links:
            self.stats.inc_value("newscrawl/discovery_empty/feed")
        yield from self.article_requests("feed", links, self.max_feed_items)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        sel = self.xml_document(response, "sitemap")
        if sel is None:
            return
        children = [link for link in entry_links(sel, SITEMAPS, LOC, LASTMOD) if link[0]]
        links = entry_links(sel, URLS, LOC, URL_DATE)
        if not children and not links:
            self.stats.inc_value("newscrawl/discovery_empty/sitemap")
        self._count_capped("sitemap", len(children), MAX_LINKED_DOCUMENTS)
        depth = response.meta.get("discovery_depth", 0) + 1
        for loc, _ in newest_first(children)[:MAX_LINKED_DOCUMENTS]:
            url = self.document_url(response, loc, "sitemap")
            if url and (
                request := self.discovery_request(url, self.parse_sitemap, "sitemap", depth)
            ):
                yield request
        yield from self.article_requests("sitemap", links, self.max_sitemap_urls)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        known = {self.url(path) for path in self.sitemaps}
        lines = response.text.splitlines() if isinstance(response, TextResponse) else ()
        fields = (line.partition(":") for line in lines)
        named = [value for name, _, value in fields if name.strip().lower() == "sitemap"]
        self._count_capped("robots", len(named), MAX_LINKED_DOCUMENTS)
        depth = response.meta.get("discovery_depth", 0) + 1
        for value in named[:MAX_LINKED_DOCUMENTS]:
            url = self.document_url(response, value, "robots")
            if (
                url
                and url not in known
                and (request := self.discovery_request(url, self.parse_sitemap, "sitemap", depth))
            ):
                yield request

    def document_url(self, response: Response, value: str, kind: str) -> str | None:
        """A URL a sitemap index or robots.txt names, if it is one we may fetch: http(s), on the
        crawl's origin (scheme, host and port).

        ``Sitemap: javascript:…`` or a bare path in robots.txt once raised ValueError in the
        callback and lost every sitemap the file named; such values are counted and skipped.
        """
        url = self.localize(urljoin(response.url, value.strip()))
        if urlsplit(url).scheme not in ("http", "https"):
            self.stats.inc_value(f"newscrawl/discovery_ignored/{kind}/not_http")
            return None
        if not self.on_origin(url):
            self.stats.inc_value(f"newscrawl/discovery_ignored/{kind}/offsite")
            return None
        return url

    def _count_capped(self, kind: str, found: int, limit: int) -> None:
        if found > limit:
            self.stats.inc_value(f"newscrawl/discovery_capped/{kind}", found - limit)

    # -- listings and the date archive ---------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        found = list(self.links_to_articles(response, "listing"))
        yield from found
        page = response.meta.get("page", 1)
        if found and page < self.setting("NEWSCRAWL_LISTING_PAGES", self.listing_pages):
            next_page = _with_query(response.url, page=page + 1)
            if request := self.discovery_request(
                next_page, self.parse_listing, "listing", response.meta.get("discovery_depth", 0),
                page=page + 1,
            ):  # fmt: skip
                yield request

    def links_to_articles(self, response: Response, via: str) -> Iterator[scrapy.Request]:
        """The page's links to articles, at most ``max_listing_links`` (in page order)."""
        if not isinstance(response, TextResponse):
            return
        links: dict[str, Link] = {}
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if href.startswith(("javascript:", "mailto:", "tel:", "file:", "#")):
                continue
            url = self.localize(response.urljoin(href))
            article_id = self.article_id(url)
            if article_id is not None and article_id not in links:
                links[article_id] = (url, None)
        yield from self.article_requests(via, list(links.values()), self.max_listing_links)

    def archive_request(self, page: int, url: str | None = None) -> scrapy.Request | None:
        if url is None:
            until = self.until or date.today()
            query = {"cat": "", "dateFrom": self.since.isoformat(), "dateTo": until.isoformat()}
            url = self.url(f"{self.archive_path}?{urlencode(query)}")
        return self.discovery_request(
            _with_query(url, page=page), self.parse_archive, "archive", page=page
        )

    def parse_archive(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self.links_to_articles(response, "archive")
        if response.meta["page"] == 1:
            last = min(self.archive_last_page(response), self.archive_pages)
            for page in range(2, last + 1):
                if request := self.archive_request(page, response.url):
                    yield request

    def archive_last_page(self, response: Response) -> int:
        # Laravel pagination: numbered links, then "next" and "last" links carrying ?page=N.
        links = response.css(".pagination a")
        numbers = links.css("::text").re(r"^\s*(\d+)\s*$") + links.css("::attr(href)").re(
            r"[?&]page=(\d+)"
        )
        return max(map(int, numbers), default=1)


def _with_query(url: str, **params: Any) -> str:
    parts = urlsplit(url)
    query = dict(p.split("=", 1) if "=" in p else (p, "") for p in parts.query.split("&") if p)
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
