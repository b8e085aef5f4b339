"""`scrapy crawl inqilab -a base_url=…` against a loopback replica of dailyinqilab.com."""

import re

import pytest

from newscrawl.store import Store
from tests.conftest import run_scrapy
from tests.support.outlets import known_outlets
from tests.support.sites import inqilab_article, listing, news_sitemap, rss

REAL = "https://dailyinqilab.com"
BOILERPLATE = (
    "বিভাগ",
    "মন্তব্য করুন",
    "HTML Comment Box",
    "এই বিভাগের আরও",
    "আরও পড়ুন",
    "মাঘ ১৪৩১",
    "Daily Inqilab",
    "আপডেট",
    "dataLayer",
)
SENTENCES = (
    "রাজধানীতে আজ সকাল থেকে ভারী বৃষ্টি হচ্ছে।",
    "আবহাওয়া অফিস জানিয়েছে, আগামী দুই দিন এমন থাকতে পারে।",
    "নিচু এলাকায় জলাবদ্ধতা দেখা দিয়েছে।",
    "সংশ্লিষ্ট কর্তৃপক্ষ সতর্ক থাকতে বলেছে।",
)


def story(i: int) -> tuple[str, list[str]]:
    title = f"খবর নম্বর {i}: শহরে নতুন উদ্যোগ"
    return title, [f"{s} ঘটনা {i}।" for s in SENTENCES]


def article_path(i: int) -> str:
    return f"/international/news/{700000 + i}"


@pytest.fixture
def inqilab_site(replica):
    replica.add("/robots.txt", "User-agent: *\nDisallow: /admin\n", content_type="text/plain")
    for i in range(1, 13):
        title, paragraphs = story(i)
        replica.add(
            article_path(i), inqilab_article(title, paragraphs, (2024, 11, i, 9 + i % 12, 5))
        )
    # Article 5 lost its date line: the feed's pubDate is the last resort.
    page5 = replica.routes[article_path(5)]
    page5.body = re.sub(rb'<p class="news-date-time">.*?</p>', b"", page5.body)
    # Wire copy: article 13 is article 1's text under another id (one row, a duplicate counted).
    replica.add(article_path(13), replica.routes[article_path(1)].body)
    # The site serves an article under any category slug; only the id selects it.
    replica.add("/national/news/700001", replica.routes[article_path(1)].body)
    feed_items = [(f"t{i}", f"{REAL}{article_path(i)}", "Fri, 01 Nov 2024 10:00:00 +0600")
                  for i in range(1, 6)]  # fmt: skip
    replica.add("/rss/rss.xml", rss(feed_items), content_type="application/rss+xml")
    sitemap = [(f"{REAL}{article_path(i)}", "2024-11-01T10:00:00+06:00") for i in range(4, 9)]
    replica.add("/news-sitemap.xml", news_sitemap(sitemap), content_type="application/xml")
    # Listing page 1 links by the real domain, page 2 relatively; one id under another slug.
    page1 = [f"{REAL}{article_path(i)}" for i in (9, 10)] + [f"{REAL}/national/news/700001"]
    replica.add("/international", listing(page1, "?page=2"))
    replica.add("/international?page=2", listing([article_path(i) for i in (11, 12, 13)]))
    return replica


def crawl(site, db_path, **settings):
    result = run_scrapy(
        "crawl",
        "inqilab",
        "-a",
        f"base_url={site.url}",
        settings={"NEWSCRAWL_DB": str(db_path), **settings},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_crawl_of_a_replica_stores_clean_articles(inqilab_site, db_path):
    crawl(inqilab_site, db_path)
    hits = inqilab_site.hits()
    assert hits["/robots.txt"] == 1
    # One article id under two category slugs is fetched once.
    assert hits["/national/news/700001"] + hits[article_path(1)] == 1
    with Store(db_path) as store:
        rows = {r["title"]: r for r in store.articles()}
        assert len(rows) == store.count() == 12  # 13 is 1's text: whichever came second is a dup
        assert rows[story(1)[0]]["article_id"] in ("700001", "700013")
        for i in range(1, 13):
            title, paragraphs = story(i)
            row = rows[title]
            assert row["title"] == title
            assert row["body"] == "\n\n".join(paragraphs)
            assert row["author"] == "অনলাইন ডেস্ক"
            assert row["category"] == "আন্তর্জাতিক"
            if i == 5:
                assert row["published_at"] == "2024-11-01T10:00:00+06:00"
                assert row["extraction"]["published"] == "discovery"
            else:
                assert row["published_at"] == f"2024-11-{i:02d}T{9 + i % 12:02d}:05:00+06:00"
            assert row["url"].startswith(inqilab_site.url)  # as fetched, on the mirror
            assert not any(marker in row["body"] for marker in BOILERPLATE), row["body"]
        stats = store.runs()[-1]["stats"]
        assert stats["newscrawl/duplicates"] == 1
        assert stats["newscrawl/extraction/title/selectors"] == 13
        assert stats["newscrawl/extraction/body/selectors"] == 13
        discovered = sum(v for k, v in stats.items() if k.startswith("newscrawl/discovered/"))
        assert discovered == 13  # 13 distinct ids from feed, sitemap and both listing pages
        assert "newscrawl/failed/http_404" not in stats
        assert store.has_url(f"{inqilab_site.url}{article_path(13)}")
        assert store.has_url(f"{inqilab_site.url}{article_path(1)}") or store.has_url(
            f"{inqilab_site.url}/national/news/700001"
        )

    # The outlet edits article 2; a crawl that revisits young articles stores a linked revision.
    title, paragraphs = story(2)
    inqilab_site.add(
        article_path(2),
        inqilab_article(title, [*paragraphs, "সংশোধিত অংশ যোগ হয়েছে।"], (2024, 11, 2, 11, 5),
                        updated=(2024, 11, 3, 8, 0)),
    )  # fmt: skip
    crawl(inqilab_site, db_path, NEWSCRAWL_REVISIT_INTERVAL_HOURS="0")
    with Store(db_path) as store:
        latest = {r["article_id"]: r for r in store.articles(latest_only=True)}
        edited = latest["700002"]
        assert edited["revision"] == 2
        assert edited["updated_at"] == "2024-11-03T08:00:00+06:00"
        assert store.article(edited["previous_hash"])["body"] == "\n\n".join(paragraphs)
        assert store.count() == 13


def test_backfill_reads_the_date_archive(replica, db_path):
    query = "cat=&dateFrom=2024-01-01&dateTo=2024-01-31"
    pager = "".join(f'<li><a href="/archive?{query}&page={n}">{n}</a></li>' for n in (1, 2, 3))
    for page, ids in ((1, (1, 2)), (2, (3,)), (3, (4,))):
        links = "".join(f'<h3><a href="{REAL}{article_path(i)}">x</a></h3>' for i in ids)
        replica.add(
            f"/archive?{query}&page={page}",
            f'<html><body>{links}<ul class="pagination">{pager}'
            f'<li><a href="/archive?{query}&page=2">»</a></li></ul></body></html>',
        )
    for i in range(1, 5):
        replica.add(article_path(i), inqilab_article(*story(i), (2024, 1, i, 10, 0)))
    result = run_scrapy(
        "crawl", "inqilab", "-a", f"base_url={replica.url}", "-a", "since=2024-01-01",
        "-a", "until=2024-01-31", settings={"NEWSCRAWL_DB": str(db_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert replica.hits()["/rss/rss.xml"] == 0  # backfill reads the archive only
    with Store(db_path) as store:
        assert sorted(r["article_id"] for r in store.articles()) == [
            str(700000 + i) for i in range(1, 5)
        ]


def test_bad_spider_arguments_get_one_line(db_path):
    result = run_scrapy("crawl", "inqilab", "-a", "since=last-week")
    assert result.returncode != 0
    assert "since must be a date like 2024-01-31" in result.stderr


def test_probe_reports_fill_rates_and_fails_when_the_layout_breaks(inqilab_site):
    result = run_scrapy("probe", "inqilab", "--limit", "3", "-a", f"base_url={inqilab_site.url}")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "inqilab: 3 article(s) probed" in result.stdout
    assert "title        3/3   100%  selectors 3" in result.stdout
    assert "under 90%" not in result.stdout

    # The site drops its date line: published falls to 0% and the probe says so.
    for path, page in list(inqilab_site.routes.items()):
        if "/news/" in path:
            page.body = re.sub(rb'<p class="news-date-time">.*?</p>', b"", page.body)
    inqilab_site.add("/rss/rss.xml", rss([]), content_type="application/rss+xml")
    inqilab_site.add("/news-sitemap.xml", news_sitemap([]), content_type="application/xml")
    result = run_scrapy("probe", "inqilab", "--limit", "3", "-a", f"base_url={inqilab_site.url}")
    assert result.returncode == 1
    assert re.search(r"^published +0/3 +0% +- +<- under 90%$", result.stdout, re.M), result.stdout


def test_probe_of_an_unknown_outlet_is_one_line():
    result = run_scrapy("probe", "nosuch")
    assert result.returncode == 2
    assert f"no outlet 'nosuch' (known: {known_outlets()})" in result.stderr
