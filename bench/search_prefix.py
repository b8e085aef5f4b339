"""Would an FTS5 prefix index make prefix queries (``কিম*``) fast, and at what cost?

    python -m bench.search_prefix PATH [--prefix 3] [--articles 20000] [--repeat 5]

PATH is a store ``bench.search_scale --keep`` built (its folder or its ``newscrawl.db``).

Without a prefix index, FTS5 answers ``কিম*`` by merging the lists of every indexed word that
starts with কিম into one, in memory, before it returns the first match: the whole merge at each
query, however small the ``LIMIT``. A prefix index (the ``prefix=`` option) stores those merged
lists, for prefixes of exactly the lengths named, in characters: ``prefix='3'`` serves ``কিম*``
(ক, ি, ম) and not ``কি*`` or ``কিমে*``. Measured here, on copies of the store's search index:

1. **Inserts**: the last ``--articles`` articles indexed into a fresh index, with and without
   the prefix index, in transactions of ``bench.scale.BATCH`` articles (a crawl's batches): ms
   per article, and the index's bytes per article.
2. **The migration**: an index with the prefix index built for the whole store (``'rebuild'``,
   what a migration adding ``prefix=`` would run): minutes, and its size against the store's.
3. **Queries**: ``scrapy search``'s query (20 + 1 hits, snippets, the newest revision), newest
   first and ranked, on the store's index and on the one with the prefix index.

The copies are dropped at the end (their pages stay in the file, free for reuse).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench import scale
from bench._table import heading, table
from newscrawl.search import DEFAULT_LIMIT
from newscrawl.store import Store
from newscrawl.store.schema import FTS_TOKENIZE

QUERIES = ["কিম*", "কি*", "উত্তর"]  # the prefix index's length, another length, a word


def create(store: Store, name: str, prefix: str) -> None:
    option = f", prefix='{prefix}'" if prefix else ""
    store.conn.execute(f"DROP TABLE IF EXISTS {name}")
    store.conn.execute(
        f"CREATE VIRTUAL TABLE {name} USING FTS5 (title, subtitle, body,"
        f' tokenize="{FTS_TOKENIZE}", content="articles"{option})'
    )


def size(store: Store, name: str) -> int:
    (data,) = store.conn.execute(f"SELECT sum(length(block)) FROM {name}_data").fetchone()
    (idx,) = store.conn.execute(f"SELECT count(*) * 40 FROM {name}_idx").fetchone()
    return data + idx


def inserts(store: Store, prefix: str, articles: int) -> tuple[float, float]:
    """ms per article indexing the last ``articles``, and bytes per article of the index."""
    name = "bench_prefix_insert"
    create(store, name, prefix)
    last = store.max_seq()
    first = last - articles + 1
    started = time.perf_counter()
    for low in range(first, last + 1, scale.BATCH):
        with store.transaction() as conn:
            conn.execute(
                f"INSERT INTO {name} (rowid, title, subtitle, body)"
                " SELECT seq, title, subtitle, body FROM articles WHERE seq BETWEEN ? AND ?",
                (low, min(low + scale.BATCH - 1, last)),
            )
    seconds = time.perf_counter() - started
    bytes_each = size(store, name) / articles
    store.conn.execute(f"DROP TABLE {name}")
    return 1000 * seconds / articles, bytes_each


def hits_sql(name: str, order: str) -> str:
    """The statement ``Reading._hits`` runs, on index ``name``."""
    return f"""
        SELECT a.published_at, a.outlet, a.title, a.url, a.content_hash,
               snippet({name}, -1, '[', ']', '…', 16) AS snippet
        FROM {name} JOIN latest_articles a ON a.seq = {name}.rowid
        WHERE {name} MATCH ? ORDER BY {order} LIMIT {DEFAULT_LIMIT + 1}"""


def median_ms(store: Store, sql: str, query: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        store.conn.execute(sql, (query,)).fetchall()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path, help="a store bench.search_scale --keep built")
    parser.add_argument("--prefix", default="3", help="prefix lengths, in characters")
    parser.add_argument("--articles", type=int, default=20_000, help="indexed to time inserts")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    db = args.path / "newscrawl.db" if args.path.is_dir() else args.path
    if not db.exists():
        parser.error(f"no store at {db}: build one with python -m bench.search_scale --keep")
    with Store(db) as store:
        store.conn.execute("PRAGMA cache_size = -262144")
        total = store.count()
        heading(f"Indexing the last {args.articles:,} of {total:,} articles")
        rows = []
        for prefix in ("", args.prefix):
            ms, bytes_each = inserts(store, prefix, args.articles)
            rows.append([f"prefix='{prefix}'" if prefix else "none", ms, f"{bytes_each:,.0f}"])
        print(table(["prefix index", "ms per article", "index bytes per article"], rows))

        heading(f"A prefix index for all {total:,} articles (the migration)")
        name = "bench_prefix_all"
        create(store, name, args.prefix)
        started = time.perf_counter()
        with store.transaction() as conn:
            conn.execute(f"INSERT INTO {name} ({name}) VALUES ('rebuild')")
        minutes = (time.perf_counter() - started) / 60
        before, after = size(store, "articles_fts"), size(store, name)
        print(
            table(
                ["rebuild min", "index GB now", f"with prefix='{args.prefix}' GB"],
                [[minutes, before / 1e9, after / 1e9]],
            )
        )

        heading(f"Queries, median ms of {args.repeat}")
        rows = []
        for query in QUERIES:
            row: list[object] = [query]
            for order in ("rowid DESC", "rank"):
                for index in ("articles_fts", name):
                    key = f"{index}.{order}" if order != "rank" else f"{index}.rank"
                    row.append(median_ms(store, hits_sql(index, key), query, args.repeat))
            rows.append(row)
        headers = [
            "query",
            "newest ms",
            "newest, prefix index",
            "ranked ms",
            "ranked, prefix index",
        ]
        print(table(headers, rows))
        store.conn.execute(f"DROP TABLE {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
