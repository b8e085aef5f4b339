"""The base every outlet spider stands on: discovery, mirrors, layered extraction, skip rules.

An outlet spider is mostly declaration: its name, site, feeds, sitemaps, listings, the URL
pattern of its articles, its selectors and its boilerplate. Override a method only where the
outlet is odd.

Discovery
    RSS/Atom feeds, (news) sitemaps and category listings (``?page=N`` up to ``listing_pages``);
    with ``-a since=YYYY-MM-DD [-a until=YYYY-MM-DD]`` the outlet's date archive instead
    (backfill). Dates seen at discovery travel with the request and are the last resort for
    ``published_at``.
Mirrors
    ``-a base_url=http://127.0.0.1:8080`` sends every discovery request to the mirror, and links
    on its pages that name the real site are followed on the mirror.
Stats
    ``newscrawl/extraction/<field>/<layer>`` for every stored field, ``…/<field>/missing`` for a
    field no layer found, ``newscrawl/skipped/<reason>`` for pages that are not articles and
    ``newscrawl/failed/<reason>`` for requests that failed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newscrawl import dates, extract
from newscrawl.items import Article

# Pages that stand in front of the site instead of the article (anti-bot challenges).
CHALLENGE_MARKERS = (
    "cf-browser-verification",
    "challenge-platform",
    "cf_chl_opt",
    "Just a moment...",
    "Attention Required! | Cloudflare",
    "Checking if the site connection is secure",
    "Enable JavaScript and cookies to continue",
)
ERROR_TITLES = re.compile(r"^\s*(404|410|500|503)\b|\bnot found\b|পাওয়া যায়নি", re.I)
MEDIA_PATH = re.compile(r"/(video|videos|photo|photos|gallery|photo-gallery)/", re.I)


class OfflineStats:
    """Stands in for the crawl stats when a spider parses saved pages outside a crawl."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count

    def get_stats(self) -> dict[str, int]:
        return dict(self.values)


class UsageError(ValueError):
    """A spider argument a person got wrong; the message says what to do."""


class OutletSpider(scrapy.Spider):
    # -- declared by each outlet ---------------------------------------------------------------
    site_url: ClassVar[str] = ""
    site_hosts: ClassVar[Sequence[str]] = ()
    site_names: ClassVar[Sequence[str]] = ()  # stripped from titles and byline lines
    default_language: ClassVar[str] = "bn"
    feeds: ClassVar[Sequence[str]] = ()
    sitemaps: ClassVar[Sequence[str]] = ()
    sitemaps_from_robots: ClassVar[bool] = False  # also read the Sitemap: lines of robots.txt
    listings: ClassVar[Sequence[str]] = ()
    listing_pages: ClassVar[int] = 2
    archive_path: ClassVar[str | None] = None  # backfill; None: the outlet has no date archive
    archive_pages: ClassVar[int] = 500
    # An article URL's path; the group ``id`` is the outlet's article id.
    article_path: ClassVar[re.Pattern[str]] = re.compile(r"^$")
    selectors: ClassVar[dict[str, Sequence[str]]] = {}
    body_end_patterns: ClassVar[Sequence[re.Pattern[str]]] = ()  # cut the body from here on
    boilerplate_patterns: ClassVar[Sequence[re.Pattern[str]]] = ()
    byline_lead_in: ClassVar[re.Pattern[str] | None] = None
    sign_off: ClassVar[re.Pattern[str] | None] = None

    max_feed_items: ClassVar[int] = 1000
    max_sitemap_urls: ClassVar[int] = 5000

    def __init__(
        self,
        base_url: str | None = None,
        since: str | None = None,
        until: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.base_url = (base_url or self.site_url).rstrip("/")
        base = urlsplit(self.base_url)
        if base.scheme not in ("http", "https") or not base.hostname:
            raise UsageError(f"base_url must look like http://host[:port], not {base_url!r}")
        self.base_host = base.netloc
        self.allowed_domains = [base.hostname] if base_url else [h for h in self.site_hosts]
        self.since = _parse_day(since, "since") if since else None
        self.until = _parse_day(until, "until") if until else None
        if self.until and not self.since:
            raise UsageError("until needs since: -a since=YYYY-MM-DD -a until=YYYY-MM-DD")
        if self.since and not self.archive_path:
            raise UsageError(f"{self.name} has no date archive: backfill is not available")
        self._requested_ids: set[str] = set()
        self._offline_stats = OfflineStats()

    @property
    def stats(self) -> Any:
        """The crawl's stats, or a local counter when parsing saved pages (``scrapy extract``)."""
        crawler = getattr(self, "crawler", None)
        return crawler.stats if crawler is not None else self._offline_stats

    def setting(self, name: str, default: int) -> int:
        crawler = getattr(self, "crawler", None)
        return crawler.settings.getint(name, default) if crawler is not None else default

    # -- URLs ------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path.lstrip("/"))

    def localize(self, url: str) -> str:
        """A link naming the real site, pointed at the mirror being crawled (if any)."""
        parts = urlsplit(url)
        if parts.hostname in self.site_hosts and parts.netloc != self.base_host:
            base = urlsplit(self.base_url)
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
        return url

    def article_id(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.netloc != self.base_host and parts.hostname not in self.site_hosts:
            return None
        match = self.article_path.match(parts.path)
        return match.group("id") if match else None

    # -- discovery -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self.discovery_requests():
            yield request

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        if self.since:
            yield self.archive_request(1)
            return
        for path in self.feeds:
            yield self.discovery_request(path, self.parse_feed, "feed")
        for path in self.sitemaps:
            yield self.discovery_request(path, self.parse_sitemap, "sitemap")
        if self.sitemaps_from_robots:
            yield self.discovery_request("/robots.txt", self.parse_robots, "robots")
        for path in self.listings:
            yield self.discovery_request(path, self.parse_listing, "listing", page=1)

    def discovery_request(self, path: str, callback: Any, kind: str, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            self.url(path),
            callback=callback,
            errback=self.discovery_failed,
            meta={"discovery_kind": kind, **meta},
            priority=10,  # discovery first, so a short run still sees the newest links
        )

    def discovery_failed(self, failure: Failure) -> None:
        kind = failure.request.meta.get("discovery_kind", "page")
        reason = _failure_reason(failure)
        self.stats.inc_value(f"newscrawl/discovery_failed/{kind}/{reason}")
        self.logger.warning("%s %s failed (%s)", kind, failure.request.url, reason)

    def article_request(
        self, url: str, via: str, published: str | None = None
    ) -> scrapy.Request | None:
        url = self.localize(url)
        article_id = self.article_id(url)
        if article_id is None or article_id in self._requested_ids:
            return None
        self._requested_ids.add(article_id)
        self.stats.inc_value(f"newscrawl/discovered/{via}")
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={"article_id": article_id, "discovered": {"via": via, "published": published}},
        )

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        sel = _xml_selector(response)
        entries = sel.xpath("//*[local-name()='item' or local-name()='entry']")
        for entry in entries[: self.max_feed_items]:
            link = entry.xpath(
                "./*[local-name()='link']/@href | ./*[local-name()='link']/text()"
            ).get()
            published = entry.xpath(
                "./*[local-name()='pubDate' or local-name()='published' or local-name()='updated'"
                " or local-name()='date']/text()"
            ).get()
            if link and (request := self.article_request(link.strip(), "feed", published)):
                yield request

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        sel = _xml_selector(response)
        for loc in sel.xpath("//*[local-name()='sitemap']/*[local-name()='loc']/text()")[:50]:
            yield self.discovery_request(self.localize(loc.get().strip()), self.parse_sitemap,
                                         "sitemap")  # fmt: skip
        for entry in sel.xpath("//*[local-name()='url']")[: self.max_sitemap_urls]:
            loc = entry.xpath("./*[local-name()='loc']/text()").get()
            published = entry.xpath(
                ".//*[local-name()='publication_date']/text() | ./*[local-name()='lastmod']/text()"
            ).get()
            if loc and (request := self.article_request(loc.strip(), "sitemap", published)):
                yield request

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        known = {self.url(path) for path in self.sitemaps}
        for line in response.text.splitlines() if isinstance(response, TextResponse) else ():
            name, _, value = line.partition(":")
            url = self.localize(value.strip())
            if name.strip().lower() == "sitemap" and url not in known:
                yield self.discovery_request(url, self.parse_sitemap, "sitemap")

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        found = list(self.links_to_articles(response, "listing"))
        yield from found
        page = response.meta.get("page", 1)
        if found and page < self.setting("NEWSCRAWL_LISTING_PAGES", self.listing_pages):
            yield scrapy.Request(
                _with_query(response.url, page=page + 1),
                callback=self.parse_listing,
                errback=self.discovery_failed,
                meta={"discovery_kind": "listing", "page": page + 1},
                priority=10,
            )

    def links_to_articles(self, response: Response, via: str) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if href.startswith(("javascript:", "mailto:", "tel:", "file:", "#")):
                continue
            if request := self.article_request(response.urljoin(href), via):
                yield request

    # -- backfill from the date archive --------------------------------------------------------

    def archive_request(self, page: int, url: str | None = None) -> scrapy.Request:
        if url is None:
            until = self.until or date.today()
            query = {"cat": "", "dateFrom": self.since.isoformat(), "dateTo": until.isoformat()}
            url = self.url(f"{self.archive_path}?{urlencode(query)}")
        return scrapy.Request(
            _with_query(url, page=page),
            callback=self.parse_archive,
            errback=self.discovery_failed,
            meta={"discovery_kind": "archive", "page": page},
            priority=10,
        )

    def parse_archive(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self.links_to_articles(response, "archive")
        if response.meta["page"] == 1:
            last = min(self.archive_last_page(response), self.archive_pages)
            for page in range(2, last + 1):
                yield self.archive_request(page, response.url)

    def archive_last_page(self, response: Response) -> int:
        # Laravel pagination: numbered links, then "next" and "last" links carrying ?page=N.
        links = response.css(".pagination a")
        numbers = links.css("::text").re(r"^\s*(\d+)\s*$") + links.css("::attr(href)").re(
            r"[?&]page=(\d+)"
        )
        return max(map(int, numbers), default=1)

    # -- articles ------------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Article]:
        reason = self.not_an_article(response)
        if reason:
            self.skip(response, reason)
            return
        found = extract.extract(response.text, response.url, self)
        values, layers = found.values, found.layers
        if "title" not in values:
            self.skip(response, "no_title")
            return
        if "body" not in values:
            media = MEDIA_PATH.search(response.url) or response.css("iframe, video")
            self.skip(response, "media_only" if media else "no_body")
            return
        discovered = response.meta.get("discovered") or {}
        if "published" not in values and discovered.get("published"):
            raw = discovered["published"]
            found.offer("published", dates.parse_date(raw), "discovery", raw)
        self.count_layers(layers, values)
        yield Article(
            url=response.url,
            canonical_url=values.get("canonical_url"),
            outlet=self.name,
            article_id=response.meta.get("article_id") or self.article_id(response.url),
            title=values["title"],
            subtitle=values.get("subtitle"),
            author=values.get("author"),
            category=values.get("category"),
            tags=values.get("tags") or [],
            published_at=dates.to_iso(values.get("published")),
            updated_at=dates.to_iso(values.get("updated")),
            published_raw=found.raw.get("published"),
            updated_raw=found.raw.get("updated"),
            body="\n\n".join(values["body"]),
            image_urls=values.get("image_urls") or [],
            language=response.xpath("/html/@lang").get() or self.default_language,
            extraction=dict(sorted(layers.items())),
        )

    def not_an_article(self, response: Response) -> str | None:
        if not isinstance(response, TextResponse):
            return "not_html"
        head = response.text[:20000]
        if any(marker in head for marker in CHALLENGE_MARKERS):
            return "challenge"
        title = response.xpath("//title/text()").get() or ""
        headings = " ".join(response.css("h1::text, h2::text").getall()[:3])
        if ERROR_TITLES.search(title) or ERROR_TITLES.fullmatch(headings.strip() or "-"):
            return "error_page"
        return None

    def skip(self, response: Response, reason: str) -> None:
        self.stats.inc_value(f"newscrawl/skipped/{reason}")
        self.logger.info("skipped %s: %s", response.url, reason)

    def count_layers(self, layers: dict[str, str], values: dict[str, Any]) -> None:
        stats = self.stats
        for name in extract.FIELDS:
            stats.inc_value(f"newscrawl/extraction/{name}/{layers.get(name, 'missing')}")

    def article_failed(self, failure: Failure) -> None:
        reason = _failure_reason(failure)
        self.stats.inc_value(f"newscrawl/failed/{reason}")
        self.logger.warning("article %s failed (%s)", failure.request.url, reason)


def _failure_reason(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    return failure.type.__name__ if failure.type else "unknown"


def _xml_selector(response: Response) -> scrapy.Selector:
    # parsel's XML parser does not resolve entities, so an entity bomb cannot expand.
    return scrapy.Selector(text=response.text if isinstance(response, TextResponse) else
                           response.body.decode("utf-8", "replace"), type="xml")  # fmt: skip


def _with_query(url: str, **params: Any) -> str:
    parts = urlsplit(url)
    query = dict(p.split("=", 1) if "=" in p else (p, "") for p in parts.query.split("&") if p)
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name} must be a date like 2024-01-31, not {value!r}") from None
