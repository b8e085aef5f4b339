"""The middlewares in process: a real crawler, engine and download slot; a real store on disk."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Request, Spider
from scrapy.core.downloader import Slot
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from newscrawl.middlewares import (
    BackoffMiddleware,
    IncrementalMiddleware,
    QueuedArticlesBound,
    RedirectGuardMiddleware,
    Refused,
    SameOriginMiddleware,
    _jitter,
)
from newscrawl.spiders.discovery import origin_of
from newscrawl.store import Store
from tests.support.reactor import asyncio_reactor  # noqa: F401 - autouse: every test here

URL = "http://127.0.0.1:9/national/news/1"


class Outlet(Spider):
    name = "inqilab"


def make_crawler(**settings):
    crawler = get_crawler(Outlet, {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_MAX_DELAY": 20, **settings})
    crawler.spider = crawler._create_spider()
    crawler.engine = crawler._create_engine()
    return crawler


@pytest.fixture
def backoff():
    """The middleware and the download slot of URL's site, its delay at 1 s, no jitter."""
    crawler = make_crawler()
    downloader = crawler.engine.downloader
    slot = Slot(concurrency=8, delay=1.0, jitter=0.0)
    downloader.slots[downloader.get_slot_key(Request(URL))] = slot
    return BackoffMiddleware.from_crawler(crawler), slot, crawler.stats


def answer(status=200, body=b"<html><body><p>article</p></body></html>", **headers):
    return HtmlResponse(URL, status=status, body=body, headers=headers, encoding="utf-8")


@pytest.mark.parametrize("status", [429, 503])
def test_each_refusal_doubles_the_delay_up_to_the_maximum(backoff, status):
    middleware, slot, stats = backoff
    delays = []
    for _ in range(6):
        middleware.process_response(Request(URL), answer(status))
        delays.append(slot.delay)
    assert delays == [2.0, 4.0, 8.0, 16.0, 20.0, 20.0]
    assert stats.get_value("newscrawl/backoff") == 6


def test_a_normal_page_leaves_the_delay_alone(backoff):
    middleware, slot, stats = backoff
    response = answer(200)
    assert middleware.process_response(Request(URL), response) is response
    assert middleware.process_response(Request(URL), answer(404)) is not None
    assert slot.delay == 1.0
    assert stats.get_value("newscrawl/backoff") is None


def test_a_challenge_page_backs_off_even_with_status_200(backoff):
    middleware, slot, _ = backoff
    page = b"<html><head><title>Just a moment...</title></head><body>cf_chl_opt</body></html>"
    middleware.process_response(Request(URL), answer(200, page))
    assert slot.delay == 2.0


def test_a_cloudflare_mitigated_header_backs_off(backoff):
    middleware, slot, _ = backoff
    middleware.process_response(Request(URL), answer(403, **{"cf-mitigated": "challenge"}))
    assert slot.delay == 2.0
    middleware.process_response(Request(URL), answer(403))  # a plain 403 is not a challenge
    assert slot.delay == 2.0


def test_a_binary_503_still_backs_off(backoff):
    middleware, slot, _ = backoff
    middleware.process_response(Request(URL), Response(URL, status=503, body=b"\x00\x01"))
    assert slot.delay == 2.0


def test_the_first_step_from_no_delay_is_one_second():
    crawler = make_crawler()
    downloader = crawler.engine.downloader
    slot = Slot(concurrency=8, delay=0.0, jitter=0.0)
    downloader.slots[downloader.get_slot_key(Request(URL))] = slot
    BackoffMiddleware.from_crawler(crawler).process_response(Request(URL), answer(429))
    assert slot.delay == 1.0


def test_retry_after_in_seconds_is_honoured_through_the_jitter(backoff):
    middleware, slot, _ = backoff
    middleware.process_response(Request(URL), answer(429, **{"Retry-After": "7"}))
    assert slot.delay == 7.0
    slot.jitter = 0.5  # the shortest jittered wait, delay * 0.5, must still be 7 s
    middleware.process_response(Request(URL), answer(429, **{"Retry-After": "7"}))
    assert slot.delay == 14.0


def test_retry_after_as_an_http_date_falls_back_to_doubling(backoff):
    middleware, slot, _ = backoff
    when = "Wed, 21 Oct 2015 07:28:00 GMT"
    middleware.process_response(Request(URL), answer(503, **{"Retry-After": when}))
    assert slot.delay == 2.0


def test_a_request_whose_slot_is_gone_is_left_alone(backoff):
    middleware, slot, stats = backoff
    other = "http://example.invalid/x"
    middleware.process_response(Request(other), HtmlResponse(other, status=429, body=b""))
    assert slot.delay == 1.0 and stats.get_value("newscrawl/backoff") is None


# -- IncrementalMiddleware -------------------------------------------------------------------


@pytest.fixture
def incremental(db_path):
    with Store(db_path) as store:
        for n in (1, 2):
            store.write_batch([{
                "url": f"http://x/national/news/{n}", "outlet": "inqilab", "article_id": str(n),
                "title": f"t{n}", "body": f"b{n}", "content_hash": f"{n:016x}",
            }])  # fmt: skip
    crawler = make_crawler(
        NEWSCRAWL_DB=str(db_path),
        NEWSCRAWL_INCREMENTAL=True,
        NEWSCRAWL_REVISIT_MAX_AGE_HOURS=24,
        NEWSCRAWL_REVISIT_INTERVAL_HOURS=6,
    )
    middleware = IncrementalMiddleware.from_crawler(crawler)
    middleware.spider_opened()
    yield middleware, crawler.stats, db_path
    middleware.spider_closed()


def listing_page():
    request = Request("http://x/national", meta={"discovery_kind": "listing"})
    return HtmlResponse(request.url, body=b"", request=request)


def article_request(n: int) -> Request:
    return Request(f"http://x/national/news/{n}", meta={"article_id": str(n)})


def next_page() -> Request:
    return Request("http://x/national?page=2", meta={"discovery_kind": "listing"})


def test_known_articles_are_skipped_and_new_ones_kept(incremental):
    middleware, stats, db_path = incremental
    with Store(db_path) as store:  # first seen long ago: never revisited
        store.conn.execute("UPDATE article_urls SET first_seen_at = '2020-01-01T00:00:00+00:00'")
    out = list(middleware.process_spider_output(listing_page(), [
        article_request(1), article_request(3), next_page(), "an item",
    ]))  # fmt: skip
    assert [getattr(o, "url", o) for o in out] == [
        "http://x/national/news/3", "http://x/national?page=2", "an item",
    ]  # fmt: skip
    assert stats.get_value("newscrawl/incremental/known") == 1


def test_a_listing_page_of_known_articles_ends_the_pagination(incremental):
    middleware, stats, db_path = incremental
    with Store(db_path) as store:
        store.conn.execute("UPDATE article_urls SET first_seen_at = '2020-01-01T00:00:00+00:00'")
    out = list(middleware.process_spider_output(listing_page(), [
        article_request(1), article_request(2), next_page(),
    ]))  # fmt: skip
    assert out == []
    assert stats.get_value("newscrawl/incremental/listing_stopped") == 1
    # A page with no article links at all does not stop it.
    assert len(list(middleware.process_spider_output(listing_page(), [next_page()]))) == 1


def test_a_young_article_is_revisited_once_the_interval_has_passed(incremental):
    middleware, stats, db_path = incremental
    now = datetime.now(UTC)
    with Store(db_path) as store:
        store.conn.execute(
            "UPDATE article_urls SET first_seen_at = ?, last_seen_at = ?",
            ((now - timedelta(hours=10)).isoformat(), (now - timedelta(hours=7)).isoformat()),
        )
        store.conn.execute(
            "UPDATE article_urls SET last_seen_at = ? WHERE article_id = '2'",
            ((now - timedelta(hours=1)).isoformat(),),
        )
    out = list(middleware.process_spider_output(listing_page(), [
        article_request(1), article_request(2),
    ]))  # fmt: skip
    assert [o.url for o in out] == ["http://x/national/news/1"]
    assert out[0].meta["revisit"] is True
    assert stats.get_value("newscrawl/incremental/revisit") == 1
    assert stats.get_value("newscrawl/incremental/known") == 1


# -- QueuedArticlesBound ---------------------------------------------------------------------


def test_the_queue_bound_refuses_articles_past_it_but_never_feed_ones():
    crawler = make_crawler(NEWSCRAWL_MAX_QUEUED_ARTICLES=2)
    bound = QueuedArticlesBound.from_crawler(crawler)
    feed = Request("http://x/national/news/9", meta={"article_id": "9",
                                                     "discovered": {"via": "feed"}})  # fmt: skip
    out = list(bound.process_spider_output(listing_page(), [
        article_request(1), article_request(2), article_request(3), feed, next_page(),
    ]))  # fmt: skip
    assert [o.url for o in out] == [
        "http://x/national/news/1", "http://x/national/news/2", "http://x/national/news/9",
        "http://x/national?page=2",
    ]  # fmt: skip
    assert crawler.stats.get_value("newscrawl/discovery_bound/articles") == 1


# -- RedirectGuardMiddleware and SameOriginMiddleware ------------------------------------------

SITE = "http://127.0.0.1:8080"


class OnOrigin(Spider):
    name = "inqilab"
    origins = frozenset({origin_of(SITE)})


@pytest.fixture
def guard():
    crawler = get_crawler(OnOrigin, {"METAREFRESH_ENABLED": True, "METAREFRESH_MAXDELAY": 100})
    crawler.spider = crawler._create_spider()
    return RedirectGuardMiddleware.from_crawler(crawler)


def redirect(location, status=302, **meta):
    request = Request(f"{SITE}/a", meta=meta)
    return request, Response(request.url, status=status, headers={"Location": location})


def refused(middleware, request, response) -> tuple[str, str] | None:
    try:
        assert middleware.process_response(request, response) is response
    except Refused as error:
        return error.reason, str(error)
    return None


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_on_the_site_passes(guard, status):
    assert refused(guard, *redirect("/b", status)) is None


def test_a_redirect_to_another_port_is_refused_as_offsite(guard):
    assert refused(guard, *redirect("http://127.0.0.1:8081/admin")) == (
        "redirect_offsite", f"redirect off the site: {SITE}/a -> http://127.0.0.1:8081/admin",
    )  # fmt: skip


def test_a_redirect_back_to_a_page_already_visited_is_a_loop(guard):
    request, response = redirect("/start#top", redirect_urls=[f"{SITE}/start"])
    assert refused(guard, request, response) == (
        "redirect_loop", f"redirect loop at {SITE}/a -> {SITE}/start#top",
    )  # fmt: skip
    assert refused(guard, *redirect("/a#again"))[0] == "redirect_loop"  # to itself


@pytest.mark.parametrize(
    ("location", "meta", "status"),
    [
        ("http://127.0.0.1:8081/x", {"dont_redirect": True}, 302),
        ("http://127.0.0.1:8081/x", {"handle_httpstatus_all": True}, 302),
        ("http://127.0.0.1:8081/x", {"handle_httpstatus_list": [302]}, 302),
        ("http://127.0.0.1:8081/x", {}, 200),
        ("http://127.0.0.1:8081/x", {}, 304),
        ("file:///etc/passwd", {}, 302),
        ("", {}, 302),
    ],
)
def test_what_scrapy_would_not_follow_is_left_to_it(guard, location, meta, status):
    request = Request(f"{SITE}/a", meta=meta)
    headers = {"Location": location} if location else {}
    assert refused(guard, request, Response(request.url, status=status, headers=headers)) is None


def refresh(delay: int, url: str) -> tuple[Request, HtmlResponse]:
    body = f'<html><head><meta http-equiv="refresh" content="{delay}; url={url}"></head></html>'
    request = Request(f"{SITE}/a")
    return request, HtmlResponse(request.url, body=body.encode(), encoding="utf-8")


def test_a_meta_refresh_off_the_site_is_refused(guard):
    assert refused(guard, *refresh(0, "http://127.0.0.1:8081/x"))[0] == "redirect_offsite"
    assert refused(guard, *refresh(0, "/b")) is None
    assert refused(guard, *refresh(100, "http://127.0.0.1:8081/x")) is None  # not followed


def test_a_meta_refresh_is_not_looked_at_when_scrapy_ignores_them():
    crawler = get_crawler(OnOrigin, {"METAREFRESH_ENABLED": False})
    crawler.spider = crawler._create_spider()
    middleware = RedirectGuardMiddleware.from_crawler(crawler)
    assert refused(middleware, *refresh(0, "http://127.0.0.1:8081/x")) is None


def test_the_offsite_filter_compares_origins():
    spider = OnOrigin()
    middleware = SameOriginMiddleware.from_crawler(get_crawler(OnOrigin))
    assert middleware.should_follow(Request(f"{SITE}/x"), spider)
    assert not middleware.should_follow(Request("http://127.0.0.1:8081/x"), spider)
    assert not middleware.should_follow(Request("https://127.0.0.1:8080/x"), spider)


class OldSlot:
    def __init__(self, randomize_delay: bool):
        self.randomize_delay = randomize_delay


def test_older_scrapy_slots_say_their_jitter_as_randomize_delay():
    assert _jitter(OldSlot(True)) == 0.5
    assert _jitter(OldSlot(False)) == 0.0
    assert _jitter(object()) == 0.0
    assert _jitter(Slot(concurrency=1, delay=1.0, jitter=0.25)) == 0.25


async def _outputs(*outputs):
    for output in outputs:
        yield output


async def _collect(iterator) -> list:
    return [output async for output in iterator]


def test_the_async_paths_filter_as_the_sync_ones(incremental):
    middleware, _, db_path = incremental
    with Store(db_path) as store:
        store.conn.execute("UPDATE article_urls SET first_seen_at = '2020-01-01T00:00:00+00:00'")
    out = asyncio.run(_collect(middleware.process_spider_output_async(
        listing_page(), _outputs(article_request(1), article_request(3), next_page()),
    )))  # fmt: skip
    assert [o.url for o in out] == ["http://x/national/news/3", "http://x/national?page=2"]
    crawler = make_crawler(NEWSCRAWL_MAX_QUEUED_ARTICLES=1)
    bound = QueuedArticlesBound.from_crawler(crawler)
    out = asyncio.run(_collect(bound.process_spider_output_async(
        listing_page(), _outputs(article_request(1), article_request(2), "item"),
    )))  # fmt: skip
    assert [getattr(o, "url", o) for o in out] == ["http://x/national/news/1", "item"]


def test_the_challenge_scan_is_made_once_per_response_and_fires_for_both(backoff, monkeypatch):
    """BackoffMiddleware and the spider both judge a challenge page; the page is scanned once."""
    from newscrawl.spiders import base
    from newscrawl.spiders.inqilab import InqilabSpider

    scans = []
    real = base.looks_like_challenge
    monkeypatch.setattr(base, "looks_like_challenge", lambda t: scans.append(1) or real(t))
    middleware, slot, _ = backoff
    page = b"<html><head><title>Just a moment...</title></head><body>cf_chl_opt</body></html>"
    challenge, normal = answer(200, page), answer(200, "<p>খবর</p>".encode())
    for response in (challenge, normal):
        middleware.process_response(Request(URL), response)
    assert slot.delay == 2.0  # backed off for the challenge only
    spider = InqilabSpider()
    assert spider.not_an_article(challenge) == "challenge"
    assert spider.not_an_article(normal) is None
    assert len(scans) == 2  # one scan per response, not one per look
    assert spider.not_an_article(answer(200, page)) == "challenge"  # a new response: scanned
    assert len(scans) == 3
