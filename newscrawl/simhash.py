"""A 64-bit SimHash of an article body, for finding the same story text across outlets and runs.

Charikar's SimHash over the body's words, each weighted by how often it occurs. Words are split
at white space and punctuation, Bengali's দাঁড়ি (।) and double দাঁড়ি (॥) included, and keep
their vowel signs: a Bengali vowel sign is a Unicode mark, and tokenizers that keep only
"alphanumeric" characters drop nearly every Bengali word (trafilatura's SimHash kept 4-9% of
the words of the seed texts). Shingles of one, two and three words were measured on copies
with controlled edits against distinct articles on one story: single words separated them
best (distinct articles 19+ bits apart; one edited sentence, a changed byline or sign-off at
most 6), so ``SHINGLE`` is 1.

The index (see ``bands``) cuts the hash into four 16-bit bands and probes each band's value
and its 16 one-bit neighbours: two hashes at most 7 bits apart have a band differing in at most
one bit (pigeonhole), so every near-duplicate within ``MAX_DISTANCE`` is found by indexed
look-ups, at about a thousand candidates per article in a store of a million.

Pure functions; the text is cleaned as the content hash cleans it first, so the same body gives
the same SimHash whatever its spacing or encoding of য়.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import string

from newscrawl import text

BITS = 64
SHINGLE = 1
BANDS = 4
BAND_BITS = BITS // BANDS
PROBE_RADIUS = 1  # bits flipped per band when probing
MAX_DISTANCE = BANDS * (PROBE_RADIUS + 1) - 1  # 7: the farthest the index is sure to find
# Near-duplicates are at most this many bits apart (measured: docs/benchmarks.md).
DEFAULT_DISTANCE = 7

_PUNCTUATION = string.punctuation + "।॥‘’“”–—…•·«»‹›¦§¶"
# The definition of a word: a piece between separators, the empty pieces dropped.
_SEPARATORS = re.compile(f"[\\s{re.escape(_PUNCTUATION)}]+")


def words(body: str, *, cleaned: bool = False) -> list[str]:
    """Words of a body: cleaned, Bengali digits as ASCII, lower case, punctuation gone."""
    body = text.to_ascii_digits(body if cleaned else text.clean_body(body)).lower()
    # The pieces between _SEPARATORS, found as str.split() finds them once each punctuation
    # mark present is a space: str.split() and the regular expression's \s split at the same
    # 29 white-space characters. A body holds a few of the marks, and a test for one absent is a
    # fast scan: 2.5 times faster than a regular expression's findall (measured on real bodies).
    for mark in _PUNCTUATION:
        if mark in body:
            body = body.replace(mark, " ")
    return body.split()


def shingles(tokens: list[str], size: int = SHINGLE) -> list[str]:
    if size == 1:
        return tokens  # " ".join of one word is the word
    if len(tokens) < size:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def _digest(feature: str) -> bytes:
    """A feature's 64-bit hash, as 8 bytes, the most significant first."""
    return hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()


def _feature_hash(feature: str) -> int:
    """A feature's 64-bit hash as an integer (what ``_spread`` spreads into lanes)."""
    return int.from_bytes(_digest(feature), "big")


# Counting, per bit, the features that set it: each feature's hash is spread into one integer of
# 64 lanes of LANE bits (bit i of the hash -> 1 at the bottom of lane i), so summing the spread
# integers, in C, counts all 64 bits at once. A lane holds counts up to 2**LANE - 1: a body of
# more words than that (65,535: a few hundred KB of text) is counted in parts of that many.
# 16-bit lanes keep each spread hash at 1,024 bits: twice as many words cached in the memory
# 32-bit lanes took, and half the work per addition.
LANE = 16
_LANE_LIMIT = 1 << LANE
_SPREAD_BYTE = [
    sum(1 << (LANE * bit) for bit in range(8) if byte >> bit & 1) for byte in range(256)
]
# The same, already shifted to the lanes of each of the hash's 8 bytes (~0.5 MB): a word not
# seen before is spread by 8 look-ups and one sum, in C.
_SPREAD_AT = [[spread << (LANE * 8 * k) for spread in _SPREAD_BYTE] for k in range(BITS // 8)]


def _spread(feature: str) -> int:
    # Byte k of the hash (the least significant first) goes to lanes 8k to 8k+7: the digest is
    # _feature_hash's big-endian value, so its bytes reversed.
    value = _digest(feature)[::-1]
    return sum(map(list.__getitem__, _SPREAD_AT, value))


class _Spreads(dict):
    """Each word's spread hash, computed once: words recur across articles, and a look-up in a
    plain dict costs ~40 ns where functools.lru_cache (which keeps its order in a linked list)
    took ~220. Bounded: past ``bound`` words the oldest half is dropped, so it holds at most
    65,536 1,024-bit integers, ~19 MB with the words, as the lru_cache did."""

    def __init__(self, bound: int):
        super().__init__()
        self.bound = bound

    def __missing__(self, feature: str) -> int:
        if len(self) >= self.bound:
            for old in list(itertools.islice(self, self.bound // 2)):
                del self[old]
        value = self[feature] = _spread(feature)
        return value


_SPREADS = _Spreads(1 << 16)


# Reading the 64 verdicts out of the summed lanes in C as well: adding 2**(LANE-1) - t to every
# lane, where t is the smallest count over half the features, sets a lane's top bit exactly when
# its count reaches t (counts stay below 2**LANE - t, so no carry crosses into the next lane);
# the top bits are then picked out and read as the 64-bit value, bit i from lane i.
_LANE_BYTES = LANE // 8
_ONES = sum(1 << (LANE * bit) for bit in range(BITS))
_TOPS = _ONES << (LANE - 1)
_AS_DIGIT = bytes.maketrans(b"\x00\x80", b"01")


def simhash(body: str, *, cleaned: bool = False) -> int:
    """The SimHash of a body as an integer (0 for a body with no words).

    ``cleaned=True`` skips cleaning a body that is clean already (as stored bodies are).
    A bit is set when more than half the features (each counted as often as it occurs) set it.
    """
    features = shingles(words(body, cleaned=cleaned))
    total = len(features)
    if not total:
        return 0
    if total >= _LANE_LIMIT:
        return _simhash_in_parts(features)
    # A feature occurring n times is added n times: the same sums as weighting it by n.
    lanes = sum(map(_SPREADS.__getitem__, features))
    over_half = total // 2 + 1  # 2 * count > total
    tops = (lanes + ((1 << (LANE - 1)) - over_half) * _ONES) & _TOPS
    verdicts = tops.to_bytes(BITS * _LANE_BYTES, "little")[_LANE_BYTES - 1 :: _LANE_BYTES]
    return int(verdicts.translate(_AS_DIGIT)[::-1], 2)


def _simhash_in_parts(features: list[str]) -> int:
    """The same SimHash for a body of more features than a lane counts: lanes summed over parts
    of fewer, and each bit's counts added up."""
    counts = [0] * BITS
    part = _LANE_LIMIT - 1
    for start in range(0, len(features), part):
        lanes = sum(map(_SPREADS.__getitem__, features[start : start + part]))
        raw = lanes.to_bytes(BITS * _LANE_BYTES, "little")
        for bit in range(BITS):
            lane = raw[bit * _LANE_BYTES : (bit + 1) * _LANE_BYTES]
            counts[bit] += int.from_bytes(lane, "little")
    return sum(1 << bit for bit, count in enumerate(counts) if 2 * count > len(features))


def to_hex(value: int) -> str:
    return f"{value:016x}"


def from_hex(value: str) -> int:
    return int(value, 16)


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def bands(value: int) -> list[int]:
    """The value cut into BANDS pieces, most significant first."""
    mask = (1 << BAND_BITS) - 1
    return [(value >> (BITS - BAND_BITS * (i + 1))) & mask for i in range(BANDS)]


def probes(band_value: int) -> list[int]:
    """A band's value and every value one bit away: what a look-up in that band must match."""
    return [band_value] + [band_value ^ (1 << bit) for bit in range(BAND_BITS)]
