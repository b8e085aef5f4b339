"""Crawl throughput: newscrawl's inqilab crawl against plain Scrapy over the same loopback pages.

    python -m bench.throughput [--articles 2000] [--rounds 3] [--concurrency 16] [--no-profile]
                               [--what-if] [--steps-only]

A replica of Daily Inqilab (``bench._replica``, its own process) serves ``--articles`` article
pages of ~60 KB plus robots.txt, the feed, the news sitemap and the category listings. Three
crawls fetch the same pages with the same concurrency, politeness off (no download delay, no
AutoThrottle; robots.txt obeyed by all three):

  (a) bare       plain Scrapy, same discovery, nothing read from articles
  (b) parsel     plain Scrapy, title, date line and body with three parsel selectors, not stored
  (c) newscrawl  ``scrapy crawl inqilab -a base_url=…``: every layer, pipeline and extension,
                 into a fresh SQLite database

Pages/s and CPU ms/page are taken over the crawl itself (first to last request served, CPU of
the crawler process sampled from /proc), so the ~1-2 s of imports at start-up are left out; the
whole-process figures are shown beside them. Variants run interleaved, ``--rounds`` times, and
the median of each is shown. Target: (c) keeps at least 80% of (b)'s throughput, measured as
CPU per page ((b)'s over (c)'s: each crawler is one process on at most one core). When it does
not (or with ``--profile``), (c) and (b) are run once more under cProfile and the difference is
broken down. Then one page
goes through newscrawl's steps with a timer (no profiler), beside the fixes that would shorten
them. ``--what-if`` adds (b) and (c) with Scrapy's CONCURRENT_ITEMS at 10 instead of 100.
"""

from __future__ import annotations

import argparse
import ast
import pstats
import re
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bench import _steps
from bench._proc import PROJECT, Finished, run, scrapy_env
from bench._replica import Replica
from bench._site import CATEGORIES, Site
from bench._table import heading, median, table

BASELINE = PROJECT / "bench" / "baseline_spider.py"
TARGET = 0.80
VARIANTS = ("a", "b", "c")
WHAT_IF = ("b*", "c*")  # --what-if: (b) and (c) with Scrapy's CONCURRENT_ITEMS lowered
LABELS = {
    "a": "(a) bare Scrapy", "b": "(b) 3 parsel selectors", "c": "(c) newscrawl inqilab",
    "b*": "(b*) = (b), CONCURRENT_ITEMS=10", "c*": "(c*) = (c), CONCURRENT_ITEMS=10",
}  # fmt: skip
# Scrapy starts CONCURRENT_ITEMS (100) asyncio tasks for the output of every response, however
# little it yields: a measurable share of a page's CPU when a page yields one item.
EXTRA = {"b*": {"CONCURRENT_ITEMS": "10"}, "c*": {"CONCURRENT_ITEMS": "10"}}


@dataclass
class Measured:
    variant: str
    pages: int
    articles: int
    stored: int  # items yielded (b), articles in the database (c)
    window: float  # seconds from the first to the last request served
    window_cpu: float  # crawler CPU seconds in that window
    server_cpu: float  # replica server CPU seconds in that window
    wall: float
    cpu: float
    max_rss_mb: float

    @property
    def pages_per_s(self) -> float:
        return (self.pages - 1) / self.window

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.window_cpu / self.pages

    @property
    def process_cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu / self.pages


def settings(concurrency: int) -> dict[str, str]:
    return {
        "LOG_LEVEL": "INFO",
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "ROBOTSTXT_OBEY": "True",
        "TELNETCONSOLE_ENABLED": "False",
    }


def command(variant: str, url: str, db: Path, listing_pages: int, opts: dict[str, str]) -> list:
    opts = {**opts, **EXTRA.get(variant, {})}
    variant = variant[0]
    if variant == "c":
        head = ["crawl", "inqilab", "-a", f"base_url={url}"]
        opts = {**opts, "NEWSCRAWL_DB": str(db), "NEWSCRAWL_LISTING_PAGES": str(listing_pages)}
    else:
        extract = "1" if variant == "b" else "0"
        head = ["runspider", str(BASELINE), "-a", f"base_url={url}", "-a", f"extract={extract}"]
        head += ["-a", f"listing_pages={listing_pages}"]
    flags = [arg for key, value in opts.items() for arg in ("-s", f"{key}={value}")]
    return [sys.executable, "-m", "scrapy", *head, *flags]


def workdir(variant: str, scratch: Path) -> Path:
    # The baselines run outside the project so no scrapy.cfg puts newscrawl's settings in force.
    return PROJECT if variant.startswith("c") else scratch


def crawl_once(variant: str, replica: Replica, scratch: Path, args, n: int) -> Measured:
    db = scratch / f"run{n}-{variant[0]}{len(variant)}.db"
    replica.reset()
    cmd = command(variant, replica.url, db, args.listing_pages, settings(args.concurrency))
    done = run(cmd, cwd=workdir(variant, scratch), env=scrapy_env(), watch={"server": replica.pid})
    served = replica.stats()
    if done.returncode != 0:
        raise SystemExit(f"{LABELS[variant]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    first, last = served["first"], served["last"]
    sampler = done.sampler
    assert sampler is not None
    return Measured(
        variant=variant,
        pages=served["requests"],
        articles=served["kinds"].get("article", 0),
        stored=stored_count(variant, done, db),
        window=last - first,
        window_cpu=sampler.cpu_between("child", first, last),
        server_cpu=sampler.cpu_between("server", first, last),
        wall=done.wall,
        cpu=done.cpu,
        max_rss_mb=done.max_rss_mb,
    )


def stored_count(variant: str, done: Finished, db: Path) -> int:
    if variant.startswith("c"):
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    found = re.search(r"'item_scraped_count': (\d+)", done.stderr)
    return int(found.group(1)) if found else 0


def summarize(runs: list[Measured]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for variant in dict.fromkeys(m.variant for m in runs):
        mine = [m for m in runs if m.variant == variant]
        out[variant] = {
            "pages": mine[0].pages,
            "articles": mine[0].articles,
            "stored": min(m.stored for m in mine),
            "pages_per_s": median(m.pages_per_s for m in mine),
            "cpu_ms": median(m.cpu_ms_per_page for m in mine),
            "crawler_busy": median(m.window_cpu / m.window for m in mine),
            "server_busy": median(m.server_cpu / m.window for m in mine),
            "wall": median(m.wall for m in mine),
            "process_cpu_ms": median(m.process_cpu_ms_per_page for m in mine),
            "rss": median(m.max_rss_mb for m in mine),
        }
    return out


def print_results(summary: dict[str, dict[str, float]], runs: list[Measured], rounds: int) -> None:
    heading(f"Throughput (median of {rounds} interleaved rounds)")
    rows = []
    for variant in summary:
        s = summary[variant]
        rows.append([
            LABELS[variant], s["pages"], s["articles"], s["stored"] if variant != "a" else None,
            s["pages_per_s"], s["cpu_ms"], f"{s['crawler_busy']:.0%}", f"{s['server_busy']:.0%}",
            s["wall"], s["process_cpu_ms"], s["rss"],
            s["pages_per_s"] / summary["b"]["pages_per_s"],
        ])  # fmt: skip
    print(table(
        ["variant", "pages", "articles", "items/stored", "pages/s", "CPU ms/page",
         "crawler CPU", "server CPU", "process wall s", "process CPU ms/page", "max RSS MB",
         "pages/s vs (b)"],
        rows,
    ))  # fmt: skip
    heading("Every round")
    print(table(
        ["round", "variant", "pages/s", "CPU ms/page", "window s"],
        [[i // len(summary) + 1, LABELS[m.variant], m.pages_per_s, m.cpu_ms_per_page, m.window]
         for i, m in enumerate(runs)],
    ))  # fmt: skip


def print_verdicts(summary: dict[str, dict[str, float]]) -> bool:
    a, b, c = (summary[v] for v in VARIANTS)
    # The crawler is one process at up to one core: its throughput is the inverse of its CPU per
    # page, and the CPU figure holds when other work on the machine takes some of the core.
    ratio = b["cpu_ms"] / c["cpu_ms"]
    met = ratio >= TARGET
    heading("Verdict")
    print(
        f"- (c)/(b) throughput by CPU per page ((b)'s CPU ms / (c)'s): {ratio:.0%} (target >= "
        f"{TARGET:.0%}): " + ("MET" if met else "MISSED")
        + f"; (c) spends {c['cpu_ms'] - b['cpu_ms']:.2f} ms more CPU per page than (b)."
    )  # fmt: skip
    print(
        f"- The same over the whole process (start-up and shutdown included): "
        f"{b['process_cpu_ms'] / c['process_cpu_ms']:.0%}; by pages/s in the window: "
        f"{c['pages_per_s'] / b['pages_per_s']:.0%} (crawlers at {b['crawler_busy']:.0%} and "
        f"{c['crawler_busy']:.0%} of a core)."
    )
    print(f"- (b)/(a) throughput: {b['pages_per_s'] / a['pages_per_s']:.0%}")
    server_free = a["server_busy"] < 0.7 and a["crawler_busy"] > 0.85
    print(
        f"- Server check, during (a), the fastest crawl: replica server busy "
        f"{a['server_busy']:.0%} of a core, crawler {a['crawler_busy']:.0%}: "
        + (
            "the crawler is the bottleneck, not the server."
            if server_free
            else "the server may limit (a): treat (a) as a lower bound."
        )
    )
    fetched = ", ".join(f"({v}) {summary[v]['articles']:,}" for v in VARIANTS)
    print(f"- Article pages fetched: {fetched}; items yielded (b) {b['stored']:,}, stored (c) "
          f"{c['stored']:,}")  # fmt: skip
    return met


# -- profiling -------------------------------------------------------------------------------------

# (label, file suffix, function name): the places a newscrawl page's CPU goes.
BUCKETS = (
    ("spider callback (parse_article)", "newscrawl/spiders/base.py", "parse_article"),
    ("  extract.extract (layers)", "newscrawl/extraction/__init__.py", "extract"),
    ("  not_an_article (challenge/error checks)", "newscrawl/spiders/base.py", "not_an_article"),
    ("CleanPipeline", "newscrawl/pipelines.py", "CleanPipeline.process_item"),
    ("HashPipeline", "newscrawl/pipelines.py", "HashPipeline.process_item"),
    ("StorePipeline (+ write_batch)", "newscrawl/pipelines.py", "StorePipeline.process_item"),
    ("  Store.write_batch", "newscrawl/store/database.py", "write_batch"),
    ("IncrementalMiddleware: Store.article_seen", "newscrawl/store/database.py", "article_seen"),
    ("BackoffMiddleware.process_response", "newscrawl/middlewares.py", "process_response"),
    ("Spidermon item counting", "spidermon/contrib/scrapy/extensions.py", "_count_item"),
    ("Spidermon item counting (newscrawl's pass)", "newscrawl/monitors.py", "item_scraped"),
    ("(cross-cutting) parsel HTML parse", "parsel/selector.py", "create_root_node"),
    ("(cross-cutting) text.clean_line", "newscrawl/text.py", "clean_line"),
    ("(cross-cutting) parsel xpath/css calls", "parsel/selector.py", "xpath"),
    ("baseline callback (parse_article)", "bench/baseline_spider.py", "parse_article"),
    ("Scrapy: output of each response (CONCURRENT_ITEMS tasks)", "scrapy/utils/asyncio.py",
     "_parallel_asyncio"),
)  # fmt: skip


def profile(variant: str, replica: Replica, scratch: Path, args) -> pstats.Stats:
    out = scratch / f"profile-{variant}.prof"
    db = scratch / f"profile-{variant}.db"
    cmd = command(variant, replica.url, db, args.listing_pages, settings(args.concurrency))
    cmd[1:3] = ["-m", "cProfile", "-o", str(out), "-m", "scrapy"]
    replica.reset()
    done = run(cmd, cwd=workdir(variant, scratch), env=scrapy_env())
    if done.returncode != 0:
        raise SystemExit(f"profiling {LABELS[variant]} failed:\n{done.stderr[-3000:]}")
    return pstats.Stats(str(out))


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> float | None:
    """Cumulative seconds of a function, named ``func`` or ``Class.func``, summed over matches."""
    total = None
    for (file, line, func), (_, _, _, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        if not file.endswith(suffix) or func != name.split(".")[-1]:
            continue
        if "." in name and qualified_names(file).get(line) != name:
            continue
        total = (total or 0.0) + ct
    return total


@cache
def qualified_names(file: str) -> dict[int, str]:
    """``Class.method`` by the line of its ``def``: pstats keys name a function, not its class."""
    names: dict[int, str] = {}
    tree = ast.parse(Path(file).read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names[item.lineno] = f"{node.name}.{item.name}"
    return names


def print_profiles(profiles: dict[str, pstats.Stats], pages: int, top: int) -> None:
    heading("Where (c)'s time goes (cProfile, ms per page; profiling inflates all figures)")
    rows = []
    for label, suffix, name in BUCKETS:
        figures = [cumulative(profiles[v], suffix, name) for v in ("b", "c")]
        if any(f is not None for f in figures):
            rows.append([label, *[None if f is None else 1000 * f / pages for f in figures]])
    totals = [1000 * profiles[v].total_tt / pages for v in ("b", "c")]  # type: ignore[attr-defined]
    rows.append(["whole process (incl. start-up)", *totals])
    print(table(["where", "(b) ms/page", "(c) ms/page"], rows))
    heading(f"(c): top {top} functions by cumulative time (newscrawl, parsel, lxml, pipelines …)")
    print(top_functions(profiles["c"], pages, top, by="cumulative"))
    heading(f"(c): top {top} functions by own time (everything)")
    print(top_functions(profiles["c"], pages, top, by="own"))


# Where work is done, as opposed to the event loop, Deferred and async-generator plumbing that
# wraps everything and so tops any cumulative list without saying anything.
WORK = (
    "newscrawl/", "bench/", "parsel/", "lxml", "spidermon/", "sqlite", "itemadapter/",
    "scrapy/http/", "scrapy/pipelines/", "scrapy/core/downloader/handlers", "w3lib/",
)  # fmt: skip


def top_functions(stats: pstats.Stats, pages: int, top: int, *, by: str) -> str:
    """The ``top`` functions by cumulative time among WORK files, or by own time among all."""
    total = stats.total_tt  # type: ignore[attr-defined]
    entries = []
    for (file, line, func), (_, calls, tt, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        # Leave out frames that wrap the whole run (the crawl command itself).
        if by == "own" or (any(marker in file for marker in WORK) and ct < 0.9 * total):
            entries.append(
                (tt if by == "own" else ct, ct, tt, calls, f"{_short(file)}:{line}({func})")
            )
    entries.sort(reverse=True)
    rows = [[where, calls, 1000 * ct / pages, 1000 * tt / pages]
            for _, ct, tt, calls, where in entries[:top]]  # fmt: skip
    return table(["function", "calls", "cumulative ms/page", "own ms/page"], rows)


def _short(file: str) -> str:
    for marker in ("site-packages/", str(PROJECT) + "/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return re.sub(r"^.*/lib/python3\.\d+/", "", file)


def print_steps(args: argparse.Namespace) -> None:
    page = _steps.Page(Site(200, page_bytes=args.page_kb * 1000))
    heading(f"One {len(page.body) / 1000:.0f} KB page through newscrawl's steps (timed directly, "
            f"median of {args.step_repeat})")  # fmt: skip
    print(table(["step", "µs per page"], _steps.step_rows(page, args.step_repeat)))


# -- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="article pages (2000)")
    parser.add_argument("--page-kb", type=int, default=60, help="article page size (60 KB)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (16)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument("--per-page", type=int, default=50, help="links per listing page (50)")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile runs")
    parser.add_argument("--profile", action="store_true",
                        help="profile (b) and (c) even when the target is met")  # fmt: skip
    parser.add_argument("--steps-only", action="store_true",
                        help="only time one page through the steps (no crawls)")  # fmt: skip
    parser.add_argument("--what-if", action="store_true",
                        help="also (b) and (c) with CONCURRENT_ITEMS=10")  # fmt: skip
    parser.add_argument("--profile-top", type=int, default=25, help="functions listed (25)")
    parser.add_argument("--step-repeat", type=int, default=200, help="timed runs per step (200)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    per_category = -(-args.articles // len(CATEGORIES))
    args.listing_pages = max(1, -(-per_category // args.per_page))
    if args.steps_only:
        print_steps(args)
        return 0
    print(
        f"# bench.throughput: {args.articles:,} article pages of ~{args.page_kb} KB, "
        f"concurrency {args.concurrency}, {args.rounds} round(s)"
    )
    replica = Replica(
        args.articles, page_kb=args.page_kb, per_page=args.per_page, sitemap_urls=args.articles
    )
    with replica, tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        scratch = Path(tmp)
        runs = [
            crawl_once(variant, replica, scratch, args, n)
            for n in range(args.rounds)
            for variant in VARIANTS + (WHAT_IF if args.what_if else ())
        ]
        summary = summarize(runs)
        print_results(summary, runs, args.rounds)
        met = print_verdicts(summary)
        if (args.profile or not met) and not args.no_profile:
            profiles = {v: profile(v, replica, scratch, args) for v in ("b", "c")}
            print_profiles(profiles, summary["c"]["pages"], args.profile_top)
    print_steps(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
