"""A synthetic Daily Inqilab for the benchmarks: realistic article pages, feed, sitemap, listings.

Article pages follow the fixture pages' structure (``tests.support.sites.inqilab_article`` for the
parts the spider reads) and are padded with the chrome a real page carries (meta tags, menus,
sidebar and "more news" lists, footer) to a target size, ~60 KB by default as on the live site.
Text comes from ``bench._corpus``: Bengali words in news-like proportions, different in every
article (so are content hashes and SimHashes), the kind of text the cleaners see in production.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

from bench import _corpus
from newscrawl.spiders.inqilab import InqilabSpider
from tests.support.sites import inqilab_article, listing, news_sitemap, rss

REAL = InqilabSpider.site_url
CATEGORIES = tuple(path.strip("/") for path in InqilabSpider.listings)
FIRST_ID = 900_000
FEED_ITEMS = 100  # the live feed holds ~100 newest items
SITEMAP_URLS = 500  # the live news sitemap ~500
DESKS = ("অনলাইন ডেস্ক", "ইনকিলাব ডেস্ক", "স্টাফ রিপোর্টার", "আন্তর্জাতিক ডেস্ক")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class SiteArticle:
    number: int  # 0, 1, 2 … in publication order
    title: str
    paragraphs: tuple[str, ...]
    desk: str

    @property
    def id(self) -> int:
        return FIRST_ID + self.number

    @property
    def category(self) -> str:
        return CATEGORIES[self.number % len(CATEGORIES)]

    @property
    def path(self) -> str:
        # The three URL forms the spider knows: /<cat>/news/<id>, /<cat>/article/<id>, and
        # /<cat>/<subcat>/<id> for categories with a sub-category.
        if "/" in self.category:
            return f"/{self.category}/{self.id}"
        kind = "article" if self.category == "editorial" else "news"
        return f"/{self.category}/{kind}/{self.id}"

    @property
    def published(self) -> tuple[int, int, int, int, int]:
        # Twelve articles an hour, backwards from 2024-12-31 in whole days per 288 articles.
        day, minute = divmod(self.number * 5, 24 * 60)
        return 2024, 12, 1 + day % 28, minute // 60, minute % 60

    def rfc822(self) -> str:
        y, m, d, hh, mm = self.published
        return f"Sun, {d:02d} {MONTHS_EN[m - 1]} {y} {hh:02d}:{mm:02d}:00 +0600"

    def iso(self) -> str:
        y, m, d, hh, mm = self.published
        return f"{y}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:00+06:00"


def make_article(number: int, seed: int = 0) -> SiteArticle:
    """Article ``number``: ~300 words (~5 KB of UTF-8 text), as a typical Inqilab story."""
    rng = random.Random(f"{seed}-{number}")
    body = _corpus.paragraphs(rng, rng.randint(220, 380), seed)
    return SiteArticle(number, _corpus.headline(rng, seed), tuple(body), DESKS[number % 4])


# -- chrome: what surrounds the article on a real page ------------------------------------------

_HEAD = """
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{lead}">
<meta name="keywords" content="{keywords}">
<link rel="canonical" href="{url}">
<meta property="og:type" content="article"><meta property="og:site_name" content="Daily Inqilab">
<meta property="og:title" content="{title}"><meta property="og:description" content="{lead}">
<meta property="og:url" content="{url}">
<meta property="og:image" content="{real}/mediaStorage/content/images/2024December/{id}.jpg">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="{title}">
<meta name="twitter:description" content="{lead}">
<link rel="stylesheet" href="{real}/frontend/css/bootstrap.min.css">
<link rel="stylesheet" href="{real}/frontend/css/style.css?v=2.7">
<style>
 body {{ font-family: 'SolaimanLipi', 'Noto Sans Bengali', sans-serif; font-size: 17px; }}
 .top-header {{ background: #f5f5f5; font-size: 14px; padding: 4px 0; }}
 .main-menu .nav-link {{ color: #fff; padding: 10px 12px; }} .reporter {{ color: #555; }}
 .col-md-9 h2 {{ font-size: 32px; line-height: 1.35; font-weight: 700; margin: 10px 0; }}
 .description p {{ text-align: justify; line-height: 1.8; margin-bottom: 14px; }}
 .more-news-card h4 {{ font-size: 16px; line-height: 1.45; }} .footer {{ background: #1b1b1b; }}
</style>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-QN4ZK7T2PX"></script>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}
gtag('js', new Date()); gtag('config', 'G-QN4ZK7T2PX');</script>
<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"></script>"""

_MENU_ITEM = '<li class="nav-item"><a class="nav-link" href="{real}/{slug}">{name}</a></li>\n'
_MENU = (
    ("national", "জাতীয়"), ("international", "আন্তর্জাতিক"), ("politics", "রাজনীতি"),
    ("economy", "অর্থনীতি"), ("bangladesh", "সারা বাংলাদেশ"), ("islamic-world", "ইসলামী বিশ্ব"),
    ("motropolis", "মহানগর"), ("sports/cricket", "ক্রিকেট"), ("sports/football", "ফুটবল"),
    ("entertainment/dhallywood", "ঢালিউড"), ("entertainment/others", "অন্যান্য"),
    ("editorial", "সম্পাদকীয়"), ("lifestyle", "লাইফস্টাইল"), ("health", "স্বাস্থ্য"),
    ("video", "ভিডিও"), ("archive", "আর্কাইভ"),
)  # fmt: skip
_SIDE_ITEM = '<li><a href="{url}">{title}</a></li>\n'
_CARD = """<div class="col-md-3 col-6 mb-3"><div class="more-news-card">
<a href="{url}"><img src="{real}/mediaStorage/content/images/2024December/{id}-thumb.jpg"
 alt="{title}" class="img-fluid" loading="lazy" width="300" height="170"></a>
<a href="{url}"><h4 class="d-none d-md-block mt-2">{title}</h4></a></div></div>
"""
_FOOTER = """<footer class="footer mt-4"><div class="container"><div class="row">
<div class="col-md-4"><p>সম্পাদক: এ এম এম বাহাউদ্দীন</p><p>প্রকাশক: কামরুন্নেসা বাহাউদ্দীন</p></div>
<div class="col-md-4"><ul><li><a href="{real}/about-us">আমাদের সম্পর্কে</a></li>
<li><a href="{real}/privacy-policy">গোপনীয়তার নীতি</a></li>
<li><a href="{real}/contact">যোগাযোগ</a></li>
</ul></div><div class="col-md-4"><p>সম্পাদকীয় বিভাগ ও বার্তা বিভাগ: ইনকিলাব ভবন, ২/১ রামকৃষ্ণ মিশন রোড,
ঢাকা-১২০৩</p></div></div></div></footer>"""


def _related(others: list[SiteArticle], template: str) -> str:
    return "".join(
        template.format(url=REAL + a.path, title=escape(a.title), id=a.id, real=REAL)
        for a in others
    )


def article_page(article: SiteArticle, related: list[SiteArticle], target_bytes: int) -> bytes:
    """The article in the fixture pages' structure, padded with chrome to ``target_bytes``."""
    url = REAL + article.path
    lead = escape(article.paragraphs[0][:150])
    head = _HEAD.format(
        lead=lead, keywords=escape(", ".join(article.title.split()[:4])), url=url,
        title=escape(article.title), real=REAL, id=article.id,
    )  # fmt: skip
    menu = "".join(_MENU_ITEM.format(real=REAL, slug=s, name=n) for s, n in _MENU)
    sidebar = (
        '<div class="col-md-3 mt-3"><div class="sidebar-tabs"><h4>সর্বশেষ</h4>'
        f'<ul class="list-unstyled side-list">{_related(related[:15], _SIDE_ITEM)}</ul>'
        f'<h4>সর্বাধিক পঠিত</h4><ul class="list-unstyled side-list">'
        f"{_related(related[15:30], _SIDE_ITEM)}</ul></div></div>"
    )
    page = inqilab_article(
        article.title, list(article.paragraphs), article.published, desk=article.desk
    )
    page = page.replace('<meta charset="utf-8">', '<meta charset="utf-8">' + head, 1)
    page = page.replace("</nav></header>", f'<ul class="navbar-nav">{menu}</ul></nav></header>', 1)
    footer = sidebar + "{cards}" + _FOOTER.format(real=REAL)
    page = page.replace("<footer>© Daily Inqilab</footer>", footer, 1)
    return _pad_with_cards(page, related[30:], target_bytes)


def _pad_with_cards(page: str, others: list[SiteArticle], target_bytes: int) -> bytes:
    """Fill the "more news" grid with cards until the page reaches ``target_bytes``."""
    base = len(page.encode("utf-8"))
    cards: list[str] = []
    size = base
    for other in others:
        if size >= target_bytes:
            break
        card = _related([other], _CARD)
        cards.append(card)
        size += len(card.encode("utf-8"))
    grid = '<div class="row more-news">' + "".join(cards) + "</div>"
    return page.replace("{cards}", grid, 1).encode("utf-8")


class Site:
    """Articles and the discovery pages that list them, newest first, as the live site does."""

    def __init__(
        self,
        articles: int,
        *,
        seed: int = 0,
        page_bytes: int = 60_000,
        per_page: int = 50,
        sitemap_urls: int = SITEMAP_URLS,
    ):
        self.seed = seed
        self.sitemap_urls = sitemap_urls
        self.page_bytes = page_bytes
        self.per_page = per_page
        self.articles: list[SiteArticle] = []
        self.pages: dict[str, bytes] = {}
        self.publish(articles)

    def publish(self, n: int) -> None:
        start = len(self.articles)
        self.articles += [make_article(i, self.seed) for i in range(start, start + n)]
        for article in self.articles[start:]:
            self.pages[article.path] = article_page(
                article, self._related(article), self.page_bytes
            )

    def _related(self, article: SiteArticle) -> list[SiteArticle]:
        # Any 150 other articles: the sidebars and the grid link to whatever the site shows.
        rng = random.Random(article.number)
        pool = self.articles
        return [pool[rng.randrange(len(pool))] for _ in range(150)]

    def newest(self) -> list[SiteArticle]:
        return self.articles[::-1]

    def feed(self) -> bytes:
        items = [(a.title, REAL + a.path, a.rfc822()) for a in self.newest()[:FEED_ITEMS]]
        return rss(items).encode("utf-8")

    def sitemap(self) -> bytes:
        entries = [(REAL + a.path, a.iso()) for a in self.newest()[: self.sitemap_urls]]
        return news_sitemap(entries).encode("utf-8")

    def listing(self, category: str, page: int) -> bytes:
        """Page ``page`` of a category, newest first; past the last page, an empty list."""
        of_category = [a for a in self.newest() if a.category == category]
        chunk = of_category[(page - 1) * self.per_page : page * self.per_page]
        more = len(of_category) > page * self.per_page
        html = listing([REAL + a.path for a in chunk], f"?page={page + 1}" if more else None)
        return html.encode("utf-8")

    def listing_pages_needed(self) -> int:
        """Listing pages per category that reach every article (``NEWSCRAWL_LISTING_PAGES``)."""
        per_category = -(-len(self.articles) // len(CATEGORIES))
        return max(1, -(-per_category // self.per_page))
