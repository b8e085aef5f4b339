"""``--newest`` behind a filter whose articles are many but spread thin among the matches: the
same hits in the same order whichever way the filter's articles are gone through."""

from datetime import date, timedelta

import pytest

from newscrawl.store import ArticleQuery, Store, reading

WORD = "বন্যা"
ARTICLES = 3_000


def outlet(n: int) -> str:
    if n % 50 == 7:
        return "thin"  # 1 in 50 of the matches, in every page of the filter
    return "old" if n < 300 else "daily"


def published(n: int) -> date:
    """A day a day in store order, but every 40th article is a backfilled one of 2010."""
    if n % 40 == 3:
        return date(2010, 1, 1) + timedelta(days=n * 37 % 365)
    return date(2015, 1, 1) + timedelta(days=n)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """ARTICLES stored in order, by plain INSERTs (the FTS trigger indexes them): WORD in two of
    every three; article 2,957 of "thin" revised (its revision 2 stored last, without WORD)."""
    with Store(tmp_path_factory.mktemp("thin") / "newscrawl.db") as s:
        rows = [_row(n, article_id=str(n), revision=1) for n in range(ARTICLES)]
        rows.append(_row(ARTICLES, article_id="2957", revision=2, outlet_name="thin"))
        columns = ", ".join(rows[0])
        marks = ", ".join(f":{column}" for column in rows[0])
        with s.transaction() as conn:
            conn.executemany(f"INSERT INTO articles ({columns}) VALUES ({marks})", rows)
        yield s


def _row(n: int, *, article_id: str, revision: int, outlet_name: str | None = None) -> dict:
    said = WORD if n % 3 and n < ARTICLES else "খরা"
    return {
        "seq": n + 1,
        "content_hash": f"{n:016x}",
        "outlet": outlet_name or outlet(n),
        "article_id": article_id,
        "revision": revision,
        "url": f"https://example.com/news/{n}",
        "title": f"খবর {n}",
        "body": f"নদীর পানি বাড়ছে {said} {n}",
        "published_at": f"{published(n)}T10:00:00+06:00",
        "first_seen_at": "2024-01-01T00:00:00+00:00",
    }


FILTERS = [
    ArticleQuery(outlets=("thin",)),
    ArticleQuery(outlets=("thin", "old")),
    ArticleQuery(until=date(2010, 12, 31)),  # the backfill: 1 in 40, through the whole store
    ArticleQuery(since=date(2010, 3, 1), until=date(2010, 5, 31)),
    ArticleQuery(outlets=("thin",), until=date(2015, 6, 1)),
    ArticleQuery(outlets=("thin",), latest_only=False),
    ArticleQuery(outlets=("daily",), until=date(2010, 12, 31)),  # more daily, fewer days
    ArticleQuery(since=date(2015, 1, 1), until=date(2020, 12, 31)),  # most, not the last ~800
    ArticleQuery(outlets=("daily",), since=date(2015, 1, 1), until=date(2020, 12, 31)),
]


def expected(store: Store, query: ArticleQuery, limit: int) -> list[str]:
    """The slow way: every article the filter keeps that says WORD, newest stored first."""
    kept = [
        a
        for a in store.select_articles(query)
        if WORD in a["body"]
        and (not query.outlets or a["outlet"] in query.outlets)
        and (not query.since or a["published_at"][:10] >= str(query.since))
        and (not query.until or a["published_at"][:10] <= str(query.until))
    ]
    return [a["title"] for a in sorted(kept, key=lambda a: -a["seq"])[:limit]]


@pytest.mark.parametrize("match", [WORD, "বন্য*"])  # the word; a prefix of it (no other)
@pytest.mark.parametrize("limit", [1, 21, 1000])
@pytest.mark.parametrize("query", FILTERS)
def test_every_way_through_the_filter_finds_the_same_in_the_same_order(
    store, query, limit, match, monkeypatch
):
    want = expected(store, query, limit)
    assert want, "the filter keeps matches"

    def titles(**how):
        hits = store.search(match, query, limit=limit, newest=True, **how)
        return [hit["title"] for hit in hits]

    assert titles(walk_steps=10**9) == want  # the walk from the newest match, reading rows
    monkeypatch.setattr(reading, "FILTER_PAGE", 7)  # many pages of the filter's articles
    # Every filter read from its index; then those of 50 articles or more read as broad ones,
    # from the end of the table, and then with that read cut short at once (the index again).
    for counted, scan in [(10_000, 10**9), (50, 10**9), (50, 0)]:
        monkeypatch.setattr(reading, "PART_COUNTED", counted)
        monkeypatch.setattr(reading, "BROAD_SCAN_ROWS", scan)
        for probe_matches in (0, 1, reading.PROBE_MATCHES, 10**9):  # look-ups, both, the walk
            got = titles(walk_steps=0, probe_matches=probe_matches)
            assert got == want, (counted, scan, probe_matches)


def test_a_revision_without_the_word_hides_the_older_one(store):
    titles = [h["title"] for h in store.search(WORD, FILTERS[0], limit=2, newest=True)]
    assert titles == ["খবর 2857", "খবর 2807"]  # not 2957: its newest revision lost the word


def test_the_walk_over_a_page_reads_no_row_it_does_not_keep(store):
    """The page of the filter's articles is a list each match is checked against before its
    row is read, over the page's stretch of the index, in index order (no sort)."""
    where = "a.outlet IN ('thin')"
    sql = (
        f"SELECT a.seq FROM articles_fts JOIN latest_articles a ON a.seq = articles_fts.rowid"
        f" WHERE articles_fts MATCH :match AND {where} AND {reading._ON_THE_PAGE}"
        " ORDER BY articles_fts.rowid DESC LIMIT 5"
    )
    params = {"match": WORD, "low": 8, "high": 2958, "page": "[2958, 2858, 58, 8]"}
    plan = [row[-1] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    assert plan[0].startswith("SCAN articles_fts VIRTUAL TABLE INDEX")
    assert plan[0].endswith("><")  # a stretch of the index: not a look-up per listed article
    assert "LIST SUBQUERY 1" in plan and not any("TEMP B-TREE" in step for step in plan)
    # 2958 is an older revision, 58 lacks WORD.
    assert [seq for (seq,) in store.conn.execute(sql, params)] == [2858, 8]


def test_a_stretch_dense_with_matches_is_looked_up_a_sparse_one_walked(store):
    """WORD is in ~1,970 articles of the stretch the filter's 61 articles span: more than 10
    matches each, so with probe_matches=10 they are looked up; 3 numbers are walked."""
    statements: list[str] = []

    def search(match):
        statements.clear()
        store.conn.set_trace_callback(statements.append)
        try:
            hits = store.search(match, FILTERS[0], limit=3, newest=True, walk_steps=0,
                                probe_matches=10)  # fmt: skip
        finally:
            store.conn.set_trace_callback(None)
        walked = any("json_each" in sql for sql in statements)
        looked_up = sum(sql.startswith("SELECT 1 FROM articles_fts") for sql in statements)
        return [h["title"] for h in hits], walked, looked_up

    # Looked up from the filter's newest: 3000 (2957's revision 2, without WORD), 2957 (a match
    # but not the newest revision), 2907 (without WORD), 2857, 2807, 2757 (without), 2707.
    assert search(WORD) == (["খবর 2857", "খবর 2807", "খবর 2707"], False, 7)
    assert search("2907 OR 2857 OR 57") == (["খবর 2907", "খবর 2857", "খবর 57"], True, 0)


@pytest.mark.parametrize("query", [FILTERS[4], FILTERS[6]])
def test_an_outlet_with_days_reads_the_outlets_index_by_day(store, query):
    """thin (61 articles) until mid-2015, daily (2,700) in 2010 (75 backfilled): each read from
    the index of each outlet's articles by day (which holds their seq), no row read."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        store.search(WORD, query, limit=5, newest=True, walk_steps=0)
    finally:
        store.conn.set_trace_callback(None)
    pages = [sql for sql in statements if sql.startswith("SELECT +a.seq")]
    plan = str(store.conn.execute(f"EXPLAIN QUERY PLAN {pages[0]}").fetchall())
    assert "COVERING INDEX articles_outlet_published" in plan


def test_a_filter_of_most_articles_is_read_from_the_end_of_the_table(store, monkeypatch):
    """2015-2020: ~2,150 articles, all but the last ~800 stored; counted as broad (over
    PART_COUNTED), its first page is read backwards from the table's end, not from the
    index of days (which would read every one of its entries for each page)."""
    monkeypatch.setattr(reading, "PART_COUNTED", 1_000)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        hits = store.search(WORD, FILTERS[-2], limit=3, newest=True, walk_steps=0)
    finally:
        store.conn.set_trace_callback(None)
    assert [h["title"] for h in hits] == expected(store, FILTERS[-2], 3)
    [page] = [sql for sql in statements if sql.startswith("SELECT a.seq FROM articles")]
    plan = str(store.conn.execute(f"EXPLAIN QUERY PLAN {page}").fetchall())
    assert "SCAN a" in plan and "INDEX" not in plan and "TEMP B-TREE" not in plan


def test_a_store_of_version_6_gets_the_outlets_index_by_day(tmp_path):
    path = tmp_path / "newscrawl.db"
    with Store(path) as s:
        s.conn.execute("DROP INDEX articles_outlet_published")
        s.conn.execute("PRAGMA user_version = 6")
    with Store(path) as s:
        assert s.schema_version == 7
        indexes = [row[1] for row in s.conn.execute("PRAGMA index_list(articles)")]
        assert "articles_outlet_published" in indexes


def test_a_prefix_behind_a_filter_goes_through_the_filters_articles_at_once(store):
    """Each statement of a prefix query merges its words' lists first: no walk that would be
    cut short before the filter's articles are read."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        hits = store.search("বন্য*", FILTERS[0], limit=3, newest=True)
    finally:
        store.conn.set_trace_callback(None)
    assert [h["title"] for h in hits] == expected(store, FILTERS[0], 3)
    searches = [sql for sql in statements if "MATCH" in sql]
    assert len(searches) == 1 and "json_each" in searches[0]
