"""A site that misbehaves on purpose, crawled by the real spiders through the real engine.

Each test plants bad pages among good ones on a loopback replica and runs ``scrapy crawl`` as a
user would. After each: the run finishes (exit 0, no spider exception), every good article is
stored, every bad page is counted under a reason in the run's stats, and the database passes
``PRAGMA integrity_check``. The last test kills a crawl ten times and resumes it.

Settings are the project's, made quick for loopback (``FAST`` in conftest) and, where a test
says so, quicker to give up: a 2 s DOWNLOAD_TIMEOUT (30 s in production) and 2 retries (3).
DOWNLOAD_MAXSIZE stays at its real 10 MB: the 50 MB pages are really served, streamed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from newscrawl.store import Store
from tests.conftest import PROJECT, run_scrapy, scrapy_args, scrapy_env
from tests.support.hostile import (
    REAL,
    HostileInqilab,
    Sequence,
    Stream,
    article_path,
    billion_laughs,
    broken_utf8,
    double_encoded,
    external_entity,
    good_page,
    malformed_rss,
    pdf,
    png,
    random_bytes,
    redirect,
    sitemap_index,
    status,
    story,
    without,
    wrong_namespace_sitemap,
)
from tests.support.replica import Page, Replica
from tests.support.sites import bn_date, inqilab_article, listing, news_sitemap, rss

FIXTURES = PROJECT / "tests" / "fixtures"
MB = 1024 * 1024
GIVE_UP_SOON = {"DOWNLOAD_TIMEOUT": "2", "RETRY_TIMES": "2"}


@pytest.fixture
def elsewhere() -> Iterator[Replica]:
    """A second site, on another host name (``localhost``): the crawl must never reach it."""
    server = Replica().start()
    try:
        yield server
    finally:
        server.stop()


def crawl(replica: Replica, db_path: Path, spider: str = "inqilab", **settings: str) -> dict:
    """Run one crawl to the end; check it finished cleanly; the run's stats."""
    result = run_scrapy(
        "crawl", spider, "-a", f"base_url={replica.url}",
        settings={"NEWSCRAWL_DB": str(db_path), **settings},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert_intact(db_path)
    with Store(db_path) as store:
        run = store.runs()[-1]
    assert run["status"] == "finished", result.stderr[-3000:]
    stats = run["stats"]
    crashes = {k: v for k, v in stats.items() if k.startswith("spider_exceptions/")}
    assert not crashes, result.stderr[-5000:]
    return stats


# Scrapy samples memory every 60 s, longer than these crawls: sample often, so memusage/max is
# read while the crawl runs (it is the process's peak resident size so far).
SAMPLE_MEMORY = {"MEMUSAGE_CHECK_INTERVAL_SECONDS": "0.05"}


def assert_intact(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def stored(db_path: Path) -> dict[str, dict]:
    """Stored articles by title; fails if a title is stored twice."""
    with Store(db_path) as store:
        rows = list(store.articles())
    by_title = {row["title"]: row for row in rows}
    assert len(by_title) == len(rows), "an article was stored twice"
    return by_title


def titles(*numbers: int) -> set[str]:
    return {story(i)[0] for i in numbers}


def prefixed(stats: dict, prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)}


# -- HTTP errors and broken connections ----------------------------------------------------------


def test_http_errors_and_broken_connections(replica, db_path):
    site = HostileInqilab(replica)
    for i in (1, 2, 3):
        site.add(f"good {i}", good_page(i), i)
    site.set_sitemap([article_path(1)])
    body = {i: good_page(i).encode() for i in range(10, 18)}
    flaky = {
        "500 then ok": Sequence(status(500), Page(body[10])),
        "503 twice then ok": Sequence(status(503), status(503), Page(body[11])),
        "reset then ok": Sequence(Page(body[12], abort_after=0, reset=True), Page(body[12])),
    }
    for i, (label, route) in enumerate(flaky.items(), start=10):
        site.add(label, route, i)
    site.add("404", status(404), 13)
    site.add("410", status(410), 14)
    site.add("reset mid-body", Page(body[15], abort_after=300, reset=True), 15)
    site.add("stalls after headers", Page(body[16], stall=5), 16)
    site.add("truncated", Page(body[17], content_length=len(body[17]) + 1000), 17)

    # A 503 doubles the download delay (BackoffMiddleware); capped low so the test stays quick.
    stats = crawl(replica, db_path, **GIVE_UP_SOON, AUTOTHROTTLE_MAX_DELAY="0.2")

    assert set(stored(db_path)) == titles(1, 2, 3, 10, 11, 12)  # the flaky ones after retries
    hits = {label: site.hits(label) for label in site.paths}
    assert hits == {
        "good 1": 1, "good 2": 1, "good 3": 1,
        "500 then ok": 2, "503 twice then ok": 3, "reset then ok": 2,
        "404": 1, "410": 1,  # never retried
        "reset mid-body": 3, "stalls after headers": 3, "truncated": 3,  # 1 + RETRY_TIMES
    }  # fmt: skip
    failed = prefixed(stats, "newscrawl/failed/")
    assert failed.pop("http_404") == 1 and failed.pop("http_410") == 1
    assert failed.pop("DownloadTimeoutError") == 1
    # A reset and a short body are both data loss to Scrapy (which one wins a race with the
    # RST may vary by kernel: any connection-failure name is a reason).
    assert sum(failed.values()) == 2, failed
    assert set(failed) <= {"ResponseDataLossError", "ResponseFailed", "ConnectionLost"}, failed
    assert stats["retry/count"] == 1 + 2 + 1 + 2 * 3
    assert stats["retry/max_reached"] == 3
    assert stats["downloader/response_status_count/503"] == 2
    assert stats["newscrawl/backoff"] == 2
    assert stats["newscrawl/articles/new"] == 6


def test_429_waits_as_long_as_retry_after_says(replica, db_path):
    site = HostileInqilab(replica)
    site.add("good", good_page(1), 1)
    site.set_sitemap([article_path(1)])
    limited = Sequence(status(429, **{"Retry-After": "1"}), Page(good_page(2).encode()))
    site.add("429 then ok", limited, 2)

    stats = crawl(replica, db_path)  # the real AUTOTHROTTLE_MAX_DELAY (60 s) and jitter (±50%)

    assert set(stored(db_path)) == titles(1, 2)
    assert len(limited.times) == 2
    # Bug fixed: the slot delay was set to Retry-After and then jittered ±50%, so the retry
    # could come after half a second. Measured where the site sees it: between the requests.
    assert limited.times[1] - limited.times[0] >= 0.95
    assert stats["newscrawl/backoff"] == 1
    assert stats["retry/reason_count/429 Unknown Status"] == 1


def test_retry_after_outlasts_the_delay_jitter():
    # The crawl above can pass by luck (the jitter drew +); this cannot.
    from scrapy.core.downloader import Slot
    from scrapy.http import Request, Response
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from newscrawl.middlewares import BackoffMiddleware

    slot = Slot(concurrency=2, delay=0.0, jitter=0.5)
    downloader = SimpleNamespace(slots={"site": slot}, get_slot_key=lambda request: "site")
    crawler = SimpleNamespace(
        settings=Settings({"AUTOTHROTTLE_MAX_DELAY": 60, "DOWNLOAD_DELAY": 0}),
        engine=SimpleNamespace(downloader=downloader),
    )
    crawler.stats = MemoryStatsCollector(crawler)
    middleware = BackoffMiddleware(crawler)
    request = Request("http://127.0.0.1/x")
    middleware.process_response(request, Response(request.url, 429, {"Retry-After": "3"}))
    assert slot.delay * (1 - slot.jitter) >= 3  # the shortest wait the jitter can draw


# -- pages that are not what they claim, redirects, links, robots.txt ----------------------------


def test_misleading_pages_redirects_links_and_robots(replica, elsewhere, db_path):
    site = HostileInqilab(replica, robots="User-agent: *\nDisallow: /politics/\n")
    for i in (1, 2):
        site.add(f"good {i}", good_page(i), i)
    site.set_sitemap([article_path(1)])

    # Charsets. The HTTP header wins over the page's meta tag (as in browsers), so these read
    # as mojibake unless the spider notices; it re-reads them as the UTF-8 they are.
    latin1 = "text/html; charset=ISO-8859-1"
    site.add("header says latin-1", Page(good_page(20).encode(), content_type=latin1), 20)
    meta_1252 = good_page(21).replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    site.add("meta says cp1252", Page(meta_1252.encode(), content_type="text/html"), 21)
    no_charset = good_page(22).replace('<meta charset="utf-8">', "")
    site.add("no charset at all", Page(no_charset.encode(), content_type="text/html"), 22)
    # ...and two no reading can repair: skipped as bad_encoding, never stored as mojibake.
    site.add("double-encoded", double_encoded(good_page(23)), 23)
    site.add("latin-1, broken utf-8", Page(broken_utf8(good_page(24)), content_type=latin1), 24)

    # Files served as text/html.
    site.add("png", Page(png(), content_type="text/html"), 25)
    site.add("pdf", Page(pdf(), content_type="text/html; charset=utf-8"), 26)
    site.add("random bytes", Page(random_bytes(), content_type="text/html"), 27)
    site.add("empty 200", b"", 28)

    # 50 MB, streamed: chunked (refused once 10 MB arrived) and declared (refused at once).
    streamed, declared = Stream(50 * MB), Stream(50 * MB)
    site.add("50 MB streamed", Page(b"", chunks=streamed), 29)
    site.add("50 MB declared", Page(b"", chunks=declared, content_length=50 * MB), 30)

    # Redirects.
    site.add("redirect loop", redirect("/loop/a"), 31)
    replica.routes["/loop/a"] = redirect("/loop/b")
    replica.routes["/loop/b"] = redirect("/loop/a")
    site.add("redirects to itself", redirect(article_path(32)), 32)
    site.add("redirect chain of 8", redirect("/chain/1"), 33)
    for k in range(1, 9):
        replica.routes[f"/chain/{k}"] = redirect(f"/chain/{k + 1}")
    offsite = f"http://localhost:{elsewhere.server.server_address[1]}{article_path(34)}"
    elsewhere.add(article_path(34), good_page(34))
    site.add("redirect to another host", redirect(offsite, 301), 34)
    site.add("redirect to file:", redirect("file:///etc/passwd"), 35)
    site.add("redirect on the site", redirect(article_path(36, "bangladesh"), 301), 36)
    replica.add(article_path(36, "bangladesh"), good_page(36))

    # robots.txt disallows /politics/.
    site.add("disallowed", good_page(37), 37, category="politics")

    # A listing whose links are not pages; one real article among them.
    junk = [
        "javascript:void(0)", "JavaScript:alert(1)", " javascript:x()", "mailto:desk@example.com",
        f"file://{article_path(38)}", "tel:+8801000000", "data:text/html,<p>x</p>", "#top",
    ]  # fmt: skip
    replica.add("/national", listing([*junk, f"{REAL}{article_path(3)}"]))
    replica.add("/national?page=2", listing([]))
    site.add("only in the listing", good_page(3), 3, in_feed=False)

    stats = crawl(replica, db_path)

    articles = stored(db_path)
    assert set(articles) == titles(1, 2, 3, 20, 21, 22, 36)
    for number in (20, 21, 22):
        title, paragraphs = story(number)
        assert articles[title]["body"] == "\n\n".join(paragraphs)  # Bengali, not mojibake
    assert not any("à¦" in row["title"] + row["body"] for row in articles.values())
    assert prefixed(stats, "newscrawl/skipped/") == {"bad_encoding": 2, "binary": 3, "empty": 1}
    assert stats["newscrawl/encoding/redecoded_utf8"] == 2
    assert prefixed(stats, "newscrawl/failed/") == {
        "DownloadCancelledError": 2,  # over DOWNLOAD_MAXSIZE
        "redirect_loop": 2,
        "too_many_redirects": 1,  # REDIRECT_MAX_TIMES = 5
        "redirect_offsite": 1,
        "http_302": 1,  # to file:, not followed
        "robots_forbidden": 1,
    }
    # The 50 MB page really was served until the crawler hung up, past the 10 MB limit.
    assert 10 * MB < streamed.sent < 50 * MB
    assert declared.sent < 50 * MB
    hits = replica.hits()
    assert hits["/chain/5"] == 1 and hits["/chain/6"] == 0
    assert hits["/loop/a"] == 1 and hits["/loop/b"] == 1
    assert hits[article_path(37, "politics")] == 0
    assert stats["robotstxt/forbidden"] == 1
    assert not elsewhere.hits()
    # Links that are not web pages were never requested.
    assert stats["newscrawl/discovered/listing"] == 1
    assert not [path for path in hits if "900038" in path or ":" in path or "void" in path]


# -- article pages with something missing, wrong or too much ------------------------------------


def test_hostile_article_pages(replica, db_path):
    site = HostileInqilab(replica)
    for i in (1, 2):
        site.add(f"good {i}", good_page(i), i)
    site.set_sitemap([article_path(1)])

    page = good_page(40)
    site.add("no title", without(r"<title>.*?</title>", without(r"<h2>.*?</h2>", page)), 40)
    site.add("no body", without(r"<p>[^<]*</p>", good_page(41)), 41)

    dated = {
        "২০৯৯ সালের খবর": (2099, 1, 1, 10, 0),  # parses, but the future is not believed
        "১৮০০ সালের খবর": (1800, 1, 1, 10, 0),  # outside the parser's 1900-2100
        "৩০০০ সালের খবর": (3000, 1, 1, 10, 0),
    }
    for n, (title, when) in enumerate(dated.items(), start=42):
        paragraphs = [f"তারিখটি ভুল, কিন্তু খবরটি সত্যি। ঘটনা {n}।"]
        site.add(title, inqilab_article(title, paragraphs, when), n)

    sentence = "বাংলাদেশের রাজধানী ঢাকায় আজ একটি দীর্ঘ প্রতিবেদন প্রকাশিত হয়েছে।"
    long_paragraphs = [f"অংশ {k}: " + " ".join([sentence] * 20) for k in range(300)]
    site.add("1 MB body", inqilab_article("দীর্ঘ খবর", long_paragraphs, (2024, 12, 2, 9, 0)), 45)

    scripted = (
        good_page(46)
        .replace(
            '<div class="description">',
            '<div class="description"><script type="text/template">TEMPLATE_LEAK</script>'
            "<style>.STYLE_LEAK{color:red}</style><noscript>NOSCRIPT_LEAK</noscript>",
        )
        .replace("<p>", '<p><script>var x = "SCRIPT_LEAK";</script><style>p{}</style>', 1)
    )
    site.add("scripts in the body", scripted, 46)
    # The same in a layout the selectors miss, so the generic fallback reads the body.
    unknown_layout = (
        good_page(47)
        .replace('class="description"', 'class="story-text"')
        .replace(
            "</p><p>",
            "</p><script>FALLBACK_SCRIPT_LEAK()</script><style>.FALLBACK_STYLE_LEAK{}</style><p>"
            + "দীর্ঘ অনুচ্ছেদ, যাতে লেখাটি যথেষ্ট লম্বা হয়। " * 8
            + "</p><p>",
        )
    )
    site.add("scripts, fallback layer", unknown_layout, 47)

    stats = crawl(replica, db_path)

    articles = stored(db_path)
    assert set(articles) == titles(1, 2, 46, 47) | set(dated) | {"দীর্ঘ খবর"}
    assert prefixed(stats, "newscrawl/skipped/") == {"no_title": 1, "no_body": 1}
    for title, when in dated.items():
        assert articles[title]["published_at"] is None
        # What the page said stays, for a person.
        assert bn_date(*when) in articles[title]["published_raw"]
    assert stats["newscrawl/dates/rejected_future/published"] == 1
    assert stats["newscrawl/dates/unparsed/published"] == 2
    big = articles["দীর্ঘ খবর"]["body"]
    assert big == "\n\n".join(long_paragraphs)  # stored whole: the limit is DOWNLOAD_MAXSIZE
    assert len(big.encode()) > 1_000_000
    assert stats["newscrawl/extraction/body/fallback"] == 1
    for row in articles.values():
        assert "LEAK" not in row["body"] + row["title"]
        assert "color:red" not in row["body"] and "var x" not in row["body"]
    assert articles[story(46)[0]]["body"] == "\n\n".join(story(46)[1])


# -- feeds and sitemaps --------------------------------------------------------------------------


def test_hostile_feeds_and_sitemaps(replica, db_path):
    site = HostileInqilab(replica)
    for i in range(1, 6):
        site.add(f"good {i}", good_page(i), i, in_feed=False)
    not_pages = ["javascript:void(0)", "mailto:desk@example.com", f"file://{article_path(996)}"]
    site.set_feed(malformed_rss([*not_pages, *(f"{REAL}{article_path(i)}" for i in (1, 2))]))
    children = {
        "/sm/wrong-namespace.xml": wrong_namespace_sitemap(
            [f"{REAL}{article_path(3)}", f"{REAL}{article_path(4)}"]
        ),
        "/sm/bomb.xml": billion_laughs(),
        "/sm/xxe.xml": external_entity(),
        "/sm/no-urls.xml": news_sitemap([]),
        "/sm/blank.xml": "",
        "/sm/relative.xml": news_sitemap([(f"{REAL}{article_path(5)}", "2024-12-01T10:00")]),
    }
    for path, body in children.items():
        replica.add(path, body, content_type="application/xml")
    locs = [f"{REAL}{path}" for path in children if path != "/sm/relative.xml"]
    locs += ["javascript:alert(1)", "file:///etc/passwd", "/sm/relative.xml"]
    site.set_sitemap([], body=sitemap_index(locs))

    started = time.monotonic()
    stats = crawl(replica, db_path, **SAMPLE_MEMORY)

    assert time.monotonic() - started < 60  # an expanded bomb would not finish
    assert set(stored(db_path)) == titles(1, 2, 3, 4, 5)
    assert stats["newscrawl/discovery_malformed/feed"] == 1  # read as far as it recovers
    assert stats["newscrawl/discovery_failed/sitemap/xml_entities"] == 2  # refused unread
    assert stats["newscrawl/discovery_empty/sitemap"] == 2
    assert stats["newscrawl/discovery_ignored/sitemap/not_http"] == 2
    assert "newscrawl/discovery_malformed/sitemap" not in stats
    assert stats["memusage/max"] < 500 * MB  # the process's peak, sampled as the crawl ran
    assert not {article_path(i) for i in (996, 998, 999)} & set(replica.hits())
    # Not javascript:, mailto:, file: (the broken item's link counts if libxml2 recovers it).
    assert stats["newscrawl/discovered/feed"] in (2, 3)


def test_a_feed_of_10000_items_is_read_to_the_limit(replica, db_path):
    site = HostileInqilab(replica)
    for i in (1, 2, 3):
        site.add(f"good {i}", good_page(i), i, in_feed=False)
    site.set_sitemap([article_path(1)])
    links = [f"{REAL}{article_path(i)}" for i in (2, 3)]
    links += [f"{REAL}{article_path(10_000 + k)}" for k in range(9_998)]  # never served: 404
    site.set_feed(rss([(f"t{k}", link, None) for k, link in enumerate(links)]))

    stats = crawl(replica, db_path, CONCURRENT_REQUESTS_PER_DOMAIN="8")

    assert set(stored(db_path)) == titles(1, 2, 3)
    fetched = {p for p in replica.hits() if p.startswith("/international/news/9")}
    assert len(fetched) == 1 + 1_000  # the sitemap's article and the feed's first 1,000
    assert article_path(10_000 + 997) in fetched and article_path(10_000 + 998) not in fetched
    assert stats["newscrawl/discovery_capped/feed"] == 9_000
    assert stats["newscrawl/failed/http_404"] == 998


# -- Sun News: robots.txt names the sitemaps -----------------------------------------------------


def test_sunnews_with_a_hostile_robots_txt(replica, elsewhere, db_path):
    sun = FIXTURES / "sunnews"
    real = "https://www.sunnews24x7.com"
    away = f"http://localhost:{elsewhere.server.server_address[1]}"
    sitemaps = [
        "javascript:alert(1)",  # once raised ValueError and lost every sitemap after it
        "file:///etc/passwd",
        f"{away}/evil-sitemap.xml",
        "/relative-sitemap.xml",
        *(f"{real}/sitemap-{k}.xml" for k in range(56)),  # 60 named: 50 followed
    ]
    robots = "User-agent: *\nDisallow: /news/article/secret/\n"
    robots += "".join(f"Sitemap: {url}\n" for url in sitemaps)
    replica.add("/robots.txt", robots, content_type="text/plain")
    elsewhere.add("/evil-sitemap.xml", news_sitemap([]), content_type="application/xml")
    for path in ("/category/bangladesh", "/category/politics", "/category/opinion",
                 "/category/feature", "/category/arts", "/category/international"):  # fmt: skip
        replica.add(path, "<html><body></body></html>")
    replica.add("/rss", b"", content_type="application/rss+xml")  # an empty feed
    replica.add("/sitemap.xml", b"", content_type="application/xml")
    when = "2024-12-30T09:05:00+06:00"
    replica.add("/news-sitemap.xml", news_sitemap([
        (f"{real}/news/article/international/123456", when),
        (f"{real}/news/article/secret/123457", when),
    ]), content_type="application/xml")  # fmt: skip
    replica.add(
        "/relative-sitemap.xml",
        news_sitemap([(f"{real}/news/article/country/123500", when)]),
        content_type="application/xml",
    )
    replica.add_file("/news/article/international/123456", sun / "jsonld_time.html")
    replica.add_file("/news/article/country/123500", sun / "district.html")
    replica.add_file("/news/article/secret/123457", sun / "bare.html")

    stats = crawl(replica, db_path, spider="sunnews")

    assert set(stored(db_path)) == {
        "কিমকে পুতিনের চিঠি",
        "কুড়িগ্রামে জেঁকে বসেছে শীত, দুর্ভোগে নিম্ন আয়ের মানুষ",
    }
    assert stats["newscrawl/discovery_ignored/robots/not_http"] == 2
    assert stats["newscrawl/discovery_ignored/robots/offsite"] == 1
    assert stats["newscrawl/discovery_capped/robots"] == 10
    assert stats["newscrawl/discovery_failed/sitemap/http_404"] == 46  # the 46 fillers followed
    assert stats["newscrawl/discovery_empty/feed"] == 1
    assert stats["newscrawl/discovery_empty/sitemap"] == 1
    assert stats["newscrawl/failed/robots_forbidden"] == 1
    hits = replica.hits()
    assert hits["/news/article/secret/123457"] == 0
    assert hits["/sitemap-45.xml"] == 1 and hits["/sitemap-46.xml"] == 0
    assert not elsewhere.hits()


# -- killed at random moments, resumed each time -------------------------------------------------


def test_killed_ten_times_and_resumed_stores_every_article_once(replica, db_path):
    site = HostileInqilab(replica)
    for i in range(1, 61):
        site.add(f"article {i}", Page(good_page(i).encode(), delay=0.5), i)
    site.set_sitemap([article_path(i) for i in range(1, 61, 2)])
    settings = {
        "NEWSCRAWL_DB": str(db_path),
        "NEWSCRAWL_BATCH_SIZE": "3",
        "NEWSCRAWL_BATCH_SECONDS": "0.3",
    }
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", "inqilab", "-a", f"base_url={replica.url}",
        *scrapy_args(settings),
    ]  # fmt: skip
    rng = random.Random(20240601)
    deadline = time.monotonic() + 240
    killed, progress = 0, []
    while killed < 10 or not any(0 < n < 60 for n in progress):
        assert time.monotonic() < deadline, f"only {killed} kills in the time allowed"
        replica.reset_log()
        proc = subprocess.Popen(
            cmd, cwd=PROJECT, env=scrapy_env(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            started = time.monotonic()
            while not replica.hits()["/robots.txt"] and proc.poll() is None:
                assert time.monotonic() - started < 30, "the crawl never started"
                time.sleep(0.02)
            # In discovery, fetching, writing or closing; on a slow machine, later, until the
            # kills land while articles are being stored.
            stalls = 0 if any(0 < n < 60 for n in progress) else len(progress)
            time.sleep(rng.uniform(0.2, 2.2) * (1 + stalls))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
        finally:
            proc.wait(timeout=30)
        assert_intact(db_path)
        with Store(db_path) as store:
            progress.append(store.count())

    replica.reset_log()
    for i in range(1, 61):
        replica.routes[article_path(i)].delay = 0  # the last run needs no slowing down
    stats = crawl(replica, db_path, **{k: v for k, v in settings.items() if k != "NEWSCRAWL_DB"})

    with Store(db_path) as store:
        rows = list(store.articles())
        runs = store.runs()
    assert any(0 < n < 60 for n in progress), progress  # kills landed mid-crawl
    assert len(rows) == 60
    assert {row["title"] for row in rows} == titles(*range(1, 61))
    assert {row["article_id"] for row in rows} == {str(900000 + i) for i in range(1, 61)}
    assert all(row["revision"] == 1 for row in rows)
    statuses = [run["status"] for run in runs]
    assert statuses[-1] == "finished"
    # A killed run is marked "abandoned" by the next (which holds the lock its process lost);
    # one killed while shutting down had recorded its end.
    assert 1 <= statuses.count("abandoned") <= killed
    assert set(statuses) == {"abandoned", "finished"}
    # Incremental: the last run fetched only what earlier runs had not stored.
    fetched = [p for p in replica.hits() if p.startswith("/international/news/")]
    assert len(fetched) == 60 - stats.get("newscrawl/incremental/known", 0)
