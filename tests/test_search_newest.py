"""``--newest``: the latest stored matches first, not the best; the same filters and limits."""

from datetime import date, timedelta

import pytest

from newscrawl.search import search
from newscrawl.store import ArticleQuery, Store
from tests.conftest import run_scrapy
from tests.test_export import news

WORD = "বন্যা"


def story(n: int, times: int) -> tuple[str, list[str]]:
    """A title and a body that says WORD ``times`` times among other words."""
    filler = "নদীর পানি বাড়ছে এবং মানুষ আশ্রয় কেন্দ্রে যাচ্ছেন"
    return f"খবর {n}", [f"{filler} {' '.join([WORD] * times)} {filler} {n}।"]


@pytest.fixture
def store(db_path):
    """Four articles stored in order 0..3, published on 1..4 January; article 0 says WORD most,
    so it ranks best."""
    with Store(db_path) as s:
        for n, times in enumerate([6, 1, 2, 1]):
            day = f"2024-01-0{n + 1}T10:00:00+06:00"
            s.write_batch([news(story(n, times), article_id=str(n), published_at=day)])
        yield s


def test_newest_lists_the_latest_stored_first(store):
    assert [h.title for h in search(store, WORD, newest=True)] == ["খবর 3", "খবর 2", "খবর 1",
                                                                    "খবর 0"]  # fmt: skip


def test_ranked_is_still_the_default(store):
    assert search(store, WORD)[0].title == "খবর 0"


def test_newest_takes_the_limit_and_the_latest_revision(store):
    assert [h.title for h in search(store, WORD, newest=True, limit=2)] == ["খবর 3", "খবর 2"]
    store.write_batch([news(story(9, 1), article_id="3", outlet="inqilab")])  # 3 revised
    hits = search(store, WORD, newest=True)
    assert [h.title for h in hits] == ["খবর 9", "খবর 2", "খবর 1", "খবর 0"]
    assert len(search(store, WORD, newest=True, all_revisions=True)) == 5


def test_newest_walks_the_index_backwards_without_sorting(store):
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        " ORDER BY rowid DESC LIMIT 20",
        (WORD,),
    ).fetchall()
    assert not any("TEMP B-TREE" in row[-1] for row in plan)


def test_search_command_newest(store, db_path):
    result = run_scrapy("search", WORD, "--newest", "--limit", "2",
                        settings={"NEWSCRAWL_DB": str(db_path)})  # fmt: skip
    assert result.returncode == 0, result.stderr
    heads = [block.splitlines()[0] for block in result.stdout.strip().split("\n\n")]
    assert [h.split("  ")[-1] for h in heads] == ["খবর 3", "খবর 2"]
    assert result.stderr.strip().startswith("the newest 2 of 3 or more articles")


def test_newest_keeps_the_days_asked_for(store):
    def titles(**days):
        return [h.title for h in search(store, WORD, newest=True, **days)]

    assert titles(since=date(2024, 1, 2), until=date(2024, 1, 3)) == ["খবর 2", "খবর 1"]
    assert titles(until=date(2024, 1, 1)) == ["খবর 0"]
    assert titles(since=date(2024, 1, 4)) == ["খবর 3"]
    assert search(store, WORD, since=date(2024, 1, 2))[0].title == "খবর 2"  # ranked


def test_search_command_since_until(store, db_path):
    settings = {"NEWSCRAWL_DB": str(db_path)}
    result = run_scrapy("search", WORD, "--newest", "--since", "২০২৪-০১-০২", "--until",
                        "2024-01-03", settings=settings)  # fmt: skip
    assert result.returncode == 0, result.stderr
    heads = [block.splitlines()[0] for block in result.stdout.strip().split("\n\n")]
    assert [h.split("  ")[-1] for h in heads] == ["খবর 2", "খবর 1"]
    for args, fragment in [
        (["--since", "2024-13-01"], "bad --since date '2024-13-01': expected YYYY-MM-DD"),
        (["--since", "2024-01-03", "--until", "2024-01-02"], "--until 2024-01-02 is before"),
    ]:
        result = run_scrapy("search", WORD, *args, settings=settings)
        assert result.returncode == 2
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("scrapy search: ") and fragment in line


def vm_steps(store, call) -> int:
    """SQLite virtual-machine instructions ``call`` runs on the store's connection."""
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += 1
        return 0

    store.conn.set_progress_handler(tick, 1)
    try:
        call()
    finally:
        store.conn.set_progress_handler(None, 1)
    return steps


def test_an_outlet_asked_for_is_looked_up_not_listed(db_path):
    with Store(db_path) as store:
        store.write_batch([news(story(n, 1), article_id=str(n)) for n in range(300)])
        listing = vm_steps(store, store.outlets)
        assert vm_steps(store, lambda: store.require_outlets(["inqilab"])) < listing / 20


@pytest.fixture
def old_and_new(db_path):
    """400 articles with WORD, stored in order of publication: the first 10 of ittefaq (an
    outlet no longer crawled) in January 2023, the rest of inqilab, one a day from 2024."""
    with Store(db_path) as s:
        articles = []
        for n in range(400):
            day = date(2023, 1, 1 + n) if n < 10 else date(2024, 1, 1) + timedelta(days=n)
            articles.append(news(story(n, 1), article_id=str(n), published_at=f"{day}T10:00:00",
                                 outlet="ittefaq" if n < 10 else "inqilab"))  # fmt: skip
        s.write_batch(articles)
        yield s


FILTERS = [
    ArticleQuery(outlets=("ittefaq",)),
    ArticleQuery(until=date(2023, 1, 8)),
    ArticleQuery(outlets=("inqilab",), until=date(2024, 2, 1)),
    ArticleQuery(since=date(2024, 12, 1)),
    ArticleQuery(outlets=("inqilab", "ittefaq")),
]


@pytest.mark.parametrize("query", FILTERS)
def test_newest_behind_a_filter_starts_where_the_filters_articles_end(old_and_new, query):
    store = old_and_new

    def titles(**budget):
        hits = store.search(WORD, query, limit=5, newest=True, **budget)
        return [hit["title"] for hit in hits]

    everything = [a for a in store.articles(latest_only=True) if _passes(a, query)]
    expected = [a["title"] for a in sorted(everything, key=lambda a: -a["seq"])[:5]]
    assert titles(walk_steps=10**9) == expected  # the walk from the last article
    assert titles(walk_steps=0) == expected  # the filter's articles, as the sample says
    assert titles(walk_steps=0, probe_matches=0) == expected  # each looked up
    assert titles(walk_steps=0, probe_matches=10**9) == expected  # their matches walked


def _passes(article, query):
    day = date.fromisoformat(article["published_at"][:10])
    return ((not query.outlets or article["outlet"] in query.outlets)
            and (not query.since or day >= query.since)
            and (not query.until or day <= query.until))  # fmt: skip


@pytest.mark.parametrize("probe_matches", [0, 10**9])
def test_newest_passes_over_a_filters_old_matches_without_reading_each(old_and_new, probe_matches):
    store = old_and_new
    statements = []
    store.conn.set_trace_callback(statements.append)
    hits = store.search(WORD, ArticleQuery(outlets=("ittefaq",)), limit=5, newest=True,
                        walk_steps=0, probe_matches=probe_matches)  # fmt: skip
    store.conn.set_trace_callback(None)
    assert [hit["title"] for hit in hits] == ["খবর 9", "খবর 8", "খবর 7", "খবর 6", "খবর 5"]
    walk, *after = [sql for sql in statements if "MATCH" in sql]
    # The sample of the stretch's matches that chose between the two: SAMPLE of them at most.
    after = [sql for sql in after if not sql.startswith("SELECT rowid FROM")]
    if not probe_matches:  # each of ittefaq's articles, from its last (seq 10), until 5 are found
        looked_up = [int(sql.rsplit("rowid = ", 1)[1].split()[0]) for sql in after if "= " in sql]
        assert sorted(set(looked_up), reverse=True) == [10, 9, 8, 7, 6]
    else:  # the walk again, over ittefaq's stretch of the index only, keeping its articles
        [restart] = [sql for sql in after if "json_each" in sql]
        assert "BETWEEN 1 AND 10" in restart
    cost = sum(vm_steps(store, lambda sql=sql: store.conn.execute(sql).fetchall()) for sql in after)
    # Half here, with 390 matches passed over; the walk grows with them, the rest does not.
    assert cost < vm_steps(store, lambda: store.conn.execute(walk).fetchall()) / 2
    # The filter's articles come from its index, not a walk back through the table.
    for where, index in [("a.outlet IN ('x')", "articles_outlet_published"),
                         ("a.published_at < '2024'", "articles_published")]:  # fmt: skip
        sql = f"SELECT +a.seq FROM articles a WHERE {where} ORDER BY 1 DESC LIMIT 1000"
        plan = store.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        assert f"COVERING INDEX {index}" in str(plan)
