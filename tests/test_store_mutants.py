"""The store's run log, its report figures, its read-only side and its queries, pinned where
mutation testing found nothing checking them. Real stores on tmp_path, written the way a crawl
writes them."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from newscrawl import text
from newscrawl.store import ArticleQuery, Store, StoreError
from newscrawl.store import overview as figures

# Long enough for a stable SimHash: two titles over one body are near-duplicates (distance 0).
BODY = (
    "ঢাকায় আজ সকাল থেকে ভারী বৃষ্টি হচ্ছে। নগরীর বিভিন্ন এলাকায় জলাবদ্ধতা দেখা দিয়েছে।\n\n"
    "আবহাওয়া অধিদপ্তর জানিয়েছে আগামী দুই দিন বৃষ্টি অব্যাহত থাকতে পারে। নিচু এলাকার মানুষকে "
    "সতর্ক থাকতে বলা হয়েছে।"
)
OTHER = (
    "জাতীয় ক্রিকেট দল আজ সিরিজের শেষ ম্যাচে জয় পেয়েছে। অধিনায়ক দলের সবার প্রশংসা করেছেন।\n\n"
    "পরের সিরিজ শুরু হবে আগামী মাসে, প্রস্তুতি ক্যাম্প বসবে রাজধানীতে।"
)


def news(
    title: str,
    *,
    body: str = BODY,
    outlet: str = "inqilab",
    article_id: str | None = None,
    published_at: str | None = "2023-08-16T08:39:00+06:00",
    url: str | None = None,
) -> dict:
    return {
        "url": url or f"http://{outlet}.test/{article_id or title}",
        "outlet": outlet,
        "article_id": article_id,
        "title": title,
        "body": body,
        "content_hash": text.content_hash(title, body),
        "published_at": published_at,
    }


@pytest.fixture
def store(db_path):
    with Store(db_path) as opened:
        yield opened


def finished(store: Store, run_id: str, spider: str, started: str, new: int, status="finished"):
    store.start_run(run_id, spider, started)
    store.finish_run(run_id, status, {"item_scraped_count": new}, {"new_articles": new})


# -- runs --------------------------------------------------------------------------------------


def test_only_the_other_running_runs_of_the_outlet_are_marked_abandoned(store):
    store.start_run("dead", "inqilab", "2023-08-16T00:00:00+00:00")
    store.start_run("other-outlet", "sunnews", "2023-08-16T00:00:00+00:00")
    finished(store, "done", "inqilab", "2023-08-16T01:00:00+00:00", 3)
    store.start_run("me", "inqilab", "2023-08-16T02:00:00+00:00")

    assert store.mark_abandoned("inqilab", "me") == 1
    by_id = {run["run_id"]: run for run in store.runs()}
    assert by_id["dead"]["status"] == "abandoned"
    assert by_id["dead"]["outcome"] == "unhealthy"
    assert by_id["dead"]["problems"] == ["the process ended before recording the run (killed?)"]
    assert by_id["me"]["status"] == "running"
    assert by_id["other-outlet"]["status"] == "running"
    assert by_id["done"]["status"] == "finished"
    assert store.mark_abandoned("inqilab", "me") == 0
    # With no run of its own (a command that holds the lock), every running one is abandoned.
    assert store.mark_abandoned("sunnews", None) == 1


def test_runs_are_listed_oldest_first_the_newest_ones_when_limited(store):
    for hour in (3, 1, 2):
        finished(store, f"i{hour}", "inqilab", f"2023-08-16T0{hour}:00:00+00:00", hour)
    finished(store, "s1", "sunnews", "2023-08-16T04:00:00+00:00", 9)

    assert [run["run_id"] for run in store.runs()] == ["i1", "i2", "i3", "s1"]
    assert [run["run_id"] for run in store.runs("inqilab")] == ["i1", "i2", "i3"]
    assert [run["run_id"] for run in store.runs("inqilab", limit=2)] == ["i2", "i3"]
    assert [run["run_id"] for run in store.runs(limit=1)] == ["s1"]
    first = store.runs("inqilab")[0]
    assert first["stats"] == {"item_scraped_count": 1}  # decoded JSON, not text
    assert first["new_articles"] == 1 and first["finished_at"] is not None


def test_new_articles_before_counts_only_earlier_finished_crawls_of_the_outlet(store):
    finished(store, "a", "inqilab", "2023-08-16T01:00:00+00:00", 5)
    finished(store, "locked", "inqilab", "2023-08-16T02:00:00+00:00", 0, status="locked")
    finished(store, "b", "inqilab", "2023-08-16T03:00:00+00:00", 0)
    finished(store, "other", "sunnews", "2023-08-16T03:30:00+00:00", 7)
    store.start_run("unfinished", "inqilab", "2023-08-16T03:45:00+00:00")
    finished(store, "c", "inqilab", "2023-08-16T04:00:00+00:00", 2)
    finished(store, "later", "inqilab", "2023-08-16T06:00:00+00:00", 4)

    assert store.new_articles_before("inqilab", "c", 5) == [0, 5]
    assert store.new_articles_before("inqilab", "c", 1) == [0]
    assert store.new_articles_before("inqilab", "later", 5) == [2, 0, 5]
    assert store.new_articles_before("inqilab", "a", 5) == []


def test_a_run_record_keeps_its_summary_columns_and_drops_unknown_ones(store):
    store.start_run("r", "inqilab", "2023-08-16T01:00:00+00:00")
    store.finish_run(
        "r",
        "finished",
        {"when": date(2023, 8, 16)},  # not JSON by itself: written as text, not refused
        {"new_articles": 2, "problems": ["ক"], "layers": {"body": {"selectors": 2}}, "bogus": 1},
    )
    [run] = store.runs()
    assert run["stats"] == {"when": "2023-08-16"}
    assert run["problems"] == ["ক"]
    assert run["layers"] == {"body": {"selectors": 2}}
    assert "bogus" not in run
    raw = store.conn.execute("SELECT problems FROM runs").fetchone()[0]
    assert raw == json.dumps(["ক"], ensure_ascii=False)  # Bengali as it is


# -- articles ----------------------------------------------------------------------------------


def test_a_url_is_known_once_stored_and_only_that_url(store):
    store.write_batch([news("এক", url="http://inqilab.test/1")])
    assert store.has_url("http://inqilab.test/1") is True
    assert store.has_url("http://inqilab.test/2") is False


def test_counting_and_selecting_agree_for_every_filter(store):
    store.write_batch(
        [
            news("এক", published_at="2023-08-15T23:59:00+06:00"),
            news("দুই", published_at="2023-08-16T00:00:00+06:00", body=OTHER),
            news("তিন", outlet="sunnews", published_at="2023-08-17T10:00:00+06:00"),
            news("চার", published_at="2023-08-18T00:00:00+06:00", body=OTHER),
        ]
    )
    cases = {
        ArticleQuery(): 4,
        ArticleQuery(outlets=("sunnews",)): 1,
        ArticleQuery(outlets=("inqilab", "sunnews")): 4,
        ArticleQuery(since=date(2023, 8, 16)): 3,
        ArticleQuery(until=date(2023, 8, 17)): 3,
        ArticleQuery(since=date(2023, 8, 16), until=date(2023, 8, 16)): 1,
    }
    for query, expected in cases.items():
        assert store.count_articles(query) == expected, query
        assert len(list(store.select_articles(query))) == expected, query

    store.start_export_tally()
    for article in store.select_articles(ArticleQuery(outlets=("sunnews",))):
        store.tally_exported(article["content_hash"])
    store.remember_export("target")
    left = ArticleQuery(not_exported_to="target")
    assert store.count_articles(left) == 3
    assert store.count_articles(ArticleQuery(not_exported_to="elsewhere")) == 4


def test_asking_for_an_outlet_the_store_lacks_names_the_ones_it_has(store, db_path):
    with pytest.raises(StoreError, match="it holds no articles yet"):
        store.require_outlets(["inqilab"])
    store.require_outlets([])  # nothing asked, nothing to refuse
    store.write_batch([news("এক"), news("দুই", outlet="sunnews", body=OTHER)])
    store.require_outlets(["sunnews", "inqilab"])
    with pytest.raises(StoreError) as refused:
        store.require_outlets(["inqilab", "prothomalo"])
    assert str(refused.value) == (f"no outlet 'prothomalo' in {db_path}: it holds inqilab, sunnews")


# -- read-only -----------------------------------------------------------------------------------


def test_a_read_only_store_reads_everything_writes_nothing_and_waits_like_a_writer(db_path):
    with Store(db_path) as writer:
        writer.write_batch([news("এক", url="http://inqilab.test/1")])
        with Store(db_path, readonly=True) as reader:
            assert reader.readonly is True
            assert reader.count() == 1
            assert reader.has_url("http://inqilab.test/1")
            # A reader outwaits a writer's batch exactly as long as a writer does.
            assert reader.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 60_000
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                reader.write_batch([news("দুই", body=OTHER)])
        assert writer.count() == 1


def test_an_existing_database_opened_for_reading_only_when_asked(db_path):
    Store(db_path).close()
    with Store(db_path, create=False) as store:
        assert store.readonly is False  # a writable file in a writable folder
    with Store(db_path, create=False, readonly=True) as store:
        assert store.readonly is True


# -- the report's store-wide figures -------------------------------------------------------------


def test_the_newest_publication_day_is_the_stored_day_in_the_outlets_time(store):
    assert figures.newest_publication_day(store.conn) is None
    store.write_batch(
        [
            news("এক", published_at="2023-08-16T23:30:00+06:00"),
            news("দুই", published_at=None, body=OTHER),
        ]
    )
    assert figures.newest_publication_day(store.conn) == date(2023, 8, 16)


def test_articles_per_day_counts_latest_revisions_inside_the_window(store):
    store.write_batch(
        [
            news("আগে", article_id="0", published_at="2023-08-13T23:59:00+06:00"),
            news("প্রথম", article_id="1", published_at="2023-08-14T00:00:00+06:00"),
            news("সম্পাদিত", article_id="1", published_at="2023-08-14T00:00:00+06:00", body=OTHER),
            news("দ্বিতীয়", article_id="2", published_at="2023-08-16T23:59:00+06:00"),
            news("সান", outlet="sunnews", article_id="3", published_at="2023-08-16T10:00:00+06:00"),
            news("পরে", article_id="4", published_at="2023-08-17T00:00:00+06:00"),
        ]
    )
    rows = figures.articles_per_day(store.conn, date(2023, 8, 16), 3)
    assert rows == [
        {"day": "2023-08-14", "outlet": "inqilab", "articles": 1},  # the edit counts once
        {"day": "2023-08-16", "outlet": "inqilab", "articles": 1},
        {"day": "2023-08-16", "outlet": "sunnews", "articles": 1},
    ]
    assert figures.articles_per_day(store.conn, date(2023, 8, 16), 1) == rows[1:]


def test_the_biggest_clusters_count_distinct_articles_and_outlets(store):
    store.write_batch(
        [
            news("প্রথম", article_id="1", published_at="2023-08-15T09:00:00+06:00"),
            news(
                "দ্বিতীয়", outlet="sunnews", article_id="9", published_at="2023-08-16T09:00:00+06:00"
            ),
            news("তৃতীয়", article_id="2", published_at="2023-08-17T09:00:00+06:00"),
            news("একা", article_id="3", body=OTHER),
        ]
    )
    [cluster] = figures.biggest_clusters(store.conn)
    first = store.conn.execute("SELECT seq FROM articles WHERE title = 'প্রথম'").fetchone()[0]
    assert cluster == {
        "cluster": first,
        "articles": 3,
        "outlets": 2,
        "outlet_names": cluster["outlet_names"],
        "first_day": "2023-08-15",
        "last_day": "2023-08-17",
        "title": "প্রথম",
        "url": "http://inqilab.test/1",
    }
    assert sorted(cluster["outlet_names"].split(",")) == ["inqilab", "sunnews"]
    assert figures.biggest_clusters(store.conn, limit=0) == []


def test_recent_runs_are_each_outlets_own_last_days_without_the_raw_stats(store):
    finished(store, "old", "inqilab", "2023-08-01T00:00:00+00:00", 1)
    finished(store, "edge", "inqilab", "2023-08-09T00:00:00+00:00", 2)
    finished(store, "new", "inqilab", "2023-08-16T00:00:00+00:00", 3)
    finished(store, "quiet", "sunnews", "2023-07-01T00:00:00+00:00", 4)

    runs = figures.recent_runs(store.conn, 7)
    assert [run["run_id"] for run in runs] == ["edge", "new", "quiet"]
    assert all("stats" not in run for run in runs)
    assert runs[0]["new_articles"] == 2 and runs[0]["spider"] == "inqilab"
    only = figures.recent_runs(store.conn, 7, "sunnews")
    assert [run["run_id"] for run in only] == ["quiet"]
    assert [run["run_id"] for run in figures.recent_runs(store.conn, 6)] == ["new", "quiet"]


# -- look-ups, search, backups ---------------------------------------------------------------


def test_an_unknown_hash_is_no_article(store):
    store.write_batch([news("এক")])
    assert store.article("f" * 16) is None
    assert store.article(text.content_hash("এক", BODY))["title"] == "এক"


def test_search_ranks_by_default_marks_its_matches_and_can_list_newest_first(store):
    store.write_batch(
        [
            news("বৃষ্টি বৃষ্টি বৃষ্টি", article_id="1"),  # the best match, stored first
            news("খেলা", article_id="2", body=OTHER + "\n\nবৃষ্টি হয়নি।"),
        ]
    )
    ranked = store.search("বৃষ্টি", ArticleQuery(), limit=5)
    assert [hit["title"] for hit in ranked] == ["বৃষ্টি বৃষ্টি বৃষ্টি", "খেলা"]
    assert "[বৃষ্টি]" in ranked[0]["snippet"]
    newest = store.search("বৃষ্টি", ArticleQuery(), limit=1, newest=True, marks=("<b>", "</b>"))
    assert [hit["title"] for hit in newest] == ["খেলা"]
    assert "<b>বৃষ্টি</b>" in newest[0]["snippet"]
    assert set(newest[0]) == {"published_at", "outlet", "title", "url", "content_hash", "snippet"}


def test_a_backup_goes_into_new_folders_and_says_plainly_what_it_refuses(tmp_path, db_path):
    from newscrawl.store.backup import backup_to_file

    with pytest.raises(StoreError) as missing:
        backup_to_file(db_path, tmp_path / "copy.db")
    assert str(missing.value) == (
        f"no database at {db_path}: run a crawl first, or give its path with --db or NEWSCRAWL_DB"
    )
    assert not db_path.exists()  # asking for a backup never creates the database

    with Store(db_path) as store:
        store.write_batch([news("এক"), news("দুই", body=OTHER)])
    nested = tmp_path / "shards" / "node-a" / "a.db"
    assert backup_to_file(db_path, nested) == 2
    assert backup_to_file(db_path, nested.with_name("b.db")) == 2  # the folder exists now
    assert sorted(p.name for p in nested.parent.iterdir()) == ["a.db", "b.db"]
    with Store(nested, create=False) as copy:
        assert copy.count() == 2

    with pytest.raises(StoreError) as folder:
        backup_to_file(db_path, nested.parent)
    assert str(folder.value) == f"{nested.parent} is a folder: give the file to write, e.g. NODE.db"


# -- merging a shard -----------------------------------------------------------------------------


def test_a_merge_counts_each_edit_as_a_revision_and_says_so(tmp_path):
    from newscrawl.store.merge import merge_shard
    from tests.test_merge import article, body

    edits = [article("inqilab", "1", body(n)) for n in (1, 2, 3)]
    known = article("sunnews", "2", body(4))
    with Store(tmp_path / "node-a.db") as node:
        for edit in [*edits, known]:
            node.write_batch([edit])
    with Store(tmp_path / "main.db") as main:
        main.write_batch([known])
        summary = merge_shard(main, tmp_path / "node-a.db", batch_size=1)
        assert (summary.new, summary.revisions, summary.already) == (1, 2, 1)
        assert 0 <= summary.seconds < 60
        assert summary.describe() == (
            "merged node-a.db from node node-a: 1 new, 2 revisions, 1 already there; 1 URLs and"
            f" 0 runs added or updated, 0 near-duplicate pairs, in {summary.seconds:.1f} s"
        )
        assert [row[0] for row in main.conn.execute(
            "SELECT revision FROM articles WHERE article_id = '1' ORDER BY revision"
        )] == [1, 2, 3]  # fmt: skip


def test_a_merge_refuses_a_batch_of_nothing_and_a_read_only_store(tmp_path):
    from newscrawl.store.merge import merge_shard

    Store(tmp_path / "node.db").close()
    with Store(tmp_path / "main.db") as main:
        with pytest.raises(StoreError) as refused:
            merge_shard(main, tmp_path / "node.db", batch_size=0)
        assert str(refused.value) == "the batch size must be at least 1"
    with Store(tmp_path / "main.db", create=False, readonly=True) as main:
        with pytest.raises(StoreError) as refused:
            merge_shard(main, tmp_path / "node.db")
        assert str(refused.value) == (
            f"{tmp_path / 'main.db'} is read-only: a merge needs write access to it"
        )
