"""Discovery in process: which feeds, sitemaps, robots.txt lines, listing and archive links lead
to which requests, within which bounds, counted how. A real crawler's stats, real responses."""

from __future__ import annotations

import gzip
from datetime import date

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newscrawl.middlewares import Refused
from newscrawl.spiders.base import UsageError
from newscrawl.spiders.discovery import (
    ARTICLE_PRIORITY,
    DISCOVERY_PRIORITY,
    MAX_LINKED_DOCUMENTS,
    _with_query,
    may_fetch,
    origin_of,
)
from newscrawl.spiders.documents import failure_reason, newest_first, too_large
from newscrawl.spiders.inqilab import InqilabSpider
from newscrawl.spiders.sunnews import SunnewsSpider

SITE = "https://dailyinqilab.com"
MIRROR = "http://127.0.0.1:8080"


def make_spider(cls=InqilabSpider, settings=None, **kwargs):
    crawler = get_crawler(cls, settings or {})
    crawler.spider = crawler._create_spider(**kwargs)
    return crawler.spider


def stats(spider) -> dict:
    return {k: v for k, v in spider.crawler.stats.get_stats().items() if k.startswith("newscrawl")}


def xml(url: str, body: str | bytes, **meta) -> XmlResponse:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return XmlResponse(url, body=data, request=Request(url, meta=meta))


def html(url: str, body: str, **meta) -> HtmlResponse:
    return HtmlResponse(
        url, body=body.encode("utf-8"), encoding="utf-8", request=Request(url, meta=meta)
    )


def rss(*items: tuple[str, str | None]) -> str:
    entries = "".join(
        f"<item><link>{link}</link>" + (f"<pubDate>{when}</pubDate>" if when else "") + "</item>"
        for link, when in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{entries}</channel></rss>'


def urlset(*urls: tuple[str, str | None]) -> str:
    entries = "".join(
        f"<url><loc>{loc}</loc>" + (f"<lastmod>{when}</lastmod>" if when else "") + "</url>"
        for loc, when in urls
    )
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


def sitemapindex(*locs: str) -> str:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'


def article(n: int, host: str = SITE) -> str:
    return f"{host}/national/news/{n}"


def failure_of(exc: Exception, url: str = f"{SITE}/rss/rss.xml", **meta) -> Failure:
    try:
        raise exc
    except Exception:
        failure = Failure()
    failure.request = Request(url, meta=meta)
    return failure


# -- origins ---------------------------------------------------------------------------------------


def test_an_origin_is_scheme_host_and_port_with_the_default_port_made_explicit():
    assert origin_of("https://dailyinqilab.com/x") == ("https", "dailyinqilab.com", 443)
    assert origin_of("HTTP://Example.com/x") == ("http", "example.com", 80)
    assert origin_of("http://127.0.0.1:8080/x") == ("http", "127.0.0.1", 8080)
    assert origin_of("ftp://example.com/x") is None
    assert origin_of("http:///x") is None
    assert origin_of("http://example.com:99999/x") is None  # a port out of range


def test_a_spider_without_origins_may_fetch_its_allowed_domains_and_their_subdomains():
    class Plain:
        allowed_domains = ("example.com",)

    assert may_fetch(Plain(), "https://example.com/a")
    assert may_fetch(Plain(), "https://www.example.com/a")
    assert not may_fetch(Plain(), "https://badexample.com/a")
    assert not may_fetch(Plain(), "https://example.com.evil.test/a")

    class Anything:
        allowed_domains = ()

    assert may_fetch(Anything(), "https://anywhere.test/a")


def test_the_site_is_crawled_on_its_hosts_and_a_mirror_on_its_own_origin_only():
    site = make_spider()
    assert site.origins == {
        ("https", "dailyinqilab.com", 443),
        ("https", "www.dailyinqilab.com", 443),
    }
    assert site.allowed_domains == ["dailyinqilab.com", "www.dailyinqilab.com"]
    mirror = make_spider(base_url=MIRROR + "/")
    assert mirror.base_url == MIRROR
    assert mirror.origins == {("http", "127.0.0.1", 8080)}
    assert mirror.allowed_domains == ["127.0.0.1"]
    assert may_fetch(mirror, f"{MIRROR}/national/news/1")
    assert not may_fetch(mirror, "http://127.0.0.1:8081/national/news/1")
    assert not may_fetch(mirror, article(1))


def test_links_naming_the_real_site_are_followed_on_the_mirror():
    mirror = make_spider(base_url=MIRROR)
    assert mirror.localize("https://www.dailyinqilab.com/national/news/7?x=1#top") == (
        f"{MIRROR}/national/news/7?x=1"
    )
    assert mirror.localize("http://dailyinqilab.com/a") == f"{MIRROR}/a"
    assert mirror.localize("https://other.test/a") == "https://other.test/a"
    site = make_spider()
    # Crawling the site itself: its own origin stays as it is, its other hosts are moved to it.
    assert site.localize("https://dailyinqilab.com/a#x") == "https://dailyinqilab.com/a#x"
    assert site.localize("http://www.dailyinqilab.com/a") == "https://dailyinqilab.com/a"


def test_article_ids_come_from_the_path_or_the_query_on_the_crawled_origins_only():
    site = make_spider()
    assert site.article_id(article(620001)) == "620001"
    assert site.article_id("https://www.dailyinqilab.com/sports/cricket/55") == "55"
    assert site.article_id("https://other.test/national/news/1") is None
    assert site.article_id(f"{SITE}/national") is None

    class ById(InqilabSpider):
        article_path = __import__("re").compile(r"^/story\?id=(?P<id>\d+)$")

    assert make_spider(ById).article_id(f"{SITE}/story?id=42") == "42"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"base_url": "127.0.0.1:8080"},
            "base_url must look like http://host[:port], not '127.0.0.1:8080'",
        ),
        ({"since": "2024-31-01"}, "since must be a date like 2024-01-31, not '2024-31-01'"),
        ({"since": "2024-01-01", "until": "x"}, "until must be a date like 2024-01-31, not 'x'"),
        ({"until": "2024-01-31"}, "until needs since: -a since=YYYY-MM-DD -a until=YYYY-MM-DD"),
        (
            {"since": "2024-02-01", "until": "2024-01-01"},
            "until (2024-01-01) is before since (2024-02-01): swap them",
        ),
    ],
)
def test_a_wrong_spider_argument_says_what_to_do(kwargs, message):
    with pytest.raises(UsageError) as raised:
        make_spider(**kwargs)
    assert str(raised.value) == message


def test_a_backfill_of_one_day_is_allowed():
    spider = make_spider(since="2024-01-15", until="2024-01-15")
    assert spider.since == spider.until == date(2024, 1, 15)


def test_an_outlet_without_an_archive_refuses_a_backfill():
    with pytest.raises(UsageError) as raised:
        make_spider(SunnewsSpider, since="2024-01-01")
    assert str(raised.value) == "sunnews has no date archive: backfill is not available"


# -- the first requests ----------------------------------------------------------------------------


def test_a_run_starts_with_feeds_then_sitemaps_then_robots_then_first_listing_pages():
    spider = make_spider(SunnewsSpider, base_url=MIRROR)
    requests = list(spider.discovery_requests())
    kinds = [(r.url, r.meta["discovery_kind"]) for r in requests]
    assert kinds == [
        (f"{MIRROR}/rss", "feed"),
        (f"{MIRROR}/sitemap.xml", "sitemap"),
        (f"{MIRROR}/news-sitemap.xml", "sitemap"),
        (f"{MIRROR}/robots.txt", "robots"),
        *[(f"{MIRROR}{p}", "listing") for p in SunnewsSpider.listings],
    ]
    assert all(r.priority == DISCOVERY_PRIORITY for r in requests)
    assert all(r.meta["discovery_depth"] == 0 for r in requests)
    assert [r.meta.get("page") for r in requests if r.meta["discovery_kind"] == "listing"] == [
        1
    ] * len(SunnewsSpider.listings)
    assert requests[0].callback == spider.parse_feed
    assert requests[1].callback == spider.parse_sitemap
    assert requests[3].callback == spider.parse_robots
    assert requests[4].callback == spider.parse_listing
    assert all(r.errback == spider.discovery_failed for r in requests)


def test_no_robots_request_for_an_outlet_that_does_not_read_it():
    kinds = {r.meta["discovery_kind"] for r in make_spider().discovery_requests()}
    assert kinds == {"feed", "sitemap", "listing"}


def test_a_backfill_asks_the_archive_for_the_dates_and_nothing_else():
    spider = make_spider(base_url=MIRROR, since="2024-01-01", until="2024-01-31")
    [request] = list(spider.discovery_requests())
    assert request.url == (f"{MIRROR}/archive?cat=&dateFrom=2024-01-01&dateTo=2024-01-31&page=1")
    assert request.meta["page"] == 1
    assert request.callback == spider.parse_archive
    open_ended = make_spider(base_url=MIRROR, since="2024-01-01")
    [request] = list(open_ended.discovery_requests())
    assert f"dateTo={date.today().isoformat()}" in request.url


def test_the_document_bound_is_exact_and_counted():
    spider = make_spider(settings={"NEWSCRAWL_DISCOVERY_MAX_DOCUMENTS": 3})
    requests = list(spider.discovery_requests())
    assert len(requests) == 3
    assert (
        stats(spider)["newscrawl/discovery_bound/documents"]
        == len([*spider.feeds, *spider.sitemaps, *spider.listings]) - 3
    )


def test_the_depth_bound_is_inclusive_and_counted():
    spider = make_spider(settings={"NEWSCRAWL_DISCOVERY_MAX_DEPTH": 2})
    assert spider.discovery_request("/a.xml", spider.parse_sitemap, "sitemap", depth=2)
    assert spider.discovery_request("/b.xml", spider.parse_sitemap, "sitemap", depth=3) is None
    assert stats(spider) == {"newscrawl/discovery_bound/depth": 1}


# -- feeds -----------------------------------------------------------------------------------------


def test_feed_articles_are_requested_newest_first_with_their_dates():
    spider = make_spider()
    feed = rss(
        (article(1), "Mon, 01 Jan 2024 10:00:00 +0600"),
        (article(2), "Wed, 03 Jan 2024 10:00:00 +0600"),
        (f"{SITE}/national", None),  # not an article
        (article(3), None),
        (article(2), "Wed, 03 Jan 2024 10:00:00 +0600"),  # listed twice
    )
    requests = list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", feed)))
    assert [r.url for r in requests] == [article(2), article(1), article(3)]
    assert [r.meta["article_id"] for r in requests] == ["2", "1", "3"]
    assert requests[0].meta["discovered"] == {
        "via": "feed",
        "published": "Wed, 03 Jan 2024 10:00:00 +0600",
    }
    assert requests[2].meta["discovered"] == {"via": "feed", "published": None}
    assert all(r.priority == ARTICLE_PRIORITY["feed"] for r in requests)
    assert all(r.callback == spider.parse_article for r in requests)
    assert all(r.errback == spider.article_failed for r in requests)
    assert stats(spider) == {"newscrawl/discovered/feed": 3}


def test_an_atom_feed_is_read_too():
    spider = make_spider()
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f'<entry><link href="{article(5)}"/><updated>2024-01-02T00:00:00Z</updated></entry>'
        f'<entry><link href="{article(6)}"/><published>2024-01-03T00:00:00Z</published></entry>'
        "</feed>"
    )
    requests = list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", atom)))
    assert [r.url for r in requests] == [article(6), article(5)]


def test_an_article_already_requested_is_not_requested_again_from_another_document():
    spider = make_spider()
    assert list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", rss((article(1), None)))))
    assert list(spider.parse_sitemap(xml(f"{SITE}/s.xml", urlset((article(1), None))))) == []
    assert stats(spider) == {"newscrawl/discovered/feed": 1}


def test_an_empty_or_blank_feed_is_counted():
    spider = make_spider()
    assert list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", rss()))) == []
    assert list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", "  \n"))) == []
    assert stats(spider) == {"newscrawl/discovery_empty/feed": 2}


def test_a_feed_past_its_item_cap_keeps_the_newest():
    class Small(InqilabSpider):
        max_feed_items = 2

    spider = make_spider(Small)
    feed = rss(*[(article(n), f"2024-01-{n:02d}T00:00:00+06:00") for n in range(1, 6)])
    requests = list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", feed)))
    assert [r.meta["article_id"] for r in requests] == ["5", "4"]
    assert stats(spider)["newscrawl/discovery_capped/feed"] == 3


def test_a_feed_at_exactly_its_cap_is_not_counted_as_capped():
    class Small(InqilabSpider):
        max_feed_items = 2

    spider = make_spider(Small)
    feed = rss((article(1), None), (article(2), None))
    assert len(list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", feed)))) == 2
    assert "newscrawl/discovery_capped/feed" not in stats(spider)


# -- sitemaps and robots.txt -----------------------------------------------------------------------


def test_a_sitemap_index_leads_one_level_deeper_to_sitemaps_on_the_origin():
    spider = make_spider()
    index = sitemapindex(f"{SITE}/s1.xml", "/s2.xml", "https://other.test/s3.xml", "javascript:x")
    requests = list(spider.parse_sitemap(xml(f"{SITE}/news-sitemap.xml", index, discovery_depth=1)))
    assert [r.url for r in requests] == [f"{SITE}/s1.xml", f"{SITE}/s2.xml"]
    assert all(r.meta["discovery_depth"] == 2 for r in requests)
    assert all(r.meta["discovery_kind"] == "sitemap" for r in requests)
    assert all(r.callback == spider.parse_sitemap for r in requests)
    assert stats(spider) == {
        "newscrawl/discovery_ignored/sitemap/offsite": 1,
        "newscrawl/discovery_ignored/sitemap/not_http": 1,
    }


def test_a_sitemap_index_names_at_most_fifty_sitemaps():
    spider = make_spider(settings={"NEWSCRAWL_DISCOVERY_MAX_DOCUMENTS": 10_000})
    index = sitemapindex(*[f"{SITE}/s{i}.xml" for i in range(MAX_LINKED_DOCUMENTS + 3)])
    requests = list(spider.parse_sitemap(xml(f"{SITE}/news-sitemap.xml", index)))
    assert len(requests) == MAX_LINKED_DOCUMENTS
    assert requests[0].url == f"{SITE}/s0.xml"  # undated: in document order
    assert stats(spider)["newscrawl/discovery_capped/sitemap"] == 3


def test_sitemap_articles_come_newest_first_after_feed_articles():
    spider = make_spider()
    sitemap = urlset(
        (article(1), "2024-01-01"),
        (article(2), "2024-01-03T08:00:00+06:00"),
        (f"{SITE}/about", "2024-01-05"),
    )
    requests = list(spider.parse_sitemap(xml(f"{SITE}/news-sitemap.xml", sitemap)))
    assert [r.meta["article_id"] for r in requests] == ["2", "1"]
    assert requests[0].meta["discovered"]["published"] == "2024-01-03T08:00:00+06:00"
    assert all(
        r.priority == ARTICLE_PRIORITY["sitemap"] < ARTICLE_PRIORITY["feed"] for r in requests
    )
    assert stats(spider) == {"newscrawl/discovered/sitemap": 2}


def test_a_news_sitemap_gives_the_publication_date():
    spider = make_spider()
    sitemap = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{article(1)}</loc><news:news>"
        "<news:publication_date>2024-01-03T08:00:00+06:00</news:publication_date>"
        "</news:news></url></urlset>"
    )
    [request] = list(spider.parse_sitemap(xml(f"{SITE}/news-sitemap.xml", sitemap)))
    assert request.meta["discovered"]["published"] == "2024-01-03T08:00:00+06:00"


def test_an_empty_sitemap_is_counted():
    spider = make_spider()
    assert list(spider.parse_sitemap(xml(f"{SITE}/s.xml", urlset()))) == []
    assert stats(spider) == {"newscrawl/discovery_empty/sitemap": 1}


def test_robots_txt_sitemap_lines_are_followed_once_and_only_on_the_origin():
    spider = make_spider(SunnewsSpider, base_url=MIRROR)
    robots = (
        "User-agent: *\nDisallow: /admin\n"
        f"Sitemap: {MIRROR}/sitemap.xml\n"  # already fetched: a declared sitemap
        f"sitemap:  {MIRROR}/extra.xml \n"
        "SITEMAP: /relative.xml\n"
        "Sitemap: http://127.0.0.1:9999/other.xml\n"
        "Sitemap: javascript:alert(1)\n"
    )
    response = TextResponse(
        f"{MIRROR}/robots.txt",
        body=robots.encode(),
        encoding="utf-8",
        request=Request(f"{MIRROR}/robots.txt", meta={"discovery_depth": 0}),
    )
    requests = list(spider.parse_robots(response))
    assert [r.url for r in requests] == [f"{MIRROR}/extra.xml", f"{MIRROR}/relative.xml"]
    assert all(r.meta["discovery_depth"] == 1 for r in requests)
    assert all(r.callback == spider.parse_sitemap for r in requests)
    assert stats(spider) == {
        "newscrawl/discovery_ignored/robots/offsite": 1,
        "newscrawl/discovery_ignored/robots/not_http": 1,
    }


def test_robots_txt_naming_too_many_sitemaps_is_capped():
    spider = make_spider(SunnewsSpider, settings={"NEWSCRAWL_DISCOVERY_MAX_DOCUMENTS": 10_000})
    lines = "".join(f"Sitemap: {SunnewsSpider.site_url}/s{i}.xml\n" for i in range(52))
    url = f"{SunnewsSpider.site_url}/robots.txt"
    response = TextResponse(url, body=lines.encode(), encoding="utf-8", request=Request(url))
    assert len(list(spider.parse_robots(response))) == MAX_LINKED_DOCUMENTS
    assert stats(spider)["newscrawl/discovery_capped/robots"] == 2


def test_robots_txt_that_is_not_text_names_nothing():
    spider = make_spider(SunnewsSpider)
    url = f"{SunnewsSpider.site_url}/robots.txt"
    response = Response(url, body=b"Sitemap: /a.xml", request=Request(url))
    assert list(spider.parse_robots(response)) == []


# -- unreadable documents --------------------------------------------------------------------------


def test_a_gzipped_sitemap_is_read():
    spider = make_spider()
    body = gzip.compress(urlset((article(1), None)).encode())
    response = Response(f"{SITE}/s.xml.gz", body=body, request=Request(f"{SITE}/s.xml.gz"))
    [request] = list(spider.parse_sitemap(response))
    assert request.url == article(1)


def test_a_gzip_past_the_size_limit_or_broken_is_unreadable():
    spider = make_spider(settings={"DOWNLOAD_MAXSIZE": 1000})
    bomb = gzip.compress(b" " * 100_000)
    url = f"{SITE}/s.xml.gz"
    assert list(spider.parse_sitemap(Response(url, body=bomb, request=Request(url)))) == []
    # the request's own limit wins over the setting
    fits = gzip.compress(urlset((article(1), None)).encode() + b" " * 5000)
    big = Request(url, meta={"download_maxsize": 100_000})
    assert len(list(spider.parse_sitemap(Response(url, body=fits, request=big)))) == 1
    broken = b"\x1f\x8b" + b"not a gzip stream at all"
    assert list(spider.parse_sitemap(Response(url, body=broken, request=Request(url)))) == []
    assert stats(spider) == {
        "newscrawl/discovery_failed/sitemap/too_large": 1,
        "newscrawl/discovery_failed/sitemap/bad_gzip": 1,
        "newscrawl/discovery_unreadable/sitemap": 2,
        "newscrawl/discovered/sitemap": 1,
    }


def test_a_document_declaring_entities_is_refused_unread():
    spider = make_spider()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'
        f"<rss><channel><item><link>{article(1)}</link></item></channel></rss>"
    )
    assert list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", bomb))) == []
    assert stats(spider) == {
        "newscrawl/discovery_failed/feed/xml_entities": 1,
        "newscrawl/discovery_unreadable/feed": 1,
    }


def test_a_malformed_feed_is_counted_and_read_as_far_as_it_goes():
    spider = make_spider()
    broken = f"<rss><channel><item><link>{article(1)}</link></item><item><link>{article(2)}"
    requests = list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", broken)))
    assert [r.meta["article_id"] for r in requests][:1] == ["1"]
    assert stats(spider)["newscrawl/discovery_malformed/feed"] == 1


def test_a_well_formed_feed_is_not_counted_malformed():
    spider = make_spider()
    list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", rss((article(1), None)))))
    assert "newscrawl/discovery_malformed/feed" not in stats(spider)


def test_a_feed_served_without_a_text_type_is_still_read():
    spider = make_spider()
    url = f"{SITE}/rss/rss.xml"
    response = Response(url, body=rss((article(1), None)).encode(), request=Request(url))
    assert [r.url for r in spider.parse_feed(response)] == [article(1)]


# -- failures --------------------------------------------------------------------------------------


def http_error(status: int) -> HttpError:
    url = f"{SITE}/rss/rss.xml"
    return HttpError(Response(url, status=status, request=Request(url)), "bad status")


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (http_error(404), "http_404"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots_forbidden"),
        (IgnoreRequest("max redirections reached"), "too_many_redirects"),
        (Refused("offsite_redirect", "redirected off the site"), "offsite_redirect"),
        (IgnoreRequest("something else"), "IgnoreRequest"),
        (TimeoutError(), "TimeoutError"),
    ],
)
def test_a_failure_is_counted_under_its_reason(exc, reason):
    assert failure_reason(failure_of(exc)) == reason
    spider = make_spider()
    spider.discovery_failed(failure_of(exc, discovery_kind="feed"))
    spider.article_failed(failure_of(exc, url=article(1)))
    assert stats(spider) == {
        f"newscrawl/discovery_failed/feed/{reason}": 1,
        f"newscrawl/failed/{reason}": 1,
    }


def test_a_document_cut_off_for_its_size_is_unreadable():
    assert too_large(failure_of(DownloadCancelledError()))
    assert too_large(failure_of(IgnoreRequest("past DOWNLOAD_MAXSIZE (1000 bytes)")))
    assert not too_large(failure_of(IgnoreRequest("Forbidden by robots.txt")))
    assert not too_large(failure_of(ValueError("DOWNLOAD_MAXSIZE")))
    spider = make_spider()
    spider.discovery_failed(failure_of(DownloadCancelledError(), discovery_kind="sitemap"))
    spider.discovery_failed(failure_of(TimeoutError()))  # no kind: a page
    assert stats(spider) == {
        "newscrawl/discovery_failed/sitemap/too_large": 1,
        "newscrawl/discovery_unreadable/sitemap": 1,
        "newscrawl/discovery_failed/page/TimeoutError": 1,
    }


# -- ordering --------------------------------------------------------------------------------------


def test_newest_first_reads_every_date_format_and_puts_undated_links_last_in_order():
    links = [
        ("a", None),
        ("b", "2024-01-01"),
        ("c", "Wed, 03 Jan 2024 10:00:00 +0600"),
        ("d", "  "),
        ("e", "2024-01-02T23:00:00+00:00"),  # 03 Jan 05:00 in Dhaka
        ("f", "not a date"),
        ("g", "2024-01-03T09:00:00"),  # no zone: Dhaka time
    ]
    assert [url for url, _ in newest_first(links)] == ["c", "g", "e", "b", "a", "d", "f"]


# -- listings and the archive ----------------------------------------------------------------------


def test_a_listing_gives_each_article_once_and_skips_links_that_are_not_pages():
    spider = make_spider(base_url=MIRROR)
    links = "".join(
        f'<a href="{h}">x</a>'
        for h in (
            "/national/news/1",
            " /national/news/2 ",
            "/national/news/1",  # again
            "https://www.dailyinqilab.com/national/news/3",  # the real site: to the mirror
            "javascript:void(0)",
            "mailto:desk@example.com",
            "tel:123",
            "file:///national/news/4",
            "#national/news/5",
            "/national",
        )
    )
    requests = list(spider.parse_listing(html(f"{MIRROR}/national", links, page=1)))
    articles = [r for r in requests if "article_id" in r.meta]
    assert [r.url for r in articles] == [f"{MIRROR}/national/news/{n}" for n in (1, 2, 3)]
    assert all(r.priority == 0 for r in articles)
    assert all(r.meta["discovered"]["via"] == "listing" for r in articles)
    [next_page] = [r for r in requests if "article_id" not in r.meta]
    assert next_page.url == f"{MIRROR}/national?page=2"
    assert next_page.callback == spider.parse_listing


def test_a_listing_past_its_link_cap_keeps_the_first_links():
    class Small(InqilabSpider):
        max_listing_links = 3

    spider = make_spider(Small)
    links = "".join(f'<a href="/national/news/{n}">x</a>' for n in range(1, 6))
    requests = list(spider.parse_listing(html(f"{SITE}/national", links, page=9)))
    assert [r.meta["article_id"] for r in requests] == ["1", "2", "3"]
    assert stats(spider)["newscrawl/discovery_capped/listing"] == 2


def test_a_listing_that_is_not_html_gives_nothing():
    spider = make_spider()
    url = f"{SITE}/national"
    response = Response(url, body=b'<a href="/national/news/1">x</a>', request=Request(url))
    assert list(spider.parse_listing(response)) == []


def test_the_next_listing_page_keeps_the_other_query_parameters():
    assert _with_query("http://h/c?a=1&page=2&flag", page=3) == "http://h/c?a=1&page=3&flag="
    assert _with_query("http://h/c#frag", page=2) == "http://h/c?page=2"
    assert _with_query("http://h/c?q=x=y", page=2) == "http://h/c?q=x%3Dy&page=2"


ARCHIVE = f"{MIRROR}/archive?cat=&dateFrom=2024-01-01&dateTo=2024-01-31&page=1"


def archive_page(pagination: str, *ids: int) -> str:
    items = "".join(f'<h3><a href="/national/news/{i}">x</a></h3>' for i in ids)
    return f'<html><body>{items}<ul class="pagination">{pagination}</ul></body></html>'


def test_the_archive_first_page_queues_every_later_page_up_to_the_last_it_names():
    spider = make_spider(base_url=MIRROR, since="2024-01-01", until="2024-01-31")
    pagination = (
        '<a href="?page=2">2</a><a href="?page=3"> 3 </a>'
        '<a href="?page=2">next</a><a href="?page=4">»</a>'
    )
    requests = list(spider.parse_archive(html(ARCHIVE, archive_page(pagination, 10, 11), page=1)))
    articles = [r.meta["article_id"] for r in requests if "article_id" in r.meta]
    pages = [r for r in requests if r.meta.get("discovery_kind") == "archive"]
    assert articles == ["10", "11"]
    assert [r.meta["page"] for r in pages] == [2, 3, 4]
    assert pages[-1].url == ARCHIVE.replace("page=1", "page=4")
    assert all(r.callback == spider.parse_archive for r in pages)
    # a later page queues no more pages
    later = html(ARCHIVE.replace("page=1", "page=2"), archive_page(pagination, 12), page=2)
    assert [r.meta.get("article_id") for r in spider.parse_archive(later)] == ["12"]


def test_the_archive_is_read_no_further_than_its_page_cap():
    class Short(InqilabSpider):
        archive_pages = 3

    spider = make_spider(Short, base_url=MIRROR, since="2024-01-01")
    pagination = '<a href="?page=50">50</a>'
    requests = list(spider.parse_archive(html(ARCHIVE, archive_page(pagination), page=1)))
    assert [r.meta["page"] for r in requests] == [2, 3]


def test_an_archive_with_no_pagination_is_one_page():
    spider = make_spider(base_url=MIRROR, since="2024-01-01")
    assert list(spider.parse_archive(html(ARCHIVE, archive_page("", 10), page=1)))[1:] == []


# -- reading documents, more edges -----------------------------------------------------------------


def test_entries_without_a_link_are_passed_over():
    spider = make_spider()
    feed = rss((article(1), None)).replace("<item>", "<item><title>no link</title></item><item>", 1)
    assert [r.url for r in spider.parse_feed(xml(f"{SITE}/rss/rss.xml", feed))] == [article(1)]
    index = sitemapindex(f"{SITE}/s1.xml").replace(
        "<sitemap>", "<sitemap><lastmod>2024-01-01</lastmod></sitemap><sitemap>", 1
    )
    assert [r.url for r in spider.parse_sitemap(xml(f"{SITE}/index.xml", index))] == [
        f"{SITE}/s1.xml"
    ]


def test_a_document_that_is_not_xml_at_all_gives_nothing():
    spider = make_spider()
    assert list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", "not xml at all"))) == []
    assert stats(spider) == {"newscrawl/discovery_malformed/feed": 1}


def test_an_undeclared_namespace_prefix_is_malformed_but_read():
    spider = make_spider()
    feed = rss((article(1), None)).replace("<item>", "<item><x:tag>y</x:tag>")
    assert [r.url for r in spider.parse_feed(xml(f"{SITE}/rss/rss.xml", feed))] == [article(1)]
    assert stats(spider) == {
        "newscrawl/discovery_malformed/feed": 1,
        "newscrawl/discovered/feed": 1,
    }


def test_a_document_nested_past_libxml2s_depth_limit_is_malformed():
    # huge_tree stays off: libxml2 refuses nesting past 256, a hostile document's trick
    spider = make_spider()
    deep = "<a>" * 300 + "</a>" * 300
    feed = rss((article(1), None)).replace("</channel>", f"{deep}</channel>")
    list(spider.parse_feed(xml(f"{SITE}/rss/rss.xml", feed)))
    assert stats(spider)["newscrawl/discovery_malformed/feed"] == 1


def test_a_feed_in_utf16_is_read():
    spider = make_spider()
    body = rss((article(1), None)).replace('version="1.0"?>', 'version="1.0" encoding="UTF-16"?>')
    response = XmlResponse(
        f"{SITE}/rss/rss.xml",
        body=body.encode("utf-16"),
        headers={"Content-Type": "application/xml; charset=utf-16"},
        request=Request(f"{SITE}/rss/rss.xml"),
    )
    assert [r.url for r in spider.parse_feed(response)] == [article(1)]


def test_a_feed_with_a_stray_byte_and_no_text_type_is_still_read():
    spider = make_spider()
    url = f"{SITE}/rss/rss.xml"
    body = rss((article(1), None)).encode().replace(b"<channel>", b"<channel>\xff", 1)
    response = Response(url, body=body, request=Request(url))
    assert [r.url for r in spider.parse_feed(response)] == [article(1)]


def test_a_gzipped_sitemap_is_read_outside_a_crawl_too():
    spider = InqilabSpider()  # scrapy extract: no crawler, no DOWNLOAD_MAXSIZE
    body = gzip.compress(urlset((article(1), None)).encode())
    response = Response(f"{SITE}/s.xml.gz", body=body, request=Request(f"{SITE}/s.xml.gz"))
    assert [r.url for r in spider.parse_sitemap(response)] == [article(1)]


def test_unreadable_and_malformed_documents_are_logged_with_kind_url_and_reason(caplog):
    spider = make_spider(settings={"DOWNLOAD_MAXSIZE": 100})
    url = f"{SITE}/s.xml.gz"
    bomb = gzip.compress(b" " * 10_000)
    with caplog.at_level("WARNING"):
        list(spider.parse_sitemap(Response(url, body=bomb, request=Request(url))))
        list(spider.parse_sitemap(Response(url, body=b"\x1f\x8bxx", request=Request(url))))
        list(spider.parse_feed(xml(f"{SITE}/f.xml", '<!DOCTYPE r [<!ENTITY a "b">]><r/>')))
        list(spider.parse_feed(xml(f"{SITE}/g.xml", "<rss><channel>")))
    messages = [r.getMessage() for r in caplog.records if r.name == spider.logger.name]
    assert messages == [
        f"sitemap {url} could not be read (too_large): its links are lost",
        f"sitemap {url} could not be read (bad_gzip): its links are lost",
        f"feed {SITE}/f.xml could not be read (xml_entities): its links are lost",
        f"feed {SITE}/g.xml is malformed XML: read what recovers",
    ]


def test_links_dated_before_1970_still_come_before_undated_ones():
    links = [("undated", None), ("old", "1965-03-01T00:00:00+06:00"), ("new", "2024-01-01")]
    assert [url for url, _ in newest_first(links)] == ["new", "old", "undated"]


# -- more edges, found by mutation testing ---------------------------------------------------------


def test_a_spider_with_neither_origins_nor_allowed_domains_may_fetch_anything():
    assert may_fetch(object(), "https://anywhere.test/a")


def test_a_mirror_under_a_path_keeps_its_path():
    spider = make_spider(base_url="http://127.0.0.1:8080/inqilab")
    assert spider.url("/rss/rss.xml") == "http://127.0.0.1:8080/inqilab/rss/rss.xml"
    assert spider.url("national") == "http://127.0.0.1:8080/inqilab/national"


def test_documents_fetched_without_depth_lead_one_level_down():
    spider = make_spider(SunnewsSpider, base_url=MIRROR)
    index = sitemapindex(f"{MIRROR}/s1.xml")
    [child] = spider.parse_sitemap(xml(f"{MIRROR}/i.xml", index))
    assert child.meta["discovery_depth"] == 1
    robots = b"Sitemap: /extra.xml\n"
    [named] = spider.parse_robots(
        TextResponse(f"{MIRROR}/robots.txt", body=robots, encoding="utf-8", request=Request(MIRROR))
    )
    assert named.meta["discovery_depth"] == 1
    assert named.meta["discovery_kind"] == "sitemap"


def test_the_next_listing_page_keeps_the_depth_and_starts_from_page_one():
    spider = make_spider()
    links = '<a href="/national/news/1">x</a>'
    [_, plain] = spider.parse_listing(html(f"{SITE}/national", links))
    assert plain.meta["page"] == 2
    assert plain.meta["discovery_depth"] == 0
    deep = html(f"{SITE}/economy", links.replace("/1", "/2"), page=1, discovery_depth=2)
    [_, following] = spider.parse_listing(deep)
    assert following.meta["discovery_depth"] == 2


def test_a_listing_cap_counts_article_links_only():
    class Small(InqilabSpider):
        max_listing_links = 3

    spider = make_spider(Small)
    links = "".join(f'<a href="/national/news/{n}">x</a>' for n in range(1, 4))
    links += '<a href="/about">x</a><a href="https://other.test/national/news/9">x</a>'
    requests = list(spider.parse_listing(html(f"{SITE}/national", links, page=9)))
    assert [r.meta["article_id"] for r in requests] == ["1", "2", "3"]
    assert "newscrawl/discovery_capped/listing" not in stats(spider)


def test_archive_articles_are_counted_as_discovered_by_the_archive():
    spider = make_spider(base_url=MIRROR, since="2024-01-01")
    [request] = spider.parse_archive(html(ARCHIVE, archive_page("", 10), page=2))
    assert request.meta["discovered"]["via"] == "archive"
    assert stats(spider) == {"newscrawl/discovered/archive": 1}


def test_the_archives_last_page_may_be_named_by_its_link_text_alone():
    spider = make_spider(base_url=MIRROR, since="2024-01-01")
    pagination = '<a href="javascript:go(3)">3</a><a href="?page=2">next</a>'
    requests = list(spider.parse_archive(html(ARCHIVE, archive_page(pagination), page=1)))
    assert [r.meta["page"] for r in requests] == [2, 3]


def test_failed_discovery_documents_are_logged_with_kind_url_and_reason(caplog):
    spider = make_spider()
    url = f"{SITE}/rss/rss.xml"
    with caplog.at_level("WARNING", logger=spider.logger.name):
        spider.discovery_failed(failure_of(TimeoutError(), url, discovery_kind="feed"))
        spider.discovery_failed(failure_of(DownloadCancelledError(), url, discovery_kind="feed"))
    messages = [r.getMessage() for r in caplog.records if r.name == spider.logger.name]
    assert messages == [
        f"feed {url} failed (TimeoutError)",
        f"feed {url} could not be read (too_large): its links are lost",
    ]


def test_sitemaps_named_by_a_robots_txt_found_deeper_go_one_level_deeper_still():
    spider = make_spider(SunnewsSpider, base_url=MIRROR)
    robots = TextResponse(
        f"{MIRROR}/robots.txt",
        body=b"Sitemap: /extra.xml\n",
        encoding="utf-8",
        request=Request(MIRROR, meta={"discovery_depth": 2}),
    )
    [named] = spider.parse_robots(robots)
    assert named.meta["discovery_depth"] == 3
