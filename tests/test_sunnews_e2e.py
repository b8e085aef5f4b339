"""`scrapy crawl sunnews` against a loopback replica, then both outlets into one database."""

from newscrawl.store import Store
from tests.conftest import FIXTURES, run_scrapy
from tests.support.sites import news_sitemap, rss

SUN = FIXTURES / "sunnews"
REAL = "https://www.sunnews24x7.com"


def serve_inqilab(replica):
    """Two Daily Inqilab fixture articles and a feed naming them, beside Sun News."""
    inqilab = FIXTURES / "inqilab"
    replica.add_file("/international/news/593612", inqilab / "plain.html")
    replica.add_file("/international/news/600121", inqilab / "updated.html")
    items = [
        ("a", "https://dailyinqilab.com/international/news/593612", "Wed, 16 Aug 2023 08:39 +0600"),
        ("b", "https://dailyinqilab.com/international/news/600121", "Fri, 01 Sep 2023 21:21 +0600"),
    ]
    replica.add("/rss/rss.xml", rss(items), content_type="application/rss+xml")


def serve_sunnews(replica):
    robots = f"User-agent: *\nDisallow: /admin\nSitemap: {REAL}/sitemap-news.xml\n"
    replica.add("/robots.txt", robots, content_type="text/plain")
    # No /rss and no sitemap on this replica: the guessed feed must fail without failing the crawl.
    replica.add_file("/category/international", SUN / "listing.html")
    replica.add("/category/international?page=2", "<html><body>শেষ</body></html>")
    replica.add_file("/news/article/international/123456", SUN / "jsonld_time.html")
    # The same story under another id and layout: one row, a duplicate counted.
    replica.add_file("/news/article/international/123452", SUN / "meta_only.html")
    replica.add_file("/news/article/international/123447", SUN / "bare.html")
    replica.add_file("/news/article/country/123500", SUN / "district.html")
    # Only the sitemap that robots.txt names leads to this one.
    sitemap = news_sitemap([(f"{REAL}/news/article/country/123500", "2024-12-30T09:05:00+06:00")])
    replica.add("/sitemap-news.xml", sitemap, content_type="application/xml")


def crawl(spider, site, db_path):
    result = run_scrapy(
        "crawl", spider, "-a", f"base_url={site.url}", settings={"NEWSCRAWL_DB": str(db_path)}
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_sunnews_replica(replica, db_path):
    serve_sunnews(replica)
    crawl("sunnews", replica, db_path)
    hits = replica.hits()
    assert not any("en.sunnews24x7" in path or "45871" in path for path in hits)
    assert hits["/rss"] == 1  # tried once, failed, counted
    with Store(db_path) as store:
        rows = {r["title"]: r for r in store.articles()}
        assert set(rows) == {
            "কিমকে পুতিনের চিঠি",
            "কুড়িগ্রামে জেঁকে বসেছে শীত, দুর্ভোগে নিম্ন আয়ের মানুষ",
        }
        kim = rows["কিমকে পুতিনের চিঠি"]
        assert kim["author"] == "আন্তর্জাতিক ডেস্ক"
        assert kim["published_at"] == "2022-08-15T11:20:00+06:00"
        assert len(kim["body"].split("\n\n")) == 7
        district = rows["কুড়িগ্রামে জেঁকে বসেছে শীত, দুর্ভোগে নিম্ন আয়ের মানুষ"]
        assert district["author"] == "কুড়িগ্রাম প্রতিনিধি"
        for row in rows.values():
            for junk in ("আরও পড়ুন", "সান নিউজ/", "Copyright", "..."):
                assert junk not in row["body"]
        stats = store.runs()[-1]["stats"]
        assert stats["newscrawl/duplicates"] == 2  # three layouts, one story
        assert stats["newscrawl/discovery_failed/feed/http_404"] == 1
        assert stats["newscrawl/discovered/sitemap"] == 1
        urls = store.db.execute("SELECT count(*) FROM article_urls").fetchone()[0]
        assert urls == 4


def test_both_outlets_share_one_database(replica, db_path):
    serve_sunnews(replica)
    serve_inqilab(replica)
    crawl("inqilab", replica, db_path)
    crawl("sunnews", replica, db_path)
    with Store(db_path) as store:
        outlets = store.db.execute(
            "SELECT outlet, count(*) FROM articles GROUP BY outlet ORDER BY outlet"
        ).fetchall()
        assert outlets == [("inqilab", 2), ("sunnews", 2)]
        assert [r["spider"] for r in store.runs()] == ["inqilab", "sunnews"]
