"""Adding an outlet, the whole way a contributor walks it, run by the machine.

In a copy of the project: scaffold an invented outlet, capture a saved page as a fixture
offline, then the golden tests pass and a crawl of a loopback replica of the outlet stores it.
"""

import json
import subprocess
import sys

import pytest

from newscrawl.commands.newoutlet import render
from newscrawl.extraction.meta import strip_site_name
from newscrawl.store import Store
from tests.conftest import scrapy_args, scrapy_env
from tests.support import unfamiliar
from tests.support.checkout import copy_checkout
from tests.support.sites import rss

URL = "https://www.dhakapost.test/national/news/123456"
PAGE = """<!DOCTYPE html><html lang="bn"><head><meta charset="utf-8">
<title>নদীতে নতুন সেতু চালু | Dhakapost</title>
<meta property="og:title" content="নদীতে নতুন সেতু চালু | Dhakapost">
<meta property="article:published_time" content="2025-01-05T09:30:00+06:00">
<link rel="canonical" href="https://www.dhakapost.test/national/news/123456"></head>
<body><header><nav><a href="/national">জাতীয়</a> <a href="/sports">খেলা</a></nav></header>
<main><article><h1>নদীতে নতুন সেতু চালু</h1>
<p>দীর্ঘ প্রতীক্ষার পর আজ নদীর ওপর নতুন সেতু যান চলাচলের জন্য খুলে দেওয়া হয়েছে।</p>
<p>স্থানীয় বাসিন্দারা বলছেন, এতে দুই পারের মানুষের যাতায়াতের সময় অনেক কমবে।</p>
<p>সেতুটি নির্মাণে তিন বছর সময় লেগেছে।</p></article>
<aside><h3>আরও খবর</h3><a href="/sports/news/123400">খেলার খবর</a></aside></main>
<footer>© Dhakapost</footer></body></html>"""


def run(checkout, *args, env=None, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=checkout, env=scrapy_env(**(env or {})),
        capture_output=True, text=True, timeout=120, check=False, **kwargs,
    )  # fmt: skip


@pytest.fixture
def checkout(tmp_path):
    return copy_checkout(tmp_path / "newscrawl")


def test_a_new_outlet_from_nothing_to_a_tested_crawl(checkout, tmp_path, replica):
    made = run(checkout, "scrapy", "newoutlet", "dhakapost", "--domain", "dhakapost.test",
               "--feed", "https://www.dhakapost.test/rss.xml")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "scrapy fixture" in made.stdout  # the next steps
    assert (checkout / "newscrawl/spiders/dhakapost.py").exists()
    assert "dhakapost" in run(checkout, "scrapy", "list").stdout.split()

    # Until the outlet has a fixture, the guard test fails and names what is missing.
    guard = run(checkout, "pytest", "tests/test_golden.py", "-q", "-p", "no:cacheprovider")
    assert guard.returncode == 1
    assert "spider 'dhakapost' has no fixtures: add" in guard.stdout

    saved = tmp_path / "saved.html"
    saved.write_text(PAGE, "utf-8")
    captured = run(checkout, "scrapy", "fixture", "--from-file", str(saved), "--url", URL,
                   "--case", "plain")  # fmt: skip
    assert captured.returncode == 0, captured.stderr
    assert "3 paragraphs" in captured.stdout
    expected = json.loads((checkout / "tests/fixtures/dhakapost/plain.json").read_text("utf-8"))
    [item] = expected["items"]
    assert item["title"] == "নদীতে নতুন সেতু চালু"
    assert item["published_at"] == "2025-01-05T09:30:00+06:00"
    assert item["article_id"] == "123456"
    assert item["body"].startswith("দীর্ঘ প্রতীক্ষার পর") and "আরও খবর" not in item["body"]
    assert (checkout / "tests/fixtures/dhakapost/plain.html").read_bytes() == saved.read_bytes()

    golden = run(checkout, "pytest", "tests/test_golden.py", "-q", "-p", "no:cacheprovider")
    assert golden.returncode == 0, golden.stdout[-3000:]

    replica.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
    replica.add("/rss.xml", rss([("t", URL, "Sun, 05 Jan 2025 09:30:00 +0600")]))
    replica.add("/national/news/123456", PAGE)
    db = tmp_path / "crawl.db"
    crawl = run(checkout, "scrapy", "crawl", "dhakapost", "-a", f"base_url={replica.url}",
                *scrapy_args({"NEWSCRAWL_DB": str(db)}))  # fmt: skip
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    with Store(db) as store:
        [stored] = list(store.articles())
        assert stored["content_hash"] == item["content_hash"]
        assert stored["outlet"] == "dhakapost"


def test_newoutlet_refuses_bad_and_taken_names(checkout):
    for name, message in (
        ("inqilab", "an outlet named 'inqilab' exists already"),
        ("Dhaka-Post", "is not a valid name"),
        ("class", "is not a valid name"),
    ):
        result = run(checkout, "scrapy", "newoutlet", name, "--domain", "example.com")
        assert result.returncode == 2 and message in result.stderr, result.stderr
    result = run(checkout, "scrapy", "newoutlet", "example", "--domain", "not a domain")
    assert result.returncode == 2 and "is not a domain name" in result.stderr


def test_fixture_refuses_to_overwrite_and_reads_feeds(checkout, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(rss([("t", "https://dailyinqilab.com/national/news/1234", None)]), "utf-8")
    args = ("scrapy", "fixture", "--from-file", str(feed), "--url",
            "https://dailyinqilab.com/rss/rss.xml", "--case", "tiny_feed")  # fmt: skip
    first = run(checkout, *args)
    assert first.returncode == 0, first.stderr
    assert (checkout / "tests/fixtures/inqilab/tiny_feed.xml").exists()
    assert "1 link(s) found" in first.stdout
    again = run(checkout, *args)
    assert again.returncode == 1 and "exists already" in again.stderr


def test_update_golden_rewrites_expected_json_for_review(checkout):
    case = checkout / "tests/fixtures/inqilab/plain.json"
    good = case.read_text("utf-8")
    case.write_text(good.replace("অনলাইন ডেস্ক", "ভুল লেখক"), "utf-8")
    failing = run(checkout, "pytest", "tests/test_golden.py", "-q", "-p", "no:cacheprovider")
    assert failing.returncode == 1
    update = run(checkout, "pytest", "tests/test_golden.py", "-q", "-p", "no:cacheprovider",
                 "--update-golden")  # fmt: skip
    assert update.returncode == 0, update.stdout[-2000:]
    assert case.read_text("utf-8") == good


def skeleton_spider(names=()):
    namespace: dict = {}
    exec(render("shapes", "shapes.test", [], [], [], names), namespace)
    return namespace["ShapesSpider"]


@pytest.mark.parametrize(
    ("path", "article_id"),
    [
        ("/national/news/123456", "123456"),
        ("/tp-firstpage/1138370", "1138370"),
        ("/bangladesh/6suuafru01", "6suuafru01"),  # an id that is not a number
        ("/804943/%E0%A6%AC%E0%A7%8D%E0%A6%B0", "804943"),  # a percent-encoded slug after it
        ("/section/some-words-12345", "12345"),  # the id ending a slug
        ("/national/slug-words-12345.html", "12345"),
        ("/2025/01/05/river-bridge-opens", "2025/01/05/river-bridge-opens"),
        ("/details.php?cat=2&id=55", "55"),
        ("/", None),
        ("/sports", None),
        ("/category/sports?page=2", None),
        ("/page/2", None),
        ("/archive/2025-01-05", None),
        ("/2025/01/05/", None),
    ],
)
def test_scaffold_article_path_accepts_real_url_shapes(path, article_id):
    spider = skeleton_spider()()
    assert spider.article_id(f"https://www.shapes.test{path}") == article_id


def test_scaffold_reads_the_site_name_from_a_page(checkout, tmp_path):
    page = tmp_path / "home.html"
    page.write_text(
        '<html><head><meta property="og:site_name" content="Dhaka Post">'
        "<title>নদীতে নতুন সেতু চালু | ঢাকা পোস্ট</title>"
        '<meta property="og:title" content="নদীতে নতুন সেতু চালু"></head><body></body></html>',
        "utf-8",
    )
    made = run(checkout, "scrapy", "newoutlet", "dhakapost", "--domain", "dhakapost.test",
               "--page", str(page))  # fmt: skip
    assert made.returncode == 0, made.stderr
    source = (checkout / "newscrawl/spiders/dhakapost.py").read_text("utf-8")
    assert "site_names = ('Dhaka Post', 'ঢাকা পোস্ট')" in source
    # and the stripping works with them
    spider = skeleton_spider(["Dhaka Post", "ঢাকা পোস্ট"])
    assert strip_site_name("নদীতে নতুন সেতু চালু | ঢাকা পোস্ট", spider.site_names) == ("নদীতে নতুন সেতু চালু")


def test_scaffold_with_an_unreadable_page_guesses_the_name(checkout, tmp_path):
    made = run(checkout, "scrapy", "newoutlet", "dhakapost", "--domain", "dhakapost.test",
               "--page", str(tmp_path / "missing.html"))  # fmt: skip
    assert made.returncode == 0, made.stderr
    [warning] = made.stderr.strip().splitlines()
    assert "cannot read" in warning and "guessed from the domain" in warning
    source = (checkout / "newscrawl/spiders/dhakapost.py").read_text("utf-8")
    assert "site_names = ('Dhakapost',)" in source


LOOPBACK_SPIDER = """import re

from newscrawl.spiders.base import OutletSpider


class LoopSpider(OutletSpider):
    name = "loop"
    site_url = "http://127.0.0.1"
    site_hosts = ("127.0.0.1",)
    feeds = ("/rss.xml",)
    article_path = re.compile(r"^/news/(?P<id>\\d+)$")
"""


def test_fixture_and_probe_never_write_to_the_database_nor_leave_locks(checkout, tmp_path, replica):
    (checkout / "newscrawl/spiders/loop.py").write_text(LOOPBACK_SPIDER, "utf-8")
    replica.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
    replica.add("/news/123456", PAGE)
    replica.add("/rss.xml", rss([("t", f"{replica.url}/news/123456", None)]))
    folder = tmp_path / "store"
    folder.mkdir()
    env = {"NEWSCRAWL_DB": str(folder / "newscrawl.db")}
    fast = scrapy_args({})
    failed = run(checkout, "scrapy", "fixture", f"{replica.url}/news/999", "--case", "gone",
                 *fast, env=env)  # fmt: skip
    assert failed.returncode == 1 and "could not fetch" in failed.stderr, failed.stderr[-2000:]
    fetched = run(checkout, "scrapy", "fixture", f"{replica.url}/news/123456", "--case", "plain",
                  *fast, env=env)  # fmt: skip
    assert fetched.returncode == 0, fetched.stderr[-2000:]
    probed = run(checkout, "scrapy", "probe", "loop", "-a", f"base_url={replica.url}", *fast,
                 env=env)  # fmt: skip
    assert "1 article(s) probed" in probed.stdout, probed.stderr[-2000:]
    assert list(folder.iterdir()) == []  # no database, no lock file, no log
    assert not (checkout / "data").exists()


def test_newoutlet_refuses_a_feed_that_is_neither_url_nor_path(checkout):
    result = run(checkout, "scrapy", "newoutlet", "example", "--domain", "example.com",
                 "--feed", "notaurl")  # fmt: skip
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "--feed 'notaurl' is neither a URL" in line
    assert not (checkout / "newscrawl/spiders/example.py").exists()
    for args, message in (
        (("--url", "notaurl"), "is not an http(s) URL"),
        ((), "give the site: --url https://site/"),
        (("--from-file", "a.html"), "give the site"),
        (("--url", "https://x.test/", "-a", "since=2024-01-01"), "only -a base_url="),
    ):
        result = run(checkout, "scrapy", "newoutlet", "example", *args)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)


def test_newoutlet_learns_offline_from_saved_pages(checkout, tmp_path):
    pages = []
    for article in unfamiliar.ARTICLES[:3]:
        saved = tmp_path / f"{article[0]}.html"
        saved.write_text(unfamiliar.article_page(article), "utf-8")
        url = f"https://www.khobor.test{unfamiliar.path_of(article)}"
        pages += ["--from-file", str(saved), "--url", url]
    made = run(checkout, "scrapy", "newoutlet", "khobor", *pages)
    assert made.returncode == 0, made.stderr[-3000:]
    spider = (checkout / "newscrawl/spiders/khobor.py").read_text("utf-8")
    assert 'site_url = "https://www.khobor.test"' in spider
    assert '"body": (".khobor-deho > p",),  # 3/3 samples' in spider
    assert len(list((checkout / "tests/fixtures/khobor").glob("*.json"))) == 3
    missing = run(checkout, "scrapy", "newoutlet", "other", "--from-file", "nope.html",
                  "--url", "https://www.other.test/news/1")  # fmt: skip
    assert missing.returncode == 1 and "cannot read nope.html" in missing.stderr
    assert not (checkout / "newscrawl/spiders/other.py").exists()
