"""Extraction rules pinned at their edges: each test fails when its rule's number or condition
is changed (found by mutation testing, docs/benchmarks.md section 10)."""

from __future__ import annotations

import pytest

from newscrawl import extract
from newscrawl.spiders.inqilab import InqilabSpider

URL = "https://dailyinqilab.com/national/news/620001"
TITLE = "মিরপুরে পোশাক কারখানায় আগুন, আহত তিন শ্রমিক"
PARAS = [
    "রাজধানীর মিরপুরে একটি পোশাক কারখানায় আগুন লেগে অন্তত তিনজন শ্রমিক আহত হয়েছেন। আজ সকালে এ ঘটনা ঘটে।",
    "ফায়ার সার্ভিসের কর্মকর্তা জানান, খবর পেয়ে ঘটনাস্থলে পাঁচটি ইউনিট পাঠানো হয়। এক ঘণ্টার চেষ্টায় আগুন নেভে।",
]
INQILAB = InqilabSpider()


def inqilab_page(inner: str, head: str = "") -> str:
    return (
        f"<html><head><title>{TITLE}</title>{head}</head><body>"
        f'<div class="col-md-9 mt-3"><h2>{TITLE}</h2></div>{inner}</body></html>'
    )


def description(*paras: str) -> str:
    ps = "".join(f"<p>{p}</p>" for p in paras)
    return f'<div class="new-details"><div class="description">{ps}</div></div>'


def read(html: str, outlet=INQILAB, url: str = URL) -> extract.Extracted:
    return extract.extract(html, url, outlet)


# -- the byline lead-in ("অনলাইন ডেস্ক : …") ---------------------------------------------------------


def test_a_desk_lead_in_opening_a_long_paragraph_is_the_byline():
    found = read(inqilab_page(description(f"অনলাইন ডেস্ক : {PARAS[0]}", PARAS[1])))
    assert found.values["author"] == "অনলাইন ডেস্ক"
    assert found.layers["author"] == "body-lead-in"
    assert found.values["body"] == PARAS


@pytest.mark.parametrize("rest", ["সংঘর্ষে আহত ৫", "x" * 39])
def test_a_desk_lead_in_before_a_short_line_is_left_in_the_text(rest):
    # Under 40 characters after the colon: a heading-like line ("ঢাকা প্রতিনিধি : সংঘর্ষে আহত
    # ৫"), not a story's first sentence; taking the byline would leave a stub paragraph.
    first = f"ঢাকা প্রতিনিধি : {rest}"
    found = read(inqilab_page(description(first, *PARAS)))
    assert "author" not in found.values
    assert found.values["body"] == [first, *PARAS]


def test_the_lead_in_minimum_counts_the_text_after_the_colon():
    exactly = "ক" * 40
    found = read(inqilab_page(description(f"ঢাকা প্রতিনিধি : {exactly}", *PARAS)))
    assert found.values["author"] == "ঢাকা প্রতিনিধি"
    assert found.values["body"] == [exactly, *PARAS]


# -- the fallback's minimum body -------------------------------------------------------------------

CAPTION = "কারখানার আগুনের ভিডিও দেখুন এখানে। ঘটনাস্থল থেকে ধারণ করা।"


def test_a_caption_the_fallback_finds_is_not_a_body():
    # A video page: the selectors find no paragraph, trafilatura finds the caption alone.
    found = read(inqilab_page(f"<article><p>{CAPTION}</p></article>"))
    assert found.values["title"] == TITLE
    assert "body" not in found.values


def fallback_text(length: int) -> str:
    words = ("আগুন নেভাতে ফায়ার সার্ভিসের পাঁচটি ইউনিট কাজ করে। " * 20)[:length].rstrip()
    return words + "ক" * (length - len(words))


@pytest.mark.parametrize(("length", "kept"), [(199, False), (200, True), (400, True)])
def test_the_fallback_body_needs_200_characters(length, kept):
    para = fallback_text(length)
    assert len(para) == length
    found = read(inqilab_page(f"<article><p>{para}</p></article>"))
    assert found.values.get("body") == ([para] if kept else None)
    assert found.layers.get("body") == ("fallback" if kept else None)
