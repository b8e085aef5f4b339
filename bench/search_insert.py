"""What the index ``articles_outlet_published`` (migration 7, for ``search --newest``) costs
each article stored.

    python -m bench.search_insert [--articles 20000] [--rounds 3]

Two fresh stores with the project's schema, one without that index; the same synthetic articles
(``bench.search_scale.rows``: ``bench.scale``'s text, six outlets, days in store order) inserted
into each by plain INSERTs, ``bench.scale.BATCH`` a transaction (a crawl's batch), the two
interleaved for ``--rounds`` rounds into a new pair of stores each time. Timed twice: as stored
(the search index's trigger included), and without the search-index trigger, the table and its
indexes alone, where one more index shows most. Median µs per article.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import scale, search_scale
from bench._table import heading, table
from newscrawl.store import Store
from newscrawl.store.schema import ARTICLE_COLUMNS


def insert_us(folder: Path, batches: list[list[dict]], *, index: bool, trigger: bool) -> float:
    with Store(folder / f"{index}-{trigger}.db") as store:
        if not index:
            store.conn.execute("DROP INDEX articles_outlet_published")
        if not trigger:
            store.conn.execute("DROP TRIGGER articles_ai")
        insert = (
            f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)})"
            f" VALUES ({', '.join(':' + c for c in ARTICLE_COLUMNS)})"
        )
        started = time.perf_counter()
        for batch in batches:
            with store.transaction() as conn:
                conn.executemany(insert, batch)
        seconds = time.perf_counter() - started
    return 1e6 * seconds / sum(len(batch) for batch in batches)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    batches = [search_scale.rows(i) for i in range(-(-args.articles // scale.BATCH))]
    rows = []
    for trigger in (True, False):
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.rounds):
            with tempfile.TemporaryDirectory(prefix="bench-insert-") as folder:
                for index in (False, True):
                    times[index].append(
                        insert_us(Path(folder), batches, index=index, trigger=trigger)
                    )
        without, with_ = statistics.median(times[False]), statistics.median(times[True])
        what = "as stored (search index trigger)" if trigger else "table and indexes only"
        rows.append([what, without, with_, with_ - without])
    heading(f"Inserting {args.articles:,} articles, median µs per article of {args.rounds}")
    print(table(["inserts", "without the index", "with it", "difference"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
