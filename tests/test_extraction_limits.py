"""Pages that are large or deeply nested: extraction stays linear and never hits the recursion
limit (a RecursionError would lose the article as a spider exception)."""

import json
import time
from typing import ClassVar

import pytest

from newscrawl import extract
from newscrawl.offline import parse_saved_page
from tests.conftest import project_settings

SUN_URL = "https://www.sunnews24x7.com/news/article/national/654321"
SENTENCE = "নদীর ওপর নতুন সেতু আজ যান চলাচলের জন্য খুলে দেওয়া হয়েছে।"


class Declared:
    """An outlet whose body selector misses, as after a layout change."""

    site_names = ("Example",)
    selectors: ClassVar[dict] = {"body": (".no-such-block p",)}
    body_end_patterns = boilerplate_patterns = ()
    byline_lead_in = sign_off = None
    default_language = "bn"


def page_with_article_body(count: int) -> str:
    """``count`` identical paragraphs, and an articleBody that almost matches them: the shape
    that made the old paragraph matching try every start against every run."""
    body = " ".join([SENTENCE] * count) + " শেষ।"
    node = {"@type": "NewsArticle", "headline": "সেতু চালু", "articleBody": body,
            "datePublished": "2025-01-05T09:30:00+06:00"}  # fmt: skip
    paragraphs = "".join(f"<p>{SENTENCE}</p>" for _ in range(count))
    return (
        f'<html><head><script type="application/ld+json">{json.dumps(node)}</script></head>'
        f"<body><div>{paragraphs}</div></body></html>"
    )


def seconds(html: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        found = extract.extract(html, "https://example.com/news/1", Declared)
        best = min(best, time.perf_counter() - start)
    assert found.layers["body"] == "json-ld"
    return best


def test_json_ld_body_matching_is_linear_in_paragraphs():
    small, large = seconds(page_with_article_body(200)), seconds(page_with_article_body(2000))
    # Ten times the paragraphs: linear work is ~10x; the old matching was ~1000x. The bound is
    # loose so a busy machine does not fail it.
    assert large < 40 * small, (small, large)


def test_json_ld_body_split_where_the_page_splits_it():
    paragraphs = [f"{SENTENCE} {n}" for n in range(3000)]
    node = {"@type": "NewsArticle", "headline": "সেতু", "articleBody": " ".join(paragraphs)}
    html = (
        f'<html><head><script type="application/ld+json">{json.dumps(node)}</script></head>'
        "<body><p>শিরোনামের পাশে অন্য খবর</p>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</body></html>"
    )
    found = extract.extract(html, "https://example.com/news/1", Declared)
    assert found.values["body"] == paragraphs


def deep_spans(depth: int) -> str:
    return "<span>" * depth + "গভীরে লেখা" + "</span>" * depth


@pytest.mark.parametrize("depth", [1500, 5000])
def test_deeply_nested_spans_in_a_body_paragraph(tmp_path, depth):
    page = (
        '<html><head><meta property="og:title" content="গভীর পাতা"></head><body>'
        '<div class="news-details">'
        f"<p>{SENTENCE}</p><p>শুরু {deep_spans(depth)}</p><p>{SENTENCE} শেষ</p></div>"
        "</body></html>"
    )
    (tmp_path / "deep.html").write_text(page, "utf-8")
    [item] = parse_saved_page(tmp_path / "deep.html", SUN_URL, project_settings()).items
    assert item["title"] == "গভীর পাতা"
    assert item["body"].startswith(SENTENCE)
    if depth < 2000:  # the HTML parser itself drops what lies deeper than ~2,000 levels
        assert item["body"].endswith("শুরু গভীরে লেখা\n\n" + SENTENCE + " শেষ")


def test_deeply_nested_json_ld_is_skipped_not_fatal(tmp_path):
    nested = "[" * 5000 + '{"@type": "NewsArticle", "headline": "ভেতরে"}' + "]" * 5000
    graph = '{"@graph": ' + "[" * 5000 + "{}" + "]" * 5000 + "}"
    page = (
        f'<html><head><script type="application/ld+json">{nested}</script>'
        f'<script type="application/ld+json">{graph}</script>'
        '<meta property="og:title" content="গভীর পাতা"></head><body>'
        f'<div class="news-details"><p>{SENTENCE}</p><p>{SENTENCE} শেষ</p></div></body></html>'
    )
    (tmp_path / "deep.html").write_text(page, "utf-8")
    [item] = parse_saved_page(tmp_path / "deep.html", SUN_URL, project_settings()).items
    assert item["title"] == "গভীর পাতা"
    assert item["body"].endswith("শেষ")


def test_json_ld_names_nested_deep_are_capped():
    author = {"name": "লেখক"}
    for _ in range(900):  # deep, but not too deep for the JSON decoder
        author = {"@type": "Person", "name": author}
    node = {"@type": "NewsArticle", "headline": "শিরোনাম", "author": [[author]] * 3}
    html = f'<script type="application/ld+json">{json.dumps(node)}</script>'
    found = extract.extract(html, "https://example.com/news/1", Declared)
    assert found.values["title"] == "শিরোনাম"
    assert "author" not in found.values  # past the depth cap: ignored, not an error


@pytest.mark.parametrize("depth", [1500, 5000])
def test_generic_outlet_on_deeply_nested_blocks(tmp_path, depth):
    body = "".join(f"<p>{SENTENCE} {n}</p>" for n in range(5))
    page = f"<html><body><h1>গভীর পাতা</h1>{'<div>' * depth}{body}{'</div>' * depth}</body></html>"
    (tmp_path / "deep.html").write_text(page, "utf-8")
    url = "https://unknown-outlet.test/news/1"
    result = parse_saved_page(tmp_path / "deep.html", url, project_settings())
    if depth > 2000:  # deeper than ~2,000 levels the HTML parser itself drops the text
        assert result.skipped == "no_body"
        return
    [item] = result.items
    assert item["title"] == "গভীর পাতা"
    assert item["body"].split("\n\n") == [f"{SENTENCE} {n}" for n in range(5)]
