"""Search at scale: ranked (the default) against ``--newest``, on a store of N articles.

    python -m bench.search_scale [--articles 1000000] [--keep PATH]

The store holds ``bench.scale``'s synthetic articles (3-5 KB Bengali bodies), written by plain
INSERTs into ``articles`` (the FTS trigger indexes each, as in a crawl) and no SimHash or
near-duplicate linking, which search never reads: a million articles grow in minutes rather
than the half hour ``bench.scale`` takes. A kept store that already holds N is reused. Each
query: median ms of 5 runs of ``newscrawl.search.search`` (20 shown), ranked and newest first,
and how many articles match.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import scale
from bench._table import heading, table
from newscrawl.search import search
from newscrawl.store import Store
from newscrawl.store.schema import ARTICLE_COLUMNS, JSON_COLUMNS


def fill(store: Store, articles: int) -> float:
    """Grow the store to ``articles`` by plain INSERTs; seconds taken."""
    started = time.monotonic()
    have = store.count()
    sql = (f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)})"
           f" VALUES ({', '.join(':' + c for c in ARTICLE_COLUMNS)})")  # fmt: skip
    for index in range(have // scale.BATCH, -(-articles // scale.BATCH)):
        rows = []
        for item in scale.batch(index)[: articles - index * scale.BATCH]:
            row = {column: item.get(column) for column in ARTICLE_COLUMNS}
            for column in JSON_COLUMNS:
                if row[column] is not None:
                    row[column] = json.dumps(row[column], ensure_ascii=False, sort_keys=True)
            row.update(seq=int(item["article_id"]) - scale.FIRST_ID + 1, revision=1,
                       first_seen_at=item["crawled_at"])  # fmt: skip
            rows.append(row)
        with store.transaction():
            store.conn.executemany(sql, rows)
        scale.progress(index + 1, -(-articles // scale.BATCH), started)
    return time.monotonic() - started


def timed(store: Store, query: str, newest: bool) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        search(store, query, limit=20, newest=newest)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the store in this folder (reused)")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    with Store(folder / "newscrawl.db") as store:
        if store.count() < args.articles:
            seconds = fill(store, args.articles)
            print(f"grew the store to {store.count():,} articles in {seconds / 60:.1f} min")
        heading(f"Search at {store.count():,} articles (median ms of 5, 20 shown)")
        rows = []
        for query in scale.queries():
            matching = store.conn.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (query,)
            ).fetchone()[0]
            rows.append([query, matching, f"{matching / store.count():.0%}",
                         timed(store, query, False), timed(store, query, True)])  # fmt: skip
        print(table(["query", "matching", "of all", "ranked ms", "--newest ms"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
