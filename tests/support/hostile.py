"""A loopback Daily Inqilab that misbehaves on purpose, and the bad pages and documents it serves.

``HostileInqilab`` serves the discovery pages the spider asks for (robots.txt, the feed, the
sitemap, every listing) so that the only problems a crawl meets are the ones a test plants. Each
article is added with a label; the feed lists every article in the order added.
"""

from __future__ import annotations

import gzip
import random
import re
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from html import escape

from newscrawl.spiders.inqilab import InqilabSpider
from tests.support.replica import Page, Replica
from tests.support.sites import inqilab_article, listing, news_sitemap, rss

REAL = "https://dailyinqilab.com"
SENTENCES = (
    "রাজধানীতে আজ সকাল থেকে ভারী বৃষ্টি হচ্ছে।",
    "আবহাওয়া অফিস জানিয়েছে, আগামী দুই দিন এমন থাকতে পারে।",
    "নিচু এলাকায় জলাবদ্ধতা দেখা দিয়েছে।",
)


def article_path(i: int, category: str = "international") -> str:
    return f"/{category}/news/{900000 + i}"


def story(i: int) -> tuple[str, list[str]]:
    """A distinct article: its title and paragraphs."""
    return f"খবর নম্বর {i}: শহরে নতুন উদ্যোগ", [f"{s} ঘটনা {i}।" for s in SENTENCES]


def good_page(i: int, published: tuple[int, int, int, int, int] = (2024, 12, 1, 10, 0)) -> str:
    title, paragraphs = story(i)
    return inqilab_article(title, paragraphs, published)


def status(code: int, **headers: str) -> Page:
    return Page(f"<html><body>{code}</body></html>".encode(), status=code, headers=headers)


def redirect(location: str, code: int = 302) -> Page:
    return Page(b"", status=code, headers={"Location": location})


class Sequence:
    """A route that answers with each page in turn, then the last one for ever; logs the times."""

    def __init__(self, *pages: Page):
        self.pages = pages
        self.times: list[float] = []

    def __call__(self, _path: str) -> Page:
        self.times.append(time.monotonic())
        return self.pages[min(len(self.times), len(self.pages)) - 1]


# -- pages that are not what they say ------------------------------------------------------------


def png(size: int = 20_000) -> bytes:
    rng = random.Random(size)
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(size)


def pdf(size: int = 20_000) -> bytes:
    rng = random.Random(size + 1)
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 9 >>\nstream\n" + rng.randbytes(size)


def random_bytes(size: int = 20_000) -> bytes:
    return random.Random(size + 2).randbytes(size)


def double_encoded(html: str) -> bytes:
    """UTF-8 read as Latin-1 and written out as UTF-8 again: valid UTF-8, Bengali lost."""
    return html.encode("utf-8").decode("latin-1").encode("utf-8")


def broken_utf8(html: str) -> bytes:
    """UTF-8 Bengali with a stray invalid byte in every paragraph: no encoding reads it whole."""
    return html.encode("utf-8").replace(b"</p>", b"\xff</p>")


class Stream:
    """An HTML page of ``total`` bytes, made a chunk at a time (never held in memory whole).

    Use as ``Page(b"", chunks=Stream(n))``; ``sent`` counts the bytes handed to the server.
    """

    def __init__(self, total: int, chunk_size: int = 64 * 1024):
        self.total = total
        self.sent = 0
        paragraph = ("<p>" + "অনেক বড় একটি পাতা। " * 200 + "</p>\n").encode()
        self.chunk = paragraph * max(1, chunk_size // len(paragraph))

    def __call__(self) -> Iterator[bytes]:
        head = b"<html><body><div class='description'>"
        self.sent += len(head)
        yield head
        produced = len(head)
        while produced < self.total:
            piece = self.chunk[: self.total - produced]
            produced += len(piece)
            self.sent += len(piece)
            yield piece


# -- feeds and sitemaps that are not what they should be -------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    """The entity bomb: ~10**levels 'lol's if a parser expanded it."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{k} "{f"&lol{k - 1};" * 10}">' for k in range(1, levels + 1)
    ]
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(entities)}]>'
        f"<rss><channel><item><title>&lol{levels};</title>"
        f"<link>{REAL}{article_path(999)}</link></item></channel></rss>"
    )


def external_entity(path: str = "/etc/passwd") -> str:
    """XXE: an entity that would read a local file into the document."""
    return (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{path}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{REAL}{article_path(998)}&xxe;</loc></url></urlset>"
    )


def malformed_rss(links: Iterable[str]) -> str:
    """Good items, then one whose <title> is never closed, then the document stops mid-tag."""
    items = "".join(f"<item><title>{i}</title><link>{escape(u)}</link></item>"
                    for i, u in enumerate(links))  # fmt: skip
    broken = f"<item><title>broken<link>{REAL}{article_path(997)}</link></item><item><li"
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>feed</title>{items}{broken}'


def wrong_namespace_sitemap(locs: Iterable[str]) -> str:
    urls = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in locs)
    return f'<?xml version="1.0"?><urlset xmlns="http://example.com/not-a-sitemap">{urls}</urlset>'


def sitemap_index(locs: Iterable[str]) -> str:
    entries = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    )


# -- the site ------------------------------------------------------------------------------------


class HostileInqilab:
    """Inqilab's discovery pages on a replica, and articles added one by one under labels."""

    def __init__(self, replica: Replica, robots: str = "User-agent: *\nDisallow:\n"):
        self.replica = replica
        self.paths: dict[str, str] = {}
        replica.add("/robots.txt", robots, content_type="text/plain")
        for path in InqilabSpider.listings:
            replica.add(path, listing([]))
        self.set_sitemap([])

    def add(self, label: str, page: str | bytes | Page | Callable[[str], Page], i: int,
            category: str = "international", in_feed: bool = True) -> str:  # fmt: skip
        path = article_path(i, category)
        if isinstance(page, (str, bytes)):
            page = Page(page.encode() if isinstance(page, str) else page)
        self.replica.routes[path] = page
        if in_feed:
            self.paths[label] = path
            self.publish_feed()
        return path

    def publish_feed(self) -> None:
        items = [(label, f"{REAL}{path}", None) for label, path in self.paths.items()]
        self.replica.add("/rss/rss.xml", rss(items), content_type="application/rss+xml")

    def set_feed(self, body: str | bytes) -> None:
        self.replica.add("/rss/rss.xml", body, content_type="application/rss+xml")

    def set_sitemap(self, paths: list[str], body: str | None = None) -> None:
        """The news sitemap: these article paths, or a document of the test's own."""
        if body is None:
            body = news_sitemap([(f"{REAL}{p}", "2024-12-01T10:00:00+06:00") for p in paths])
        self.replica.add("/news-sitemap.xml", body, content_type="application/xml")

    def hits(self, label: str) -> int:
        return self.replica.hits()[self.paths[label]]


def without(pattern: str, html: str) -> str:
    return re.sub(pattern, "", html, flags=re.S)


# -- discovery that never ends, or leaves the site -------------------------------------------------


class EndlessIndex:
    """A route for ``<prefix><n>.xml``: a sitemap index naming ``fanout`` new indexes below it
    (and, with ``articles``, a urlset of article ``1000 + n``), for ever. Children are added to
    the replica's routes as they are named; ``served`` lists the paths asked for."""

    def __init__(self, replica: Replica, prefix: str, fanout: int, articles: bool = False):
        self.replica, self.prefix, self.fanout, self.articles = replica, prefix, fanout, articles
        self.served: list[str] = []

    def path(self, n: int) -> str:
        return f"{self.prefix}{n}.xml"

    def __call__(self, path: str) -> Page:
        self.served.append(path)
        n = int(path.removeprefix(self.prefix).removesuffix(".xml"))
        children = [self.path(n * self.fanout + k) for k in range(1, self.fanout + 1)]
        for child in children:
            self.replica.routes[child] = self
        locs = [f"{REAL}{child}" for child in children]
        if self.articles:
            urls = f"{self.prefix}urls-{n}.xml"
            entry = (f"{REAL}{article_path(1000 + n)}", "2024-12-01T10:00:00+06:00")
            self.replica.add(urls, news_sitemap([entry]), content_type="application/xml")
            locs.append(f"{REAL}{urls}")
        return Page(sitemap_index(locs).encode(), content_type="application/xml")


def meta_refresh(location: str) -> str:
    return (
        f'<html><head><meta http-equiv="refresh" content="0; url={escape(location)}">'
        "</head><body>moved</body></html>"
    )


# -- gzip ----------------------------------------------------------------------------------------


def gz(data: str | bytes) -> bytes:
    return gzip.compress(data.encode() if isinstance(data, str) else data)


def gzip_bomb(size: int) -> bytes:
    """A small gzip file that decompresses to ``size`` bytes of XML (never held whole)."""
    out = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    chunk = b"<url><loc>x</loc></url>" * 4096
    parts = [out.compress(b'<?xml version="1.0"?><urlset>')]
    for _ in range(size // len(chunk) + 1):
        parts.append(out.compress(chunk))
    return b"".join([*parts, out.flush()])
