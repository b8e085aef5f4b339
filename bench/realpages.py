"""Real pages of outlets newscrawl has no spider for: its generic outlet against trafilatura.

    python -m bench.realpages [DIR] [--repeat 5]

DIR (default ``../shared/real-pages``) holds ``<name>.html`` beside ``<name>.gold.json``: the
URL the page was saved from and what a person reads on it (title, published_at, author, body as
a list of paragraphs). The pages stay outside the repository.

Per page and in total:

- title, author: the cleaned value equals the reference's (1 or 0);
- date: the publication time equals the reference's; trafilatura gives a day only, so for it the
  day (as the page states it) is compared, which favours it;
- body F1: white-space-split words, counted as a multiset, against the reference's paragraphs;
  ``paras`` is how many of the reference's paragraphs come out exactly, and ``markup`` whether
  the body holds HTML tags or entities;
- ms: median milliseconds per page over ``--repeat`` runs. newscrawl: ``scrapy extract``'s path
  (``parse_saved_page``: response, ``parse_article``, cleaning, hash). trafilatura:
  ``bare_extraction(with_metadata=True)`` (body, title, author, date: the job done here).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura

from bench._proc import PROJECT
from bench._table import heading, table
from bench.extraction import token_f1
from newscrawl import text
from newscrawl.offline import parse_saved_page

DEFAULT_DIR = PROJECT.parent / "shared" / "real-pages"
MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*[\s/>]|&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.I)


def settings() -> Any:
    from scrapy.settings import Settings

    return Settings({"SPIDER_MODULES": ["newscrawl.spiders"], "BOT_NAME": "newscrawl"})


def newscrawl_fields(page: Path, url: str) -> dict[str, Any]:
    result = parse_saved_page(page, url, settings())
    if not result.items:
        return {}
    item = result.items[0]
    return {
        "title": item.get("title"),
        "author": item.get("author"),
        "date": item.get("published_at"),
        "body": (item.get("body") or "").split("\n\n"),
    }


def trafilatura_fields(page: Path, url: str) -> dict[str, Any]:
    doc = trafilatura.bare_extraction(page.read_bytes(), url=url, with_metadata=True)
    if doc is None:
        return {}
    return {
        "title": doc.title,
        "author": doc.author,
        "date": doc.date,
        "body": [p for p in (doc.text or "").split("\n") if p.strip()],
    }


def same(found: str | None, expected: str | None) -> int:
    return int(bool(found) and text.clean_line(found) == text.clean_line(expected))


def same_date(found: str | None, expected: str | None) -> int:
    if not found or not expected:
        return 0
    want = datetime.fromisoformat(expected)
    if len(found) == 10:  # a day only
        return int(found == want.date().isoformat())
    return int(datetime.fromisoformat(found) == want)


def score(fields: dict[str, Any], gold: dict[str, Any]) -> dict[str, Any]:
    body = [text.clean_line(p) for p in fields.get("body") or []]
    want = [text.clean_line(p) for p in gold["body"]]
    return {
        "title": same(fields.get("title"), gold["title"]),
        "date": same_date(fields.get("date"), gold["published_at"]),
        "author": same(fields.get("author"), gold["author"]),
        "body": token_f1("\n".join(body), "\n".join(want)),
        "paras": f"{len(set(body) & set(want))}/{len(want)}",
        "markup": bool(MARKUP.search("\n".join(body))),
    }


def median_ms(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    golds = sorted(args.dir.glob("*.gold.json"))
    if not golds:
        print(f"bench.realpages: no *.gold.json in {args.dir}: give the folder", file=sys.stderr)
        return 2
    rows, totals = [], {"newscrawl": [], "trafilatura": []}
    for gold_path in golds:
        gold = json.loads(gold_path.read_text("utf-8"))
        page = gold_path.with_name(gold_path.name.replace(".gold.json", ".html"))
        for method, read in (("newscrawl", newscrawl_fields), ("trafilatura", trafilatura_fields)):
            found = score(read(page, gold["url"]), gold)
            found["ms"] = median_ms(lambda r=read, p=page, u=gold["url"]: r(p, u), args.repeat)
            totals[method].append(found)
            rows.append((page.stem, method, *found.values()))
    heading(f"Real pages ({args.dir})")
    headers = ("page", "method", "title", "date", "author", "body F1", "paras", "markup", "ms")
    print(table(headers, rows))
    print()
    summary = []
    for method, found in totals.items():
        summary.append(
            (
                method,
                f"{sum(f['title'] for f in found)}/{len(found)}",
                f"{sum(f['date'] for f in found)}/{len(found)}",
                f"{sum(f['author'] for f in found)}/{len(found)}",
                statistics.mean(f["body"] for f in found),
                min(f["body"] for f in found),
                sum(f["markup"] for f in found),
                statistics.median(f["ms"] for f in found),
            )
        )
    headers = ("method", "title", "date", "author", "body F1 mean", "body F1 min", "markup", "ms")
    print(table(headers, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
