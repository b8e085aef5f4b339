"""Reading what discovery fetches: feeds and sitemaps parsed safely (gzipped or not, within
``DOWNLOAD_MAXSIZE``), why a document failed, and which of its links come first.

A document that arrived (or began to) and could not be read, because it was too large, its
gzip was broken or it declared XML entities, is counted as ``newscrawl/discovery_unreadable/
<kind>`` besides its ``newscrawl/discovery_failed/<kind>/<reason>``: what it named is lost.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import scrapy
from lxml import etree
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from newscrawl import dates

Link = tuple[str, str | None]  # a URL and the date the document gives it, as written
GZIP_MAGIC = b"\x1f\x8b"


def _xpath(expression: str) -> etree.XPath:
    return etree.XPath(expression, smart_strings=False)


# Compiled once and run on lxml's elements: a 10 MB sitemap has ~50,000 entries.
FEED_ENTRIES = _xpath("//*[local-name()='item' or local-name()='entry']")
FEED_LINK = _xpath("./*[local-name()='link']/@href | ./*[local-name()='link']/text()")
FEED_DATE = _xpath(
    "./*[local-name()='pubDate' or local-name()='published' or local-name()='updated'"
    " or local-name()='date']/text()"
)
SITEMAPS = _xpath("//*[local-name()='sitemap']")
URLS = _xpath("//*[local-name()='url']")
LOC = _xpath("./*[local-name()='loc']/text()")
LASTMOD = _xpath("./*[local-name()='lastmod']/text()")
URL_DATE = _xpath(
    ".//*[local-name()='publication_date']/text() | ./*[local-name()='lastmod']/text()"
)


def entry_links(
    document: scrapy.Selector, entries: etree.XPath, url: etree.XPath, when: etree.XPath
) -> list[Link]:
    """(URL, date as written) of each entry of a feed or sitemap, in document order."""
    found = []
    for entry in entries(document.root):
        urls, dates_ = url(entry), when(entry)
        found.append((urls[0].strip() if urls else "", dates_[0] if dates_ else None))
    return found


class DocumentReader:
    """How an ``OutletSpider`` reads a feed or a sitemap."""

    stats: Any
    logger: Any
    setting: Any

    def unreadable(self, url: str, kind: str, reason: str) -> None:
        """A document that arrived (or began to) and could not be read: what it named is lost."""
        self.stats.inc_value(f"newscrawl/discovery_failed/{kind}/{reason}")
        self.stats.inc_value(f"newscrawl/discovery_unreadable/{kind}")
        self.logger.warning("%s %s could not be read (%s): its links are lost", kind, url, reason)

    def xml_document(self, response: Response, kind: str) -> scrapy.Selector | None:
        """A feed or sitemap parsed safely, or None when there is nothing to read.

        The defusedxml rules, without the dependency: a document declaring entities (the
        "billion laughs" bomb, external entities reading local files) is refused unread
        (``discovery_failed/<kind>/xml_entities``); no DTD or entity is ever loaded or expanded,
        nothing is fetched, and libxml2's size and depth limits stay on. A malformed document is
        counted (``discovery_malformed/<kind>``) and read as far as it recovers; a blank one is
        ``discovery_empty/<kind>``. A gzipped one is decompressed first (``gunzipped``).
        """
        response = self.gunzipped(response, kind)
        if response is None:
            return None
        text = response.text if isinstance(response, TextResponse) else \
            response.body.decode("utf-8", "replace")  # fmt: skip
        if not text.strip():
            self.stats.inc_value(f"newscrawl/discovery_empty/{kind}")
            return None
        if "<!ENTITY" in text:
            self.unreadable(response.url, kind, "xml_entities")
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

    def gunzipped(self, response: Response, kind: str) -> Response | None:
        """The document itself when it came gzipped (``sitemap.xml.gz`` served as a file, not
        with ``Content-Encoding``), decompressed no further than ``DOWNLOAD_MAXSIZE`` so a gzip
        bomb stops there; None (counted) when that is exceeded or the gzip is broken."""
        if not response.body.startswith(GZIP_MAGIC):
            return response
        limit = response.meta.get("download_maxsize") or self.setting("DOWNLOAD_MAXSIZE", 0)
        try:
            body = gunzip(response.body, max_size=limit)
        except ValueError:  # Scrapy's "decompressed past max_size" is a ValueError
            self.unreadable(response.url, kind, "too_large")
            return None
        except (OSError, EOFError, zlib.error, struct.error):
            self.unreadable(response.url, kind, "bad_gzip")
            return None
        return response.replace(cls=XmlResponse, body=body)


def newest_first(links: Iterable[Link]) -> list[Link]:
    """Links by their date, newest first; undated ones after them, in document order."""
    return sorted(links, key=lambda link: _recency(link[1]), reverse=True)


def _recency(raw: str | None) -> tuple[int, float]:
    when = None
    if raw and (raw := raw.strip()):
        try:
            when = datetime.fromisoformat(raw)  # sitemaps' W3C dates, fast
        except ValueError:
            when = dates.parse_date(raw)  # RFC 822 in feeds, and the rest
    if when is None:
        return 0, 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dates.DHAKA)
    return 1, when.timestamp()


# Scrapy's own reasons for dropping a request, which all arrive as a bare IgnoreRequest.
_IGNORED = {
    "Forbidden by robots.txt": "robots_forbidden",
    "max redirections reached": "too_many_redirects",
}


def failure_reason(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    if failure.check(IgnoreRequest):
        # newscrawl's own refusals carry a reason (middlewares.Refused); Scrapy's, a message.
        reason = getattr(failure.value, "reason", None) or _IGNORED.get(str(failure.value))
        if reason:
            return reason
    return failure.type.__name__ if failure.type else "unknown"


def too_large(failure: Failure) -> bool:
    """Refused for DOWNLOAD_MAXSIZE: by the download handler, or by HttpCompressionMiddleware
    while decompressing a ``Content-Encoding: gzip`` body.

    The handler cancels a download when the declared length is too large ("max size" in the
    message) or when the bytes received pass the limit (a bare cancellation, no message);
    nothing else cancels a download in a running crawl.
    """
    if failure.check(DownloadCancelledError):
        return True
    message = str(failure.value)
    return bool(failure.check(IgnoreRequest)) and "DOWNLOAD_MAXSIZE" in message
