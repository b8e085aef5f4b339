"""The search index of a batch, written at the batch's end: complete after every batch, after a
failed or killed one, for every other writer (merge, plain SQL) and in an upgraded store."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest

from newscrawl import text
from newscrawl.search import search
from newscrawl.store import MIGRATIONS, Store
from newscrawl.store.merge import merge_shard
from newscrawl.store.schema import SCHEMA_VERSION, statements


def article(i: int, *, outlet: str = "sunnews", title: str | None = None) -> dict:
    title = title or f"শিরোনাম {i}"
    body = f"প্রথম অনুচ্ছেদ শব্দ{i} এখানে। আরও কিছু কথা লেখা হলো।\n\nদ্বিতীয় অনুচ্ছেদ {i}"
    return {
        "url": f"http://{outlet}.test/news/{i}",
        "outlet": outlet,
        "article_id": str(i),
        "title": title,
        "subtitle": f"উপশিরোনাম{i}",
        "body": body,
        "content_hash": text.content_hash(title, body),
    }


def assert_index_complete(store: Store) -> None:
    """Every stored article, and nothing else, is in the index, with the text it was stored with."""
    conn = store.conn
    indexed = [i for (i,) in conn.execute("SELECT id FROM articles_fts_docsize ORDER BY id")]
    assert indexed == [s for (s,) in conn.execute("SELECT seq FROM articles ORDER BY seq")]
    conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    assert conn.execute("SELECT count(*) FROM fts_deferred").fetchone() == (0,)


def found(store: Store, word: str) -> list[str]:
    return [hit.title for hit in search(store, word, all_revisions=True)]


def test_each_batch_indexes_the_articles_it_stored_and_no_other(db_path):
    with Store(db_path) as store:
        store.write_batch([article(i) for i in range(3)])
        assert_index_complete(store)
        # Duplicates only: nothing new to index.
        store.write_batch([article(1), article(2)])
        # New, a duplicate within the batch and one of an earlier batch, a revision.
        store.write_batch([article(3), article(3), article(0), article(2, title="নতুন শিরোনাম")])
        assert_index_complete(store)
        assert store.count() == 5
        assert found(store, "শব্দ3") == ["শিরোনাম 3"]
        assert found(store, "উপশিরোনাম2") == ["শিরোনাম 2", "নতুন শিরোনাম"]
        assert found(store, "অনুচ্ছেদ") and len(found(store, "অনুচ্ছেদ")) == 5


def test_a_batch_that_fails_leaves_no_article_no_index_row_and_no_mark(db_path):
    with Store(db_path) as store:
        store.write_batch([article(0)])
        broken = {**article(2), "title": None}  # NOT NULL: the batch fails at its second article
        with pytest.raises(sqlite3.IntegrityError):
            store.write_batch([article(1), broken])
        assert store.count() == 1
        assert_index_complete(store)
        store.write_batch([article(1)])
        assert_index_complete(store)


def test_rows_written_by_other_tools_are_indexed_by_the_trigger(db_path):
    with Store(db_path) as store:
        store.write_batch([article(0)])
    conn = sqlite3.connect(db_path)  # as sqlite-utils or datasette would write
    conn.execute(
        "INSERT INTO articles (content_hash, outlet, url, title, body, first_seen_at)"
        " VALUES ('00000000000000ff', 'manual', 'http://m.test/1', 'হাতে লেখা', 'বাইরের লেখা', 'now')"
    )
    conn.execute("UPDATE articles SET title = 'বদলানো শিরোনাম' WHERE seq = 1")
    conn.commit()
    conn.close()
    with Store(db_path) as store:
        assert_index_complete(store)
        assert found(store, "বাইরের") == ["হাতে লেখা"]
        assert found(store, "বদলানো") == ["বদলানো শিরোনাম"]


def test_a_merged_shard_is_indexed(tmp_path):
    with Store(tmp_path / "node-a.db") as shard:
        shard.write_batch([article(i, outlet="inqilab", title=f"ইনকিলাব {i}") for i in range(5)])
    with Store(tmp_path / "newscrawl.db") as target:
        target.write_batch([article(i) for i in range(3)])
        merge_shard(target, tmp_path / "node-a.db", batch_size=2)
        assert target.count() == 8
        assert_index_complete(target)
        assert found(target, "শব্দ4") == ["ইনকিলাব 4"]


# The child stores one batch, then stops (SIGSTOP to itself) inside the second batch's
# transaction, after its articles and before their index rows: the parent SIGKILLs it there.
KILLED_WRITE = """
import os, signal, sys
sys.path.insert(0, sys.argv[2])
from newscrawl.store import Store
from tests.test_fts_batched import article

store = Store(sys.argv[1])
store.write_batch([article(i) for i in range(10)])

def trace(sql):
    if sql.startswith("INSERT INTO articles_fts"):
        os.kill(os.getpid(), signal.SIGSTOP)

store.conn.set_trace_callback(trace)
store.write_batch([article(i) for i in range(10, 30)])
"""


def test_a_write_killed_before_its_index_rows_loses_no_index_row_of_a_committed_article(db_path):
    from tests.conftest import PROJECT

    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITE, str(db_path), str(PROJECT)])
    try:
        with open(f"/proc/{child.pid}/stat") as stat:
            for _ in range(3000):  # until the child stops itself (state T), at most 30 s
                stat.seek(0)
                if stat.read().rsplit(")", 1)[1].split()[0] == "T" or child.poll() is not None:
                    break
                time.sleep(0.01)
        assert child.poll() is None, "the child ended before it reached the index rows"
    finally:
        child.kill()
        child.wait()
    with Store(db_path) as store:
        assert store.count() == 10
        assert_index_complete(store)
        store.write_batch([article(i) for i in range(10, 30)])
        assert store.count() == 30
        assert_index_complete(store)


def v5_store(path) -> None:
    """A database as newscrawl 5 left it: every migration up to 5, an article indexed by the old
    trigger (with no condition)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for version in range(1, 6):
        for statement in statements(MIGRATIONS[version]):
            conn.execute(statement)
    conn.execute(
        "INSERT INTO articles (seq, content_hash, outlet, url, title, body, first_seen_at)"
        " VALUES (1, '00000000000000aa', 'sunnews', 'http://s.test/1', 'পুরনো', 'আগের লেখা', 'now')"
    )
    conn.execute("PRAGMA user_version = 5")
    conn.close()


def test_a_version_5_store_is_upgraded_and_stays_complete(db_path):
    v5_store(db_path)
    with Store(db_path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert found(store, "আগের") == ["পুরনো"]
        store.write_batch([article(i) for i in range(4)])
        assert_index_complete(store)
        assert found(store, "শব্দ3") == ["শিরোনাম 3"]
        triggers = store.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_ai'"
        ).fetchall()
        assert len(triggers) == 1 and "fts_deferred" in triggers[0][0]
