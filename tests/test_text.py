import json
import re

import pytest

from newscrawl import text
from tests.conftest import TEST_DATA

VECTORS = json.loads((TEST_DATA / "content-hash-vectors.json").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", VECTORS, ids=lambda c: c["content_hash"])
def test_hash_vectors(case):
    title = text.clean_line(case["title_in"])
    body = text.join_paragraphs(case["paragraphs_in"])
    assert title == case["title"]
    assert body == case["body"]
    assert text.canonical_text(title, body) == case["canonical_text"]
    assert text.content_hash(title, body) == case["content_hash"]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  a\u00a0b  ", "a b"),
        ("a\u200bb\ufeff\u00adc", "abc"),
        ("ক্\u200dষ", "ক্\u200dষ"),  # ZWJ shapes conjuncts: kept
        ("ক্\u200cষ", "ক্\u200cষ"),  # ZWNJ too
        ("\u09df", "\u09af\u09bc"),  # both encodings of য় become one
        ("a\n\t b", "a b"),
        (None, ""),
        ("   ", ""),
    ],
)
def test_clean_line(raw, clean):
    assert text.clean_line(raw) == clean


def test_body_paragraphs_are_cleaned_and_empty_ones_dropped():
    assert text.join_paragraphs([" এক ", "", "\u200b", "দুই  তিন"]) == "এক\n\nদুই তিন"
    assert text.clean_body("এক\n \n\n\nদুই\nতিন") == "এক\n\nদুই তিন"


def test_hash_is_stable_across_cleaning_and_encodings():
    a = text.content_hash("শিরোনাম", "প্রথম\u00a0অনুচ্ছেদ\n\nদ্বিতীয়")
    b = text.content_hash(" শিরোনাম ", "প্রথম অনুচ্ছেদ\n\n\n\nদ্বিতী\u09df")
    assert a == b
    assert re.fullmatch("[0-9a-f]{16}", a)
    assert text.content_hash("শিরোনাম", "অন্য") != a


@pytest.mark.parametrize("case", VECTORS, ids=lambda c: c["content_hash"])
def test_hashing_clean_text_directly_gives_the_same_hash(case):
    assert text.content_hash(case["title"], case["body"], cleaned=True) == case["content_hash"]
