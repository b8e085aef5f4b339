"""The outlet spider base in process: a real crawler and its stats, real Scrapy responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.spiders.inqilab import InqilabSpider

SITE = "https://dailyinqilab.com"
URL = f"{SITE}/national/news/620001"
TITLE = "মিরপুরে পোশাক কারখানায় আগুন, আহত তিন শ্রমিক"
PARAS = [
    "রাজধানীর মিরপুরে একটি পোশাক কারখানায় আগুন লেগে অন্তত তিনজন শ্রমিক আহত হয়েছেন। আজ সকালে এ ঘটনা ঘটে।",
    "ফায়ার সার্ভিসের কর্মকর্তা জানান, খবর পেয়ে ঘটনাস্থলে পাঁচটি ইউনিট পাঠানো হয়। এক ঘণ্টার চেষ্টায় আগুন নেভে।",
    "আহত শ্রমিকদের ঢাকা মেডিকেল কলেজ হাসপাতালে ভর্তি করা হয়েছে। তাঁদের অবস্থা আশঙ্কামুক্ত বলে চিকিৎসকেরা জানান।",
]


def make_spider(**settings):
    crawler = get_crawler(InqilabSpider, settings)
    crawler.spider = crawler._create_spider()
    return crawler.spider


def article_page(published: str | None = None, paras=PARAS, head: str = "") -> str:
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        f"<html><head><title>{TITLE}</title>{meta}{head}</head><body>"
        f'<div class="col-md-9 mt-3"><h2>{TITLE}</h2></div>'
        f'<div class="new-details"><div class="description">{body}</div></div></body></html>'
    )


def response(html: str, url: str = URL, **meta) -> HtmlResponse:
    from scrapy import Request

    return HtmlResponse(
        url, body=html.encode("utf-8"), encoding="utf-8", request=Request(url, meta=meta)
    )


def parse(spider, html: str, url: str = URL, **meta) -> list:
    return list(spider.parse_article(response(html, url, **meta)))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# -- future dates ----------------------------------------------------------------------------------


def test_a_date_days_past_the_crawl_is_not_believed_and_is_counted():
    spider = make_spider()
    future = datetime.now(UTC) + timedelta(days=3)
    [item] = parse(spider, article_page(iso(future)))
    assert item["published_at"] is None
    assert item["published_raw"] == iso(future)  # kept for a person to read
    assert "published" not in item["extraction"]
    assert spider.crawler.stats.get_value("newscrawl/dates/rejected_future/published") == 1


def test_a_date_a_day_ahead_is_believed():
    spider = make_spider()
    ahead = datetime.now(UTC) + timedelta(days=1)
    [item] = parse(spider, article_page(iso(ahead)))
    assert datetime.fromisoformat(item["published_at"]) == ahead.replace(microsecond=0)
    assert spider.crawler.stats.get_value("newscrawl/dates/rejected_future/published") is None


# -- listing pages ---------------------------------------------------------------------------------


def listing(page: int, ids=(1, 2)) -> HtmlResponse:
    links = "".join(f'<a href="/national/news/{page * 100 + i}">খবর {i}</a>' for i in ids)
    url = f"{SITE}/national" + (f"?page={page}" if page > 1 else "")
    return response(f"<html><body>{links}</body></html>", url, page=page)


def next_listing_pages(spider, page: int, ids=(1, 2)) -> list[int]:
    requests = list(spider.parse_listing(listing(page, ids)))
    return [r.meta["page"] for r in requests if r.meta.get("discovery_kind") == "listing"]


@pytest.mark.parametrize("cap", [1, 2, 3, 5])
def test_listing_pagination_stops_at_the_page_cap(cap):
    spider = make_spider(NEWSCRAWL_LISTING_PAGES=cap)
    followed = [p for page in range(1, cap + 2) for p in next_listing_pages(spider, page)]
    assert followed == list(range(2, cap + 1))  # pages 1..cap fetched, never cap + 1


def test_a_listing_page_with_no_article_link_ends_pagination():
    spider = make_spider(NEWSCRAWL_LISTING_PAGES=5)
    assert next_listing_pages(spider, 1, ids=()) == []
    assert next_listing_pages(spider, 1) == [2]
