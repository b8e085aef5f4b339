"""Merge speed: `scrapy merge` of a shard of N articles into an empty store and into a store of N.

    python -m bench.merge [--articles 100000] [--batch-size 500] [--dir DIR]

1. Two shards of ``--articles`` synthetic articles each, A and B, all different (``bench.scale``'s
   articles: ``bench._corpus`` Bengali bodies of 3-5 KB), and a small one of 1,000 (the first of
   A). Shards are made with their SimHash and URLs, written straight into the store's tables
   (not timed; the merge reads only ``articles``, ``article_urls`` and ``runs`` of a shard).
2. ``scrapy merge`` as a user runs it, each a process of its own, measured from outside (CPU and
   peak RSS from ``wait4``); the merge's own time is the one its summary line gives:
   the small shard into an empty store, A into an empty store, B into the store now holding A,
   and A again (every article already there).

Peak memory of the small and the large merges side by side shows whether memory stays flat.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from bench import scale
from bench._proc import PROJECT, run, scrapy_env
from bench._table import heading, table
from newscrawl import simhash
from newscrawl.store import ARTICLE_COLUMNS, JSON_COLUMNS, Store, utcnow


def make_shard(path: Path, first_batch: int, articles: int) -> None:
    """A shard of ``articles`` articles from ``bench.scale``'s batches, ``first_batch`` on."""
    columns = ", ".join(ARTICLE_COLUMNS)
    marks = ", ".join(f":{c}" for c in ARTICLE_COLUMNS)
    with Store(path) as store:
        store.start_run(f"bench-{path.stem}", "inqilab")
        seq, done, index = 0, 0, first_batch
        while done < articles:
            rows = scale.batch(index)[: articles - done]
            now = utcnow()
            for row in rows:
                seq += 1
                fingerprint = simhash.simhash(row["body"], cleaned=True)
                row.update(seq=seq, revision=1, previous_hash=None, first_seen_at=now,
                           cluster=seq, run_id=f"bench-{path.stem}",
                           simhash=simhash.to_hex(fingerprint))  # fmt: skip
                for column in JSON_COLUMNS:
                    row[column] = json.dumps(row[column], ensure_ascii=False)
            with store.transaction() as conn:
                conn.executemany(f"INSERT INTO articles ({columns}) VALUES ({marks})", rows)
                conn.executemany(
                    "INSERT INTO article_urls VALUES (:url, :outlet, :article_id, :content_hash,"
                    " :first_seen_at, :first_seen_at)",
                    rows,
                )
            done += len(rows)
            index += 1
        store.finish_run(f"bench-{path.stem}", "finished", {"newscrawl/articles/new": done})


SUMMARY = re.compile(r"(\S+) new, (\S+) revisions, (\S+) already there.* in ([\d.]+) s")


def merge(shard: Path, target: Path, batch_size: int) -> list[object]:
    cmd = [sys.executable, "-m", "scrapy", "merge", str(shard), "--db", str(target),
           "--batch-size", str(batch_size)]  # fmt: skip
    before = 0
    if target.exists():
        with Store(target) as store:
            before = store.count()
    finished = run(cmd, cwd=PROJECT, env=scrapy_env())
    if finished.returncode != 0:
        raise SystemExit(f"bench.merge: scrapy merge failed:\n{finished.stderr[-2000:]}")
    match = SUMMARY.search(finished.stderr)
    assert match, finished.stderr
    new, _, already, seconds = match.groups()
    rows = int(new.replace(",", "")) + int(already.replace(",", ""))
    secs = float(seconds)
    return [shard.stem, f"{before:,}", new, already, secs, rows / secs,
            1000 * secs * batch_size / rows, finished.cpu, finished.max_rss_mb]  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.merge", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=100_000, help="per shard (default 100k)")
    parser.add_argument("--batch-size", type=int, default=500, help="scrapy merge --batch-size")
    parser.add_argument("--dir", type=Path, help="where the shards and stores go (default: tmp)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-merge-", dir=args.dir) as folder:
        root = Path(folder)
        small, a, b = root / "small.db", root / "A.db", root / "B.db"
        make_shard(small, 0, 1_000)
        make_shard(a, 0, args.articles)
        make_shard(b, -(-args.articles // scale.BATCH), args.articles)
        rows = [
            merge(small, root / "empty.db", args.batch_size),
            merge(a, root / "merged.db", args.batch_size),
            merge(b, root / "merged.db", args.batch_size),
            merge(a, root / "merged.db", args.batch_size),
        ]
        heading(f"scrapy merge, --batch-size {args.batch_size}")
        print(table(["shard", "store before", "new", "already there", "merge s", "rows/s",
                     "ms per batch", "process CPU s", "peak RSS MB"], rows))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
