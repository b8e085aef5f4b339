"""Extraction quality and cost: newscrawl's layered extraction against trafilatura.

    python -m bench.extraction [--repeat 20] [--seeds ../shared/seeds]

Pages: every fixture page with an expected article (tests/fixtures/*/*.json with "items").
For each page:

- body token F1 against the expected body: tokens are the white-space-split words after NFC,
  counted as a multiset (a word found twice where the reference has it once counts once);
- title accuracy: the cleaned title equals the expected title;
- date accuracy: the publication day (YYYY-MM-DD, as the page states it) equals the expected
  ``published_at`` day; trafilatura's date is ``bare_extraction(..., with_metadata=True).date``;
- median milliseconds per page over ``--repeat`` runs: newscrawl as a crawl runs it (response,
  ``parse_article``, cleaning, content hash), trafilatura ``extract()`` with ``favor_precision``
  and with defaults (body only), and ``bare_extraction(with_metadata=True)`` (body, title, date:
  the job newscrawl does).

The expected items are the fixtures' golden files, which newscrawl's own tests pin: for
newscrawl that is circular (it is checked against what it was reviewed to produce), for
trafilatura it is a fair target. So a second measure uses references built without newscrawl:
the seed texts (whole-page text dumps of real pages, ../shared/seeds) that six fixture pages
are built around, cut by fixed rules (see ``SEED_CASES``). Pages built around invented texts
have no such reference.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import trafilatura
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings

from bench._proc import PROJECT
from bench._site import REAL, Site
from bench._table import heading, table
from newscrawl import text
from newscrawl.offline import as_stored, spider_for_url

FIXTURES = PROJECT / "tests" / "fixtures"
DEFAULT_SEEDS = PROJECT.parent / "shared" / "seeds"
F1_TARGET = 0.98
SPEED_TARGET = 5.0
METHODS = ("newscrawl", "traf-precision", "traf-default", "traf-metadata")

# Fixture pages built around a real page text (tests/fixtures/README), and the seed it came from.
SEED_CASES = {
    "inqilab/plain": "000",
    "inqilab/updated": "002",  # seed body is one paragraph; the fixture's breaks are invented
    "inqilab/jsonld": "004",
    "sunnews/jsonld_time": "001",
    "sunnews/meta_only": "001",
    "sunnews/bare": "001",
}


@dataclass
class Case:
    name: str  # group/case
    group: str  # the outlet, or "synthetic"
    url: str
    html: bytes
    expected: dict[str, Any]  # title, body, published_at
    source: str  # where the expected text comes from
    found: dict[str, dict[str, Any]] = field(default_factory=dict)  # method -> title/body/date
    ms: dict[str, float] = field(default_factory=dict)  # method -> median ms per page

    @property
    def page(self) -> str:
        return self.html.decode("utf-8")


def fixture_cases() -> list[Case]:
    cases = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        golden = json.loads(path.read_text("utf-8"))
        if not golden.get("items"):
            continue  # listings, feeds, skipped pages: nothing to extract
        name = f"{path.parent.name}/{path.stem}"
        source = f"seed {SEED_CASES[name]}" if name in SEED_CASES else "invented"
        html = path.with_suffix(".html").read_bytes()
        cases.append(Case(name, path.parent.name, golden["url"], html, golden["items"][0], source))
    return cases


def synthetic_cases(count: int) -> list[Case]:
    """Pages of the throughput benchmark (~60 KB, bench._site): their text is known by making."""
    site = Site(count)
    cases = []
    for article in site.articles:
        expected = {"title": article.title, "body": "\n\n".join(article.paragraphs),
                    "published_at": article.iso()}  # fmt: skip
        cases.append(Case(f"synthetic/{article.id}", "synthetic", REAL + article.path,
                          site.pages[article.path], expected, "generated"))  # fmt: skip
    return cases


# -- measures -----------------------------------------------------------------------------------


def tokens(value: str | None) -> list[str]:
    return unicodedata.normalize("NFC", value or "").split()


def token_f1(found: str | None, expected: str | None) -> float:
    got, want = Counter(tokens(found)), Counter(tokens(expected))
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def same_title(found: str | None, expected: str | None) -> bool:
    return bool(found) and text.clean_line(found) == text.clean_line(expected)


def day(value: str | None) -> str | None:
    return value[:10] if value else None


# -- the extractors -----------------------------------------------------------------------------


@cache
def settings() -> Settings:
    project = Settings()
    project.setmodule("newscrawl.settings", priority="project")
    return project


def newscrawl_result(case: Case) -> dict[str, Any]:
    items = newscrawl_runner(case)()
    item = items[0] if items else {}
    return {
        "title": item.get("title"),
        "body": item.get("body"),
        "date": day(item.get("published_at")),
        "layer": (item.get("extraction") or {}).get("body", "–"),
    }


def newscrawl_runner(case: Case) -> Callable[[], Any]:
    """One page as a crawl handles it: a response, the spider callback, cleaning and hashing
    (the path ``scrapy extract`` and the golden tests take through newscrawl.offline)."""
    spider = spider_for_url(case.url, settings())()
    body = case.html
    meta = {"page": 1, "article_id": spider.article_id(case.url)}

    def run() -> list[dict[str, Any]]:
        response = HtmlResponse(case.url, body=body, request=Request(case.url, meta=meta))
        return [as_stored(item) for item in spider.parse_article(response)]

    return run


def trafilatura_result(case: Case, method: str) -> dict[str, Any]:
    doc = trafilatura.bare_extraction(
        case.page, url=case.url, with_metadata=True, favor_precision=method == "traf-precision"
    )
    return {
        "title": getattr(doc, "title", None),
        "body": getattr(doc, "text", None),
        "date": getattr(doc, "date", None),
    }


def trafilatura_runner(case: Case, method: str) -> Callable[[], Any]:
    html = case.page
    if method == "traf-metadata":
        return lambda: trafilatura.bare_extraction(html, url=case.url, with_metadata=True)
    precision = method == "traf-precision"
    return lambda: trafilatura.extract(html, favor_precision=precision)


def median_ms(run: Callable[[], Any], repeat: int) -> float:
    run()  # warm-up: caches, lazy imports
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def measure(case: Case, repeat: int) -> None:
    case.found["newscrawl"] = newscrawl_result(case)
    case.ms["newscrawl"] = median_ms(newscrawl_runner(case), repeat)
    for method in METHODS[1:]:
        case.ms[method] = median_ms(trafilatura_runner(case, method), repeat)
    # Body quality of the two extract() settings; title and date as bare_extraction gives them.
    for method in ("traf-precision", "traf-default"):
        case.found[method] = trafilatura_result(case, method)


# -- reports ------------------------------------------------------------------------------------


def page_rows(cases: list[Case], reference: Callable[[Case], dict[str, Any] | None]) -> list:
    rows = []
    for case in cases:
        ref = reference(case)
        if ref is None:
            continue
        nc, tp, td = (case.found[m] for m in ("newscrawl", "traf-precision", "traf-default"))
        rows.append([
            case.name, case.source, nc["layer"],
            _f1(nc["body"], ref["body"]), _f1(tp["body"], ref["body"]),
            _f1(td["body"], ref["body"]),
            _mark(same_title(nc["title"], ref["title"])),
            _mark(same_title(td["title"], ref["title"])),
            _date_mark(nc["date"], ref["date"]), _date_mark(td["date"], ref["date"]),
        ])  # fmt: skip
    return rows


def _f1(found: str | None, expected: str | None) -> str:
    return f"{token_f1(found, expected):.3f}"  # three decimals: 0.9996 must not print as 1


def _mark(ok: bool) -> str:
    return "yes" if ok else "NO"


def _date_mark(found: str | None, expected: str | None) -> str:
    if expected is None:
        return "n/a"
    return "yes" if found == expected else f"NO ({found or 'none'})"


QUALITY_HEADERS = [
    "page", "text", "newscrawl body layer", "F1 newscrawl", "F1 traf precision",
    "F1 traf default", "title newscrawl", "title traf", "date newscrawl", "date traf",
]  # fmt: skip


def golden(case: Case) -> dict[str, Any]:
    item = case.expected
    return {"title": item["title"], "body": item["body"], "date": day(item.get("published_at"))}


OVERALL = "overall (fixtures)"


def groups(cases: list[Case]) -> list[str]:
    outlets = sorted({c.group for c in cases} - {"synthetic"})
    return [*outlets, OVERALL] + (
        ["synthetic"] if any(c.group == "synthetic" for c in cases) else []
    )


def in_group(case: Case, group: str) -> bool:
    return case.group == group or (group == OVERALL and case.group != "synthetic")


def summary_rows(cases: list[Case], reference: Callable[[Case], dict[str, Any] | None]) -> list:
    rows = []
    for group in groups(cases):
        mine = [c for c in cases if in_group(c, group)]
        pairs = [(c.found, ref) for c in mine if (ref := reference(c)) is not None]
        if not pairs:
            continue
        row: list[Any] = [group, len(pairs)]
        for method in ("newscrawl", "traf-precision", "traf-default"):
            f1s = [token_f1(found[method]["body"], ref["body"]) for found, ref in pairs]
            row.append(f"{statistics.mean(f1s):.3f} (min {min(f1s):.3f})")
        for method in ("newscrawl", "traf-default"):
            titles = [same_title(found[method]["title"], ref["title"]) for found, ref in pairs]
            row.append(f"{sum(titles)}/{len(titles)}")
        for method in ("newscrawl", "traf-default"):
            dated = [found[method]["date"] == ref["date"] for found, ref in pairs if ref["date"]]
            row.append(f"{sum(dated)}/{len(dated)}" if dated else "n/a")
        rows.append(row)
    return rows


SUMMARY_HEADERS = [
    "pages of", "pages", "F1 newscrawl (mean)", "F1 traf precision", "F1 traf default",
    "title newscrawl", "title traf", "date newscrawl", "date traf",
]  # fmt: skip


def speed_rows(cases: list[Case]) -> list:
    rows = []
    for case in cases:
        rows.append([case.name, case.found["newscrawl"]["layer"],
                     *(case.ms[m] for m in METHODS),
                     *(case.ms[m] / case.ms["newscrawl"] for m in METHODS[1:])])  # fmt: skip
    for group in groups(cases):
        mine = [c for c in cases if in_group(c, group)]
        medians = [statistics.median(c.ms[m] for c in mine) for m in METHODS]
        rows.append([f"**{group}** (median)", "", *medians,
                     *(m / medians[0] for m in medians[1:])])  # fmt: skip
    return rows


SPEED_HEADERS = [
    "page", "body layer", "ms newscrawl", "ms traf precision", "ms traf default",
    "ms traf +metadata", "x precision", "x default", "x +metadata",
]  # fmt: skip


def verdicts(cases: list[Case]) -> None:
    heading("Targets")
    for outlet in groups(cases):
        mine = [c for c in cases if in_group(c, outlet)]
        f1 = statistics.mean(
            token_f1(c.found["newscrawl"]["body"], c.expected["body"]) for c in mine
        )
        ms = {m: statistics.median(c.ms[m] for c in mine) for m in METHODS}
        speed = min(ms[m] / ms["newscrawl"] for m in METHODS[1:])
        print(f"- {outlet}: newscrawl body F1 {f1:.3f} (target >= {F1_TARGET}): "
              f"{'MET' if f1 >= F1_TARGET else 'MISSED'} (against {_against(mine)}); "
              f"speed vs the fastest trafilatura setting {speed:.1f}x (target >= "
              f"{SPEED_TARGET:.0f}x): {'MET' if speed >= SPEED_TARGET else 'MISSED'}")  # fmt: skip
    slow = [c for c in cases if c.ms["newscrawl"] * SPEED_TARGET > c.ms["traf-default"]]
    if slow:
        names = ", ".join(f"{c.name} ({c.found['newscrawl']['layer']})" for c in slow)
        print(f"- pages where newscrawl is less than {SPEED_TARGET:.0f}x faster: {names}")


def _against(cases: list[Case]) -> str:
    return "generated text" if cases[0].group == "synthetic" else "its own golden files"


# -- independent references from the seed texts ---------------------------------------------------

BN_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
BN_MONTHS = {
    "জানুয়ারি": 1, "ফেব্রুয়ারি": 2, "মার্চ": 3, "এপ্রিল": 4, "মে": 5, "জুন": 6, "জুলাই": 7,
    "আগস্ট": 8, "সেপ্টেম্বর": 9, "অক্টোবর": 10, "নভেম্বর": 11, "ডিসেম্বর": 12,
}  # fmt: skip
_BN_DATE = re.compile(r"(\S+) (\S+) (\S+),")


def seed_reference(seed: str, lines: list[str]) -> dict[str, Any]:
    """Title, body and day of a seed page text, by rules a person reading the page would use.

    Inqilab (000, 002, 004): the headline is the line above the "Daily Inqilab <desk>" byline;
    the story runs from the line after the date line to the line before "বিভাগ :".
    Sun News (001): the headline is the first line; the story runs from the line after the
    headline's second appearance to the line before the sign-off "সান নিউজ/…", less the inline
    "আরও পড়ুন: …" links to other stories and the desk lead-in "আন্তর্জাতিক ডেস্ক: " (a byline,
    not story text). The seed shows no publication date.
    """
    lines = [unicodedata.normalize("NFC", line).replace("\xa0", " ").strip() for line in lines]
    if seed == "001":
        title = lines[0]
        start = lines.index(title, 1) + 1
        end = next(i for i, line in enumerate(lines) if line.startswith("সান নিউজ/"))
        body = [line for line in lines[start:end] if line and not line.startswith("আরও পড়ুন:")]
        body[0] = re.sub(r"^\S+ ডেস্ক:\s*", "", body[0])
        return {"title": title, "body": "\n\n".join(body), "date": None}
    byline = next(i for i, line in enumerate(lines) if line.startswith("Daily Inqilab"))
    title = next(line for line in reversed(lines[:byline]) if line)
    dated = next(i for i, line in enumerate(lines) if "আপডেট:" in line)
    end = next(i for i, line in enumerate(lines) if line.startswith("বিভাগ :"))
    body = [line for line in lines[dated + 1 : end] if line]
    return {"title": title, "body": "\n\n".join(body), "date": _seed_day(lines[dated])}


def _seed_day(line: str) -> str:
    d, month, y = _BN_DATE.match(line).groups()  # type: ignore[union-attr]
    return f"{y.translate(BN_DIGITS)}-{BN_MONTHS[month]:02d}-{int(d.translate(BN_DIGITS)):02d}"


def seed_references(folder: Path) -> dict[str, dict[str, Any]]:
    refs = {}
    for case, seed in SEED_CASES.items():
        path = next(folder.glob(f"{seed}_*.txt"))
        refs[case] = seed_reference(seed, path.read_text("utf-8").splitlines())
    return refs


# -- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per page (20)")
    parser.add_argument("--synthetic", type=int, default=5,
                        help="synthetic pages of the throughput benchmark (5)")  # fmt: skip
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS,
                        help="folder of the seed page texts (../shared/seeds)")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cases = fixture_cases() + synthetic_cases(args.synthetic)
    print(f"# bench.extraction: {len(cases) - args.synthetic} fixture pages and {args.synthetic} "
          f"synthetic 60 KB pages, {args.repeat} timed runs each, "
          f"trafilatura {trafilatura.__version__}")  # fmt: skip
    for case in cases:
        measure(case, args.repeat)
    heading("Quality against the golden files (circular for newscrawl, fair for trafilatura)"
            " and the synthetic pages' generated text")  # fmt: skip
    print(table(QUALITY_HEADERS, page_rows(cases, golden)))
    print()
    print(table(SUMMARY_HEADERS, summary_rows(cases, golden)))
    heading("Cost: median ms per page, and how many times slower trafilatura is")
    print(table(SPEED_HEADERS, speed_rows(cases)))
    verdicts(cases)
    if not args.seeds.is_dir():
        print(f"\n(no seed texts at {args.seeds}: the independent measure is skipped)")
        return 0
    refs = seed_references(args.seeds)
    heading("Quality against references made without newscrawl: seed texts cut by fixed rules,"
            " and the synthetic pages' generated text")  # fmt: skip

    def independent(case: Case) -> dict[str, Any] | None:
        return golden(case) if case.group == "synthetic" else refs.get(case.name)

    print(table(QUALITY_HEADERS, page_rows(cases, independent)))
    print()
    print(table(SUMMARY_HEADERS, summary_rows(cases, independent)))
    heading("Do the golden files agree with the seed references?")
    print(table(["page", "seed", "body F1 golden vs reference", "same title", "same day"], [
        [c.name, SEED_CASES[c.name], _f1(c.expected["body"], refs[c.name]["body"]),
         _mark(same_title(c.expected["title"], refs[c.name]["title"])),
         _date_mark(day(c.expected.get("published_at")), refs[c.name]["date"])]
        for c in cases if c.name in refs
    ]))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
