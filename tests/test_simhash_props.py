"""The near-duplicate index, pinned: every band probed, the distance bound inclusive, clusters
merged, and (property) every stored article within the distance found by the look-up."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl import simhash, text
from newscrawl.store import Store, StoreError
from newscrawl.store.neardup import as_signed

# Word lists for bodies whose SimHashes are known only by computing them.
WORDS = [f"শব্দ{n}" for n in range(400)]
OTHER = [f"অন্য{n}" for n in range(400)]


def article(body: str, outlet: str = "sunnews") -> dict:
    return {
        "url": f"http://x/{text.content_hash('t', body)}",
        "outlet": outlet,
        "article_id": None,
        "title": "t",
        "body": body,
        "content_hash": text.content_hash("t", body),
    }


def flip(value: int, bits) -> int:
    for bit in bits:
        value ^= 1 << bit
    return value


def band_bits(band: int, count: int) -> list[int]:
    """``count`` bit positions inside ``band`` (band 0 is the most significant)."""
    top = simhash.BITS - simhash.BAND_BITS * band - 1
    return [top - i for i in range(count)]


@pytest.fixture
def stored(db_path):
    """A store with one article, and that article's SimHash."""
    with Store(db_path) as store:
        body = " ".join(WORDS[:200])
        store.write_batch([article(body)])
        yield store, simhash.simhash(body)


@pytest.mark.parametrize("band", [0, 1, 2, 3])
def test_a_near_duplicate_is_found_through_any_one_band(stored, band):
    # Three bits differ in every band but one: only that band's probe can find the article.
    store, value = stored
    others = [other for other in range(4) if other != band]
    query = flip(value, band_bits(others[0], 3) + band_bits(others[1], 2) + band_bits(others[2], 2))
    assert simhash.distance(value, query) == 7
    found = store._near(query)
    assert [distance for _, _, distance in found] == [7]


def test_the_distance_bound_is_inclusive(stored):
    store, value = stored
    at_limit = flip(value, band_bits(0, 2) + band_bits(1, 2) + band_bits(2, 2) + band_bits(3, 1))
    assert [d for _, _, d in store._near(at_limit)] == [7]
    past_limit = flip(at_limit, band_bits(1, 3)[2:])  # a third bit in band 1: 8 apart
    assert simhash.distance(value, past_limit) == 8
    assert store._near(past_limit) == []
    assert [d for _, _, d in store._near(value, distance=0)] == [0]
    assert store._near(flip(value, [0]), distance=0) == []


def _chain() -> tuple[str, str, str]:
    """Bodies A, B, C with A-B and B-C near-duplicates but A-C not: B joins two clusters."""
    base = WORDS[:200]
    a = simhash.simhash(" ".join(base))
    bodies = []
    for changed in range(1, 200):
        body = " ".join(OTHER[:changed] + base[changed:])
        bodies.append((body, simhash.simhash(body)))
        far = [(b, v) for b, v in bodies if 8 <= simhash.distance(a, v) <= 14]
        for c_body, c in far:
            for b_body, b in bodies:
                if (simhash.distance(a, b) <= 7 and simhash.distance(b, c) <= 7
                        and simhash.distance(a, c) > 7):  # fmt: skip
                    return " ".join(base), b_body, c_body
    raise AssertionError("no chain of bodies found")


def test_an_article_near_two_clusters_merges_them(tmp_path):
    a, b, c = _chain()
    with Store(tmp_path / "n.db") as store:
        store.write_batch([article(a)])
        store.write_batch([article(c, outlet="inqilab")])
        before = {r["content_hash"]: r["cluster"] for r in store.articles()}
        assert len(set(before.values())) == 2  # A and C are not near each other
        outcome = store.write_batch([article(b)])[0]
        assert outcome.near_duplicates == 2
        clusters = {r["cluster"] for r in store.articles()}
        assert clusters == {1}  # the oldest cluster's number wins, for all three


# -- properties ----------------------------------------------------------------------------

BODIES = [" ".join(WORDS[i * 40 : i * 40 + 120]) for i in range(5)]


@pytest.fixture(scope="module")
def five_stored():
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "p.db") as store:
        store.write_batch([article(b) for b in BODIES])
        yield store, [simhash.simhash(b) for b in BODIES]


@settings(max_examples=300, deadline=None)
@given(
    which=st.integers(0, len(BODIES) - 1),
    flips=st.sets(st.integers(0, 63), max_size=simhash.MAX_DISTANCE),
)
def test_every_article_within_the_distance_is_found(five_stored, which, flips):
    store, values = five_stored
    query = flip(values[which], flips)
    found = {h: d for h, _, d in store._near(query)}
    for body, value in zip(BODIES, values, strict=True):
        bits = simhash.distance(value, query)
        key = text.content_hash("t", body)
        if bits <= simhash.DEFAULT_DISTANCE:
            assert found.get(key) == bits
        else:
            assert key not in found


# -- the hash itself -----------------------------------------------------------------------


def reference_simhash(tokens: list[str]) -> int:
    """Charikar's SimHash written out bit by bit: a bit is set when more than half the words
    (each counted as often as it occurs) have it set."""
    value = 0
    for bit in range(64):
        ones = sum(1 for t in tokens if simhash._feature_hash(t) >> bit & 1)
        if ones * 2 > len(tokens):
            value |= 1 << bit
    return value


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS[:12]), min_size=1, max_size=8))
def test_simhash_is_the_majority_of_its_words_bits(tokens):
    assert simhash.simhash(" ".join(tokens)) == reference_simhash(tokens)


def test_a_body_without_words_hashes_to_zero():
    assert simhash.simhash("") == 0
    assert simhash.simhash(" । ॥ — ") == 0


def test_words_are_lower_case_with_ascii_digits():
    assert simhash.words("Kim JONG-un ১৯৪৫") == ["kim", "jong", "un", "1945"]


def test_a_body_said_to_be_clean_is_not_cleaned_again():
    unclean = "এক\u200bদুই তিন"
    assert simhash.words(unclean) == ["একদুই", "তিন"]
    assert simhash.words(unclean, cleaned=True) == ["এক\u200bদুই", "তিন"]
    assert simhash.simhash(unclean, cleaned=True) != simhash.simhash(unclean)


def test_shingles_of_more_than_one_word():
    assert simhash.shingles(["a", "b", "c"], 2) == ["a b", "b c"]
    assert simhash.shingles(["a", "b", "c"], 3) == ["a b c"]
    assert simhash.shingles(["a"], 2) == ["a"]
    assert simhash.shingles(["a", "b"], 3) == ["a b"]
    assert simhash.shingles([], 2) == []
    assert simhash.shingles(["a", "b"]) == ["a", "b"]


def test_bands_are_the_four_16_bit_pieces_most_significant_first():
    assert simhash.bands(0x0123_4567_89AB_CDEF) == [0x0123, 0x4567, 0x89AB, 0xCDEF]
    assert simhash.bands(2**64 - 1) == [0xFFFF] * 4
    assert simhash.probes(0) == [0] + [1 << bit for bit in range(16)]


def test_hex_round_trip():
    for value in (0, 1, 2**63, 2**64 - 1, 0x0123_4567_89AB_CDEF):
        assert simhash.from_hex(simhash.to_hex(value)) == value
    assert simhash.to_hex(255) == "00000000000000ff"
    assert simhash.from_hex("00000000000000ff") == 255


def test_similar_searches_afresh_within_a_given_distance(stored):
    store, value = stored
    near = " ".join([*WORDS[:199], "অন্য"])
    store.write_batch([article(near, outlet="inqilab")])
    assert simhash.distance(simhash.simhash(near), value) <= 7
    (found,) = store.similar(text.content_hash("t", near), distance=7)
    assert found["content_hash"] == text.content_hash("t", " ".join(WORDS[:200]))
    assert found["outlet"] == "sunnews"
    assert store.similar(text.content_hash("t", near), distance=0) == []


def test_as_signed_wraps_at_the_sign_bit():
    assert as_signed(2**63 - 1) == 2**63 - 1
    assert as_signed(2**63) == -(2**63)
    assert as_signed(2**64 - 1) == -1


def test_similar_lists_nearest_first_with_what_a_person_needs(stored):
    store, value = stored
    base = WORDS[:200]
    one = " ".join([*base[:199], "অন্য"])  # one word changed
    two = " ".join(["আরও", *base[1:199], "অন্য"])  # two words changed
    assert simhash.distance(simhash.simhash(one), value) < simhash.distance(
        simhash.simhash(two), value
    )
    store.write_batch([{**article(two, outlet="inqilab"), "published_at": "2024-01-02"}])
    store.write_batch([{**article(one, outlet="inqilab"), "published_at": "2024-01-03"}])
    found = store.similar(text.content_hash("t", " ".join(base)))
    assert [f["content_hash"] for f in found] == [text.content_hash("t", b) for b in (one, two)]
    assert found[0]["title"] == "t" and found[0]["url"].startswith("http://x/")
    assert found[0]["published_at"] == "2024-01-03" and found[0]["cluster"] == 1
    assert set(found[0]) == {"content_hash", "distance", "outlet", "published_at", "title",
                             "url", "cluster"}  # fmt: skip


def test_similar_of_an_unknown_hash_says_so(stored):
    store, _ = stored
    with pytest.raises(StoreError, match="no article with content hash 0123456789abcdef in"):
        store.similar("0123456789abcdef")
