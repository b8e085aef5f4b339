import sqlite3
from datetime import datetime

import pytest

from newscrawl.store import SCHEMA_VERSION, Store, StoreError


def article(url="http://x/1", title="শিরোনাম", body="দেহ", content_hash="0" * 16, **kw):
    return {
        "url": url,
        "outlet": "inqilab",
        "article_id": "1",
        "title": title,
        "body": body,
        "content_hash": content_hash,
        "tags": ["ক", "খ"],
        "extraction": {"title": "selectors"},
        **kw,
    }


@pytest.fixture
def store(db_path):
    with Store(db_path) as s:
        yield s


def test_schema_is_created_with_a_version_and_wal(store):
    assert store.schema_version == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"articles", "article_urls", "runs"} <= set(store.db.table_names())
    assert "latest_articles" in store.db.view_names()


def test_known_content_is_stored_once_and_every_url_remembered(store):
    outcomes = store.write_batch([article(), article(url="http://x/copy")])
    assert [o.kind for o in outcomes] == ["new", "duplicate"]
    outcomes = store.write_batch([article()])  # a later run
    assert [o.kind for o in outcomes] == ["duplicate"]
    assert store.count("articles") == 1
    assert store.has_url("http://x/1") and store.has_url("http://x/copy")
    assert not store.has_url("http://x/never")
    row = store.article("0" * 16)
    assert row["tags"] == ["ক", "খ"] and row["extraction"] == {"title": "selectors"}
    assert row["seq"] == 1 and row["revision"] == 1


def test_edited_article_becomes_a_linked_revision(store):
    store.write_batch([article()])
    outcome = store.write_batch([article(body="নতুন দেহ", content_hash="1" * 16)])[0]
    assert outcome.kind == "revision" and outcome.previous_hash == "0" * 16
    first, second = store.articles()
    assert (first["revision"], second["revision"]) == (1, 2)
    assert second["previous_hash"] == first["content_hash"]
    assert first["body"] == "দেহ"  # nothing overwritten
    assert [a["content_hash"] for a in store.articles(latest_only=True)] == ["1" * 16]
    assert store.db.execute(
        "SELECT content_hash FROM article_urls WHERE url = 'http://x/1'"
    ).fetchone() == ("1" * 16,)


def test_sequence_numbers_are_stable_and_unique(store):
    store.write_batch([article(content_hash=f"{i:016x}", article_id=str(i)) for i in range(5)])
    assert [a["seq"] for a in store.articles()] == [1, 2, 3, 4, 5]


def test_failed_batch_leaves_nothing_behind(store):
    with pytest.raises(KeyError):
        store.write_batch([article(content_hash="a" * 16), {"title": "no hash"}])
    assert store.count("articles") == 0


def test_runs_are_recorded(store):
    store.start_run("r1", "inqilab")
    assert store.runs()[0]["status"] == "running"
    store.finish_run("r1", "finished", {"item_scraped_count": 3})
    run = store.runs("inqilab")[0]
    assert run["status"] == "finished" and run["stats"] == {"item_scraped_count": 3}
    assert datetime.fromisoformat(run["finished_at"]) >= datetime.fromisoformat(run["started_at"])


def test_a_newer_schema_is_refused_with_a_clear_message(db_path):
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="upgrade newscrawl"):
        Store(db_path)


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no database"):
        Store(tmp_path / "none.db", create=False)


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        Store(bad)


def test_sequence_numbers_and_the_search_index_survive_vacuum(store):
    rows = [
        article(content_hash=f"{i:016x}", article_id=str(i), title=f"শিরোনাম {word}")
        for i, word in enumerate(["বৃষ্টি", "রোদ", "ঝড়"])
    ]
    store.write_batch(rows)
    store.conn.execute("DELETE FROM article_urls")  # a gap-making change, then a rewrite
    store.conn.execute("VACUUM")
    assert [(a["seq"], a["title"]) for a in store.articles()] == [
        (1, "শিরোনাম বৃষ্টি"),
        (2, "শিরোনাম রোদ"),
        (3, "শিরোনাম ঝড়"),
    ]
    found = store.conn.execute(
        "SELECT a.title FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
        " WHERE articles_fts MATCH 'রোদ'"
    ).fetchall()
    assert found == [("শিরোনাম রোদ",)]


def _write_many(db_path: str, writer: int, batches: int) -> None:
    with Store(db_path) as store:
        for b in range(batches):
            store.write_batch(
                article(
                    content_hash=f"{writer:02x}{b:06x}{i:08x}",
                    article_id=f"{writer}-{b}-{i}",
                    body=f"দেহ {writer} {b} {i}",
                )
                for i in range(20)
            )


def test_two_writers_at_once_never_meet_database_is_locked(db_path):
    """Two crawls writing to one database take turns; neither fails."""
    import multiprocessing

    Store(db_path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(db_path), w, 40)) for w in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    with Store(db_path) as store:
        assert store.count() == 2 * 40 * 20
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
