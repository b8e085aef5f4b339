"""Two Scrapyd nodes, two databases, one merge: the same database one machine would have built.

Two real ``scrapyd`` servers listen on loopback, each on its own port in its own folder, like two
machines. The egg is built once and deployed to both (``scrapyd-deploy --egg``). Node A crawls a
replica of dailyinqilab.com, node B one of sunnews24x7.com, each into its own database. Each
database is backed up to a shard (``scrapy backup``'s code) and ``scrapy merge`` puts both shards
into one database, which must hold what a single machine crawling both outlets stores: the same
content hashes, revisions, URLs and near-duplicates, and runs marked with their node. Merging
again changes nothing.

The single machine crawls while the nodes do, so the test costs little more than one crawl.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.store import Store
from newscrawl.store.backup import backup_to_file
from newscrawl.store.merge import merge_shard
from tests.conftest import FAST, run_scrapy, scrapy_args, scrapy_env
from tests.support.checkout import copy_checkout
from tests.support.replica import Replica
from tests.support.scrapyd import (
    Scrapyd,
    clean_env,
    context,
    deploy,
    get_json,
    start_scrapyd,
    wait_for_job,
)
from tests.test_sunnews_e2e import serve_inqilab, serve_sunnews

OUTLETS = {"node-a": "inqilab", "node-b": "sunnews"}


@pytest.fixture
def sites() -> Iterator[dict[str, Replica]]:
    replicas = {"inqilab": Replica().start(), "sunnews": Replica().start()}
    serve_inqilab(replicas["inqilab"])
    serve_sunnews(replicas["sunnews"])
    try:
        yield replicas
    finally:
        for replica in replicas.values():
            replica.stop()


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[dict[str, Scrapyd]]:
    for module, name in (("scrapyd", "scrapyd"), ("scrapyd_client.deploy", "scrapyd-client")):
        pytest.importorskip(module, reason=f"{name} is not installed: pip install -e '.[deploy]'")
    (tmp_path / "home").mkdir()
    env = clean_env(tmp_path / "home")
    servers: dict[str, Scrapyd] = {}
    try:
        for node in OUTLETS:
            servers[node] = start_scrapyd(tmp_path / node, env)
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def schedule(server: Scrapyd, spider: str, db: Path, site: Replica) -> str:
    settings = {**FAST, "NEWSCRAWL_DB": str(db)}
    scheduled = get_json(
        f"{server.url}/schedule.json",
        data=[
            ("project", "newscrawl"),
            ("spider", spider),
            *(("setting", f"{key}={value}") for key, value in settings.items()),
            ("base_url", site.url),
        ],
    )
    assert scheduled["status"] == "ok", scheduled
    return scheduled["jobid"]


def crawl_on_one_machine(spider: str, db: Path, site: Replica) -> subprocess.Popen:
    """``scrapy crawl SPIDER`` into the single machine's database, started now."""
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"base_url={site.url}",
         *scrapy_args({"NEWSCRAWL_DB": str(db)})],
        cwd=Path(__file__).resolve().parent.parent,
        env=scrapy_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def content(db: Path) -> dict[str, set]:
    """What must be equal: articles, URLs, near-duplicate pairs, the search index, runs.

    The sunnews replica serves one story at three URLs (three article ids): the article row
    takes the id of whichever URL a crawl happened to fetch first, so rows are compared without
    it; every URL's id and content are compared in ``urls``.
    """
    with Store(db, create=False) as store:
        sql = store.conn.execute
        return {
            "articles": set(sql("SELECT content_hash, outlet, revision, previous_hash,"
                                " title, body, published_at FROM articles")),
            "urls": set(sql("SELECT url, outlet, article_id, content_hash FROM article_urls")),
            "near": {(frozenset(pair), distance) for *pair, distance in
                     sql("SELECT older_hash, newer_hash, distance FROM near_duplicates")},
            "indexed": set(sql("SELECT a.content_hash FROM articles_fts f"
                               " JOIN articles a ON a.rowid = f.rowid")),
            "runs": {(run["spider"], run["node"], run["status"], run["new_articles"])
                     for run in store.runs()},
        }  # fmt: skip


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_two_nodes_merged_equal_one_machine_crawling_both(nodes, sites, tmp_path: Path):
    single = tmp_path / "single" / "newscrawl.db"  # the single machine starts first
    crawls = [crawl_on_one_machine(spider, single, sites[spider]) for spider in sites]
    env = clean_env(tmp_path / "home")
    checkout = copy_checkout(tmp_path / "checkout")
    assert deploy(nodes["node-a"], checkout, env, "node-a")["status"] == "ok"
    (egg,) = (nodes["node-a"].root / "eggs" / "newscrawl").glob("*.egg")
    assert deploy(nodes["node-b"], checkout, env, "node-b", "--egg", str(egg))["status"] == "ok"

    jobs = {
        node: schedule(server, OUTLETS[node], server.root / "newscrawl.db", sites[OUTLETS[node]])
        for node, server in nodes.items()
    }
    for crawl in crawls:
        _, stderr = crawl.communicate(timeout=120)
        assert crawl.returncode == 0, stderr[-3000:]
    for node, server in nodes.items():
        wait_for_job(server, OUTLETS[node], jobs[node])

    shards = tmp_path / "shards"
    for node, server in nodes.items():
        assert (server.root / "newscrawl.db").exists(), context(server, OUTLETS[node], jobs[node])
        backup_to_file(server.root / "newscrawl.db", shards / f"{node}.db")
    merged = tmp_path / "merged" / "newscrawl.db"
    args = ["merge", str(shards / "node-a.db"), str(shards / "node-b.db"), "--db", str(merged)]
    result = run_scrapy(*args)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[1] for line in lines] == [
        " merged node-a.db from node node-a",
        " merged node-b.db from node node-b",
    ], lines

    expected, got = content(single), content(merged)
    assert {a[1] for a in got["articles"]} == {"inqilab", "sunnews"}
    for key in ("articles", "urls", "near", "indexed"):
        assert got[key] == expected[key], key
    assert {(spider, node) for spider, node, *_ in got["runs"]} == {
        ("inqilab", "node-a"),
        ("sunnews", "node-b"),
    }
    assert {(s, st, n) for s, _, st, n in got["runs"]} == {
        (s, st, n) for s, _, st, n in expected["runs"]
    }

    before = dump(merged)
    with Store(merged) as store:  # in this process: a second `scrapy merge` costs a start-up
        again = [merge_shard(store, shards / f"{node}.db") for node in nodes]
    assert not any(summary.changed for summary in again)
    assert dump(merged) == before
