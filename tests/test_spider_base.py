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


# -- an article page, whole ------------------------------------------------------------------------


def skipped(spider) -> dict:
    prefix = "newscrawl/skipped/"
    found = spider.crawler.stats.get_stats().items()
    return {k.removeprefix(prefix): v for k, v in found if k.startswith(prefix)}


def test_an_article_page_gives_one_item_with_every_field_and_its_layer():
    spider = make_spider()
    head = (
        '<meta property="og:image" content="https://dailyinqilab.com/i/1.jpg">'
        f'<link rel="canonical" href="{URL}">'
    )
    page = article_page("2024-01-15T10:30:00+06:00", head=head).replace(
        "<html>", '<html lang="bn-BD">'
    )
    [item] = parse(spider, page, article_id="620001")
    assert item["url"] == URL
    assert item["canonical_url"] == URL
    assert item["outlet"] == "inqilab"
    assert item["article_id"] == "620001"
    assert item["title"] == TITLE
    assert item["body"] == "\n\n".join(PARAS)
    assert item["published_at"] == "2024-01-15T10:30:00+06:00"
    assert item["published_raw"] == "2024-01-15T10:30:00+06:00"
    assert item["updated_at"] is None
    assert item["language"] == "bn-BD"
    assert item["image_urls"] == ["https://dailyinqilab.com/i/1.jpg"]
    assert item["extraction"] == dict(sorted(item["extraction"].items()))
    assert item["extraction"]["title"] == "selectors"
    assert item["extraction"]["body"] == "selectors"
    assert item["extraction"]["published"] == "meta"
    stats = spider.crawler.stats
    assert stats.get_value("newscrawl/extraction/title/selectors") == 1
    assert stats.get_value("newscrawl/extraction/body/selectors") == 1
    assert stats.get_value("newscrawl/extraction/subtitle/missing") == 1
    assert stats.get_value("newscrawl/extraction/author/missing") == 1
    assert skipped(spider) == {}


def test_the_article_id_comes_from_the_url_when_the_request_carries_none():
    spider = make_spider()
    [item] = parse(spider, article_page())
    assert item["article_id"] == "620001"
    assert item["language"] == "bn"  # the outlet's default when the page names none
    assert item["tags"] == []
    assert item["image_urls"] == []


def test_the_discovery_date_stands_in_when_the_page_gives_none():
    spider = make_spider()
    discovered = {"via": "feed", "published": "Mon, 15 Jan 2024 10:30:00 +0600"}
    [item] = parse(spider, article_page(), discovered=discovered)
    assert item["published_at"] == "2024-01-15T10:30:00+06:00"
    assert item["published_raw"] == discovered["published"]
    assert item["extraction"]["published"] == "discovery"


def test_a_page_date_wins_over_the_discovery_date():
    spider = make_spider()
    discovered = {"via": "feed", "published": "2023-01-01T00:00:00+06:00"}
    [item] = parse(spider, article_page("2024-01-15T10:30:00+06:00"), discovered=discovered)
    assert item["published_at"] == "2024-01-15T10:30:00+06:00"


def test_a_future_discovery_date_is_not_believed_either():
    spider = make_spider()
    future = iso(datetime.now(UTC) + timedelta(days=30))
    [item] = parse(spider, article_page(), discovered={"via": "sitemap", "published": future})
    assert item["published_at"] is None
    assert spider.crawler.stats.get_value("newscrawl/dates/rejected_future/published") == 1


def test_an_unreadable_date_is_counted_and_kept_raw():
    spider = make_spider()
    [item] = parse(spider, article_page("1800-01-15T10:30:00+06:00"))
    assert item["published_at"] is None
    assert item["published_raw"] == "1800-01-15T10:30:00+06:00"
    assert spider.crawler.stats.get_value("newscrawl/dates/unparsed/published") == 1
    assert spider.crawler.stats.get_value("newscrawl/dates/unparsed/updated") is None


def test_a_future_updated_date_alone_is_dropped():
    spider = make_spider()
    future = iso(datetime.now(UTC) + timedelta(days=5))
    head = f'<meta property="article:modified_time" content="{future}">'
    [item] = parse(spider, article_page("2024-01-15T10:30:00+06:00", head=head))
    assert item["published_at"] == "2024-01-15T10:30:00+06:00"
    assert item["updated_at"] is None
    stats = spider.crawler.stats
    assert stats.get_value("newscrawl/dates/rejected_future/updated") == 1
    assert stats.get_value("newscrawl/dates/rejected_future/published") is None


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("   ", "empty"),
        ("<html><head><title>Just a moment...</title></head><body></body></html>", "challenge"),
        (
            '<html><body><div id="challenge-platform"></div><p>' + "x" * 100 + "</p></body></html>",
            "challenge",
        ),
        ("<html><head><title>404 Not Found</title></head><body></body></html>", "error_page"),
        ("<html><head><title>খবর পাওয়া যায়নি</title></head><body></body></html>", "error_page"),
        ("<html><head><title>খবর</title></head><body><h1>404</h1></body></html>", "error_page"),
        (
            "<html><head><title>খবর</title></head><body><h1>Not Found</h1></body></html>",
            "error_page",
        ),
        (f"<html><head><title>{TITLE}</title></head><body></body></html>", "no_title"),
        (
            f'<html><body><div class="col-md-9 mt-3"><h2>{TITLE}</h2></div></body></html>',
            "no_body",
        ),
        (
            f'<html><body><div class="col-md-9 mt-3"><h2>{TITLE}</h2></div>'
            '<iframe src="https://www.youtube.com/embed/x"></iframe></body></html>',
            "media_only",
        ),
    ],
)
def test_pages_that_are_not_articles_are_skipped_and_counted(html, reason):
    spider = make_spider()
    assert parse(spider, html) == []
    assert skipped(spider) == {reason: 1}


def test_a_heading_that_mentions_an_error_code_is_still_an_article():
    spider = make_spider()
    page = article_page().replace(f"<h2>{TITLE}</h2>", f"<h2>{TITLE}</h2><h1>404 জন আহত</h1>")
    assert len(parse(spider, page)) == 1


def test_a_video_url_with_a_caption_only_is_media_not_an_article():
    spider = make_spider()
    caption = "কারখানার আগুনের ভিডিও দেখুন এখানে। ঘটনাস্থল থেকে ধারণ করা।"
    page = article_page(paras=[]).replace("</body>", f"<p>{caption}</p></body>")
    assert parse(spider, page, f"{SITE}/video/news/5") == []
    assert skipped(spider) == {"media_only": 1}


def test_a_challenge_marker_deep_in_a_long_article_does_not_skip_it():
    spider = make_spider()
    page = article_page().replace(
        "</body>", f"<!-- {'x' * 20000} --><p>Just a moment...</p></body>"
    )
    assert len(parse(spider, page)) == 1


@pytest.mark.parametrize(
    "body",
    [b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, b"%PDF-1.4 " + b"x" * 100, b"<html>" + b"\x01\x02" * 50],
)
def test_binary_files_sent_as_html_are_skipped(body):
    spider = make_spider()
    from scrapy import Request

    response = HtmlResponse(URL, body=body, encoding="utf-8", request=Request(URL))
    assert list(spider.parse_article(response)) == []
    assert skipped(spider) == {"binary": 1}


def test_a_page_with_a_few_control_bytes_is_still_read():
    spider = make_spider()
    page = article_page().replace("</body>", "\x01</body>")
    assert len(parse(spider, page)) == 1


def test_a_utf16_page_is_not_taken_for_binary():
    spider = make_spider()
    from scrapy import Request

    body = article_page().encode("utf-16")
    response = HtmlResponse(URL, body=body, encoding="utf-16", request=Request(URL))
    [item] = spider.parse_article(response)
    assert item["title"] == TITLE


def latin1_response(body: bytes, charset: str | None = "iso-8859-1") -> HtmlResponse:
    from scrapy import Request

    headers = {"Content-Type": f"text/html; charset={charset}" if charset else "text/html"}
    return HtmlResponse(URL, body=body, headers=headers, request=Request(URL))


def test_utf8_sent_as_latin1_is_read_as_utf8_and_counted():
    spider = make_spider()
    [item] = spider.parse_article(latin1_response(article_page().encode("utf-8")))
    assert item["title"] == TITLE
    assert item["body"] == "\n\n".join(PARAS)
    stats = spider.crawler.stats
    assert stats.get_value("newscrawl/encoding/redecoded_utf8") == 1
    assert stats.get_value("newscrawl/encoding/utf8_broken_sequence") is None


def test_a_page_whose_charset_is_right_is_not_redecoded():
    spider = make_spider()
    latin = "<html><head><title>Café</title></head><body><p>Crème brûlée</p></body></html>"
    response = latin1_response(latin.encode("latin-1"))
    assert spider.decoded(response) is response
    utf8 = HtmlResponse(URL, body=article_page().encode(), encoding="utf-8")
    assert spider.decoded(utf8) is utf8
    assert spider.crawler.stats.get_value("newscrawl/encoding/redecoded_utf8") is None


def test_broken_utf8_under_a_declared_charset_is_bad_encoding():
    spider = make_spider()
    body = article_page().encode("utf-8").replace(b"</title>", b"\xe0\xa6</title>", 1)
    assert list(spider.parse_article(latin1_response(body))) == []
    assert skipped(spider) == {"bad_encoding": 1}


def timed_out(url: str = URL):
    """The Failure Scrapy hands an errback when the request for ``url`` timed out."""
    from scrapy import Request
    from twisted.python.failure import Failure

    try:
        raise TimeoutError("slow")
    except TimeoutError:
        failure = Failure()
    failure.request = Request(url)
    return failure


def test_a_failed_article_request_is_counted_under_its_reason():
    spider = make_spider()
    spider.article_failed(timed_out())
    assert spider.crawler.stats.get_value("newscrawl/failed/TimeoutError") == 1


def test_saved_pages_outside_a_crawl_count_into_the_spiders_own_stats():
    spider = InqilabSpider()
    assert spider.setting("NEWSCRAWL_LISTING_PAGES", 7) == 7
    list(spider.parse_article(response("   ")))
    list(spider.parse_article(response("   ")))
    assert spider.stats.get_stats() == {"newscrawl/skipped/empty": 2}


# -- more edges, found by mutation testing ---------------------------------------------------------


def test_the_request_article_id_tags_and_relative_images_reach_the_item():
    spider = make_spider()
    head = '<meta property="article:tag" content="আগুন"><meta property="article:tag" content="ঢাকা">'
    page = article_page(head=head).replace(
        '<div class="description">', '<img src="/i/2.jpg"><div class="description">'
    )
    # a redirect may have changed the URL: the id the request was made for stays
    [item] = parse(spider, page, article_id="777")
    assert item["article_id"] == "777"
    assert item["tags"] == ["আগুন", "ঢাকা"]
    assert item["image_urls"] == [f"{SITE}/i/2.jpg"]


def test_an_unreadable_updated_date_is_counted_and_kept_raw():
    spider = make_spider()
    head = '<meta property="article:modified_time" content="1800-01-16T08:00:00+06:00">'
    [item] = parse(spider, article_page("2024-01-15T10:30:00+06:00", head=head))
    assert item["updated_at"] is None
    assert item["updated_raw"] == "1800-01-16T08:00:00+06:00"
    stats = spider.crawler.stats
    assert stats.get_value("newscrawl/dates/unparsed/updated") == 1
    assert stats.get_value("newscrawl/dates/unparsed/published") is None


def test_a_response_that_is_not_text_is_skipped_as_not_html():
    from scrapy import Request
    from scrapy.http import Response

    spider = make_spider()
    assert list(spider.parse_article(Response(URL, body=b"\x89PNG", request=Request(URL)))) == []
    assert skipped(spider) == {"not_html": 1}


def test_a_heading_split_by_a_line_break_still_says_not_found():
    spider = make_spider()
    assert parse(spider, "<html><body><h1>Not<br>Found</h1></body></html>") == []
    assert skipped(spider) == {"error_page": 1}


def test_a_file_signature_after_leading_white_space_is_still_binary():
    spider = make_spider()
    from scrapy import Request

    body = b"\n\n%PDF-1.4 " + b"x" * 200
    response = HtmlResponse(URL, body=body, encoding="utf-8", request=Request(URL))
    assert list(spider.parse_article(response)) == []
    assert skipped(spider) == {"binary": 1}


def test_a_short_page_with_one_control_byte_in_a_hundred_is_still_read():
    spider = make_spider()
    page = article_page()
    size = len(page.encode())
    controls = size // 100
    page = page.replace("</body>", "\x01" * controls + "</body>")
    assert len(page.encode()) < 4096
    assert len(parse(spider, page)) == 1


@pytest.mark.parametrize("encoding", ["utf-32", "utf_16", "utf_32"])
def test_utf16_and_utf32_pages_in_any_spelling_are_not_binary(encoding):
    spider = make_spider()
    from scrapy import Request

    codec = "utf-16" if "16" in encoding else "utf-32"
    body = article_page().encode(codec)
    response = HtmlResponse(URL, body=body, encoding=encoding, request=Request(URL))
    [item] = spider.parse_article(response)
    assert item["title"] == TITLE


def test_a_challenge_marker_counts_only_within_the_first_20000_characters():
    marker = "Just a moment..."
    for end, challenge in ((20000, True), (20001, False)):
        spider = make_spider()
        page = article_page()
        start = page.index("<body>") + len("<body>")
        pad = "x" * (end - len(marker) - start)
        page = page[:start] + pad + marker + page[start:]
        assert page.index(marker) + len(marker) == end
        assert (parse(spider, page) == []) is challenge
        assert skipped(spider) == ({"challenge": 1} if challenge else {})


def broken_utf8(sequences: int, paras=PARAS) -> bytes:
    """A UTF-8 page, no charset named anywhere, with ``sequences`` characters cut short."""
    data = article_page(paras=paras).encode("utf-8")
    vowel = "া".encode()  # the commonest Bengali character: cut its last byte, in the body
    for _ in range(sequences):
        cut = data.index(vowel, data.index(b'class="description"'))
        data = data[: cut + 2] + data[cut + 3 :]
    return data


def non_ascii(data: bytes) -> int:
    page_text = data.decode("utf-8", errors="replace")
    return len(page_text) - len(page_text.encode("ascii", "ignore"))


LONG = [f"{p} ({n})" for n in range(4) for p in PARAS]  # 3 broken sequences > len/2000


@pytest.mark.parametrize("sequences", [1, 2, 3, 10])
def test_utf8_with_a_few_broken_sequences_and_no_charset_is_read_as_utf8(sequences):
    from scrapy import Request

    spider = make_spider()
    data = broken_utf8(sequences, LONG)
    assert sequences * 20 <= non_ascii(data)  # at most one in 20: a few
    response = HtmlResponse(URL, body=data, request=Request(URL))
    assert response.encoding != "utf-8"  # what Scrapy guessed: not UTF-8
    [item] = spider.parse_article(response)
    assert item["title"] == TITLE
    assert item["body"].count("\ufffd") == sequences
    assert item["body"].replace("\ufffd", "া") == "\n\n".join(LONG)
    stats = spider.crawler.stats
    assert stats.get_value("newscrawl/encoding/utf8_broken_sequence") == 1
    assert stats.get_value("newscrawl/encoding/redecoded_utf8") == 1
    assert skipped(spider) == {}


def test_the_line_between_a_few_broken_bytes_and_garbage_is_one_in_20():
    from scrapy import Request

    # both sides of it, whatever the charset: undeclared (read as UTF-8) or declared UTF-8
    for charset in ("", "; charset=utf-8"):
        headers = {"Content-Type": f"text/html{charset}"}
        kept = 0
        for sequences in range(20, 80):
            data = broken_utf8(sequences, LONG)
            spider = make_spider()
            response = HtmlResponse(URL, body=data, headers=headers, request=Request(URL))
            items = list(spider.parse_article(response))
            if sequences * 20 <= non_ascii(data):
                assert items[0]["body"].count("\ufffd") == sequences
                kept += 1
            else:  # more than one character in 20 is U+FFFD: skipped, never stored
                assert items == []
                assert skipped(spider) == {"bad_encoding": 1}
        assert 20 < kept < 60  # the line was crossed


def test_utf8_read_with_the_wrong_decoder_is_skipped_not_stored_as_replacement_characters():
    from scrapy import Request

    spider = make_spider()
    data = article_page(paras=LONG).encode()
    data = data.replace("া".encode(), b"\xe0\xa6").replace("ে".encode(), b"\xe0\xa7")
    assert data.decode(errors="replace").count("\ufffd") * 20 > non_ascii(data)  # past the line
    response = HtmlResponse(URL, body=data, request=Request(URL))
    assert response.text.count("\ufffd") > len(response.text) // 2  # what Scrapy made of it
    assert list(spider.parse_article(response)) == []
    assert skipped(spider) == {"bad_encoding": 1}
    assert spider.crawler.stats.get_value("newscrawl/encoding/redecoded_utf8") is None


def test_skips_failures_and_future_dates_are_logged_with_url_and_reason(caplog):
    spider = make_spider()
    future = datetime.now(UTC) + timedelta(days=30)
    with caplog.at_level("INFO", logger=spider.logger.name):
        parse(spider, "   ")
        parse(spider, article_page(iso(future)))
        spider.article_failed(timed_out())
    messages = [r.getMessage() for r in caplog.records if r.name == spider.logger.name]
    assert messages == [
        f"skipped {URL}: empty",
        f"published date {future.replace(microsecond=0)} is in the future: not believed",
        f"article {URL} failed (TimeoutError)",
    ]


def test_a_redecoded_page_is_logged_with_its_wrong_charset(caplog):
    spider = make_spider()
    with caplog.at_level("INFO", logger=spider.logger.name):
        [item] = spider.parse_article(latin1_response(article_page().encode("utf-8")))
    messages = [r.getMessage() for r in caplog.records if r.name == spider.logger.name]
    assert messages == [f"{URL}: charset cp1252 is wrong, read as UTF-8"]
    assert item["title"] == TITLE
