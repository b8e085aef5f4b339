"""Search at scale: ranked (the default) against ``--newest``, on a store of N articles.

    python -m bench.search_scale [--articles 1000000] [--keep PATH] [--repeat 5] [--workers 1]

**The store, for search measurement only.** ``Store(path)`` makes it with the project's own
schema (its migrations: the ``articles`` table, the ``articles_fts`` FTS5 table with
``FTS_TOKENIZE``, the ``latest_articles`` view), then ``bench.scale``'s synthetic articles
(``bench._corpus``: the same word frequencies, 3-5 KB Bengali bodies, every one different) go in
by plain INSERTs, 20,000 rows a transaction, the text made by ``--workers`` processes beside the
writer. The FTS index is filled as a crawl fills it: by the store's insert trigger when the
schema has one, else by the same INSERT into ``articles_fts`` after each transaction (checked
at the end: one FTS row per article). Left out, because search never reads them: SimHash and
near-duplicate linking (``simhash``/``cluster`` stay NULL), ``article_urls`` and runs. What
differs from a crawled store: its FTS index was written in big transactions, so it holds fewer,
larger segments than thousands of small crawl batches leave before FTS5's automerge.

A million articles take ~10-20 min here instead of the hours ``Store.write_batch`` would; a kept
store (``--keep``) that holds N already is reused as it is.

Articles are stored in order of publication (5 minutes apart, the last on 2024-12-31, as a daily
crawl stores them), but every 500th, a backfilled old one published in 2010-2014 (its day
scattered, not in store order: a date range there is spread thin through the whole store). They
belong to six outlets: ``sunnews`` every 10th article (spread through the store), ``ittefaq``
the first 1% stored only (an outlet no longer crawled: its matches are the oldest of all),
``samakal`` every 100th, ``prothomalo`` every 500th (0.2%: more than a few, spread thin),
``jugantor`` every 5,000th (0.02%), ``inqilab`` the rest. That gives ``--newest`` the cases where
the newest matches are not at the end of the index: a filter (``--outlet ittefaq``, a date range
near the start, ``--outlet prothomalo``, ``--until 2014-12-18``) whose matches lie behind
hundreds of thousands of others, few or many, together or spread thin.

**Measured.** ``newscrawl.search.search``, the function ``scrapy search`` calls, with the limit
the command asks for (20 shown + 1, to say whether there are more): median ms of ``--repeat``
runs, ranked and ``newest``, for words in ~70%, ~50%, ~10% and ~0.1% of the articles, a prefix
and a phrase; then the same with the filters above; then the real ``scrapy search`` command
(a subprocess: Python and Scrapy starting included) once per query for a sanity figure.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import _corpus, scale
from bench._proc import PROJECT, run, scrapy_env
from bench._table import heading, table
from newscrawl.search import DEFAULT_LIMIT, search
from newscrawl.store import Store
from newscrawl.store.schema import ARTICLE_COLUMNS, JSON_COLUMNS

STORE_BYTES = 7_600  # per article on disk: row and FTS index (measured at 200k by bench.scale)
TRANSACTION = 20 * scale.BATCH  # rows a transaction
LAST = 999_999  # the article published last (2024-12-31 23:00 at 1M articles)
SPREAD_OUTLET = "sunnews"  # every 10th article
OLD_OUTLET = "ittefaq"  # the first 1% stored only
THIN_OUTLET = "jugantor"  # every 5,000th article: spread thin through the whole store
SPARSE_OUTLET = "prothomalo"  # every 500th article: more than a few, spread thin
SCARCE_OUTLET = "samakal"  # every 100th article
ARCHIVE = 500  # every 500th article is an old one, stored by a backfill among the daily ones
ARCHIVE_FIRST = datetime(2010, 1, 1, 9, 0, tzinfo=scale.NEWEST.tzinfo)
ARCHIVE_DAYS = 5 * 365  # their days: 2010-2014, in no order of storing
LIMIT = DEFAULT_LIMIT + 1  # what `scrapy search` asks for: one more says whether there are more

# (query, what it is). Shares are of this synthetic corpus (measured on 4,000 articles).
QUERIES = [
    ("উত্তর", "a word in ~72%"),
    ("কিম", "a word in ~50%"),
    ("জং", "a word in ~10%"),
    (_corpus.vocabulary().words[30_000], "a made-up tail word, ~0.07%"),
    ("কিম*", "a prefix"),
    ("কি*", "a short prefix (186 words at 100k)"),
    ('"উত্তর কোরিয়ার"', "a phrase"),
]


# -- the store ---------------------------------------------------------------------------------


def outlet(number: int) -> str:
    if number < 10_000:
        return OLD_OUTLET
    if number % 5_000 == 4_998:
        return THIN_OUTLET
    if number % 500 == 250:
        return SPARSE_OUTLET
    if number % 100 == 41:
        return SCARCE_OUTLET
    return SPREAD_OUTLET if number % 10 == 9 else "inqilab"


def published(number: int) -> datetime:
    """5 minutes after the one stored before, but for every ``ARCHIVE``th (a backfill of
    2010-2014: its days scattered, so a date range there is spread thin through the store)."""
    if number % ARCHIVE == 123:
        return ARCHIVE_FIRST + timedelta(days=number * 7_919 % ARCHIVE_DAYS)
    return scale.NEWEST - timedelta(minutes=5 * (LAST - number))


def rows(index: int) -> list[dict[str, Any]]:
    """Batch ``index`` of ``bench.scale`` as rows of ``articles``, in order of publication."""
    made = []
    for item in scale.batch(index):
        number = int(item["article_id"]) - scale.FIRST_ID
        when = published(number).isoformat()
        row = {column: item.get(column) for column in ARTICLE_COLUMNS}
        for column in JSON_COLUMNS:
            if row[column] is not None:
                row[column] = json.dumps(row[column], ensure_ascii=False, sort_keys=True)
        row.update(
            seq=number + 1,
            revision=1,
            first_seen_at=item["crawled_at"],
            outlet=outlet(number),
            published_at=when,
            updated_at=when,
        )
        made.append(row)
    return made


def check_disk(folder: Path, articles: int, have: int) -> None:
    need = (articles - have) * STORE_BYTES * 1.2
    free = shutil.disk_usage(folder).free
    if free < need:
        raise SystemExit(
            f"bench.search_scale: {articles:,} articles need ~{need / 1e9:.1f} GB more in"
            f" {folder}, which has {free / 1e9:.1f} GB free: use fewer --articles or --keep"
            " on a bigger disk"
        )


def trigger_indexes(store: Store) -> bool:
    """Whether inserting into ``articles`` indexes the row for search by itself."""
    return bool(
        store.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles'"
            " AND sql LIKE '%AFTER INSERT%' AND sql LIKE '%INSERT INTO articles_fts%'"
        ).fetchone()
    )


def build(store: Store, articles: int, workers: int) -> float:
    """Grow the store to ``articles`` (a whole number of batches); seconds taken."""
    have = store.count()
    if have % scale.BATCH:
        raise SystemExit(
            f"bench.search_scale: {store.path} holds {have:,} articles, not a"
            " whole number of batches: delete it and build again"
        )
    batches = -(-articles // scale.BATCH)
    insert = (
        f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)})"
        f" VALUES ({', '.join(':' + c for c in ARTICLE_COLUMNS)})"
    )
    by_trigger = trigger_indexes(store)
    # A bigger page cache for the random inserts into the content_hash index (this connection).
    store.conn.execute("PRAGMA cache_size = -262144")
    started = time.monotonic()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        made = pool.imap(rows, range(have // scale.BATCH, batches))
        for done, group in enumerate(_groups(made, TRANSACTION // scale.BATCH), 1):
            with store.transaction() as conn:
                first = group[0]["seq"]
                conn.executemany(insert, group)
                if not by_trigger:
                    conn.execute(
                        "INSERT INTO articles_fts (rowid, title, subtitle, body)"
                        " SELECT seq, title, subtitle, body FROM articles WHERE seq >= ?",
                        (first,),
                    )
            scale.progress(
                have // scale.BATCH + done * TRANSACTION // scale.BATCH, batches, started
            )
    indexed = store.conn.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()[0]
    if indexed != store.count():
        raise SystemExit(f"bench.search_scale: {indexed:,} articles indexed of {store.count():,}")
    return time.monotonic() - started


def _groups(made: Iterator[list[dict[str, Any]]], size: int) -> Iterator[list[dict[str, Any]]]:
    group: list[dict[str, Any]] = []
    for n, batch in enumerate(made, 1):
        group += batch
        if n % size == 0:
            yield group
            group = []
    if group:
        yield group


# -- measurements ------------------------------------------------------------------------------


def median_ms(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def matching(store: Store, query: str) -> int:
    return store.conn.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (query,)
    ).fetchone()[0]


def searches(store: Store, repeat: int) -> list[list[Any]]:
    total = store.count()
    result = []
    for query, what in QUERIES:
        n = matching(store, query)
        ranked = median_ms(lambda q=query: search(store, q, limit=LIMIT), repeat)
        newest = median_ms(lambda q=query: search(store, q, limit=LIMIT, newest=True), repeat)
        result.append([query, what, n, f"{n / total:.2%}", ranked, newest])
    return result


def day(store: Store, which: str, *, daily: bool | None = None) -> date:
    """The first or last day published of all articles, the daily ones or the backfilled."""
    where = {None: "1", True: f"seq % {ARCHIVE} != 124", False: f"seq % {ARCHIVE} = 124"}[daily]
    sql = f"SELECT {which}(published_at) FROM articles WHERE {where}"
    (published,) = store.conn.execute(sql).fetchone()
    return datetime.fromisoformat(published).date()


def filtered(store: Store, repeat: int) -> list[list[Any]]:
    """Words with filters: where their newest matches lie decides what --newest costs."""
    word, half, rarer, prefix = QUERIES[0][0], QUERIES[1][0], QUERIES[2][0], QUERIES[4][0]
    first, last = day(store, "min", daily=True), day(store, "max")
    since, until = last - timedelta(days=30), first + timedelta(days=30)
    half_year = last - timedelta(days=182)
    middle = first + (last - first) / 2
    archive = day(store, "max", daily=False)  # the backfilled ones: every ARCHIVE-th article
    year = {"since": date(2012, 1, 1), "until": date(2012, 12, 31)}  # a fifth of those
    cases = [
        (word, f"--outlet {SPREAD_OUTLET}", {"outlets": (SPREAD_OUTLET,)}),
        (word, f"--outlet {OLD_OUTLET}", {"outlets": (OLD_OUTLET,)}),
        (word, f"--outlet {THIN_OUTLET}", {"outlets": (THIN_OUTLET,)}),
        (rarer, f"--outlet {THIN_OUTLET}", {"outlets": (THIN_OUTLET,)}),
        (prefix, f"--outlet {THIN_OUTLET}", {"outlets": (THIN_OUTLET,)}),
        (word, f"--since {since}", {"since": since}),
        (word, f"--until {until}", {"until": until}),
        # Filters leaving more than a few articles, spread thin among the word's matches.
        (word, f"--outlet {SPARSE_OUTLET}", {"outlets": (SPARSE_OUTLET,)}),
        (half, f"--outlet {SPARSE_OUTLET}", {"outlets": (SPARSE_OUTLET,)}),
        (rarer, f"--outlet {SPARSE_OUTLET}", {"outlets": (SPARSE_OUTLET,)}),
        (word, f"--outlet {SCARCE_OUTLET}", {"outlets": (SCARCE_OUTLET,)}),
        (rarer, f"--outlet {SCARCE_OUTLET}", {"outlets": (SCARCE_OUTLET,)}),
        (
            word,
            f"--outlet {SPARSE_OUTLET} --outlet {THIN_OUTLET}",
            {"outlets": (SPARSE_OUTLET, THIN_OUTLET)},
        ),
        (word, f"--until {archive}", {"until": archive}),
        (rarer, f"--until {archive}", {"until": archive}),
        (word, "--since 2012-01-01 --until 2012-12-31", year),
        (
            word,
            f"--outlet inqilab --until {archive}",
            {"outlets": ("inqilab",), "until": archive},
        ),
        (prefix, f"--outlet {SPARSE_OUTLET}", {"outlets": (SPARSE_OUTLET,)}),
        (prefix, f"--until {archive}", {"until": archive}),
        # Days that leave out only the last half year: most articles, none of the newest.
        (word, f"--until {half_year}", {"until": half_year}),
        (
            word,
            f"--outlet inqilab --until {half_year}",
            {"outlets": ("inqilab",), "until": half_year},
        ),
        # ... and the last half of the store: the newest of the filter far behind, many of them.
        (word, f"--until {middle}", {"until": middle}),
        (
            word,
            f"--outlet {SPREAD_OUTLET} --until {middle}",
            {"outlets": (SPREAD_OUTLET,), "until": middle},
        ),
    ]
    result = []
    for query, label, filters in cases:
        hits = search(store, query, limit=LIMIT, newest=True, **filters)
        ranked = median_ms(lambda q=query, f=filters: search(store, q, limit=LIMIT, **f), repeat)
        newest = median_ms(
            lambda q=query, f=filters: search(store, q, limit=LIMIT, newest=True, **f), repeat
        )
        result.append([f"{query} {label}", len(hits), ranked, newest])
    return result


def command(db: Path) -> list[list[Any]]:
    """Wall seconds of the real ``scrapy search`` (one run each), start-up included."""
    env = {**scrapy_env(), "NEWSCRAWL_DB": str(db)}
    result = []
    for args in ([QUERIES[0][0], "--newest"], [QUERIES[0][0]], [QUERIES[3][0], "--newest"]):
        done = run([sys.executable, "-m", "scrapy", "search", *args], cwd=PROJECT, env=env)
        if done.returncode:
            raise SystemExit(f"scrapy search {' '.join(args)} failed: {done.stderr.strip()}")
        result.append(
            ["scrapy search " + " ".join(args), done.stdout.count("\n\n") + 1, 1000 * done.wall]
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the store in this folder (reused)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--workers", type=int, default=1, help="processes making the text")
    args = parser.parse_args(argv)
    if not 1 <= args.articles <= LAST + 1:
        parser.error(f"--articles must be 1 to {LAST + 1:,}")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "newscrawl.db"
    try:
        with Store(db) as store:
            if store.count() < args.articles:
                check_disk(folder, args.articles, store.count())
                seconds = build(store, args.articles, args.workers)
                size = sum(p.stat().st_size for p in folder.glob("newscrawl.db*"))
                print(
                    f"built {store.count():,} articles in {seconds / 60:.1f} min;"
                    f" {size / 1e9:.2f} GB, {size / store.count():,.0f} bytes per article"
                )
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            heading(f"Search at {store.count():,} articles (median ms of {args.repeat})")
            print(
                table(
                    ["query", "what", "matching", "of all", "ranked ms", "--newest ms"],
                    searches(store, args.repeat),
                )
            )
            heading("With a filter: the newest matches not at the end of the index")
            print(
                table(["search", "hits", "ranked ms", "--newest ms"], filtered(store, args.repeat))
            )
        heading("The scrapy search command, one run each (start-up included)")
        print(table(["command", "hits", "wall ms"], command(db)))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
