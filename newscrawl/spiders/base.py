"""The base every outlet spider stands on: mirrors, layered extraction, skip rules; discovery
(feeds, sitemaps, robots.txt, listings, the archive) is ``discovery.DiscoveryMixin``.

An outlet spider is mostly declaration: its name, site, feeds, sitemaps, listings, the URL
pattern of its articles, its selectors and its boilerplate. Override a method only where the
outlet is odd.

Discovery
    RSS/Atom feeds, (news) sitemaps and category listings (``?page=N`` up to ``listing_pages``);
    with ``-a since=YYYY-MM-DD [-a until=YYYY-MM-DD]`` the outlet's date archive instead
    (backfill). Dates seen at discovery travel with the request and are the last resort for
    ``published_at``. Bounded per run, and on the crawl's own origin only (see ``discovery``).
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
    the document was refused), ``newscrawl/discovery_unreadable/<kind>`` (it arrived but could
    not be read: too large, broken gzip, XML entities), ``newscrawl/discovery_malformed/<kind>``
    (XML errors; what could be read was used), ``newscrawl/discovery_empty/<kind>`` (no entries),
    ``newscrawl/discovery_capped/<kind>`` (entries past the per-document limit, not followed),
    ``newscrawl/discovery_bound/<bound>`` (not followed: a per-run bound, ``depth``,
    ``documents`` or ``articles``, was reached) and ``newscrawl/discovery_ignored/<kind>/<reason>``
    (a URL named there that is not http(s) or not on the crawl's origin).
    ``newscrawl/encoding/redecoded_utf8``: pages whose declared charset was wrong.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

import scrapy
from lxml import etree
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newscrawl import dates, extract
from newscrawl.extraction.query import headings as page_headings
from newscrawl.extraction.query import page_title, xpath_first
from newscrawl.items import Article
from newscrawl.spiders.discovery import DiscoveryMixin, origin_of
from newscrawl.spiders.documents import failure_reason

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
# A page is garbage, not text with a few broken bytes, when more than this share of its non-ASCII
# characters are U+FFFD (one Bengali word in four damaged), beyond the first few.
MAX_REPLACED_SHARE = 0.05
FEW_REPLACED = 2
# A date this far past the crawl is a typo or a placeholder, not a publication time (a margin
# for pages that state the wrong zone and for articles scheduled a little ahead).
FUTURE_TOLERANCE = timedelta(days=2)
# Files that are never a page, whatever their Content-Type says (PNG, PDF, GIF, JPEG, ZIP, gzip).
BINARY_MAGIC = (b"\x89PNG", b"%PDF", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))  # not tab, newline, VT, FF, CR
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)


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


class OutletSpider(DiscoveryMixin, scrapy.Spider):
    # -- declared by each outlet (and the discovery ones of DiscoveryMixin) ---------------------
    site_names: ClassVar[Sequence[str]] = ()  # stripped from titles and byline lines
    default_language: ClassVar[str] = "bn"
    # An article URL's path; the group ``id`` is the outlet's article id.
    article_path: ClassVar[re.Pattern[str]] = re.compile(r"^$")
    selectors: ClassVar[dict[str, Sequence[str]]] = {}
    body_end_patterns: ClassVar[Sequence[re.Pattern[str]]] = ()  # cut the body from here on
    boilerplate_patterns: ClassVar[Sequence[re.Pattern[str]]] = ()
    byline_lead_in: ClassVar[re.Pattern[str] | None] = None
    sign_off: ClassVar[re.Pattern[str] | None] = None

    def __init__(
        self,
        base_url: str | None = None,
        since: str | None = None,
        until: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.base_url = (base_url or self.site_url).rstrip("/")
        if origin_of(self.base_url) is None:
            raise UsageError(f"base_url must look like http://host[:port], not {base_url!r}")
        base = urlsplit(self.base_url)
        self.base_host = base.netloc
        self.allowed_domains = [base.hostname] if base_url else [h for h in self.site_hosts]
        self.init_discovery(mirrored=bool(base_url))
        self.since = _parse_day(since, "since") if since else None
        self.until = _parse_day(until, "until") if until else None
        if self.until and not self.since:
            raise UsageError("until needs since: -a since=YYYY-MM-DD -a until=YYYY-MM-DD")
        if self.since and self.until and self.until < self.since:
            raise UsageError(f"until ({self.until}) is before since ({self.since}): swap them")
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

    def article_id(self, url: str) -> str | None:
        found = origin_of(url)
        if found not in self.origins and found not in self.site_origins:
            return None
        parts = urlsplit(url)
        match = self.article_path.match(parts.path) or (  # ids in the query: ?id=123
            parts.query and self.article_path.match(f"{parts.path}?{parts.query}")
        )
        return match.group("id") if match else None

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
            language=xpath_first(response.selector, "/html/@lang") or self.default_language,
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
        lossy = False
        try:
            as_utf8 = response.body.decode("utf-8")
        except UnicodeDecodeError:
            # A page declaring no charset whose bytes are UTF-8 but for a few broken sequences
            # (truncated characters) is UTF-8, with those replaced by U+FFFD; a declared charset
            # and bytes that are not UTF-8: not_an_article decides (bad_encoding).
            if response._declared_encoding():
                return response
            as_utf8 = response.body.decode("utf-8", errors="replace")
            if mostly_replaced(as_utf8):
                return response  # not UTF-8 either: not_an_article decides (bad_encoding)
            lossy = True
        if not BENGALI.search(as_utf8):
            return response
        if lossy:
            self.stats.inc_value("newscrawl/encoding/utf8_broken_sequence")
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
        if mostly_replaced(response.text):
            return "bad_encoding"  # whatever the reading, too much of it is U+FFFD
        if challenge_page(response):
            return "challenge"
        if not isinstance(response.selector.root, etree._Element):
            return "not_html"  # JSON (or another text parsel reads as data) on an article URL
        title = page_title(response.selector) or ""
        headings = " ".join(page_headings(response.selector)[:3])
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
        count = self.stats.inc_value  # looked up once: Scrapy wraps each look-up
        for name in extract.FIELDS:
            count(f"newscrawl/extraction/{name}/{layers.get(name, 'missing')}")

    def article_failed(self, failure: Failure) -> None:
        reason = failure_reason(failure)
        self.stats.inc_value(f"newscrawl/failed/{reason}")
        self.logger.warning("article %s failed (%s)", failure.request.url, reason)


def looks_like_challenge(page_text: str) -> bool:
    """An anti-bot challenge page: its markers sit near the top of the page."""
    head = page_text[:20000]
    return any(marker in head for marker in CHALLENGE_MARKERS)


# The verdict for each response still in use: BackoffMiddleware asks first, the spider after it,
# and the scan (7 substrings in 20,000 characters) costs ~50 µs a page.
_CHALLENGE_PAGES: WeakKeyDictionary[TextResponse, bool] = WeakKeyDictionary()


def challenge_page(response: TextResponse) -> bool:
    """``looks_like_challenge(response.text)``, scanned once per response."""
    verdict = _CHALLENGE_PAGES.get(response)
    if verdict is None:
        verdict = _CHALLENGE_PAGES[response] = looks_like_challenge(response.text)
    return verdict


def mostly_replaced(page_text: str) -> bool:
    """More than ``MAX_REPLACED_SHARE`` of the page's non-ASCII characters are U+FFFD (bytes its
    encoding could not decode), and more than ``FEW_REPLACED`` of them: garbage, not an article
    with a few broken bytes (those are stored, and counted as ``newscrawl/encoding/invalid_bytes``).

    Only non-ASCII characters can be damaged this way, so the share is taken of them and not of
    the page's markup: read with the wrong decoder, a Bengali page is nearly all U+FFFD.
    """
    if "\ufffd" not in page_text:
        return False  # nearly every page: a find in C, where counting walks the whole text
    replaced = page_text.count("\ufffd")
    if replaced <= FEW_REPLACED:
        return False
    non_ascii = len(page_text) - len(page_text.encode("ascii", "ignore"))
    return replaced > non_ascii * MAX_REPLACED_SHARE


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


def _parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name} must be a date like 2024-01-31, not {value!r}") from None
