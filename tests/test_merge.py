"""`scrapy merge`: other nodes' databases into one, by content hash; `scrapy backup` makes them."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from newscrawl import text
from newscrawl.export import Progress
from newscrawl.store import SCHEMA_VERSION, Store, StoreError
from newscrawl.store.backup import backup_to_file
from newscrawl.store.merge import merge_shard
from tests.conftest import run_scrapy


def article(outlet: str, article_id: str | None, body: str, url: str | None = None) -> dict:
    title = f"শিরোনাম {outlet} {article_id}"
    return {
        "url": url or f"http://{outlet}.test/news/{article_id}",
        "outlet": outlet,
        "article_id": article_id,
        "title": title,
        "body": body,
        "content_hash": text.content_hash(title, body),
        "tags": ["ক"],
        "crawled_at": "2024-12-01T00:00:00+00:00",
    }


def body(i: int, words: int = 40) -> str:
    """Article text unlike any other's (near-duplicates only where a test makes them)."""
    rng = hashlib.sha256(str(i).encode()).digest() * 4
    letters = "কখগঘচছজঝটঠডঢতথদধনপফবভমযরলশষসহ"
    return " ".join(
        letters[rng[k] % len(letters)] + letters[rng[k + 1] % len(letters)] + "া"
        for k in range(words)
    )


def at(store: Store, item: dict, when: str) -> None:
    """Say an article (and its URL) was first seen at ``when`` on its node."""
    store.conn.execute(
        "UPDATE articles SET first_seen_at = :w, crawled_at = :w WHERE content_hash = :h",
        {"w": when, "h": item["content_hash"]},
    )
    store.conn.execute(
        "UPDATE article_urls SET first_seen_at = min(first_seen_at, :w), last_seen_at = :w"
        " WHERE url = :u",
        {"w": when, "u": item["url"]},
    )


def shard(path: Path, items: list[tuple[dict, str]], runs: tuple[str, ...] = ()) -> Path:
    with Store(path) as store:
        for item, when in items:
            store.write_batch([item])
            at(store, item, when)
        for run_id in runs:
            store.start_run(run_id, "inqilab", "2024-12-01T00:00:00+00:00")
            store.finish_run(run_id, "finished", {"item_scraped_count": 1})
    return path


def chains(store: Store) -> set[tuple]:
    return set(
        store.conn.execute(
            "SELECT content_hash, outlet, article_id, revision, previous_hash FROM articles"
        )
    )


def urls(store: Store) -> set[tuple]:
    return set(store.conn.execute("SELECT * FROM article_urls"))


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


A1 = article("inqilab", "1", body(1))
A2 = article("inqilab", "2", body(2))
S1 = article("sunnews", "9", body(9))
NO_ID = article("sunnews", None, body(10), url="http://sunnews.test/page")


@pytest.fixture
def target(tmp_path):
    with Store(tmp_path / "merged.db") as store:
        yield store


def test_a_shard_arrives_whole_with_its_runs_node_search_index_and_clusters(tmp_path, target):
    near = article("sunnews", "10", body(1).replace(body(1)[:3], "ঙঙা", 1))  # A1 lightly edited
    path = shard(
        tmp_path / "node-a.db",
        [
            (A1, "2024-12-01T01:00:00+00:00"),
            (S1, "2024-12-01T02:00:00+00:00"),
            (NO_ID, "2024-12-01T03:00:00+00:00"),
            (near, "2024-12-01T04:00:00+00:00"),
        ],
        runs=("r1",),
    )
    with Store(path) as source:
        expected_chains, expected_urls = chains(source), urls(source)
    target.write_batch([A2])  # this machine's own crawl, and an export of it
    target.conn.execute(
        "INSERT INTO exports VALUES ('daily', ?, '2024-12-02T00:00:00+00:00')",
        (A2["content_hash"],),
    )

    summary = merge_shard(target, path)

    assert (summary.new, summary.revisions, summary.already) == (4, 0, 0)
    assert summary.node == "node-a" and summary.runs == 1 and summary.urls == 4
    assert expected_chains <= chains(target) and expected_urls <= urls(target)
    assert target.count() == 5
    assert target.db.execute("SELECT count(*) FROM exports").fetchone() == (1,)
    (run,) = [r for r in target.runs() if r["run_id"] == "r1"]
    assert run["node"] == "node-a" and run["stats"] == {"item_scraped_count": 1}
    found = target.conn.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", ("title: sunnews",)
    ).fetchone()
    assert found == (3,)  # the search index has what arrived
    merged_near = target.article(near["content_hash"])
    assert merged_near["cluster"] == target.article(A1["content_hash"])["cluster"]
    assert target.similar(near["content_hash"])[0]["content_hash"] == A1["content_hash"]
    assert summary.near_duplicates == 1
    assert target.article(S1["content_hash"])["first_seen_at"] == "2024-12-01T02:00:00+00:00"
    assert "4 new, 0 revisions, 0 already there" in summary.describe()


def test_merging_a_shard_again_changes_nothing(tmp_path, target):
    path = shard(
        tmp_path / "node-a.db",
        [(A1, "2024-12-01T01:00:00+00:00"), (S1, "2024-12-01T02:00:00+00:00")],
        runs=("r1",),
    )
    first = merge_shard(target, path)
    before = dump(target.path)
    again = merge_shard(target, path)
    assert dump(target.path) == before
    assert not again.changed and again.already == first.new == 2


def test_revisions_seen_on_two_nodes_become_one_chain_in_the_order_first_seen(tmp_path):
    # One outlet article edited three times: node A saw versions 1 and 3, node B 1 and 2 (B saw
    # version 1 earlier than A did).
    v1, v2, v3 = (article("inqilab", "7", body(70 + n)) for n in (1, 2, 3))
    a = shard(
        tmp_path / "a.db", [(v1, "2024-12-01T05:00:00+00:00"), (v3, "2024-12-01T09:00:00+00:00")]
    )
    b = shard(
        tmp_path / "b.db", [(v1, "2024-12-01T04:00:00+00:00"), (v2, "2024-12-01T07:00:00+00:00")]
    )
    expected = {
        (v1["content_hash"], "inqilab", "7", 1, None),
        (v2["content_hash"], "inqilab", "7", 2, v1["content_hash"]),
        (v3["content_hash"], "inqilab", "7", 3, v2["content_hash"]),
    }
    for order in ((a, b), (b, a)):
        with Store(tmp_path / f"merged-{order[0].stem}.db") as store:
            summaries = [merge_shard(store, path) for path in order]
            assert chains(store) == expected, order
            assert [r["content_hash"] for r in store.articles(latest_only=True)] == [
                v3["content_hash"]
            ]
            first = store.article(v1["content_hash"])["first_seen_at"]
            assert first == "2024-12-01T04:00:00+00:00"  # the earlier node's sighting
            assert sum(s.new for s in summaries) == 1 and sum(s.revisions for s in summaries) == 2
            assert sum(s.already for s in summaries) == 1
            # A crawl on the merging machine continues the chain after the newest revision.
            v4 = article("inqilab", "7", body(74))
            (outcome,) = store.write_batch([v4])
            assert outcome.kind == "revision" and outcome.previous_hash == v3["content_hash"]
            before = dump(store.path)
            assert not any(merge_shard(store, path).changed for path in order)
            assert dump(store.path) == before


def test_a_url_keeps_its_first_and_last_sighting_across_nodes(tmp_path):
    old = article("inqilab", "3", body(31))
    new = {**article("inqilab", "3", body(32)), "url": old["url"]}
    a = shard(tmp_path / "a.db", [(old, "2024-12-01T01:00:00+00:00")])
    b = shard(tmp_path / "b.db", [(new, "2024-12-01T03:00:00+00:00")])
    with Store(a) as store:  # node A fetched it again later and saw no change
        store.conn.execute("UPDATE article_urls SET last_seen_at = '2024-12-01T02:00:00+00:00'")
    for order in ((a, b), (b, a)):
        with Store(tmp_path / f"merged-{order[0].stem}.db") as target:
            for path in order:
                merge_shard(target, path)
            assert urls(target) == {
                (
                    old["url"],
                    "inqilab",
                    "3",
                    new["content_hash"],
                    "2024-12-01T01:00:00+00:00",
                    "2024-12-01T03:00:00+00:00",
                ),
            }


def test_a_run_merged_while_it_was_going_is_completed_by_a_later_shard(tmp_path, target):
    path = tmp_path / "node-a.db"
    with Store(path) as store:
        store.start_run("r1", "inqilab")
    merge_shard(target, path)
    assert target.runs()[0]["status"] == "running"
    with Store(path) as store:
        store.finish_run("r1", "finished", {})
    assert merge_shard(target, path).runs == 1
    (run,) = target.runs()
    assert run["status"] == "finished" and run["node"] == "node-a"
    merge_shard(target, path, node="other")
    assert target.runs()[0]["node"] == "node-a"  # a run is never moved to another node


def test_a_merge_stopped_part_way_keeps_its_batches_and_a_rerun_completes_it(tmp_path, target):
    items = [
        (article("inqilab", str(i), body(100 + i)), f"2024-12-01T01:{i:02d}:00+00:00")
        for i in range(10)
    ]
    path = shard(tmp_path / "node-a.db", items)

    class Killed(Exception):
        pass

    class StopAfterTwoBatches:
        def start(self, total: int) -> None:
            pass

        def update(self, done: int, *, force: bool = False) -> None:
            if done >= 6:
                raise Killed

        def finish(self) -> None:
            pass

    with pytest.raises(Killed):
        merge_shard(target, path, batch_size=3, progress=StopAfterTwoBatches())
    assert target.count() == 6  # two committed batches
    assert target.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    rerun = merge_shard(target, path, batch_size=3)
    assert (rerun.new, rerun.already) == (4, 6)
    with Store(path) as source:
        assert chains(target) == chains(source) and urls(target) == urls(source)


KILLED_MERGE = """
import sys, time
from newscrawl.store import Store
from newscrawl.store.merge import merge_shard

class Slow:  # a merge that takes long enough to be killed part-way
    def start(self, total): pass
    def update(self, done, *, force=False): time.sleep(0.05)
    def finish(self): pass

with Store(sys.argv[2]) as store:
    merge_shard(store, sys.argv[1], batch_size=2, progress=Slow())
"""


def test_a_merge_killed_with_sigkill_keeps_every_committed_batch(tmp_path, target):
    items = [
        (article("inqilab", str(i), body(400 + i)), "2024-12-01T01:00:00+00:00") for i in range(40)
    ]
    path = shard(tmp_path / "node-a.db", items)
    child = subprocess.Popen([sys.executable, "-c", KILLED_MERGE, str(path), str(target.path)])
    try:
        deadline = time.monotonic() + 30
        while target.count() < 6 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.01)
    finally:
        child.kill()
        child.wait()
    stored = target.count()
    assert 6 <= stored < 40 and stored % 2 == 0  # whole batches only
    assert target.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    rerun = merge_shard(target, path)
    assert (rerun.new, rerun.already) == (40 - stored, stored)
    with Store(path) as source:
        assert chains(target) == chains(source) and urls(target) == urls(source)


def test_a_merge_and_a_crawl_write_to_the_database_at_once(tmp_path, target):
    path = shard(
        tmp_path / "node-a.db",
        [
            (article("inqilab", str(i), body(200 + i)), "2024-12-01T01:00:00+00:00")
            for i in range(60)
        ],
    )
    crawled = [article("sunnews", str(i), body(300 + i)) for i in range(60)]
    errors: list[BaseException] = []

    def crawl() -> None:
        try:
            with Store(target.path) as store:
                for item in crawled:
                    store.write_batch([item])
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=crawl)
    writer.start()
    summary = merge_shard(target, path, batch_size=2)
    writer.join()
    assert not errors and summary.new == 60
    assert target.count() == 120


def test_a_shard_of_an_older_schema_is_merged_from_an_upgraded_copy(tmp_path, target):
    path = shard(tmp_path / "node-a.db", [(A1, "2024-12-01T01:00:00+00:00")], runs=("r1",))
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE runs DROP COLUMN node")  # what migration 5 added
    conn.execute("PRAGMA user_version = 4")
    conn.close()
    before = path.read_bytes()
    summary = merge_shard(target, path)
    assert summary.new == 1 and summary.upgraded_from == 4
    assert "upgraded in a temporary copy" in summary.describe()
    assert target.runs()[0]["node"] == "node-a"
    assert path.read_bytes() == before  # the shard itself is never written
    assert sorted(p.name for p in target.path.parent.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no shard at"),
        (lambda p: p.write_bytes(b"not sqlite" * 200), "not a usable SQLite database"),
        (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)"), "not a newscrawl database"),
    ],
)
def test_what_is_not_a_shard_is_refused_in_one_line(tmp_path, target, make, message):
    path = tmp_path / "shard.db"
    make(path)
    with pytest.raises(StoreError, match=message):
        merge_shard(target, path)


def test_the_database_itself_is_not_a_shard(target):
    with pytest.raises(StoreError, match="the database being merged into"):
        merge_shard(target, target.path)


def test_a_progress_bar_shows_on_a_terminal(tmp_path, target):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    path = shard(tmp_path / "node-a.db", [(A1, "2024-12-01T01:00:00+00:00")])
    screen = Terminal()
    merge_shard(target, path, progress=Progress(screen, every=0))
    assert "1/1 articles" in screen.getvalue()


def test_backup_copies_committed_changes_still_in_the_wal_into_one_file(tmp_path):
    source = Store(tmp_path / "live.db")
    try:
        source.conn.execute("PRAGMA wal_autocheckpoint = 0")  # keep every change in the -wal
        source.write_batch([A1, A2])
        assert Path(f"{source.path}-wal").stat().st_size > 0
        copy = tmp_path / "out" / "node-a.db"
        assert backup_to_file(source.path, copy) == 2
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (2,)
        conn.close()
        assert not Path(f"{copy}-wal").exists()
        assert [p.name for p in copy.parent.iterdir()] == ["node-a.db"]
        with pytest.raises(StoreError, match="pass --force"):
            backup_to_file(source.path, copy)
        with pytest.raises(StoreError, match="the database itself"):
            backup_to_file(source.path, source.path, force=True)
        with pytest.raises(StoreError, match="live database"):
            backup_to_file(copy, source.path, force=True)
    finally:
        source.close()


def test_backup_then_merge_on_the_command_line(tmp_path):
    node = shard(tmp_path / "node.db", [(A1, "2024-12-01T01:00:00+00:00")], runs=("r1",))
    merged = tmp_path / "merged.db"
    result = run_scrapy("backup", str(tmp_path / "node-a.db"), "--db", str(node))
    assert result.returncode == 0, result.stderr
    assert "1 articles copied" in result.stderr
    result = run_scrapy("merge", str(tmp_path / "node-a.db"), "--db", str(merged))
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("scrapy merge: merged node-a.db from node node-a: 1 new")
    with Store(merged) as store:
        assert store.runs()[0]["node"] == "node-a"
    conn = sqlite3.connect(node)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    # A shard that cannot be merged is one line, and the shards after it are still merged.
    result = run_scrapy("merge", str(node), str(tmp_path / "node-a.db"), "--db", str(merged))
    assert result.returncode == 1
    refused, merged_again = result.stderr.strip().splitlines()
    assert refused == (
        f"scrapy merge: {node} has schema version {SCHEMA_VERSION + 1}, newer than this"
        f" newscrawl ({SCHEMA_VERSION}): upgrade newscrawl on this machine, then merge again"
    )
    assert merged_again.startswith("scrapy merge: merged node-a.db from node node-a: 0 new")
    result = run_scrapy("merge", str(node), str(node), "--node", "x", "--db", str(merged))
    assert result.returncode == 2
    assert "--node names one shard's machine" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_names_the_node_a_merged_run_came_from():
    from newscrawl.commands.report import table

    run = {"started_at": "2024-05-01T10:00:00+00:00", "spider": "inqilab", "status": "finished",
           "outcome": "healthy"}  # fmt: skip
    here, there = table([run])[1], table([{**run, "node": "node-b"}])[1]
    assert " inqilab " in here and "@" not in here
    assert " inqilab@node-b " in there
