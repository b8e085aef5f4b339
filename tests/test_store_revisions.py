"""Revisions and URL sightings in the store: one chain per article, last sightings kept fresh."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl import text
from newscrawl.store import Store


def edition(body: str, *, article_id: str = "7", url: str = "http://x/7") -> dict:
    return {
        "url": url,
        "outlet": "inqilab",
        "article_id": article_id,
        "title": "শিরোনাম",
        "body": body,
        "content_hash": text.content_hash("শিরোনাম", body),
    }


def chain(store: Store, article_id: str = "7") -> list[tuple[int, str, str | None]]:
    return store.conn.execute(
        "SELECT revision, content_hash, previous_hash FROM articles"
        " WHERE outlet = 'inqilab' AND article_id = ? ORDER BY seq",
        (article_id,),
    ).fetchall()


def test_each_edit_gets_the_next_revision_number(db_path):
    with Store(db_path) as store:
        bodies = ["প্রথম লেখা", "দ্বিতীয় লেখা", "তৃতীয় লেখা", "চতুর্থ লেখা"]
        outcomes = [store.write_batch([edition(b)])[0] for b in bodies]
        assert [o.kind for o in outcomes] == ["new", "revision", "revision", "revision"]
        rows = chain(store)
        assert [r[0] for r in rows] == [1, 2, 3, 4]
        assert [r[2] for r in rows] == [None, *(r[1] for r in rows[:-1])]
        assert [o.previous_hash for o in outcomes] == [r[2] for r in rows]


def test_seeing_a_url_again_updates_its_last_sighting(db_path):
    with Store(db_path) as store:
        store.write_batch([edition("লেখা")])
        old = "2020-01-01T00:00:00+00:00"
        store.conn.execute("UPDATE article_urls SET first_seen_at = ?, last_seen_at = ?", [old] * 2)
        store.write_batch([edition("লেখা")])
        first, last = store.conn.execute(
            "SELECT first_seen_at, last_seen_at FROM article_urls"
        ).fetchone()
        assert first == old
        assert last > old
        first_seen, last_seen = store.article_seen("inqilab", "7")
        assert first_seen.year == 2020 and last_seen.year > 2020


def test_a_url_whose_content_changed_points_at_the_new_content(db_path):
    with Store(db_path) as store:
        store.write_batch([edition("পুরনো")])
        store.write_batch([edition("নতুন")])
        (stored,) = store.conn.execute("SELECT content_hash FROM article_urls").fetchone()
        assert stored == text.content_hash("শিরোনাম", "নতুন")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=12))
def test_revisions_always_form_one_chain(versions):
    """Whatever order edits (and re-sightings of old text) arrive in, one article's rows are
    revisions 1..n, each pointing at the one before."""
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "r.db") as store:
        for version in versions:
            store.write_batch([edition(f"সংস্করণ {version}")])
        rows = chain(store)
        assert len(rows) == len(set(versions))
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        assert rows[0][2] is None
        for earlier, later in itertools.pairwise(rows):
            assert later[2] == earlier[1]
