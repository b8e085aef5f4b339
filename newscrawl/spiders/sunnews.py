"""Sun News (www.sunnews24x7.com), the Bengali edition.

Its URLs and the order of its page text are known [V]; its HTML and its date format are not. So
the selectors below are guesses, each marked [G], tried after JSON-LD and meta tags and before
the generic fallback; the text rules (byline lead-in, inline "আরও পড়ুন" links, the sign-off,
copyright and sidebar lists) hold whichever layer found the text. When the real page differs,
the crawl stats show it as fields falling to ``fallback`` or ``missing``; ``scrapy probe sunnews``
says so in one command.
"""

from __future__ import annotations

import re
from typing import ClassVar

from newscrawl.spiders.base import OutletSpider


class SunnewsSpider(OutletSpider):
    name = "sunnews"
    site_url = "https://www.sunnews24x7.com"
    # Never en.sunnews24x7.com: that is the English edition, a different corpus.
    site_hosts = ("www.sunnews24x7.com", "sunnews24x7.com")
    site_names = ("Sunnews24x7", "sunnews24x7", "সান নিউজ", "Sun News")

    feeds = ("/rss",)  # [G] tried; a 404 is counted and the crawl goes on
    sitemaps = ("/sitemap.xml", "/news-sitemap.xml")  # [G]
    sitemaps_from_robots = True
    listings = (  # [V] slugs seen in /category/<slug>?page=N
        "/category/bangladesh",
        "/category/politics",
        "/category/opinion",
        "/category/feature",
        "/category/arts",
        "/category/international",  # [G]
    )
    article_path = re.compile(r"^/news/article/[a-z0-9-]+/(?P<id>\d+)/?$")  # [V]

    # Every selector here is a guess [G]: no stored copy of a Sun News page's markup exists.
    selectors: ClassVar[dict[str, tuple[str, ...]]] = {
        "title": ("h1.headline", "h1.title", ".news-title h1", ".news-title h2", "article h1"),
        "category": (".category-label a", ".cat-name a", ".breadcrumb a:last-child", ".cat a"),
        "published": ("time::attr(datetime)", ".news-date", ".publish-time", "div.date"),
        "body": (
            ".news-details p",
            "#newsBody p",
            ".article-content p",
            ".news-content p",
            "article .details p",
        ),
        "image": (".news-image img::attr(src)", "article figure img::attr(src)"),
    }

    body_end_patterns = (
        re.compile(r"^Copyright ©", re.I),
        re.compile(r"^(সবচেয়ে|পঠিত|সাম্প্রতিক)$"),
    )
    boilerplate_patterns = (
        re.compile(r"^আরও পড়ুন\s*:"),  # inline links to other stories [V]
        re.compile(r"(\.\.\.|…)$"),  # teaser excerpts from the sidebar lists [V]
    )
    # [V] "সান নিউজ ডেস্ক:", "নিজস্ব প্রতিবেদক:", "কুড়িগ্রাম প্রতিনিধি:", or a writer's name
    # (two to four words, not ending in a verb of saying, so a quoted speaker stays in the text).
    byline_lead_in = re.compile(
        r"^(?P<author>(?:\S+\s){0,3}?\S*(?:ডেস্ক|প্রতিবেদক|প্রতিনিধি|সংবাদদাতা|রিপোর্টার)"
        r"|(?:[^\s:।,]+\s){1,3}(?!বলেন|বলেছেন|জানান|জানিয়েছেন)[^\s:।,]+)\s*:\s*"
    )
    sign_off = re.compile(r"সান ?নিউজ/\s*\S+")  # [V] e.g. সান নিউজ/এমআর
