"""Where a site lists its articles: robots.txt ``Sitemap:`` lines, ``<link rel=alternate>``
feeds on its home page, the usual feed and sitemap paths; and the article URLs they name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector

from newscrawl.learn.fetch import Fetcher, FetchError
from newscrawl.spiders.discovery import Origin, origin_of

COMMON_FEEDS = ("/rss", "/rss.xml", "/feed", "/rss/rss.xml", "/atom.xml", "/feed.xml")
COMMON_SITEMAPS = ("/news-sitemap.xml", "/sitemap-news.xml", "/sitemap.xml", "/sitemap_index.xml")
MAX_DOCUMENTS = 8  # feeds and sitemaps read, nested sitemaps included
SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")


@dataclass
class Site:
    """The site a spider is written for, and the origin actually fetched (itself or a mirror)."""

    site_url: str
    base_url: str

    def __post_init__(self) -> None:
        self.site_url, self.base_url = self.site_url.rstrip("/"), self.base_url.rstrip("/")

    def to_base(self, url: str) -> str:
        return self._move(url, self.site_url, self.base_url)

    def to_site(self, url: str) -> str:
        return self._move(url, self.base_url, self.site_url)

    @staticmethod
    def _move(url: str, source: str, target: str) -> str:
        if origin_of(url) != origin_of(source) or source == target:
            return url
        parts, to = urlsplit(url), urlsplit(target)
        return urlunsplit((to.scheme, to.netloc, parts.path, parts.query, ""))


@dataclass
class Found:
    feeds: list[str] = field(default_factory=list)  # on the site, as the spider will name them
    sitemaps: list[str] = field(default_factory=list)
    from_robots: bool = False
    article_urls: list[str] = field(default_factory=list)  # site URLs, feeds' first
    home: str | None = None
    problems: list[str] = field(default_factory=list)


def read_document(body: bytes) -> tuple[str, list[str]] | None:
    """("feed"|"sitemap"|"index", URLs) of a feed or sitemap; None for anything else."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None or not isinstance(root.tag, str):
        return None
    name = etree.QName(root).localname.lower()
    if name in ("rss", "rdf"):
        items = [e for e in root.iter() if _local(e) == "item"]
        links = [t for item in items for t in (c.text for c in item if _local(c) == "link") if t]
        return "feed", [u.strip() for u in links]
    if name == "feed":
        hrefs = [
            link.get("href")
            for entry in root.iter()
            if _local(entry) == "entry"
            for link in entry
            if _local(link) == "link" and link.get("rel", "alternate") == "alternate"
        ]
        return "feed", [h.strip() for h in hrefs if h]
    if name in ("urlset", "sitemapindex"):
        locs = [e.text.strip() for e in root.iter() if _local(e) == "loc" and e.text]
        return ("sitemap" if name == "urlset" else "index"), locs
    return None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""


def named_site(urls: list[str], fetched: Origin | None) -> str | None:
    """The one site a mirror's documents name instead of the mirror itself, if they name one."""
    origins = {origin_of(u) for u in urls} - {None, fetched}
    if len(origins) != 1 or any(origin_of(u) == fetched for u in urls):
        return None
    scheme, host, port = next(iter(origins))  # type: ignore[misc]
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + ("" if port == default else f":{port}")


def discover(fetcher: Fetcher, site: Site) -> Found:
    """Feeds, sitemaps and article URLs. On a mirror whose robots.txt, home page and documents
    name the real site rather than the mirror, ``site.site_url`` becomes that site."""
    found = Found()
    mirrored = site.site_url != site.base_url
    robots = fetcher.robots_txt()
    named = [urljoin(fetcher.base_url, u) for u in SITEMAP_LINE.findall(robots)]
    try:
        found.home = fetcher.get(fetcher.base_url).decode("utf-8", "replace")
    except FetchError as exc:
        found.problems.append(f"home page: {exc}")
    if found.home and not mirrored:
        sel = Selector(text=found.home)
        marks = sel.xpath('//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content')
        real = named_site([*named, *(urljoin(fetcher.base_url, u) for u in marks.getall())],
                          fetcher.origin)  # fmt: skip
        if real:
            site.site_url = real
    named = [site.to_base(u) for u in named]
    named = [u for u in named if origin_of(u) == fetcher.origin]
    found.from_robots = bool(named)
    alternates = []
    if found.home:
        sel = Selector(text=found.home)
        for link in sel.xpath('//link[@rel="alternate"][@href]'):
            if (link.attrib.get("type") or "").lower() in FEED_TYPES:
                alternates.append(site.to_base(urljoin(fetcher.base_url, link.attrib["href"])))
    documents = 0
    feed_urls: list[str] = []
    sitemap_urls: list[str] = []
    guessed_feeds = [fetcher.url(p) for p in COMMON_FEEDS]
    guessed_maps = [fetcher.url(p) for p in COMMON_SITEMAPS]
    queue = [*alternates, *named, *(guessed_feeds if not alternates else ())]
    queue += guessed_maps if not named else []
    seen: set[str] = set()
    while queue and documents < MAX_DOCUMENTS:
        url = queue.pop(0)
        if url in seen or origin_of(url) != fetcher.origin:
            continue
        seen.add(url)
        guessed = url in guessed_feeds or url in guessed_maps
        if guessed and (
            (url in guessed_feeds and found.feeds) or (url in guessed_maps and found.sitemaps)
        ):
            continue  # one feed and one sitemap found by guessing are enough
        try:
            body = fetcher.get(url)
        except FetchError as exc:
            if not guessed:
                found.problems.append(str(exc))
            continue
        documents += 1
        read = read_document(body)
        if read is None:
            if not guessed:
                found.problems.append(f"{url} is not a feed or a sitemap")
            continue
        kind, urls = read
        urls = [urljoin(url, u) for u in urls]
        real = named_site(urls, fetcher.origin) if site.site_url == site.base_url else None
        if real:
            site.site_url = real  # a mirror of a site whose documents name the site itself
        urls = [site.to_base(u) for u in urls]
        on_site = [u for u in urls if origin_of(u) == fetcher.origin]
        path = _site_path(site.to_site(url), site)
        if kind == "feed":
            found.feeds.append(path)
            feed_urls += on_site
        else:
            if url not in named:
                found.sitemaps.append(path)
            if kind == "index":
                queue[:0] = on_site[:3]  # the first (usually newest) nested sitemaps
            else:
                sitemap_urls += on_site
    links: list[str] = []
    if found.home and not feed_urls and not sitemap_urls:
        sel = Selector(text=found.home)
        hrefs = sel.css("a::attr(href)").getall()
        links = [site.to_base(urljoin(fetcher.base_url, h)) for h in hrefs]
        links = [u.split("#")[0] for u in links if origin_of(u) == fetcher.origin]
    every = dict.fromkeys([*feed_urls, *sitemap_urls, *links])
    found.article_urls = [site.to_site(u) for u in every]
    return found


def _site_path(url: str, site: Site) -> str:
    """The path of a URL on the site (a spider names its feeds so, and works on a mirror)."""
    parts = urlsplit(url)
    if origin_of(url) == origin_of(site.site_url):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url
