"""Near-duplicates on templated pages stay bounded: candidates, pairs and cluster merges."""

import functools
import random

import pytest

from newscrawl import simhash
from newscrawl.store import Store, neardup
from tests.test_neardup import KIM, article

BODY = KIM["body"]


@pytest.fixture
def store(db_path):
    with Store(db_path) as s:
        yield s


def same_text(n: int, body: str = BODY) -> list[dict]:
    """Articles with one body and different titles: one SimHash, different content hashes."""
    return [article(body, title=f"শিরোনাম {i}") for i in range(n)]


def pairs_of(store, content_hash: str) -> set[str]:
    query = "SELECT older_hash FROM near_duplicates WHERE newer_hash = ?"
    return {row[0] for row in store.conn.execute(query, (content_hash,))}


def test_only_the_newest_candidates_of_a_bucket_are_read(store, monkeypatch):
    monkeypatch.setattr(neardup, "CANDIDATES_PER_BUCKET", 3)
    older = same_text(8)
    store.write_batch(older)
    newest = article(BODY, title="শেষ শিরোনাম")
    store.write_batch([newest])
    assert pairs_of(store, newest["content_hash"]) == {a["content_hash"] for a in older[-3:]}


def test_pairs_per_article_are_capped_nearest_first(store, monkeypatch):
    monkeypatch.setattr(neardup, "MAX_NEAR_LINKS", 4)
    store.write_batch(same_text(10))
    newest = article(BODY, title="শেষ শিরোনাম")
    (outcome,) = store.write_batch([newest])
    assert outcome.near_duplicates == 4 == len(pairs_of(store, newest["content_hash"]))


def test_searching_afresh_reads_every_candidate(store, monkeypatch):
    monkeypatch.setattr(neardup, "CANDIDATES_PER_BUCKET", 2)
    items = same_text(6)
    store.write_batch(items)
    assert len(store.similar(items[0]["content_hash"], distance=3)) == 5


def edited(words: list[str], rng: random.Random, start: int, end: int, n: int) -> str:
    words = list(words)
    for at in rng.sample(range(start, end), n):
        words[at] = f"বদল{rng.randint(0, 999)}"
    return " ".join(words)


@functools.cache
def bridged_bodies() -> tuple[str, str, str]:
    """Z, A and B: A and B each within the distance of Z, but not of each other."""
    words = BODY.split()
    middle = len(words) // 2
    rng = random.Random(5)
    z = simhash.simhash(BODY)
    for _ in range(5000):
        a = edited(words, rng, 0, middle, 4)
        b = edited(words, rng, middle, len(words), 4)
        ha, hb = simhash.simhash(a), simhash.simhash(b)
        if (simhash.distance(ha, z) <= 6 and simhash.distance(hb, z) <= 6
                and simhash.distance(ha, hb) > simhash.DEFAULT_DISTANCE):  # fmt: skip
            return BODY, a, b
    raise AssertionError("no bridge found")


def write_bridge(store) -> dict[str, int]:
    """Cluster A (one article), cluster B (three), then an article near both."""
    z, a, b = bridged_bodies()
    store.write_batch([article(a, title="ক")])
    store.write_batch([article(b, title=f"খ {i}") for i in range(3)])
    assert len({r["cluster"] for r in store.articles()}) == 2
    store.write_batch([article(z, title="গ")])
    return {r["title"]: r["cluster"] for r in store.articles()}


def test_a_bridge_merges_small_clusters(store):
    assert len(set(write_bridge(store).values())) == 1


def test_a_bridge_leaves_a_cluster_past_the_bound_apart(store, monkeypatch):
    monkeypatch.setattr(neardup, "MAX_CLUSTER_MERGE", 2)
    clusters = write_bridge(store)
    assert clusters["গ"] == clusters["ক"]
    assert {clusters[f"খ {i}"] for i in range(3)} != {clusters["ক"]}
    assert len(set(clusters.values())) == 2
