"""Synthetic Bengali article text, fast and statistically like news, for pages and stores.

Words follow a Zipf(-Mandelbrot) distribution, as words in news do: the most frequent ranks are
the real words of the fixture pages (ordered by how often they occur there, so এবং, ও, উত্তর … lead),
and the long tail is made-up Bengali words built from real consonants and vowel signs. Each
article also draws a fifth of its words from one of many "topics" (small sets of tail words), so
articles differ the way stories do rather than being samples of one bag of words.

Why not shuffle real sentences: a store or a near-duplicate index filled with permutations of a
hundred sentences sees every article as a near-copy of every other, which no real store does.
"""

from __future__ import annotations

import random
import re
import unicodedata
from functools import cache
from itertools import accumulate
from pathlib import Path

from parsel import Selector

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
CONSONANTS = "কখগঘচছজঝটঠডঢতথদধনপফবভমযরলশষসহ"
VOWEL_SIGNS = ("", "", "া", "ি", "ী", "ু", "ূ", "ে", "ো", "ৈ", "ৌ")
SUFFIXES = ("", "", "", "ের", "কে", "তে", "রা", "টি", "দের")
TAIL_WORDS = 60_000
TOPICS = 2_000
TOPIC_WORDS = 40
TOPIC_SHARE = 0.2
# Zipf-Mandelbrot offset: with q = 10 the most frequent word is ~1% of an article's words, and two
# unrelated synthetic articles are ~29 SimHash bits apart (median), as unrelated fixture articles
# are (27-36). With q = 0 one word was 9% of all words and 0.5% of unrelated pairs came within
# 7 bits: every article a near-duplicate of some other.
ZIPF_OFFSET = 10
_BENGALI_WORD = re.compile(r"[\u0980-\u09ff\u200c\u200d]+")
_TEXT = "//body//text()[not(ancestor::script) and not(ancestor::style)]"


@cache
def real_words() -> tuple[str, ...]:
    """Bengali words of the fixture pages, most frequent first (~1,500 words)."""
    counts: dict[str, int] = {}
    for path in sorted(FIXTURES.glob("*/*.html")):
        page = Selector(text=path.read_text("utf-8"))
        words = " ".join(page.xpath(_TEXT).getall())
        # NFC, as the cleaners store text: some fixtures spell য় both ways on purpose.
        for word in _BENGALI_WORD.findall(unicodedata.normalize("NFC", words)):
            counts[word] = counts.get(word, 0) + 1
    return tuple(sorted(counts, key=lambda w: (-counts[w], w)))


def made_up_word(rng: random.Random) -> str:
    syllables = rng.choice((2, 2, 3, 3, 4))
    word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWEL_SIGNS) for _ in range(syllables))
    return word + rng.choice(SUFFIXES)


class Vocabulary:
    """Zipf-weighted words plus topic word sets; ``words(rng, n)`` draws an article's words."""

    def __init__(self, seed: int = 0):
        rng = random.Random(f"vocabulary-{seed}")
        real = real_words()
        tail = {made_up_word(rng) for _ in range(TAIL_WORDS)} - set(real)
        self.words = list(real) + sorted(tail)
        rng.shuffle(self.words[len(real) :])
        ranks = range(1, len(self.words) + 1)
        self.cum_weights = list(accumulate(1 / (rank + ZIPF_OFFSET) for rank in ranks))
        tail_words = self.words[len(real) :]
        self.topics = [rng.sample(tail_words, TOPIC_WORDS) for _ in range(TOPICS)]

    def words_for(self, rng: random.Random, n: int) -> list[str]:
        topic = self.topics[rng.randrange(len(self.topics))]
        n_topic = int(n * TOPIC_SHARE)
        drawn = rng.choices(self.words, cum_weights=self.cum_weights, k=n - n_topic)
        drawn += rng.choices(topic, k=n_topic)
        rng.shuffle(drawn)
        return drawn


@cache
def vocabulary(seed: int = 0) -> Vocabulary:
    return Vocabulary(seed)


def paragraphs(rng: random.Random, n_words: int, seed: int = 0) -> list[str]:
    """An article body: sentences of 6-16 words ending in দাঁড়ি, 2-4 sentences a paragraph."""
    words = vocabulary(seed).words_for(rng, n_words)
    sentences: list[str] = []
    while words:
        size = rng.randint(6, 16)
        sentences.append(" ".join(words[:size]) + "।")
        words = words[size:]
    result: list[str] = []
    while sentences:
        size = rng.randint(2, 4)
        result.append(" ".join(sentences[:size]))
        sentences = sentences[size:]
    return result


def headline(rng: random.Random, seed: int = 0) -> str:
    return " ".join(vocabulary(seed).words_for(rng, rng.randint(5, 9)))
