"""Near-duplicate detection: how far apart edited copies and distinct articles are, and the
precision and recall of each distance threshold, for newscrawl's SimHash and trafilatura's.

    python bench/neardup.py [--trials 5] [--seed 7]

Near pairs are copies of real article bodies with one controlled edit; distinct pairs are
different articles, five of them the same story written separately by five outlets (the seed
texts). The fixture bodies come from tests/fixtures; seed 003 from tests/data.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl import simhash  # noqa: E402

FILLERS = ["নতুন", "পুরোনো", "বড়", "ছোট", "আজ", "গতকাল"]


def distinct_bodies() -> dict[str, str]:
    bodies = {}
    for case in sorted((ROOT / "tests" / "fixtures").glob("*/*.json")):
        for item in json.loads(case.read_text("utf-8")).get("items", []):
            bodies[item["content_hash"]] = item["body"]
    seed = (ROOT / "tests" / "data" / "seed_003.txt").read_text("utf-8").split("\n", 1)[1]
    bodies["seed-003"] = seed
    return bodies


def edits(rng: random.Random) -> dict[str, Callable[[str], str]]:
    def sentences(body: str) -> list[str]:
        return re.split(r"(?<=।)\s+", body)

    def rewrite_sentence(body: str) -> str:
        parts = sentences(body)
        i = rng.randrange(len(parts))
        words = parts[i].split()
        rng.shuffle(words)
        parts[i] = " ".join(words[: max(3, len(words) - 2)]) + "।"
        return " ".join(parts)

    def swap(body: str, n: int) -> str:
        words = body.split(" ")
        for _ in range(n):
            words[rng.randrange(len(words))] = rng.choice(FILLERS)
        return " ".join(words)

    def drop_paragraph(body: str) -> str:
        paragraphs = body.split("\n\n")
        if len(paragraphs) > 3:
            paragraphs.pop(rng.randrange(len(paragraphs)))
        return "\n\n".join(paragraphs)

    return {
        "one word changed": lambda b: swap(b, 1),
        "three words changed": lambda b: swap(b, 3),
        "one sentence rewritten": rewrite_sentence,
        "byline and sign-off": lambda b: f"নিজস্ব প্রতিবেদক: {b}\n\nসান নিউজ/এমআর",
        "a sentence added": lambda b: b + "\n\nসংশ্লিষ্ট কর্মকর্তারা বিষয়টি খতিয়ে দেখছেন।",
        "eight words changed": lambda b: swap(b, 8),
        "a paragraph dropped": drop_paragraph,
    }


def trafilatura_hash(body: str) -> int:
    from trafilatura.deduplication import Simhash

    return Simhash(body).hash


def measure(hasher: Callable[[str], int], docs: list[str], trials: int, seed: int):
    rng = random.Random(seed)
    near: list[tuple[str, int]] = []
    for _ in range(trials):
        for body in docs:
            value = hasher(body)
            for name, edit in edits(rng).items():
                near.append((name, simhash.distance(value, hasher(edit(body)))))
    values = [hasher(b) for b in docs]
    far = [simhash.distance(a, b) for a, b in itertools.combinations(values, 2)]
    return near, far


def report(title: str, near, far) -> None:
    print(f"\n== {title}")
    print(f"{'edit':<24} {'median':>6} {'max':>4}")
    for name in dict.fromkeys(n for n, _ in near):
        ds = [d for n, d in near if n == name]
        print(f"{name:<24} {statistics.median(ds):>6} {max(ds):>4}")
    print(f"{'distinct articles':<24} {statistics.median(far):>6} {'min ' + str(min(far)):>8}")
    print(f"\n{'k':>3} {'recall':>7} {'precision':>9} {'recall (small edits)':>21}")
    small = {
        "one word changed",
        "byline and sign-off",
        "a sentence added",
        "one sentence rewritten",
    }
    for k in range(0, 13):
        hits = sum(d <= k for _, d in near)
        small_hits = [d <= k for n, d in near if n in small]
        false = sum(d <= k for d in far)
        precision = hits / (hits + false) if hits + false else 1.0
        print(f"{k:>3} {hits / len(near):>7.3f} {precision:>9.3f} "
              f"{sum(small_hits) / len(small_hits):>21.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    docs = list(distinct_bodies().values())
    print(f"{len(docs)} distinct article bodies, {args.trials} trials of each edit")
    for title, hasher in (("newscrawl SimHash", simhash.simhash),
                          ("trafilatura SimHash", trafilatura_hash)):  # fmt: skip
        near, far = measure(hasher, docs, args.trials, args.seed)
        report(title, near, far)
    body = docs[0] * 4
    start = time.perf_counter()
    for _ in range(200):
        simhash.simhash(body)
    per_call = (time.perf_counter() - start) / 200 * 1000
    print(f"\nnewscrawl SimHash of a {len(body)}-character body: {per_call:.2f} ms")


if __name__ == "__main__":
    main()
