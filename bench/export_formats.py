"""Export formats side by side: JSON Lines against Parquet, written and read back.

    python -m bench.export_formats [--articles 100000] [--keep PATH] [--dir DIR] [--rounds 3]

Needs pyarrow (``pip install -e '.[parquet]'``) and pandas (``pip install pandas``).

1. A store of ``--articles`` synthetic articles (``bench.scale.grow``: Bengali bodies of 3-5 KB
   from ``bench._corpus``, every one different); ``--keep PATH`` keeps it for the next run.
2. ``scrapy export`` of every article, and of one month (about 8,600), as JSON Lines and as
   Parquet, each in a process of its own: bytes written, wall seconds, peak RSS. The month shows
   whether memory grows with the database (it should not: exports stream).
3. Loading each file into pandas (``read_json(lines=True)``, ``read_parquet``) in a process of
   its own: wall seconds and peak RSS, beside a process that only imports pandas and pyarrow.

Each figure is the median of ``--rounds`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench._proc import PROJECT, Finished, run, scrapy_env
from bench._table import heading, table
from bench.scale import BATCH, check_disk, grow
from newscrawl.store import Store

FORMATS = {"jsonl": "jsonl", "parquet": "parquet"}  # format: file suffix
MONTH = ("--since", "2024-12-01", "--until", "2024-12-31")  # the newest synthetic month
LOADERS = {
    "jsonl": "pd.read_json({path!r}, lines=True, dtype=False)",
    "parquet": "pd.read_parquet({path!r})",
}


def export_once(db: Path, fmt: str, out: Path, extra: tuple[str, ...]) -> Finished:
    cmd = [sys.executable, "-m", "scrapy", "export", "-f", fmt, "-o", str(out), "--db", str(db),
           "--force", "--no-card", *extra]  # fmt: skip
    done = run(cmd, cwd=PROJECT, env=scrapy_env())
    if done.returncode:
        raise SystemExit(f"export {fmt} failed:\n{done.stderr[-3000:]}")
    return done


def exports(db: Path, folder: Path, rounds: int) -> list[list[Any]]:
    rows = []
    for label, extra in (("one month", MONTH), ("every article", ())):
        for fmt, suffix in FORMATS.items():
            out = folder / f"{label.replace(' ', '-')}.{suffix}"
            runs = [export_once(db, fmt, out, extra) for _ in range(rounds)]
            count = runs[-1].stderr.split("exported ", 1)[1].split(" article", 1)[0]
            rows.append([
                label, fmt, count, out.stat().st_size / 1e6,
                statistics.median(r.wall for r in runs),
                statistics.median(r.max_rss_mb for r in runs),
            ])  # fmt: skip
    return rows


def load_once(code: str) -> Finished:
    done = run([sys.executable, "-c", code], cwd=PROJECT, env=scrapy_env())
    if done.returncode:
        raise SystemExit(f"loading failed:\n{done.stderr[-3000:]}")
    return done


def loads(folder: Path, rounds: int) -> list[list[Any]]:
    imports = "import pandas as pd, pyarrow, time\n"
    rows = []
    base = [load_once(imports) for _ in range(rounds)]
    rows.append(["(import pandas and pyarrow only)", "–", "–",
                 statistics.median(r.max_rss_mb for r in base)])  # fmt: skip
    for fmt, suffix in FORMATS.items():
        path = str(folder / f"every-article.{suffix}")
        code = (
            f"{imports}started = time.perf_counter()\ndf = {LOADERS[fmt].format(path=path)}\n"
            "print(len(df), time.perf_counter() - started)\n"
        )
        runs = [load_once(code) for _ in range(rounds)]
        count, seconds = int(runs[-1].stdout.split()[0]), [float(r.stdout.split()[1]) for r in runs]
        rows.append([f"pandas {LOADERS[fmt].split('(')[0]}", count, statistics.median(seconds),
                     statistics.median(r.max_rss_mb for r in runs)])  # fmt: skip
    return rows


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000, help="N (100,000)")
    parser.add_argument("--keep", type=Path, help="keep the store in this folder (reused)")
    parser.add_argument("--dir", type=Path, help="make the temporary folder here")
    parser.add_argument("--rounds", type=int, default=3, help="runs per figure (3)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.articles < BATCH:
        raise SystemExit(f"bench.export_formats: --articles must be at least {BATCH:,}")
    with tempfile.TemporaryDirectory(prefix="bench-export-", dir=args.dir) as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        check_disk(folder, args.articles)
        db = folder / "newscrawl.db"
        with Store(db) as store:
            if store.count() < args.articles:
                print(f"growing {db} to {args.articles:,} articles", file=sys.stderr)
                grow(store, args.articles)
            held = store.count()
        out = Path(tmp) / "out"
        out.mkdir()
        print(f"# bench.export_formats: {held:,} articles in {db}")
        heading(f"scrapy export, {held:,} articles: JSON Lines and Parquet")
        headers = ["articles", "format", "exported", "MB", "seconds", "peak RSS MB"]
        print(table(headers, exports(db, out, args.rounds)))
        heading("Loading the whole export into pandas")
        print(table(["reader", "rows", "seconds", "peak RSS MB"], loads(out, args.rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
