"""Incremental runs: what a scheduled ``scrapy crawlall`` fetches on a first, an unchanged and an
updated site.

    python -m bench.incremental [--articles 200] [--new 10]

A loopback replica of Daily Inqilab (``bench._replica``: robots.txt, the feed of the newest 100,
the news sitemap of the newest 500, eight category listings of 20 links a page) serves
``--articles`` articles. ``scrapy crawlall --outlet inqilab -a base_url=…`` runs against it
into one database, with politeness off for speed (no download delay, no AutoThrottle) and
everything else as scheduled runs have it:

  1. first run                 every article is new
  2. second run, no change     no article page should be fetched
  3. after --new new articles  only the new ones
  and, for contrast, run 2 again on a copy of the database with NEWSCRAWL_INCREMENTAL=False.

Requests are counted by the server and split into article pages and discovery pages.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bench._proc import PROJECT, run, scrapy_env
from bench._replica import Replica
from bench._table import heading, table
from newscrawl.store import Store

DISCOVERY = ("robots", "feed", "sitemap", "listing", "listing-next", "missing")


def crawlall(replica: Replica, db: Path, **extra: str) -> dict:
    """One scheduled run; what the server served and what the run recorded."""
    replica.reset()
    opts = {
        "NEWSCRAWL_DB": str(db),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "LOG_LEVEL": "INFO",
        **extra,
    }
    flags = [arg for key, value in opts.items() for arg in ("-s", f"{key}={value}")]
    cmd = [sys.executable, "-m", "scrapy", "crawlall", "--outlet", "inqilab",
           "-a", f"base_url={replica.url}", *flags]  # fmt: skip
    done = run(cmd, cwd=PROJECT, env=scrapy_env())
    if done.returncode not in (0, 1):  # 1: an unhealthy outlet, still a complete run
        raise SystemExit(f"crawlall failed ({done.returncode}):\n{done.stderr[-3000:]}")
    with Store(db) as store:
        last = store.runs("inqilab")[-1]
    return {"served": replica.stats(), "run": last, "exit": done.returncode, "wall": done.wall}


def row(label: str, result: dict, expected_articles: int | None) -> list:
    kinds = result["served"]["kinds"]
    articles = kinds.get("article", 0)
    stats = result["run"].get("stats") or {}
    check = "–" if expected_articles is None else (
        "as expected" if articles == expected_articles else f"EXPECTED {expected_articles}"
    )  # fmt: skip
    return [
        label, articles, *(kinds.get(k, 0) for k in DISCOVERY),
        sum(kinds.get(k, 0) for k in DISCOVERY), result["run"].get("new_articles"),
        stats.get("newscrawl/incremental/known", 0),
        stats.get("newscrawl/incremental/listing_stopped", 0),
        result["exit"], result["wall"], check,
    ]  # fmt: skip


HEADERS = [
    "run", "article pages", "robots", "feed", "sitemap", "listing p1", "listing p2+", "404",
    "discovery pages", "new articles stored", "known (skipped)", "listings stopped", "exit",
    "wall s", "check",
]  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200, help="articles on the site (200)")
    parser.add_argument("--new", type=int, default=10, help="articles published before run 3")
    parser.add_argument("--page-kb", type=int, default=60, help="article page size (60 KB)")
    parser.add_argument("--sitemap-urls", type=int, default=500,
                        help="articles in the news sitemap (500, as live)")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"# bench.incremental: {args.articles} articles, then {args.new} new")
    rows = []
    replica = Replica(
        args.articles, page_kb=args.page_kb, per_page=20, sitemap_urls=args.sitemap_urls
    )
    with replica, tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp:
        db = Path(tmp) / "newscrawl.db"
        rows.append(row("1. first run", crawlall(replica, db), args.articles))
        rows.append(row("2. second run, site unchanged", crawlall(replica, db), 0))
        copy = Path(tmp) / "copy" / "newscrawl.db"
        copy.parent.mkdir()
        shutil.copy(db, copy)  # the store closed cleanly: WAL checkpointed into the file
        contrast = crawlall(replica, copy, NEWSCRAWL_INCREMENTAL="False")
        replica.publish(args.new)
        rows.append(row(f"3. after {args.new} new articles", crawlall(replica, db), args.new))
        rows.append(row("(2 with NEWSCRAWL_INCREMENTAL=False)", contrast, None))
    heading("Requests per run, as the replica server counted them")
    print(table(HEADERS, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
