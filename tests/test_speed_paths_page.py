"""The spider side's shortcuts per page give what the long way gave: selectors not run for fields
an earlier layer gave, element look-ups by tag instead of whole-page XPath scans. Each is checked
against the long way (written out here as it was) on the fixture pages and on crafted pages,
where the shortcut applies and where it must not."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from parsel import Selector

from newscrawl import dates
from newscrawl.extraction import Extracted, from_json_ld, from_meta, from_selectors, jsonld, meta
from newscrawl.extraction import site_names as page_site_names
from newscrawl.extraction.markup import first_text, get_all, plain_text
from newscrawl.extraction.meta import strip_outlet_prefix
from newscrawl.spiders.inqilab import InqilabSpider
from newscrawl.spiders.sunnews import SunnewsSpider
from tests.conftest import FIXTURES
from tests.test_speed_paths import meta_tags_by_parsel

PAGES = sorted(FIXTURES.glob("*/*.html"))
PAGE_IDS = [f"{p.parent.name}-{p.stem}" for p in PAGES]


def reference_from_selectors(sel, out, outlet, base_url):
    """from_selectors as first written: every selector run, whatever earlier layers gave."""
    layer = "selectors"
    css = outlet.selectors
    out.offer("title", first_text(sel, css.get("title", ())), layer)
    out.offer("subtitle", first_text(sel, css.get("subtitle", ())), layer)
    author = first_text(sel, css.get("author", ()))
    out.offer("author", strip_outlet_prefix(author, outlet.site_names), layer)
    out.offer("category", first_text(sel, css.get("category", ())), layer)
    tags = [plain_text(t) for t in sel.css(",".join(css.get("tags", ())) or "none").getall()]
    out.offer("tags", [t for t in tags if t], layer)
    date_line = first_text(sel, css.get("dates", ()))
    if date_line:
        published, updated = dates.parse_dates(date_line)
        raw_published, _, raw_updated = date_line.partition("|")
        out.offer("published", published, layer, raw_published.strip())
        out.offer("updated", updated, layer, raw_updated.strip())
    for name in ("published", "updated"):
        raw = first_text(sel, css.get(name, ()))
        out.offer(name, dates.parse_date(raw), layer, raw)
    images = sel.css(",".join(css.get("image", ())) or "none").getall()
    out.offer("image_urls", [urljoin(base_url, i) for i in images], layer)


class Everything(InqilabSpider):
    """Selectors for every key, tags and updated included, and one that is no real element."""

    selectors = {  # noqa: RUF012 - the outlets' declared form
        **InqilabSpider.selectors,
        "tags": ("a[rel=tag]::text", "none"),
        "published": ("time[itemprop=datePublished]::attr(datetime)",),
        "updated": ("time.updated::text",),
        "image": ("div.new-details img::attr(src)", "figure img::attr(data-src)"),
    }


CRAFTED = [
    # Nothing from metadata: every selector runs.
    "<div class='col-md-9 mt-3'><h2>শিরোনাম</h2><b class=sub-heading>উপ</b>"
    "<span class=reporter>Daily Inqilab নিজস্ব প্রতিবেদক</span><a class=active>দেশ</a>"
    "<p class=news-date-time>১৫ জানুয়ারি ২০২৫, ১০:৩০ | আপডেট: ১৬ জানুয়ারি ২০২৫, ১০:৩০</p>"
    "<a rel=tag>এক</a><a rel=tag> </a><none>কিছু না</none>"
    "<div class=new-details><img src='/a.jpg'></div></div>",
    # Metadata gives title, author, category, tags, the published date and the image: only the
    # updated date is left for the selectors' date line.
    "<head><meta property='og:title' content='মেটা শিরোনাম'>"
    "<meta name=author content='মেটা লেখক'><meta property='article:section' content='খেলা'>"
    "<meta property='article:tag' content='ট্যাগ'><meta property='og:image' content='/m.jpg'>"
    "<meta property='article:published_time' content='2025-01-15T10:30:00+06:00'></head>"
    "<div class='col-md-9 mt-3'><h2>শিরোনাম</h2><span class=reporter>লেখক</span>"
    "<p class=news-date-time>১৫ জানুয়ারি ২০২৫, ১০:৩০ | আপডেট: ১৬ জানুয়ারি ২০২৫, ১০:৩০</p>"
    "<div class=new-details><img src='/a.jpg'></div></div>",
    # Both dates from metadata, an unreadable date line: it is not read at all, as its raw
    # text could not have been kept either.
    "<head><meta property='article:published_time' content='2025-01-15T10:30:00+06:00'>"
    "<meta property='article:modified_time' content='2025-01-16T10:30:00+06:00'>"
    "<meta property='og:title' content='মেটা'></head>"
    "<p class=news-date-time>১৮০০ সালের কোনো দিন</p><h2>শিরোনাম</h2>",
    # An unreadable date line and no metadata dates: its raw text is kept as unparsed.
    "<p class=news-date-time>৩২ জানুয়ারি ৩০০০</p><div class='col-md-9 mt-3'><h2>শি</h2></div>",
]


def layered(sel, outlet):
    """An Extracted filled by the layers before the selectors, as extract fills it."""
    out = Extracted()
    data = jsonld.blocks(sel)
    node = jsonld.article(data)
    if node:
        from_json_ld(node, out)
    tags = meta.meta_tags(sel)
    out.site_names = page_site_names(sel, data, outlet, out.values.get("title"), tags)
    from_meta(sel, out, out.site_names, tags)
    return out


@pytest.mark.parametrize("outlet", [InqilabSpider, SunnewsSpider, Everything], ids=str)
@pytest.mark.parametrize(
    "html",
    CRAFTED + [p.read_text("utf-8") for p in PAGES],
    ids=[f"crafted{i}" for i in range(len(CRAFTED))] + PAGE_IDS,
)
def test_selectors_give_what_running_every_selector_gave(html, outlet):
    sel = Selector(text=html)
    url = "https://dailyinqilab.com/national/news/1"
    for prefilled in (layered(sel, outlet), Extracted()):
        expected = Extracted(**{k: v.copy() for k, v in vars(prefilled).items()})
        reference_from_selectors(sel, expected, outlet, url)
        from_selectors(sel, prefilled, outlet, url)
        assert vars(prefilled) == vars(expected)


def test_a_field_an_earlier_layer_gave_runs_none_of_its_selectors():
    """What a selector finds goes through clean_line, which remembers the texts it cleaned: a
    selector that did not run left its text unseen."""
    from newscrawl import text

    html = (
        "<meta property='og:title' content='মেটা'>"
        "<div class='col-md-9 mt-3'><h2>কেবল পাতার শিরোনাম ৯৯</h2></div>"
    )
    sel = Selector(text=html)
    out = layered(sel, InqilabSpider)
    assert out.layers["title"] == "meta"
    text.forget_clean_texts()
    from_selectors(sel, out, InqilabSpider, "")
    assert "কেবল পাতার শিরোনাম ৯৯" not in text._CLEAN
    from_selectors(sel, Extracted(), InqilabSpider, "")
    assert "কেবল পাতার শিরোনাম ৯৯" in text._CLEAN


def test_the_date_line_runs_while_either_date_is_missing():
    sel = Selector(text=CRAFTED[1])
    out = layered(sel, InqilabSpider)
    assert out.layers["published"] == "meta" and "updated" not in out.values
    from_selectors(sel, out, InqilabSpider, "")
    assert out.layers["updated"] == "selectors"
    assert out.raw["updated"].startswith("আপডেট")


def test_a_selector_that_cannot_compile_fails_whether_or_not_it_runs():
    class Broken(InqilabSpider):
        selectors = {**InqilabSpider.selectors, "title": ("h2[",)}  # noqa: RUF012

    sel = Selector(text=CRAFTED[1])
    for out in (layered(sel, Broken), Extracted()):
        with pytest.raises(Exception, match="Expected"):
            from_selectors(sel, out, Broken, "")


@pytest.mark.parametrize(
    "html", ["<p>x</p>", "<p>x<none>y</none></p>", "<none>z</none>", CRAFTED[0]]
)
def test_no_selector_is_the_none_element_as_before(html):
    sel = Selector(text=html)
    assert get_all(sel, "none") == sel.css("none").getall()


# -- elements found by a tag walk, not a whole-page XPath ------------------------------------------

ODD = [
    "<p>no head</p>",
    "<html lang=''><title>a &amp; b<!-- c --> d</title></html>",
    "<title></title><title>second</title><TITLE>third</TITLE>",
    "<h1>one <h2>inner</h2> after</h1><h2>two</h2>",  # the parser closes the h1: no nesting
    "<h1>a<span><h2>nested</h2></span>b</h1><h1>c</h1>",
    "<h2><b>bold</b> tail <!-- x --> more</h2><svg><title>icon</title></svg><h1>x</h1>",
    "<head><link rel=canonical><link rel='canonical ' href='/no'><link rel=canonical href=''>"
    "<link rel=canonical href='/yes'></head>",
    "<link rel=alternate href=/a><LINK REL=canonical HREF=/upper>",
    "<meta content><meta content=' '><meta name=a content=' x '><meta property=b content=y>"
    "<meta itemprop=c name=d content=z><META NAME=E CONTENT=upper><meta name=f>",
    '<script type="application/ld+json">{"a": 1}</script><script>var x;</script>'
    '<script type="application/ld+json ">{"b": 2}</script><SCRIPT TYPE="application/ld+json">'
    '{"@type": "NewsArticle", "headline": "h"}</SCRIPT>'
    '<script type="application/ld+json"></script>',
    "<svg:title>prefixed</svg:title><title>real</title>",
]


@pytest.mark.parametrize(
    "html",
    ODD + [p.read_text("utf-8") for p in PAGES],
    ids=[f"odd{i}" for i in range(len(ODD))] + PAGE_IDS,
)
def test_tag_walks_find_what_the_xpath_found(html):
    from newscrawl.extraction.query import _PAGE_TITLES, headings, page_title, select

    sel = Selector(text=html)
    assert page_title(sel) == sel.xpath("//title/text()").get()
    assert sel in _PAGE_TITLES and page_title(sel) == sel.xpath("//title/text()").get()
    assert (
        headings(sel) == select(sel, "h1::text, h2::text") == sel.css("h1::text, h2::text").getall()
    )
    assert meta.canonical_link(sel) == sel.xpath('//link[@rel="canonical"]/@href').get()
    scripts = sel.xpath('//script[@type="application/ld+json"]/text()').getall()
    assert jsonld.blocks(sel) == [v for block in scripts for v in jsonld.parse_block(block)]
    assert meta.meta_tags(sel) == meta_tags_by_parsel(sel)


def test_nested_headings_are_read_by_the_xpath_in_document_order():
    from newscrawl.extraction.query import headings

    sel = Selector(text=ODD[4])
    assert headings(sel) == ["a", "nested", "b", "c"]


# -- origins: remembered per URL -------------------------------------------------------------------

ORIGIN_URLS = [
    "https://dailyinqilab.com/national/news/1", "HTTP://Example.com/x", "http://127.0.0.1:8080/x",
    "ftp://example.com/x", "http:///x", "http://example.com:99999/x", "http://[::1]:8080/a",
    "https://dailyinqilab.com:443/x", "http://example.com:80/x", "", "not a url",
    "https://user:pw@Host.example:8443/p?q#f", "http://example.com:/x", "http://example.com:x/",
]  # fmt: skip


@pytest.mark.parametrize("url", ORIGIN_URLS)
def test_origins_are_remembered_as_computed(url):
    from newscrawl.spiders.discovery import origin_of

    computed = origin_of.__wrapped__(url)
    assert origin_of(url) == computed
    hits = origin_of.cache_info().hits
    assert origin_of(url) == computed
    assert origin_of.cache_info().hits == hits + 1


# -- class selectors skipped when no class attribute of the page holds their class -----------------

CLASS_PAGES = [
    # Absent from the page's text and its class attributes: skipped.
    "<div class=byline>x</div><p class='author-box'>y</p>",
    # Named in the text (not in a class): the attributes are not read, the XPath runs.
    "<p>reporter writer author</p><div class=reporter-box>x</div>",
    # Written with character references: absent from the text, present in the attributes.
    "<div class='rep&#111;rter'>a</div><span class='wr&#x69;ter x'>b</span>"
    "<i class='news&#45;author'>c</i><b class='a&amp;b'>d</b>",
    # Substrings of other classes, case, white space of every kind around them.
    "<div class=reporters>a</div><div class=REPORTER>b</div><div class='x\treporter\ny'>c</div>"
    "<p class=' author '>d <a class=active>e</a></p><div class='a b'><p class=c>f</p></div>",
    "<div class='reporter writer'>a<span class=c>s</span></div><div class=writer>b</div>",
]
CLASS_SELECTORS = [
    ".reporter", ".author", ".news-author", ".writer", ".reporter::text", ".reporter, .writer",
    ".byline, h1", ".reporter.writer", ".reporter:not(.writer)", ".a .c", ".a > .c::text",
    ".a\\&b", ".a\\ b", ":not(.reporter)", ".reporter:first-child", "#x.reporter",
    ".reporter a::attr(href)", "*.writer", ".writer span", "[class~=reporter]", ".b:has(.c)",
    ":is(.reporter)", ".nothing-here", ".x::attr(class)", "p, .nothing",
]  # fmt: skip


@pytest.mark.parametrize(
    "html",
    CLASS_PAGES + [p.read_text("utf-8") for p in PAGES],
    ids=[f"classes{i}" for i in range(len(CLASS_PAGES))] + PAGE_IDS,
)
def test_class_selectors_select_what_parsel_selects(html):
    from newscrawl.extraction.markup import select

    for css in CLASS_SELECTORS:
        sel = Selector(text=html)  # a new page for each: the attributes read or not
        expected = sel.css(css)
        found = select(sel, css)
        if "::" in css:
            assert found == expected.getall(), css
        else:
            assert found == [e.root for e in expected], css


def test_absent_classes_are_told_by_the_page_and_its_class_attributes():
    from newscrawl.extraction import query

    sel = Selector(text=CLASS_PAGES[0])
    assert query.select(sel, ".reporter") == [] and sel in query._CLASS_VALUES
    assert query._CLASS_VALUES[sel] == "byline\x00author-box"
    assert [e.text for e in query.select(sel, ".byline")] == ["x"]
    assert query.select(sel, ".author") == []  # "author" in an attribute, not as a class
    # Named in the page's text: the class attributes are not read.
    sel = Selector(text=CLASS_PAGES[1])
    assert query.select(sel, ".reporter") == [] and sel not in query._CLASS_VALUES
    # Only selectors that look at every element are worth the look.
    sel = Selector(text=CLASS_PAGES[0])
    assert query._required_classes("p.reporter") is None
    assert query.select(sel, "p.reporter") == [] and sel not in query._CLASS_VALUES
    assert query._required_classes(".a:not(.b), .c.d p") == ({"a"}, {"c", "d"})
    assert query._required_classes(":not(.a)") is None
    assert query._required_classes(".a\\ b") is None  # a class with a space: never one token


# -- Monitoring's field counts: items read at once -------------------------------------------------


def odd_items():
    from collections import OrderedDict
    from dataclasses import dataclass

    from newscrawl.items import Article

    @dataclass
    class Plain:
        title: str = "N/A"
        body: str = "b"

    class Word(str):
        pass

    return [
        Article(url="u", title="N/A", category="-", author="t", extraction={"title": "-"}),
        {"title": Word("N/A"), "body": Word("x"), "n": 0, "d": {"a": "N/A", "b": {"c": "-"}}},
        OrderedDict(title="t", body="-", tags=["N/A"]),
        Plain(),
        Plain(title="real", body="N/A"),
        {"x": "", "y": "N/A ", "z": None, "w": float("nan")},
    ]


@pytest.mark.parametrize(
    "settings",
    [{}, {"SPIDERMON_FIELD_COVERAGE_SKIP_VALUES": ["t", "x", 0, float("nan")]},
     {"SPIDERMON_FIELD_COVERAGE_SKIP_VALUES": "N/A,-"},
     {"SPIDERMON_FIELD_COVERAGE_SKIP_FALSY": False, "SPIDERMON_FIELD_COVERAGE_SKIP_NONE": False}],
    ids=["project", "typed", "string", "not-falsy"],
)  # fmt: skip
def test_field_counts_are_spidermons_for_items_of_every_kind(settings):
    from spidermon.contrib.scrapy.extensions import Spidermon

    from newscrawl.monitors import Monitoring
    from tests.test_speed_store import coverage_stats

    expected = coverage_stats(Spidermon, odd_items(), **settings)
    assert coverage_stats(Monitoring, odd_items(), **settings) == expected
    assert expected


# -- an element's text: read without a walk when it holds text only --------------------------------


@pytest.mark.parametrize(
    "html",
    ["<p>text only</p><p></p><p>a<!-- c -->b</p><p>x<br>y</p><p><?pi x?>z</p><br>"
     "<p>a &amp; b<b>bold</b> tail</p><td>cell</td><p>line\n\nbreak</p>"]
    + [p.read_text("utf-8") for p in PAGES],
    ids=["crafted", *PAGE_IDS],
)  # fmt: skip
def test_joined_text_is_the_walks(html):
    from newscrawl.extraction.markup import joined_text, walk_text

    sel = Selector(text=html)
    elements = list(sel.root.iter())
    assert any(not len(e) for e in elements) and any(len(e) for e in elements)
    for element in elements:
        for br in ("", "\n"):
            assert joined_text(element, br) == "".join(walk_text(element, br)), element.tag


# -- site names stripped from titles with patterns compiled once a name --------------------------


def reference_strip_site_name(title, site_names):
    import re

    if not title:
        return title
    for name in site_names:
        if not name or name == title:
            continue
        escaped = re.escape(name)
        title = re.sub(rf"\s*[|\-–—:]\s*{escaped}\s*$", "", title)
        title = re.sub(rf"^\s*{escaped}\s*[|\-–—:]\s*", "", title)
    return title


@pytest.mark.parametrize(
    "title",
    ["Headline | Daily Inqilab", "Daily Inqilab: Headline", "দৈনিক ইনকিলাব – শিরোনাম — দৈনিক ইনকিলাব",
     "A (b) | a.b*c", "a.b*c - A (b)", "Daily Inqilab", "", None, "x |  Site  ", "Site|Site|x"],
)  # fmt: skip
def test_site_names_leave_titles_as_the_patterns_left_them(title):
    names = ["Daily Inqilab", "দৈনিক ইনকিলাব", "a.b*c", "A (b)", "", "Site", "Daily Inqilab"]
    for count in range(len(names) + 1):
        assert meta.strip_site_name(title, names[:count]) == reference_strip_site_name(
            title, names[:count]
        )


# -- the shortcuts keep the old failures and non-failures ---------------------------------------

JSON_LD_TITLE = (
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "শিরোনাম এক"}</script>'
)


def test_a_selector_behind_one_that_matches_is_not_compiled_when_the_field_is_given():
    """first_text stops at the first selector that matches: one that cannot compile behind it
    never failed, and must not fail because JSON-LD gave the field."""

    class Unusable(InqilabSpider):
        selectors = {  # noqa: RUF012
            **InqilabSpider.selectors,
            "title": ("h1.headline", ".title:first-of-type"),
        }

    sel = Selector(text=f'{JSON_LD_TITLE}<h1 class="headline">শিরোনাম এক</h1>')
    out = layered(sel, Unusable)
    assert out.layers["title"] == "json-ld"
    from_selectors(sel, out, Unusable, "")
    assert out.values["title"] == "শিরোনাম এক"


def test_a_namespace_prefix_fails_when_run_as_it_did():
    """``svg|title`` compiles but fails when run (undefined prefix): it is still run."""
    from lxml.etree import XPathEvalError

    from newscrawl.extraction.markup import select

    class Prefixed(InqilabSpider):
        selectors = {**InqilabSpider.selectors, "title": ("h1.headline", "svg|title")}  # noqa: RUF012

    sel = Selector(text=JSON_LD_TITLE)
    with pytest.raises(XPathEvalError):
        from_selectors(sel, layered(sel, Prefixed), Prefixed, "")
    page = Selector(text="<html><body><p class='a'>x</p></body></html>")
    with pytest.raises(XPathEvalError):
        select(page, ".zz svg|title")


def test_json_on_an_article_url_is_skipped_as_not_html():
    from scrapy.http import TextResponse
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(InqilabSpider)
    crawler.spider = spider = crawler._create_spider()
    url = "https://dailyinqilab.com/national/news/620001"
    body = '{"error": "খবর পাওয়া যায়নি"}'.encode()
    page = TextResponse(url, body=body, encoding="utf-8", headers={"Content-Type": "text/plain"})
    assert list(spider.parse_article(page)) == []
    assert crawler.stats.get_value("newscrawl/skipped/not_html") == 1
