"""Faster paths give exactly what the plain ones gave: SimHash, digits, the shown headline."""

import random
from collections import Counter

import pytest
from parsel import Selector

from newscrawl import simhash, text
from newscrawl.extraction import generic, headings
from newscrawl.extraction.markup import _tag
from tests.conftest import FIXTURES

BENGALI_LETTERS = [chr(c) for c in range(0x0985, 0x09B9)] + ["া", "ি", "ে", "্", "য়"]


def reference_simhash(body: str) -> int:
    """SimHash as first written: per-bit column counts over each feature's binary string."""
    tokens = simhash.words(body)
    rows = [format(simhash._feature_hash(f), "064b") for f in tokens]
    if not rows:
        return 0
    half = len(rows) / 2
    return int("".join("1" if c.count("1") > half else "0" for c in zip(*rows, strict=True)), 2)


def random_body(rng: random.Random, words: int) -> str:
    vocabulary = ["".join(rng.choices(BENGALI_LETTERS, k=rng.randint(2, 6))) for _ in range(300)]
    vocabulary += ["২০২৪", "১২", "Dhaka", "DHAKA", "৩.৫"]
    return " ".join(rng.choices(vocabulary, k=words)) + "।"


@pytest.mark.parametrize("seed", range(40))
def test_simhash_is_the_per_bit_count_it_always_was(seed):
    rng = random.Random(seed)
    body = random_body(rng, rng.choice([1, 2, 3, 50, 400, 3000]))
    assert simhash.simhash(body) == reference_simhash(body)


def test_simhash_of_fixture_bodies_is_unchanged():
    bodies = [p.read_text("utf-8") for p in sorted(FIXTURES.glob("*/*.html"))]
    assert bodies
    for body in bodies:
        assert simhash.simhash(body) == reference_simhash(body)


def test_simhash_past_the_lane_limit_counts_in_parts(monkeypatch):
    body = random_body(random.Random(1), 200)
    expected = simhash.simhash(body)
    monkeypatch.setattr(simhash, "_LANE_LIMIT", 10)  # as if the body had 65,536 words or more
    assert simhash.simhash(body) == expected == reference_simhash(body)


def test_simhash_of_a_body_longer_than_a_lane_counts():
    rng = random.Random(2)
    vocabulary = ["".join(rng.choices(BENGALI_LETTERS, k=4)) for _ in range(40)]
    tokens = rng.choices(vocabulary, k=simhash._LANE_LIMIT + 777)
    counts = Counter(tokens)
    expected = 0
    for bit in range(64):
        ones = sum(n for word, n in counts.items() if simhash._feature_hash(word) >> bit & 1)
        if 2 * ones > len(tokens):
            expected |= 1 << bit
    assert simhash.simhash(" ".join(tokens), cleaned=True) == expected
    # One word more often than a lane can count: every lane its hash sets overflows but for parts.
    many = "খবর " * (simhash._LANE_LIMIT + 777) + "অন্য " * 1000
    assert simhash.simhash(many, cleaned=True) == simhash._feature_hash("খবর")


def test_ascii_digits_are_what_translate_gave():
    table = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
    for sample in ["", "২০২৪ সালের ১২ মার্চ", "no digits", "০১২৩৪৫৬৭৮৯০", "৯x৯"]:
        assert text.to_ascii_digits(sample) == sample.translate(table)


def reference_headline_node(root):
    """The shown headline as first written: every element of the page walked in Python."""
    h1s = [
        h1 for h1 in root.iter("h1") if (v := headings._text(h1)) and not headings._is_logo(h1, v)
    ]
    page_title = text.clean_line(" ".join(t for n in root.iter("title") for t in n.itertext()))
    refs = [page_title, *(root.xpath('//meta[@property="og:title"]/@content') or [])[:1]]
    refs = [text.clean_line(r) for r in refs if r]
    scripts = " ".join(
        "".join(n.itertext()) for n in root.iter("script") if "ld+json" in (n.get("type") or "")
    )
    if len(h1s) == 1 and not refs and not scripts:
        return h1s[0]
    for h1 in h1s:
        if headings._named(headings._text(h1), refs, scripts):
            return h1
    for node in root.iter():
        tag = _tag(node) if isinstance(node.tag, str) else None
        marked = tag in ("h2", "h3") or (
            tag and tag != "title" and headings.HEADLINE.search(headings._marks(node))
        )
        if marked and headings._named(headings._text(node), refs, scripts):
            return node
    return h1s[0] if h1s else None


CRAFTED = [
    "<title>Long headline here | Site</title><div class='x'>Long headline here</div>",
    "<title>Long headline here | Site</title><div class='story-TİTLE'>Long headline here</div>",
    "<title>Long headline here | Site</title><div itemprop='headline'>Long headline here</div>",
    "<title>Long headline here</title><p id='Heading'>Long headline</p><!-- c -->",
    "<title>Long headline here</title><span class='a'><b class='x title'>Long head</b></span>",
    "<title></title><div class='title'>Long headline here</div>",
    "<title>Long headline here | Site</title><h3>Long headline here</h3><!-- c --><h1>Other</h1>",
    "<title>Site</title><h2 class='x'>Long headline here</h2><div>Long headline here</div>",
]


@pytest.mark.parametrize("html", CRAFTED + [p.read_text("utf-8") for p in
                                            sorted(FIXTURES.glob("*/*.html"))])  # fmt: skip
def test_shown_headline_is_the_one_the_whole_walk_found(html):
    root = Selector(text=html).root
    assert generic.headline_node(root) is reference_headline_node(root)


CSS = ["h1::text", "h1, h2", "meta::attr(content)", "p", "div p", "a::attr(href)",
       ".reporter", "time::attr(datetime)", "title::text"]  # fmt: skip


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*/*.html")), ids=lambda p: p.name)
def test_css_without_parsel_wrappers_selects_what_parsel_does(path):
    from newscrawl.extraction.markup import element_text, select

    sel = Selector(text=path.read_text("utf-8"))
    for css in CSS:
        found = select(sel, css)
        expected = sel.css(css)
        if "::" in css:
            assert found == expected.getall()
        else:
            assert ["".join(generic.walk_text(n)) for n in found] == [
                element_text(e) for e in expected
            ]


def test_scrapy_starts_one_task_per_response_output():
    """Scrapy starts CONCURRENT_ITEMS tasks for every response's output; newscrawl's pipelines
    are synchronous and an article page yields one item, so one is all it uses."""
    from scrapy.settings import Settings

    from newscrawl import settings

    assert Settings(vars(settings))["CONCURRENT_ITEMS"] == 1
