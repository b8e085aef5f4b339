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
    ``newscrawl/failed/<reason>`` for requests that failed. Dates: ``newscrawl/dates/unparsed/
    <field>`` for a date string no rule could read (an impossible year such as 1800 or 3000) and
    ``newscrawl/dates/rejected_future/<field>`` for one more than two days after the crawl.
    Discovery documents: ``newscrawl/discovery_failed/<kind>/<reason>`` (the request failed, or
    the document was refused), ``newscrawl/discovery_malformed/<kind>`` (XML errors; what could be
    read was used), ``newscrawl/discovery_empty/<kind>`` (no entries),
    ``newscrawl/discovery_capped/<kind>`` (entries past the per-document limit, not followed) and
    ``newscrawl/discovery_ignored/<kind>/<reason>`` (a URL named there that is not http(s) or not
    on the site). ``newscrawl/encoding/redecoded_utf8``: pages whose declared charset was wrong.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from lxml import etree
from scrapy.exceptions import IgnoreRequest
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
BENGALI = re.compile("[\u0980-\u09ff]")
# UTF-8 Bengali (E0 A6 xx / E0 A7 xx) read as Latin-1/cp1252: "à¦", "à§". Never real text.
MOJIBAKE = re.compile("\u00e0[\u00a6\u00a7]")
# A date this far past the crawl is a typo or a placeholder, not a publication time (a margin
# for pages that state the wrong zone and for articles scheduled a little ahead).
FUTURE_TOLERANCE = timedelta(days=2)
# Files that are never a page, whatever their Content-Type says (PNG, PDF, GIF, JPEG, ZIP, gzip).
BINARY_MAGIC = (b"\x89PNG", b"%PDF", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))  # not tab, newline, VT, FF, CR
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
MAX_LINKED_DOCUMENTS = 50  # sitemaps followed from one sitemap index or one robots.txt


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
        match = self.article_path.match(parts.path) or (  # ids in the query: ?id=123
            parts.query and self.article_path.match(f"{parts.path}?{parts.query}")
        )
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
        sel = self.xml_document(response, "feed")
        if sel is None:
            return
        entries = sel.xpath("//*[local-name()='item' or local-name()='entry']")
        if not entries:
            self.stats.inc_value("newscrawl/discovery_empty/feed")
        self._count_capped("feed", len(entries), self.max_feed_items)
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
        sel = self.xml_document(response, "sitemap")
        if sel is None:
            return
        children = sel.xpath("//*[local-name()='sitemap']/*[local-name()='loc']/text()").getall()
        entries = sel.xpath("//*[local-name()='url']")
        if not children and not entries:
            self.stats.inc_value("newscrawl/discovery_empty/sitemap")
        self._count_capped("sitemap", len(children), MAX_LINKED_DOCUMENTS)
        self._count_capped("sitemap", len(entries), self.max_sitemap_urls)
        for loc in children[:MAX_LINKED_DOCUMENTS]:
            if url := self.document_url(response, loc, "sitemap"):
                yield self.discovery_request(url, self.parse_sitemap, "sitemap")
        for entry in entries[: self.max_sitemap_urls]:
            loc = entry.xpath("./*[local-name()='loc']/text()").get()
            published = entry.xpath(
                ".//*[local-name()='publication_date']/text() | ./*[local-name()='lastmod']/text()"
            ).get()
            if loc and (request := self.article_request(loc.strip(), "sitemap", published)):
                yield request

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        known = {self.url(path) for path in self.sitemaps}
        lines = response.text.splitlines() if isinstance(response, TextResponse) else ()
        fields = (line.partition(":") for line in lines)
        named = [value for name, _, value in fields if name.strip().lower() == "sitemap"]
        self._count_capped("robots", len(named), MAX_LINKED_DOCUMENTS)
        for value in named[:MAX_LINKED_DOCUMENTS]:
            url = self.document_url(response, value, "robots")
            if url and url not in known:
                yield self.discovery_request(url, self.parse_sitemap, "sitemap")

    # -- hostile discovery documents -----------------------------------------------------------

    def xml_document(self, response: Response, kind: str) -> scrapy.Selector | None:
        """A feed or sitemap parsed safely, or None when there is nothing to read.

        The defusedxml rules, without the dependency: a document declaring entities (the
        "billion laughs" bomb, external entities reading local files) is refused unread
        (``discovery_failed/<kind>/xml_entities``); no DTD or entity is ever loaded or expanded,
        nothing is fetched, and libxml2's size and depth limits stay on. A malformed document is
        counted (``discovery_malformed/<kind>``) and read as far as it recovers; a blank one is
        ``discovery_empty/<kind>``.
        """
        text = response.text if isinstance(response, TextResponse) else \
            response.body.decode("utf-8", "replace")  # fmt: skip
        if not text.strip():
            self.stats.inc_value(f"newscrawl/discovery_empty/{kind}")
            return None
        if "<!ENTITY" in text:
            self.stats.inc_value(f"newscrawl/discovery_failed/{kind}/xml_entities")
            self.logger.warning("%s %s declares XML entities: refused", kind, response.url)
            return None
        parser = etree.XMLParser(
            recover=True,
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            encoding="utf-8",
        )
        try:
            root = etree.fromstring(text.encode("utf-8"), parser)
        except etree.XMLSyntaxError:
            root = None
        if any(error.level >= etree.ErrorLevels.ERROR for error in parser.error_log):
            self.stats.inc_value(f"newscrawl/discovery_malformed/{kind}")
            self.logger.warning("%s %s is malformed XML: read what recovers", kind, response.url)
        return scrapy.Selector(root=root, type="xml") if root is not None else None

    def document_url(self, response: Response, value: str, kind: str) -> str | None:
        """A URL a sitemap index or robots.txt names, if it is one we may fetch (http/https).

        ``Sitemap: javascript:…`` or a bare path in robots.txt once raised ValueError in the
        callback and lost every sitemap the file named; such values are counted and skipped.
        """
        url = self.localize(urljoin(response.url, value.strip()))
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            self.stats.inc_value(f"newscrawl/discovery_ignored/{kind}/not_http")
            return None
        if not on_site(parts.hostname, self.allowed_domains):
            self.stats.inc_value(f"newscrawl/discovery_ignored/{kind}/offsite")
            return None
        return url

    def _count_capped(self, kind: str, found: int, limit: int) -> None:
        if found > limit:
            self.stats.inc_value(f"newscrawl/discovery_capped/{kind}", found - limit)

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
        response = self.decoded(response)
        reason = self.not_an_article(response)
        if reason:
            self.skip(response, reason)
            return
        found = extract.extract(response.text, response.url, self, response.selector)
        values, layers = found.values, found.layers
        if "title" not in values:
            self.skip(response, "no_title")
            return
        if "body" not in values:
            media = MEDIA_PATH.search(response.url) or response.css("iframe, video")
            self.skip(response, "media_only" if media else "no_body")
            return
        discovered = response.meta.get("discovered") or {}
        self.believable_dates(found, discovered.get("published"))
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
            published_raw=found.raw.get("published") or found.unparsed.get("published"),
            updated_raw=found.raw.get("updated") or found.unparsed.get("updated"),
            body="\n\n".join(values["body"]),
            image_urls=values.get("image_urls") or [],
            language=response.xpath("/html/@lang").get() or self.default_language,
            extraction=dict(sorted(layers.items())),
        )

    def decoded(self, response: Response) -> Response:
        """The response read as UTF-8 when its declared charset is wrong and UTF-8 is right.

        The HTTP header's charset wins over the page's own (Scrapy and browsers agree), so a page
        sent as ISO-8859-1 whose bytes are UTF-8 Bengali reads as mojibake ("à¦¬à¦¾à¦‚..."). When
        the declared reading has no Bengali letter and the bytes are valid UTF-8 holding Bengali,
        UTF-8 is the page's real encoding (real Latin-1 text is never also valid UTF-8 Bengali).
        """
        if not isinstance(response, TextResponse) or _is_utf8(response.encoding):
            return response
        if BENGALI.search(response.text):
            return response
        try:
            as_utf8 = response.body.decode("utf-8")
        except UnicodeDecodeError:
            return response  # not UTF-8 either: not_an_article decides (bad_encoding)
        if not BENGALI.search(as_utf8):
            return response
        self.stats.inc_value("newscrawl/encoding/redecoded_utf8")
        self.logger.info("%s: charset %s is wrong, read as UTF-8", response.url, response.encoding)
        return response.replace(encoding="utf-8")

    def not_an_article(self, response: Response) -> str | None:
        if not isinstance(response, TextResponse):
            return "not_html"
        if not response.body.strip():
            return "empty"
        if _looks_binary(response.body, response.encoding):
            return "binary"  # an image or a PDF sent as text/html: never stored as text
        if not BENGALI.search(response.text) and MOJIBAKE.search(response.text):
            return "bad_encoding"  # mis-encoded beyond repair (not valid UTF-8 either)
        if looks_like_challenge(response.text):
            return "challenge"
        title = response.xpath("//title/text()").get() or ""
        headings = " ".join(response.css("h1::text, h2::text").getall()[:3])
        if ERROR_TITLES.search(title) or ERROR_TITLES.fullmatch(headings.strip() or "-"):
            return "error_page"
        return None

    def believable_dates(self, found: extract.Extracted, discovered: str | None) -> None:
        """Drop (and count) dates in the future; fall back to the discovery date; count the
        dates no rule could read.

        ``dates.parse_date`` already refuses years outside 1900-2100 (counted here as
        ``unparsed``); a date more than ``FUTURE_TOLERANCE`` after the crawl passes it but is not
        believed either. The raw string stays in ``published_raw``/``updated_raw`` for a person.
        """
        self._drop_future_dates(found)
        if "published" not in found.values and discovered:
            found.offer("published", dates.parse_date(discovered), "discovery", discovered)
            self._drop_future_dates(found)
        for name in ("published", "updated"):
            if name not in found.values and name in found.unparsed:
                self.stats.inc_value(f"newscrawl/dates/unparsed/{name}")

    def _drop_future_dates(self, found: extract.Extracted) -> None:
        latest = datetime.now(UTC) + FUTURE_TOLERANCE
        for name in ("published", "updated"):
            value = found.values.get(name)
            if isinstance(value, datetime) and value > latest:
                del found.values[name], found.layers[name]
                self.stats.inc_value(f"newscrawl/dates/rejected_future/{name}")
                self.logger.info("%s date %s is in the future: not believed", name, value)

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


# Scrapy's own reasons for dropping a request, which all arrive as a bare IgnoreRequest.
_IGNORED = {
    "Forbidden by robots.txt": "robots_forbidden",
    "max redirections reached": "too_many_redirects",
}


def _failure_reason(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    if failure.check(IgnoreRequest):
        # newscrawl's own refusals carry a reason (middlewares.Refused); Scrapy's, a message.
        reason = getattr(failure.value, "reason", None) or _IGNORED.get(str(failure.value))
        if reason:
            return reason
    return failure.type.__name__ if failure.type else "unknown"


def looks_like_challenge(page_text: str) -> bool:
    """An anti-bot challenge page: its markers sit near the top of the page."""
    head = page_text[:20000]
    return any(marker in head for marker in CHALLENGE_MARKERS)


def on_site(host: str | None, domains: Sequence[str]) -> bool:
    """Whether a host is one of the domains or under one (Scrapy's offsite rule)."""
    host = (host or "").lower()
    return not domains or any(host == d or host.endswith(f".{d}") for d in domains if d)


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _looks_binary(body: bytes, encoding: str) -> bool:
    """An image, a PDF, an archive: a known file signature, or control bytes no page has."""
    head = body[:4096]
    if head.lstrip().startswith(BINARY_MAGIC):
        return True
    if encoding.lower().startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
        return False  # their text is full of NUL bytes
    return len(head.translate(None, _NOT_CONTROL_BYTES)) > len(head) // 100


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
