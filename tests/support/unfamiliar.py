"""A loopback mirror of a news site the project has never seen, for learning an outlet.

Nothing in it follows the two outlets' layouts: articles at ``/bn/<section>/<id>-<slug>``, a
feed named only by the home page's ``<link rel=alternate>``, a sitemap named only in robots.txt,
no JSON-LD, no date in any meta tag, class names in transliterated Bengali. The body holds a
caption, a share bar and a "read more" line that are not article text; a sidebar holds teasers.

``install(replica, layout=2)`` serves the same articles after a redesign: every class renamed,
the body's paragraphs one level deeper.
"""

from __future__ import annotations

from html import escape

from tests.support.replica import Replica
from tests.support.sites import BN_DIGITS, BN_MONTHS

SITE_NAME = "খবরের কাগজ"
SENTENCES = (
    "জেলার কৃষকেরা এবার আগাম বৃষ্টির কারণে বোরো ধানের বীজতলা নিয়ে দুশ্চিন্তায় পড়েছেন বলে জানা গেছে।",
    "স্থানীয় প্রশাসন বলছে, ক্ষতিগ্রস্ত পরিবারগুলোর তালিকা তৈরির কাজ ইতিমধ্যে শুরু হয়েছে।",
    "বাজারে চাল, ডাল ও ভোজ্যতেলের দাম গত সপ্তাহের তুলনায় কিছুটা বেড়েছে বলে ক্রেতারা অভিযোগ করেছেন।",
    "বিশেষজ্ঞরা মনে করেন, সরবরাহ ব্যবস্থায় নজরদারি বাড়ালে দাম নিয়ন্ত্রণে রাখা সম্ভব হবে।",
    "নগরের প্রধান সড়কগুলোতে সকাল থেকে তীব্র যানজট দেখা দেয়, ভোগান্তিতে পড়েন অফিসগামী মানুষ।",
    "শিক্ষা মন্ত্রণালয় জানিয়েছে, নতুন শিক্ষাবর্ষের বই বিতরণ নির্ধারিত সময়েই শেষ করা হবে।",
    "খেলার মাঠে দর্শকদের উপস্থিতি ছিল চোখে পড়ার মতো, গ্যালারি ভরে যায় দুপুরের আগেই।",
    "নদীভাঙনে গত এক মাসে অন্তত দুই শতাধিক পরিবার ঘরবাড়ি হারিয়েছে বলে ইউনিয়ন পরিষদ জানিয়েছে।",
    "হাসপাতালে রোগীর চাপ বাড়লেও চিকিৎসকের সংখ্যা বাড়েনি, ফলে সেবা পেতে দীর্ঘ অপেক্ষা করতে হচ্ছে।",
    "আয়োজকেরা জানান, আগামী বছর থেকে মেলাটি আরও বড় পরিসরে আয়োজনের পরিকল্পনা রয়েছে।",
)
ARTICLES = (
    # id, section, slug, headline, reporter, (year, month, day, hour, minute)
    (20451, "desh", "borshay-krishi", "আগাম বৃষ্টিতে বীজতলা নিয়ে দুশ্চিন্তায় কৃষক", "রফিক আহমেদ",
     (2025, 1, 12, 9, 30)),
    (20457, "arthoniti", "bazar-dor", "নিত্যপণ্যের দামে আবার ঊর্ধ্বগতি", "নাসরিন সুলতানা",
     (2025, 1, 12, 14, 5)),
    (20463, "desh", "nodi-bhangon", "নদীভাঙনে ঘর হারাল দুই শতাধিক পরিবার", "মো. কামাল হোসেন",
     (2025, 1, 13, 8, 15)),
    (20470, "khela", "mather-darshok", "গ্যালারি ভরা দর্শকের সামনে ফাইনাল", "তানভীর ইসলাম",
     (2025, 1, 13, 18, 40)),
    (20478, "shiksha", "boi-bitoron", "সময়মতো বই বিতরণের আশ্বাস মন্ত্রণালয়ের", "শারমিন আক্তার",
     (2025, 1, 14, 10, 0)),
    (20485, "desh", "hashpatal-chap", "হাসপাতালে রোগীর চাপ, চিকিৎসক সংকট", "রফিক আহমেদ",
     (2025, 1, 14, 16, 20)),
)  # fmt: skip
# Class names of the two layouts.
LAYOUTS = {
    1: {"head": "khobor-shirsho", "h1": "shirsho", "byline": "reporter-name",
        "date": "prokash-kal", "body": "khobor-deho", "inner": ""},
    2: {"head": "story-top", "h1": "story-headline", "byline": "writer-name",
        "date": "story-time", "body": "story-wrap", "inner": "story-paragraphs"},
}  # fmt: skip


def path_of(article: tuple) -> str:
    article_id, section, slug = article[:3]
    return f"/bn/{section}/{article_id}-{slug}"


def bn_date(year: int, month: int, day: int, hour: int, minute: int) -> str:
    suffix = "এএম" if hour < 12 else "পিএম"
    line = f"{day} {BN_MONTHS[month - 1]} {year}, {hour % 12 or 12}:{minute:02d} "
    return line.translate(BN_DIGITS) + suffix


def paragraphs(article_id: int) -> list[str]:
    start = article_id % len(SENTENCES)
    picked = [SENTENCES[(start + i * 3) % len(SENTENCES)] for i in range(4)]
    return [f"{picked[i]} {picked[(i + 1) % 4]}" for i in range(4)]


def article_page(article: tuple, layout: int = 1, documents: bool = True) -> str:
    article_id, section, _slug, headline, reporter, when = article
    c = LAYOUTS[layout]
    paras = "".join(f"<p>{escape(p)}</p>" for p in paragraphs(article_id))
    if c["inner"]:
        paras = f'<div class="{c["inner"]}">{paras}</div>'
    teasers = "".join(
        f'<li><a href="{path_of(a)}">{escape(a[3])}</a><p>{escape(SENTENCES[i])}</p></li>'
        for i, a in enumerate(ARTICLES[:3])
        if a[0] != article_id
    )
    return f"""<!DOCTYPE html><html lang="bn"><head><meta charset="utf-8">
<title>{escape(headline)} | {SITE_NAME}</title>
<meta property="og:title" content="{escape(headline)}">
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="og:type" content="article">
{'<link rel="alternate" type="application/rss+xml" href="/feeds/latest.xml">' if documents else ""}
</head><body>
<div class="upor-patti"><a class="logo" href="/">{SITE_NAME}</a>
<ul class="bibhag"><li><a href="/bn/desh">দেশ</a></li>
<li><a href="/bn/khela">খেলা</a></li></ul></div>
<div class="mul-ongsho"><div class="bam">
<div class="{c["head"]}"><span class="bibhag-nam">{section}</span>
<h1 class="{c["h1"]}">{escape(headline)}</h1>
<div class="lekhok"><span class="{c["byline"]}">{escape(reporter)}</span></div>
<div class="{c["date"]}">প্রকাশ: {bn_date(*when)}</div></div>
<div class="{c["body"]}">
<figure><img src="/img/{article_id}.jpg"><figcaption>ছবি: সংগৃহীত</figcaption></figure>
{paras}
<p>আরও পড়ুন: অন্য একটি খবর</p>
<div class="bhag-korun">শেয়ার করুন: ফেসবুক টুইটার</div>
</div></div>
<aside class="pashe"><h3>সর্বশেষ</h3><ul>{teasers}</ul></aside></div>
<div class="nicher-patti">© {SITE_NAME} ২০২৫</div></body></html>"""


def rss(port_url: str, articles: tuple) -> str:
    items = "".join(
        f"<item><title>{escape(a[3])}</title><link>{port_url}{path_of(a)}</link></item>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{SITE_NAME}</title>{items}</channel></rss>"
    )


def sitemap(port_url: str, paths: list[str]) -> str:
    urls = "".join(f"<url><loc>{port_url}{p}</loc></url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


def home(articles: tuple, url: str = "", documents: bool = True) -> str:
    links = "".join(f'<li><a href="{url}{path_of(a)}">{escape(a[3])}</a></li>' for a in articles)
    feed = '<link rel="alternate" type="application/rss+xml" href="/feeds/latest.xml">'
    return f"""<!DOCTYPE html><html lang="bn"><head><meta charset="utf-8"><title>{SITE_NAME}</title>
<meta property="og:site_name" content="{SITE_NAME}">
<link rel="canonical" href="{url}/">{feed if documents else ""}</head>
<body><ul>{links}</ul><a href="/bn/desh">দেশ</a></body></html>"""


def install(
    replica: Replica, layout: int = 1, named: str | None = None, documents: bool = True
) -> None:
    """Serve the site (again, in ``layout``) on the replica. ``named``: the origin its robots.txt,
    feed, sitemap and links name (a mirror of a real site names the site, not the mirror);
    ``documents=False``: no feed and no sitemap, articles linked from the home page only."""
    url = named or replica.url
    if documents:
        robots = f"User-agent: *\nDisallow: /search\n\nSitemap: {url}/sitemaps/posts.xml\n"
        feed = rss(url, ARTICLES[:4])
        replica.add("/feeds/latest.xml", feed, content_type="application/rss+xml")
        paths = [path_of(a) for a in ARTICLES] + ["/bn/desh", "/bn/khela"]
        replica.add("/sitemaps/posts.xml", sitemap(url, paths), content_type="application/xml")
    else:
        robots = "User-agent: *\nDisallow: /search\n"
    replica.add("/robots.txt", robots, content_type="text/plain")
    replica.add("/", home(ARTICLES, url, documents))
    for article in ARTICLES:
        replica.add(path_of(article), article_page(article, layout, documents))
    replica.add("/bn/desh", home(ARTICLES[::2], url, documents))
    replica.add("/bn/khela", home(ARTICLES[3:4], url, documents))
