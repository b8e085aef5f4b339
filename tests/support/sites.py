"""Page builders for loopback replicas of the outlets, in the structure of the fixture pages."""

from __future__ import annotations

from html import escape

BN_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
BN_MONTHS = [
    "জানুয়ারি",
    "ফেব্রুয়ারি",
    "মার্চ",
    "এপ্রিল",
    "মে",
    "জুন",
    "জুলাই",
    "আগস্ট",
    "সেপ্টেম্বর",
    "অক্টোবর",
    "নভেম্বর",
    "ডিসেম্বর",
]

INQILAB_CHROME_TOP = """<!DOCTYPE html><html lang="bn"><head><meta charset="utf-8">
<title>{title} | Daily Inqilab</title><style>.x{{color:red}}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{}}</script></head><body>
<header><div class="date">ঢাকা   মঙ্গলবার, ২১ জানুয়ারি ২০২৫ | ৭ মাঘ ১৪৩১</div>
<nav><a href="https://dailyinqilab.com/national">জাতীয়</a>
<a class="active" href="https://dailyinqilab.com/international">আন্তর্জাতিক</a></nav></header>"""
INQILAB_CHROME_BOTTOM = """<div class="more"><h3>এই বিভাগের আরও</h3>
<a href="https://dailyinqilab.com/international/news/1">অন্য খবর</a></div>
<h4>মন্তব্য করুন</h4><div id="HCB_comment_box">HTML Comment Box is loading comments...</div>
<div><h3>আরও পড়ুন</h3><a href="/national/news/2">আরেক খবর</a></div>
<footer>© Daily Inqilab</footer></body></html>"""


def bn_date(year: int, month: int, day: int, hour: int, minute: int) -> str:
    suffix = "এএম" if hour < 12 else "পিএম"
    hour12 = hour % 12 or 12
    text = f"{day:02d} {BN_MONTHS[month - 1]} {year}, {hour12:02d}:{minute:02d} "
    return text.translate(BN_DIGITS) + suffix


def inqilab_article(
    title: str,
    paragraphs: list[str],
    published: tuple[int, int, int, int, int],
    updated: tuple[int, int, int, int, int] | None = None,
    desk: str = "অনলাইন ডেস্ক",
    category: str = "আন্তর্জাতিক",
) -> str:
    dates = f"{bn_date(*published)} | আপডেট: {bn_date(*(updated or published))}"
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        INQILAB_CHROME_TOP.format(title=escape(title))
        + f"""<div class="container"><div class="row"><div class="col-md-9 mt-3">
<h2>{escape(title)}</h2><div class="reporter">Daily Inqilab <span>{desk}</span></div>
<p class="news-date-time">{dates}</p>
<div class="new-details"><div class="description">{body}</div></div>
<p>বিভাগ : <a href="https://dailyinqilab.com/international">{category}</a></p></div></div></div>"""
        + INQILAB_CHROME_BOTTOM
    )


def rss(items: list[tuple[str, str, str]]) -> str:
    """items: (title, link, RFC 822 pubDate or None)."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
        + (f"<pubDate>{d}</pubDate>" if d else "")
        + f"<guid>{escape(link)}</guid></item>"
        for t, link, d in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>feed</title>{entries}</channel></rss>"
    )


def news_sitemap(entries: list[tuple[str, str]]) -> str:
    """entries: (loc, ISO publication date)."""
    urls = "".join(
        f"<url><loc>{escape(loc)}</loc><news:news><news:publication><news:name>x</news:name>"
        f"<news:language>bn</news:language></news:publication>"
        f"<news:publication_date>{d}</news:publication_date></news:news></url>"
        for loc, d in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{urls}</urlset>"
    )


def listing(links: list[str], next_page: str | None = None) -> str:
    cards = "".join(
        f'<div class="card"><h3><a href="{escape(u)}">শিরোনাম</a></h3><p>সংক্ষেপ...</p></div>'
        for u in links
    )
    pager = f'<ul class="pagination"><li><a href="{next_page}">»</a></li></ul>' if next_page else ""
    return f'<html><head><meta charset="utf-8"></head><body>{cards}{pager}</body></html>'
