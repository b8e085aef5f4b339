"""A new outlet in one command, learned from a site the project has never seen.

In a copy of the project, against a loopback mirror of an unfamiliar layout
(``tests/support/unfamiliar.py``): ``scrapy newoutlet x --url`` writes a spider whose learned
selectors read every field; the README's lint and format commands and the tests that enumerate
outlets (the golden and guard tests, and the four that print the outlet list) pass there; the
crawl stores every article cleanly. Then the site is redesigned: the crawl turns unhealthy, and
``scrapy probe x --suggest`` prints a diff that, applied, makes it healthy again. (The whole
suite in the copy would take minutes: the tests that depend on which outlets exist are run.)
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newscrawl.store import Store
from tests.conftest import scrapy_args, scrapy_env
from tests.support import unfamiliar
from tests.support.checkout import copy_checkout

OUTLET_TESTS = (
    "tests/test_golden.py",
    "tests/test_extract_command.py::test_crawl_with_a_bad_argument_or_spider_is_one_line",
    "tests/test_inqilab_e2e.py::test_probe_of_an_unknown_outlet_is_one_line",
    "tests/test_scheduled.py::test_unknown_outlet_is_a_usage_error",
    "tests/test_hostile_cli.py::test_usage_mistakes_are_one_line_exit_2",
)


def run(checkout, *args, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=checkout, env=scrapy_env(), capture_output=True,
        text=True, timeout=timeout, check=False,
    )  # fmt: skip


def crawl(checkout, replica, db):
    done = run(checkout, "scrapy", "crawl", "khobor", "-a", f"base_url={replica.url}",
               *scrapy_args({"NEWSCRAWL_DB": str(db)}))  # fmt: skip
    with Store(db) as store:
        articles = list(store.articles())
        [last_run] = store.runs("khobor", limit=1)
    return done, articles, last_run


@pytest.fixture
def learned(tmp_path, replica):
    checkout = copy_checkout(tmp_path / "newscrawl")
    unfamiliar.install(replica)
    made = run(checkout, "scrapy", "newoutlet", "khobor", "--url", f"{replica.url}/",
               "-s", "DOWNLOAD_DELAY=0")  # fmt: skip
    assert made.returncode == 0, made.stderr[-3000:]
    return checkout, made


def test_a_new_outlet_learned_from_its_site_crawls_every_article_cleanly(
    learned, replica, tmp_path
):
    checkout, made = learned
    spider = (checkout / "newscrawl/spiders/khobor.py").read_text("utf-8")
    # Discovery read from the site: the feed its home page names, the sitemap robots.txt names.
    assert 'feeds = ("/feeds/latest.xml",)' in spider
    assert "sitemaps_from_robots = True" in spider
    assert r"(?P<id>\d{3,})[-_]" in spider  # the id opening the slug: /bn/desh/20451-slug
    for field in ("title", "author", "published", "body"):
        assert f'"{field}": (' in spider and "5/5 samples" in spider, field
    # The table of fields x layers x fill rate.
    assert "json-ld" in made.stdout and "fallback" in made.stdout
    body_row = next(line for line in made.stdout.splitlines() if line.startswith("body"))
    assert "5/5 samples" in body_row and "selectors 5" in body_row
    # The samples are fixtures with their expected JSON.
    cases = sorted((checkout / "tests/fixtures/khobor").glob("*.json"))
    assert len(cases) == 5
    [item] = json.loads(cases[0].read_text("utf-8"))["items"]
    assert item["extraction"]["body"] == "selectors"

    lint = run(checkout, "ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout[-3000:]
    form = run(checkout, "ruff", "format", "--check", ".")
    assert form.returncode == 0, form.stdout[-3000:]
    suite = run(checkout, "pytest", "-q", "-p", "no:cacheprovider", *OUTLET_TESTS, timeout=400)
    assert suite.returncode == 0, suite.stdout[-3000:]

    done, articles, last_run = crawl(checkout, replica, tmp_path / "crawl.db")
    assert done.returncode == 0, done.stderr[-3000:]
    assert last_run["outcome"] == "healthy", last_run
    assert len(articles) == len(unfamiliar.ARTICLES)  # the sixth was never a sample
    by_id = {a["article_id"]: a for a in articles}
    for article_id, _section, _slug, headline, reporter, when in unfamiliar.ARTICLES:
        stored = by_id[str(article_id)]
        assert stored["title"] == headline
        assert stored["author"] == reporter
        assert stored["published_at"].startswith(f"{when[0]}-{when[1]:02d}-{when[2]:02d}T")
        assert stored["body"] == "\n\n".join(unfamiliar.paragraphs(article_id))
        layers = stored["extraction"]
        assert layers["body"] == "selectors" and layers["author"] == "selectors"


def test_a_redesign_turns_the_crawl_unhealthy_and_probe_suggests_the_fix(
    learned, replica, tmp_path
):
    checkout, _ = learned
    unfamiliar.install(replica, layout=2)
    _, _, last_run = crawl(checkout, replica, tmp_path / "redesign.db")
    assert last_run["outcome"] == "unhealthy"
    assert any("fallback" in problem for problem in last_run["problems"]), last_run

    probe = run(checkout, "scrapy", "probe", "khobor", "--suggest", "--limit", "5",
                "-a", f"base_url={replica.url}", *scrapy_args({}))  # fmt: skip
    assert probe.returncode == 1, probe.stderr[-3000:]  # the body is under the fallback
    assert "--- a/newscrawl/spiders/khobor.py" in probe.stdout, probe.stdout
    assert '+        "body": (' in probe.stdout
    # The old selector stays, after the new one.
    diff = probe.stdout[probe.stdout.index("--- a/") :]
    assert ".khobor-deho" in diff.split('"body"', 1)[1].split("),", 1)[0]
    applied = subprocess.run(["patch", "-p1"], input=diff, cwd=checkout, capture_output=True,
                             text=True, check=False)  # fmt: skip
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert run(checkout, "ruff", "check", "newscrawl/spiders/khobor.py").returncode == 0
    assert run(checkout, "ruff", "format", "--check", "newscrawl/spiders/khobor.py").returncode == 0

    _, articles, last_run = crawl(checkout, replica, tmp_path / "fixed.db")
    assert last_run["outcome"] == "healthy", last_run
    for stored in articles:
        assert stored["extraction"]["body"] == "selectors"
        assert stored["body"] == "\n\n".join(unfamiliar.paragraphs(int(stored["article_id"])))
    # The old layout's fixtures still pass: the old selectors were kept.
    golden = run(checkout, "pytest", "-q", "-p", "no:cacheprovider", "tests/test_golden.py")
    assert golden.returncode == 0, golden.stdout[-3000:]


@pytest.mark.parametrize(
    ("named", "documents", "site_url", "discovery"),
    [
        # A mirror of a real site: its robots.txt, feed, sitemap and links name the site.
        ("https://www.khobor.test", True, "https://www.khobor.test", '"/feeds/latest.xml"'),
        # No feed, no sitemap: the articles are the home page's links.
        (None, False, None, 'listings = ("/",)'),
    ],
)  # fmt: skip
def test_learning_from_a_mirror_of_a_real_site_or_a_home_page_alone(
    tmp_path, replica, named, documents, site_url, discovery
):
    checkout = copy_checkout(tmp_path / "newscrawl")
    unfamiliar.install(replica, named=named, documents=documents)
    made = run(checkout, "scrapy", "newoutlet", "khobor", "--url", f"{replica.url}/",
               "-s", "DOWNLOAD_DELAY=0")  # fmt: skip
    assert made.returncode == 0, made.stderr[-3000:]
    spider = (checkout / "newscrawl/spiders/khobor.py").read_text("utf-8")
    assert f'site_url = "{site_url or replica.url}"' in spider
    assert discovery in spider
    for check in (("check",), ("format", "--check")):
        assert run(checkout, "ruff", *check, "newscrawl/spiders/khobor.py").returncode == 0
    case = json.loads(next((checkout / "tests/fixtures/khobor").glob("*.json")).read_text("utf-8"))
    assert case["url"].startswith(site_url or replica.url)
    done, articles, last_run = crawl(checkout, replica, tmp_path / "crawl.db")
    assert last_run["outcome"] == "healthy", (last_run, done.stderr[-2000:])
    assert len(articles) == len(unfamiliar.ARTICLES)
    assert {a["extraction"]["body"] for a in articles} == {"selectors"}


def test_learning_the_real_site_through_a_mirror_with_base_url(tmp_path, replica):
    checkout = copy_checkout(tmp_path / "newscrawl")
    unfamiliar.install(replica, named="https://www.khobor.test")
    made = run(checkout, "scrapy", "newoutlet", "khobor", "--url", "https://www.khobor.test/",
               "-a", f"base_url={replica.url}", "-s", "DOWNLOAD_DELAY=0")  # fmt: skip
    assert made.returncode == 0, made.stderr[-3000:]
    spider = (checkout / "newscrawl/spiders/khobor.py").read_text("utf-8")
    assert 'site_url = "https://www.khobor.test"' in spider
    assert 'site_hosts = ("www.khobor.test", "khobor.test")' in spider
    cases = list((checkout / "tests/fixtures/khobor").glob("*.json"))
    assert len(cases) == 5
    for case in cases:
        assert json.loads(case.read_text("utf-8"))["url"].startswith("https://www.khobor.test/bn/")
    assert replica.requests[0] == "/robots.txt"  # read first, from the mirror
