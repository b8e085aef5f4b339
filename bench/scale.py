"""Scale: a store grown to N articles, and what each operation costs at that size.

    python -m bench.scale [--articles 1000000] [--keep PATH] [--dir DIR]

1. Grow a store to ``--articles`` synthetic articles (``bench._corpus``: Bengali bodies of 3-5 KB,
   every one different) through ``Store.write_batch`` in batches of 1,000, timing the writes
   only (generating the text is timed apart): rows/s in each tenth of N.
2. Duplicates: ``write_batch`` of 1,000 articles already stored (three batches), rows/s.
3. ``Store.article_seen(outlet, id)``, the look-up incremental crawls make per discovered link:
   median and 99th percentile over 2,000 known and 2,000 unknown ids; and how many rows the
   SimHash band index returns for a new article (each then read back one by one).
4. Export: ``newscrawl.export.export`` of every article to JSON Lines, rows/s.
5. Search: ``newscrawl.search.search`` (20 best) for words of several frequencies, a prefix and
   a phrase: median ms of 5 runs, and how many articles match.
6. Crawl memory: peak RSS of ``scrapy crawl inqilab`` over a loopback replica of 50 articles,
   into this store and into an empty one (target: within 50 MB of each other).

The store lives in a temporary folder (or ``--keep PATH``, kept afterwards; a kept store that
already holds N articles is reused, so the measurements can be repeated without regrowing it).
Free disk is checked first: ~11 KB per article for the store and ~5 KB for the export.

1,000,000 articles take hours on a 2-core machine (see docs/benchmarks.md); ``--articles
200000`` gives the shape in far less.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench import _corpus
from bench._proc import PROJECT, run, scrapy_env
from bench._replica import Replica
from bench._table import heading, table
from newscrawl import simhash, text
from newscrawl.export import export
from newscrawl.search import search
from newscrawl.store import Store

BATCH = 1_000
FIRST_ID = 1_000_000  # the replica's articles are 900,000 and up: never "known" to the store
STORE_BYTES = 11_000  # per article on disk: row, FTS index, URL and SimHash tables (measured)
EXPORT_BYTES = 5_000  # per article in JSON Lines
DHAKA = timezone(timedelta(hours=6))
NEWEST = datetime(2024, 12, 31, 23, 0, tzinfo=DHAKA)
DESKS = ("অনলাইন ডেস্ক", "ইনকিলাব ডেস্ক", "স্টাফ রিপোর্টার", "আন্তর্জাতিক ডেস্ক")
CATEGORIES = ("national", "international", "politics", "economy", "bangladesh", "sports")


# -- synthetic articles ----------------------------------------------------------------------


def article(number: int, rng: random.Random) -> dict[str, Any]:
    """Article ``number`` as the pipelines hand it to the store (cleaned, hashed)."""
    article_id = str(FIRST_ID + number)
    category = CATEGORIES[number % len(CATEGORIES)]
    url = f"https://dailyinqilab.com/{category}/news/{article_id}"
    title = _corpus.headline(rng)
    body = "\n\n".join(_corpus.paragraphs(rng, rng.randint(170, 290)))
    published = (NEWEST - timedelta(minutes=5 * number)).isoformat()
    return {
        # The generated text is already clean (NFC, single spaces), so hashing it directly
        # gives text.content_hash's value at a fraction of the cost (checked on batch 0).
        "content_hash": hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()[:16],
        "outlet": "inqilab", "article_id": article_id, "url": url, "canonical_url": url,
        "title": title, "subtitle": None, "author": DESKS[number % len(DESKS)],
        "category": category, "tags": [], "published_at": published, "updated_at": published,
        "published_raw": None, "updated_raw": None, "body": body,
        "image_urls": [f"https://dailyinqilab.com/mediaStorage/{article_id}.jpg"],
        "language": "bn", "extraction": {"title": "meta", "body": "selectors"},
        "crawled_at": "2025-01-01T00:00:00+00:00", "run_id": "bench-scale",
    }  # fmt: skip


# The templated corpus (--corpus templated): notices a site publishes daily from one template
# (weather, prayer times, market close, load-shedding schedule), every article a template's text
# with a few numbers and names filled in: all of one template within a few SimHash bits.
TEMPLATES = 6
SLOTS = 5  # numbers and names that change from one notice to the next
PLACES = ("ঢাকা", "চট্টগ্রাম", "রাজশাহী", "খুলনা", "সিলেট", "বরিশাল", "রংপুর", "ময়মনসিংহ",
          "কুমিল্লা", "গাজীপুর", "নারায়ণগঞ্জ", "বগুড়া")  # fmt: skip


@functools.cache
def template(number: int) -> tuple[str, list[str]]:
    """A template's title and paragraphs, with ``{0}`` … slots spread through the text."""
    rng = random.Random(f"template-{number}")
    paragraphs = [p.split(" ") for p in _corpus.paragraphs(rng, rng.randint(150, 250))]
    places = [(i, j) for i, words in enumerate(paragraphs) for j in range(len(words))]
    for slot, (i, j) in enumerate(sorted(rng.sample(places, SLOTS))):
        paragraphs[i][j] = f"{{{slot}}}"
    return _corpus.headline(rng), [" ".join(words) for words in paragraphs]


def templated(number: int, rng: random.Random) -> dict[str, Any]:
    """Article ``number`` of the templated corpus: as ``article`` makes it, the text templated."""
    item = article(number, rng)
    title, paragraphs = template(number % TEMPLATES)
    values = [str(rng.randint(1, 99)) if i % 2 else rng.choice(PLACES) for i in range(SLOTS)]
    title = f"{title} {number}"
    body = "\n\n".join(p.format(*values) for p in paragraphs)
    digest = hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()[:16]
    item.update(title=title, body=body, content_hash=digest)
    return item


CORPORA = {"synthetic": article, "templated": templated}


def batch(index: int, corpus: str = "synthetic") -> list[dict[str, Any]]:
    """Batch ``index`` (articles index*1000 … +999): the same every time it is made."""
    rng = random.Random(f"scale-{index}" if corpus == "synthetic" else f"{corpus}-{index}")
    make = CORPORA[corpus]
    return [make(index * BATCH + i, rng) for i in range(BATCH)]


# -- growing the store -------------------------------------------------------------------------


def check_disk(folder: Path, articles: int) -> None:
    need = articles * (STORE_BYTES + EXPORT_BYTES) * 1.2
    free = shutil.disk_usage(folder).free
    if free < need:
        fits = int(free / 1.2 / (STORE_BYTES + EXPORT_BYTES))
        raise SystemExit(
            f"bench.scale: {articles:,} articles need ~{need / 1e9:.1f} GB free in {folder}, "
            f"which has {free / 1e9:.1f} GB: use --articles {fits:,} or less, or --dir/--keep "
            "on a bigger disk"
        )


def grow(store: Store, articles: int, corpus: str = "synthetic") -> list[tuple[int, float, float]]:
    """(rows, write seconds, generation seconds) per batch, from the store's current size."""
    have = store.count()
    batches = -(-articles // BATCH)
    timings = []
    started = time.monotonic()
    for index in range(have // BATCH, batches):
        made = time.perf_counter()
        rows = batch(index, corpus)[: articles - index * BATCH]
        if index == 0:
            assert all(r["content_hash"] == text.content_hash(r["title"], r["body"]) for r in rows)
        written = time.perf_counter()
        store.write_batch(rows)
        done = time.perf_counter()
        timings.append((len(rows), done - written, written - made))
        progress(index + 1, batches, started)
    return timings


def progress(done: int, total: int, started: float) -> None:
    if done % max(1, total // 20) and done != total:
        return
    elapsed = time.monotonic() - started
    eta = elapsed / done * (total - done)
    print(f"  grown {done * BATCH:,} of {total * BATCH:,} articles, {elapsed / 60:.1f} min, "
          f"~{eta / 60:.1f} min to go", file=sys.stderr, flush=True)  # fmt: skip


def insert_rows(timings: list[tuple[int, float, float]], articles: int) -> list[list[Any]]:
    """Rows/s in each tenth of the growth."""
    tenth = max(1, len(timings) // 10)
    rows = []
    for start in range(0, len(timings), tenth):
        part = timings[start : start + tenth]
        written = sum(n for n, _, _ in part)
        first = start * BATCH
        rows.append([
            f"{first / articles:.0%}-{(first + written) / articles:.0%}",
            f"{first:,}-{first + written:,}", written / sum(w for _, w, _ in part),
            1000 * sum(w for _, w, _ in part) / written, written / sum(g for _, _, g in part),
        ])  # fmt: skip
    return rows


def clusters(store: Store) -> str:
    """Near-duplicate pairs and the biggest clusters the growth left."""
    pairs = store.conn.execute("SELECT count(*) FROM near_duplicates").fetchone()[0]
    sizes = [n for (n,) in store.conn.execute(
        "SELECT count(*) AS n FROM articles GROUP BY cluster ORDER BY n DESC LIMIT 5")]  # fmt: skip
    many = store.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM articles GROUP BY cluster HAVING count(*) > 1)"
    ).fetchone()[0]
    return (f"\n- near-duplicate pairs: {pairs:,}; clusters of 2 or more: {many:,};"
            f" the five biggest: {', '.join(f'{n:,}' for n in sizes)}")  # fmt: skip


# -- measurements at size N ------------------------------------------------------------------


def duplicates(store: Store, articles: int, corpus: str = "synthetic") -> list[list[Any]]:
    rows = []
    for index in sorted({0, articles // BATCH // 2, max(0, articles // BATCH - 1)}):
        again = batch(index, corpus)
        started = time.perf_counter()
        outcomes = store.write_batch(again)
        seconds = time.perf_counter() - started
        kinds = {o.kind for o in outcomes}
        rows.append([f"batch {index:,} again", len(again) / seconds, ", ".join(sorted(kinds))])
    return rows


def lookups(store: Store, articles: int) -> list[list[Any]]:
    rng = random.Random("lookups")
    known = [str(FIRST_ID + rng.randrange(articles)) for _ in range(2000)]
    unknown = [str(FIRST_ID + articles + rng.randrange(10**6)) for _ in range(2000)]
    rows = []
    for label, ids in (("known id", known), ("unknown id", unknown)):
        times = []
        for article_id in ids:
            started = time.perf_counter()
            store.article_seen("inqilab", article_id)
            times.append(time.perf_counter() - started)
        times.sort()
        rows.append([label, 1e6 * statistics.median(times), 1e6 * times[int(0.99 * len(times))]])
    return rows


def near_candidates(store: Store, articles: int, corpus: str = "synthetic") -> list[list[Any]]:
    """Rows in the SimHash band buckets a new article probes. Store._near reads at most the
    newest CANDIDATES_PER_BUCKET (64) of each of the 68 buckets, so past a few thousand this
    says how crowded the buckets are, not what an insert reads."""
    fresh = batch(articles // BATCH + 10, corpus)[:200]  # articles the store has not seen
    counts = []
    for item in fresh:
        value = simhash.simhash(item["body"])
        seqs: set[int] = set()
        for band, part in enumerate(simhash.bands(value)):
            probes = simhash.probes(part)
            marks = ",".join("?" * len(probes))
            seqs.update(seq for (seq,) in store.conn.execute(
                f"SELECT seq FROM simhash_bands WHERE band = ? AND value IN ({marks})",
                (band, *probes)))  # fmt: skip
        counts.append(len(seqs))
    uniform = simhash.BANDS * len(simhash.probes(0)) * store.count() / 2**simhash.BAND_BITS
    return [["candidates per new article", statistics.median(counts), max(counts), uniform]]


def exported(store: Store, folder: Path) -> list[list[Any]]:
    out = folder / "export.jsonl"
    summary = export(store, out, fmt="jsonl", force=True)
    size = out.stat().st_size
    out.unlink()
    return [["jsonl, latest revisions, every article", summary.count, summary.seconds,
             summary.count / summary.seconds, size / 1e6]]  # fmt: skip


def queries() -> list[str]:
    """Real words of several frequencies, a made-up tail word, a prefix and a phrase."""
    words = _corpus.vocabulary().words
    return ["উত্তর", "কিম", "রাশিয়ার", "সরকার", words[30_000], "কিম*", '"উত্তর কোরিয়ার"']


def searches(store: Store) -> list[list[Any]]:
    rows = []
    for query in queries():
        times = []
        for _ in range(5):
            started = time.perf_counter()
            hits = search(store, query, limit=20)
            times.append(time.perf_counter() - started)
        matching = store.conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (query,)
        ).fetchone()[0]
        rows.append([query, matching, len(hits), 1000 * statistics.median(times)])
    return rows


def crawl_memory(db: Path, folder: Path) -> list[list[Any]]:
    """Peak RSS of a crawl of 50 articles into an empty store and into the big one."""
    rows = []
    with Replica(50) as replica:
        for label, path in (("empty store", folder / "empty" / "newscrawl.db"), ("this store", db)):
            replica.reset()
            opts = {"NEWSCRAWL_DB": str(path), "DOWNLOAD_DELAY": "0", "LOG_LEVEL": "INFO",
                    "AUTOTHROTTLE_ENABLED": "False",
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}  # fmt: skip
            flags = [arg for key, value in opts.items() for arg in ("-s", f"{key}={value}")]
            cmd = [sys.executable, "-m", "scrapy", "crawl", "inqilab",
                   "-a", f"base_url={replica.url}", *flags]  # fmt: skip
            done = run(cmd, cwd=PROJECT, env=scrapy_env())
            if done.returncode:
                raise SystemExit(f"crawl into {label} failed:\n{done.stderr[-3000:]}")
            with Store(path) as store:
                new = store.runs("inqilab")[-1].get("new_articles")
            fetched = replica.stats()["kinds"].get("article", 0)
            rows.append([label, fetched, new, done.max_rss_mb, done.wall])
    return rows


def disk_usage(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file()) / 1e6


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000, help="N (1,000,000)")
    parser.add_argument("--keep", type=Path, help="keep the store in this folder (reused)")
    parser.add_argument("--dir", type=Path, help="make the temporary folder here")
    parser.add_argument("--skip-crawl", action="store_true", help="skip the crawl memory check")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="synthetic",
                        help="synthetic: every article different (default); templated: notices"
                        f" from {TEMPLATES} templates, a few numbers and names apart")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.articles < BATCH:
        raise SystemExit(f"bench.scale: --articles must be at least {BATCH:,}")
    with _folder(args) as folder:
        db = folder / "newscrawl.db"
        with Store(db) as store:
            measure(store, db, folder, args)
        if not args.skip_crawl:
            heading("Crawl memory: scrapy crawl inqilab over 50 loopback articles")
            rows = crawl_memory(db, folder)
            print(table(["store", "article pages", "new articles", "max RSS MB", "wall s"], rows))
            gap = rows[1][3] - rows[0][3]
            print(f"\n- peak RSS with {args.articles:,} articles minus empty: {gap:+.1f} MB "
                  f"(target within 50 MB): {'MET' if abs(gap) <= 50 else 'MISSED'}")  # fmt: skip
    return 0


def measure(store: Store, db: Path, folder: Path, args: argparse.Namespace) -> None:
    print(f"# bench.scale: {args.articles:,} articles in {db}")
    if store.count() < args.articles:
        started = time.monotonic()
        timings = grow(store, args.articles, args.corpus)
        heading(f"Growing the store to {args.articles:,} {args.corpus} articles"
                f" (write_batch of {BATCH:,})")  # fmt: skip
        headers = ["part of N", "articles", "rows/s", "ms per row", "generated rows/s"]
        print(table(headers, insert_rows(timings, args.articles)))
        print(clusters(store))
        print(f"\n- {(time.monotonic() - started) / 60:.1f} min in all; "
              f"{disk_usage(db):,.0f} MB on disk, {disk_usage(db) * 1e6 / args.articles:,.0f} "
              "bytes per article")  # fmt: skip
    else:
        print(f"(reusing the {store.count():,} articles already in {db})")
    heading(f"Operations at {store.count():,} articles")
    print(
        table(
            ["duplicate check", "rows/s", "outcomes"], duplicates(store, args.articles, args.corpus)
        )
    )
    print()
    print(table(["article_seen", "median µs", "p99 µs"], lookups(store, args.articles)))
    print()
    print(table(["SimHash band index", "median", "max", "if SimHash bits were uniform"],
                near_candidates(store, args.articles, args.corpus)))  # fmt: skip
    print()
    print(table(["export", "articles", "seconds", "rows/s", "MB"], exported(store, folder)))
    print()
    print(table(["search", "matching articles", "shown", "median ms"], searches(store)))


class _folder:
    """The store's folder: --keep PATH (kept), else a temporary one (deleted at the end)."""

    def __init__(self, args: argparse.Namespace):
        self.keep = args.keep
        self.parent = args.dir or Path(tempfile.gettempdir())
        self.articles = args.articles
        self.tmp: tempfile.TemporaryDirectory | None = None

    def __enter__(self) -> Path:
        if self.keep:
            self.keep.mkdir(parents=True, exist_ok=True)
            check_disk(self.keep, self.articles)
            return self.keep
        check_disk(self.parent, self.articles)
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-scale-", dir=self.parent)
        return Path(self.tmp.name)

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
