"""Daily Inqilab (dailyinqilab.com), the post-2023 Laravel/Bootstrap site.

Facts marked [V] were seen on the live site by public scrapers or in stored page text; [G] are
guesses, safe to be wrong about because JSON-LD, meta tags and the generic fallback stand in.
"""

from __future__ import annotations

import re
from typing import ClassVar

from newscrawl.spiders.base import OutletSpider


class InqilabSpider(OutletSpider):
    name = "inqilab"
    site_url = "https://dailyinqilab.com"
    site_hosts = ("dailyinqilab.com", "www.dailyinqilab.com")
    site_names = ("Daily Inqilab", "দৈনিক ইনকিলাব")

    feeds = ("/rss/rss.xml",)  # [V] ~100 newest items
    sitemaps = ("/news-sitemap.xml",)  # [V] ~500 URLs with publication_date
    listings = (  # [V] slugs; ?page=N pagination [I]
        "/national",
        "/international",
        "/politics",
        "/economy",
        "/bangladesh",
        "/sports/cricket",
        "/entertainment/dhallywood",
        "/editorial",
    )
    archive_path = "/archive"  # [V] ?cat=&dateFrom=&dateTo=&page=N, items under h3 a

    # [V] /<cat>/news/<id>, /<cat>/article/<id> (opinion); [I] /<cat>/<subcat>/<id>. The slug does
    # not select the article (/international/news/<id> serves national stories too), so the id
    # alone is the article's identity.
    article_path = re.compile(r"^/[a-z0-9-]+/[a-z0-9-]+/(?P<id>\d+)/?$")

    selectors: ClassVar[dict[str, tuple[str, ...]]] = {
        "title": ("div.col-md-9.mt-3 h2",),  # [V] an h2, not an h1
        "subtitle": ("b.sub-heading",),  # [V] often absent
        "dates": ("p.news-date-time",),  # [V] published | আপডেট: updated
        "body": ("div.new-details div.description p", "div.description p"),  # [V] sic
        "category": ("a.active", "div.col-md-9 p a"),  # [V]
        # [G] the byline line under the headline ("Daily Inqilab অনলাইন ডেস্ক"): its markup is
        # unknown, so try the likely classes and let the body lead-in rule cover the rest.
        "author": (".reporter", ".author", ".news-author", ".writer"),
        "image": ("div.new-details img::attr(src)",),  # [G]
    }

    # Everything from these lines on is page furniture, not the article [V, seeds 000/002/004].
    body_end_patterns = (
        re.compile(r"^বিভাগ\s*:"),
        re.compile(r"^মন্তব্য করুন$"),
        re.compile(r"^HTML Comment Box is loading comments"),
        re.compile(r"^এই বিভাগের আরও$"),
    )
    boilerplate_patterns = (re.compile(r"^আরও পড়ুন$"), re.compile(r"^Daily Inqilab\b"))
    # [V] "অনলাইন ডেস্ক : …" opening the first paragraph; desks and staff titles only, so a
    # source line like "সূত্র: আল জাজিরা" or a quoted speaker is never taken for a byline.
    byline_lead_in = re.compile(
        r"^(?P<author>(?:\S+\s){0,3}?(?:ডেস্ক|প্রতিবেদক|রিপোর্টার|প্রতিনিধি|সংবাদদাতা))\s*:\s*"
    )
