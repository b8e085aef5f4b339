"""Scrapyd: deploy the project as an egg with ``scrapyd-deploy`` and crawl a replica through it.

A real ``scrapyd`` listens on a free loopback port in its own temporary directory. The project is
deployed from a copy of this checkout exactly as an operator deploys it (``scrapyd-deploy
<target>`` run in the directory holding ``scrapy.cfg``), so the egg is built by scrapyd-client
itself and nothing is written into the checkout. A crawl of a loopback replica of dailyinqilab.com
is then scheduled through Scrapyd's HTTP API and its articles are read back from the database,
whose path is given only as a setting: the job runs from the egg with Scrapyd's directory as its
working directory, so nothing may depend on the checkout or on a relative path.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.store import Store
from tests.conftest import FAST
from tests.support.checkout import copy_checkout
from tests.support.scrapyd import (
    Scrapyd,
    clean_env,
    context,
    deploy,
    get_json,
    job_log,
    start_scrapyd,
    wait_for_job,
)
from tests.support.sites import inqilab_article, rss

REAL = "https://dailyinqilab.com"


# What a copy of the checkout leaves out: never part of a deploy, and possibly large.
def story(i: int) -> tuple[str, list[str]]:
    title = f"শিরোনাম {i}: স্ক্র্যাপিডি দিয়ে সংগ্রহ"
    paragraphs = [
        f"প্রথম অনুচ্ছেদ, খবর {i}: নির্ধারিত সময়ে সংগ্রহ চলেছে।",
        f"দ্বিতীয় অনুচ্ছেদ, খবর {i}: ডেটাবেসে একবারই জমা হয়েছে।",
    ]
    return title, paragraphs


def article_path(i: int) -> str:
    return f"/national/news/{810000 + i}"


@pytest.fixture
def inqilab_site(replica):
    replica.add("/robots.txt", "User-agent: *\nDisallow: /admin\n", content_type="text/plain")
    for i in (1, 2, 3):
        replica.add(article_path(i), inqilab_article(*story(i), (2024, 12, i, 10, 30)))
    items = [(f"t{i}", f"{REAL}{article_path(i)}", "Sun, 01 Dec 2024 10:00:00 +0600")
             for i in (1, 2, 3)]  # fmt: skip
    replica.add("/rss/rss.xml", rss(items), content_type="application/rss+xml")
    return replica


# -- Scrapyd ---------------------------------------------------------------------------------


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[Scrapyd]:
    for module, name in (("scrapyd", "scrapyd"), ("scrapyd_client.deploy", "scrapyd-client")):
        pytest.importorskip(module, reason=f"{name} is not installed: pip install -e '.[deploy]'")
    (tmp_path / "home").mkdir()
    server = start_scrapyd(tmp_path / "scrapyd", clean_env(tmp_path / "home"))
    try:
        yield server
    finally:
        server.stop()


def test_deployed_egg_crawls_a_replica_into_the_configured_database(
    scrapyd: Scrapyd, inqilab_site, tmp_path: Path
):
    env = clean_env(tmp_path / "home")
    checkout = copy_checkout(tmp_path / "checkout")
    response = deploy(scrapyd, checkout, env)
    assert response["status"] == "ok", response
    assert response["project"] == "newscrawl"
    assert response["spiders"] >= 2  # Scrapyd listed the spiders by running the egg

    # The egg Scrapyd stored: the package and its settings entry point; no tests, no data.
    (egg,) = (scrapyd.root / "eggs" / "newscrawl").glob("*.egg")
    with zipfile.ZipFile(egg) as archive:
        names = archive.namelist()
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert "newscrawl/settings.py" in names
    assert "newscrawl/spiders/inqilab.py" in names
    assert "[scrapy]\nsettings = newscrawl.settings" in entry_points
    assert not [n for n in names if not n.startswith(("newscrawl/", "EGG-INFO/"))], names
    assert "inqilab" in scrapyd.api("listspiders.json", project="newscrawl")["spiders"]

    db_path = tmp_path / "db" / "newscrawl.db"  # absolute: the job's working dir is Scrapyd's
    settings = {**FAST, "NEWSCRAWL_DB": str(db_path)}
    scheduled = get_json(
        f"{scrapyd.url}/schedule.json",
        data=[
            ("project", "newscrawl"),
            ("spider", "inqilab"),
            *(("setting", f"{key}={value}") for key, value in settings.items()),
            ("base_url", inqilab_site.url),  # any other parameter is a spider argument
        ],
    )
    assert scheduled["status"] == "ok", scheduled
    job = scheduled["jobid"]
    wait_for_job(scrapyd, "inqilab", job)

    logs = context(scrapyd, "inqilab", job)
    assert "Spider closed (finished)" in job_log(scrapyd, "inqilab", job).read_text(), logs
    finished = f"Process finished: project='newscrawl' spider='inqilab' job='{job}'"
    assert finished in scrapyd.log.read_text(), logs  # exit status 0, else "Process died"
    hits = inqilab_site.hits()
    assert hits["/robots.txt"] == 1, logs
    assert all(hits[article_path(i)] == 1 for i in (1, 2, 3)), hits

    assert db_path.exists(), logs
    with Store(db_path, create=False) as store:
        rows = {row["article_id"]: row for row in store.articles()}
        assert sorted(rows) == ["810001", "810002", "810003"], logs
        for i in (1, 2, 3):
            title, paragraphs = story(i)
            assert rows[str(810000 + i)]["title"] == title
            assert rows[str(810000 + i)]["body"] == "\n\n".join(paragraphs)
            assert rows[str(810000 + i)]["url"] == f"{inqilab_site.url}{article_path(i)}"
        (run,) = store.runs()
        assert run["spider"] == "inqilab"
        assert run["status"] == "finished"
        assert run["stats"]["newscrawl/articles/new"] == 3
    # Nothing fell back to the relative default under Scrapyd's directory.
    assert not (scrapyd.root / "data").exists()
