"""Extraction rules pinned at their edges: each test fails when its rule's number or condition
is changed (found by mutation testing, docs/benchmarks.md section 10)."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest
from parsel import Selector

from newscrawl import extract
from newscrawl.extraction import (
    _covers,
    _opens,
    _same_headline,
    date_from_text,
    generic,
    headings,
    jsonld,
    markup,
    meta,
)
from newscrawl.extraction import body as body_rules
from newscrawl.extraction.core import Extracted
from newscrawl.offline import GenericOutlet
from newscrawl.spiders.inqilab import InqilabSpider
from newscrawl.spiders.sunnews import SunnewsSpider

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


# -- JSON-LD ---------------------------------------------------------------------------------------


def ld_page(*raw_blocks: str, body: str = "") -> Selector:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in raw_blocks)
    return Selector(text=f"<html><head>{scripts}</head><body>{body}</body></html>")


@pytest.mark.parametrize(
    ("raw", "values"),
    [
        ('{"a": 1}', [{"a": 1}]),
        ('<!-- {"a": 1} -->', [{"a": 1}]),
        ('<![CDATA[{"a": 1}]]>', [{"a": 1}]),
        ('//<![CDATA[\n{"a": 1}\n//]]>', [{"a": 1}]),
        ('{"a": [1, 2,], "b": {"c": 3,},}', [{"a": [1, 2], "b": {"c": 3}}]),
        ('{"a": 1}\n{"b": 2}', [{"a": 1}, {"b": 2}]),
        ('{"a": 1};,\n {"b": 2};', [{"a": 1}, {"b": 2}]),
        ('{"a": "line one\nline\ttwo"}', [{"a": "line one\nline\ttwo"}]),
        ('{"a": 1} garbage', [{"a": 1}]),
        ("not json at all", []),
        ("   ", []),
        ("[" * 5000 + "]" * 5000, []),  # nested past the recursion limit: skipped
    ],
)
def test_json_ld_blocks_are_read_leniently(raw, values):
    assert jsonld.parse_block(raw) == values


def test_every_block_of_the_page_is_read_in_order():
    sel = ld_page('{"a": 1}', "broken {", '[{"b": 2}, {"c": 3}]')
    assert jsonld.blocks(sel) == [{"a": 1}, [{"b": 2}, {"c": 3}]]
    assert jsonld.blocks(Selector(text='<script type="text/json">{"a": 1}</script>')) == []


def test_the_article_is_found_in_lists_graphs_and_main_entities_breadth_first():
    article = {"@type": "NewsArticle", "headline": "ক"}
    other = {"@type": "BlogPosting", "headline": "খ"}
    assert jsonld.article([{"@type": "WebSite"}, article]) is article
    assert jsonld.article([{"@graph": [{"@type": "Person"}, article]}]) is article
    assert jsonld.article([{"@type": "WebPage", "mainEntity": article}]) is article
    assert jsonld.article([{"@type": ["WebPage", "ReportageNewsArticle"]}]) is not None
    assert jsonld.article([{"@graph": [{"mainEntity": other}]}, article]) is article
    assert jsonld.article([{"@type": "WebPage"}, {"@type": 5}, {"@type": [5, "Person"]}]) is None
    assert jsonld.article([]) is None


def test_json_ld_nested_past_the_depth_cap_is_not_walked():
    article = {"@type": "NewsArticle", "headline": "ক"}
    shallow, deep = article, article
    for _ in range(jsonld.MAX_DEPTH - 1):
        shallow = [shallow]
    for _ in range(jsonld.MAX_DEPTH + 1):
        deep = [deep]
    assert jsonld.article([shallow]) is article
    assert jsonld.article([deep]) is None


def test_every_article_type_is_an_article():
    for kind in jsonld.ARTICLE_TYPES:
        assert jsonld.article([{"@type": kind}]) == {"@type": kind}


def test_names_urls_and_keywords_are_read_from_any_shape():
    people = [{"@type": "Person", "name": "রহিম <b>উদ্দিন</b>"}, "করিম", {"name": ["ক", "খ"]}, {}]
    assert jsonld.names(people) == ["রহিম উদ্দিন", "করিম", "ক", "খ"]
    assert jsonld.names(None) == []
    assert jsonld.urls([{"url": "u1"}, {"@id": "u2"}, {"contentUrl": "u3"}, "u4"]) == [
        "u1",
        "u2",
        "u3",
        "u4",
    ]
    assert jsonld.urls({"url": "u1", "@id": "u2"}) == ["u1"]
    assert jsonld.keywords("আগুন, মিরপুর,, ঢাকা ") == ["আগুন", "মিরপুর", "ঢাকা"]
    assert jsonld.keywords(["আগুন", "মিরপুর, ঢাকা"]) == ["আগুন", "মিরপুর", "ঢাকা"]
    assert jsonld.keywords({"name": "x"}) == []


def test_names_nested_past_the_depth_cap_are_not_read():
    shallow, deep = "ক", "খ"
    for _ in range(jsonld.MAX_DEPTH):
        shallow = [shallow]
    for _ in range(jsonld.MAX_DEPTH + 1):
        deep = [deep]
    assert jsonld.names(shallow) == ["ক"]
    assert jsonld.names(deep) == []


def test_first_string_and_first_text():
    assert jsonld.first_string(["a", "b"]) == "a"
    assert jsonld.first_string([]) is None
    assert jsonld.first_string([1]) is None
    assert jsonld.first_string("a") == "a"
    assert jsonld.first_text(["  <i>শিরোনাম</i>\n এক "]) == "শিরোনাম এক"
    assert jsonld.first_text("<br>") is None
    assert jsonld.first_text("") is None


def test_publisher_names_come_from_the_articles_publisher_and_the_sites_objects():
    data = [
        {
            "@type": "NewsArticle",
            "publisher": [
                {"@type": "Organization", "name": "খবর", "alternateName": ["Khobor", "খবর"]},
                "not an object",
            ],
        },
        {"@type": "WebSite", "name": "খবর ডটকম"},
        {"@type": "Website", "name": "Khobor.com"},
        {"@type": "NewsMediaOrganization", "alternateName": "দৈনিক খবর"},
        {"@type": "Corporation", "name": "খবর গ্রুপ"},
        {"@type": "Person", "name": "রহিম"},
    ]
    assert jsonld.publisher_names(data) == [
        "খবর",
        "Khobor",
        "খবর ডটকম",
        "Khobor.com",
        "দৈনিক খবর",
        "খবর গ্রুপ",
    ]
    assert jsonld.publisher_names([{"@type": "NewsArticle", "publisher": {"name": "ক"}}]) == ["ক"]


def test_every_field_of_a_json_ld_article():
    node = {
        "@type": "NewsArticle",
        "headline": ["  শিরোনাম  "],
        "alternativeHeadline": "উপশিরোনাম",
        "author": [{"name": "রহিম"}, {"name": "করিম"}, {"name": "রহিম"}],
        "articleSection": ["জাতীয়", "রাজনীতি"],
        "keywords": "আগুন, মিরপুর",
        "datePublished": " 2024-01-15T10:30:00+06:00 ",
        "dateModified": "2024-01-16T08:00:00+06:00",
        "mainEntityOfPage": {"@id": "https://example.test/a/1"},
        "url": "https://example.test/other",
        "image": [{"url": "https://example.test/1.jpg"}, "https://example.test/2.jpg"],
    }
    out = Extracted()
    jsonld.from_json_ld(node, out)
    values = dict(out.values)
    published, updated = values.pop("published"), values.pop("updated")
    assert values == {
        "title": "শিরোনাম",
        "subtitle": "উপশিরোনাম",
        "author": "রহিম, করিম",
        "category": "জাতীয়",
        "tags": ["আগুন", "মিরপুর"],
        "canonical_url": "https://example.test/a/1",
        "image_urls": ["https://example.test/1.jpg", "https://example.test/2.jpg"],
    }
    assert published.isoformat() == "2024-01-15T10:30:00+06:00"
    assert updated.isoformat() == "2024-01-16T08:00:00+06:00"
    assert out.raw["published"] == "2024-01-15T10:30:00+06:00"
    assert set(out.layers.values()) == {"json-ld"}


def test_a_json_ld_article_named_not_headlined_with_its_own_url():
    out = Extracted()
    jsonld.from_json_ld(
        {"name": "নাম", "url": ["https://example.test/a"], "datePublished": "x"}, out
    )
    assert out.values == {"title": "নাম", "canonical_url": "https://example.test/a"}
    assert out.unparsed == {"published": "x"}


# -- meta tags -------------------------------------------------------------------------------------


def meta_page(*tags: tuple[str, str, str], extra: str = "") -> Selector:
    metas = "".join(f'<meta {attr}="{key}" content="{value}">' for attr, key, value in tags)
    return Selector(text=f"<html><head>{metas}{extra}</head><body></body></html>")


def test_meta_tags_are_read_by_property_name_or_itemprop_and_blank_ones_skipped():
    sel = meta_page(
        ("property", "og:title", " শিরোনাম "),
        ("name", "author", "রহিম"),
        ("itemprop", "datePublished", "2024-01-15"),
        ("property", "og:image", "a.jpg"),
        ("property", "og:image", "b.jpg"),
        ("name", "description", "   "),
    )
    assert meta.meta_tags(sel) == {
        "og:title": ["শিরোনাম"],
        "author": ["রহিম"],
        "datePublished": ["2024-01-15"],
        "og:image": ["a.jpg", "b.jpg"],
    }


def test_every_field_from_meta_tags():
    sel = meta_page(
        ("name", "twitter:title", "টুইটার শিরোনাম"),
        ("property", "og:title", "শিরোনাম | খবর"),
        ("property", "article:author", "https://facebook.com/khobor"),
        ("name", "author", "রহিম <b>উদ্দিন</b>"),
        ("property", "article:section", "জাতীয়"),
        ("property", "article:tag", "আগুন"),
        ("name", "news_keywords", "মিরপুর"),
        ("name", "pubdate", "2024-01-15T10:30:00+06:00"),
        ("property", "og:updated_time", "2024-01-16T08:00:00+06:00"),
        ("property", "og:url", "https://example.test/og"),
        ("property", "og:image", "https://example.test/1.jpg"),
        extra='<link rel="canonical" href="https://example.test/a/1">',
    )
    out = Extracted()
    meta.from_meta(sel, out, ["খবর"])
    values = dict(out.values)
    assert values.pop("published").isoformat() == "2024-01-15T10:30:00+06:00"
    assert values.pop("updated").isoformat() == "2024-01-16T08:00:00+06:00"
    assert values == {
        "title": "শিরোনাম",
        "author": "রহিম উদ্দিন",
        "category": "জাতীয়",
        "tags": ["আগুন", "মিরপুর"],
        "canonical_url": "https://example.test/a/1",
        "image_urls": ["https://example.test/1.jpg"],
    }
    assert set(out.layers.values()) == {"meta"}
    assert out.raw == {
        "published": "2024-01-15T10:30:00+06:00",
        "updated": "2024-01-16T08:00:00+06:00",
    }


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("article:published_time", "published"),
        ("datePublished", "published"),
        ("publish-date", "published"),
        ("article:modified_time", "updated"),
        ("dateModified", "updated"),
    ],
)
def test_each_date_tag_is_read(key, field):
    out = Extracted()
    meta.from_meta(meta_page(("name", key, "2024-01-15T10:30:00+06:00")), out, [])
    assert out.values[field].isoformat() == "2024-01-15T10:30:00+06:00"


def test_meta_falls_back_to_og_url_and_twitter_title():
    sel = meta_page(
        ("name", "twitter:title", "শিরোনাম"),
        ("property", "og:url", "https://example.test/og"),
        ("name", "author", "https://facebook.com/x"),
    )
    out = Extracted()
    meta.from_meta(sel, out, [])
    assert out.values == {"title": "শিরোনাম", "canonical_url": "https://example.test/og"}


def test_the_sites_names_from_its_meta_tags():
    sel = meta_page(
        ("property", "og:site_name", "খবর"),
        ("name", "application-name", "Khobor"),
        ("name", "apple-mobile-web-app-title", "খবর অ্যাপ"),
        ("name", "twitter:site", "@khobor"),
        ("name", "twitter:creator", "@someone"),
    )
    assert meta.page_site_names(sel) == ["খবর", "Khobor", "খবর অ্যাপ", "khobor"]


@pytest.mark.parametrize(
    ("title", "headline", "suffix"),
    [
        ("শিরোনাম | খবর", "শিরোনাম", "খবর"),
        ("শিরোনাম - খবর", "শিরোনাম", "খবর"),
        ("শিরোনাম :: খবর", "শিরোনাম", "খবর"),
        ("শিরোনাম", "শিরোনাম", None),
        ("শিরোনাম খবর", "শিরোনাম", None),  # no separator: a longer headline
        ("অন্য | খবর", "শিরোনাম", None),
        ("শিরোনাম | " + "ক" * 40, "শিরোনাম", "ক" * 40),
        ("শিরোনাম | " + "ক" * 41, "শিরোনাম", None),  # too long for a site name
        ("শিরোনাম |", "শিরোনাম", None),
        (None, "শিরোনাম", None),
        ("শিরোনাম | খবর", None, None),
    ],
)
def test_what_the_page_title_adds_to_the_headline(title, headline, suffix):
    assert meta.title_suffix(title, headline) == suffix


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("শিরোনাম | খবর", "শিরোনাম"),
        ("শিরোনাম - খবর ", "শিরোনাম"),
        ("খবর: শিরোনাম", "শিরোনাম"),
        ("শিরোনাম | Khobor.com", "শিরোনাম"),
        ("খবরের শিরোনাম", "খবরের শিরোনাম"),  # the name inside a word stays
        ("খবর", "খবর"),  # the title that is the name alone stays
        ("", ""),
        (None, None),
    ],
)
def test_the_sites_name_leaves_the_title(title, expected):
    assert meta.strip_site_name(title, ["", "খবর", "Khobor.com"]) == expected


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Daily Inqilab অনলাইন ডেস্ক", "অনলাইন ডেস্ক"),
        ("Daily Inqilab: অনলাইন ডেস্ক", "অনলাইন ডেস্ক"),
        ("Daily Inqilab ডেস্ক", "Daily Inqilab ডেস্ক"),  # the name is part of the desk's name
        ("রহিম উদ্দিন", "রহিম উদ্দিন"),
        ("", ""),
        (None, None),
    ],
)
def test_the_outlets_name_before_a_byline_is_dropped(author, expected):
    assert meta.strip_outlet_prefix(author, ["", "Daily Inqilab"]) == expected


# -- markup ----------------------------------------------------------------------------------------


def frag(html: str):
    return Selector(text=f"<html><body>{html}</body></html>").xpath("//body/*")[0].root


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("রহিম <b>উদ্দিন</b>", "রহিম উদ্দিন"),
        ("a &amp;mdash; b", "a — b"),
        ("a &amp;amp;amp;amp;lt; b", "a &amp;lt; b"),  # unescaped three times, no more
        ("&lt;b&gt;bold&lt;/b&gt; text", "bold text"),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
        ("AT&T &c", "AT&T &c"),
        ("&#2453;&#x0996;", "কখ"),
        ("  line\none  ", "line one"),
    ],
)
def test_plain_text_has_no_markup_and_no_entities(value, expected):
    assert markup.plain_text(value) == expected


def test_walk_text_skips_scripts_breaks_cells_and_keeps_tails():
    node = frag(
        "<div>a<script>x</script>b<br>c<table><tr><td>১২</td><td>৩৪</td></tr></table>"
        "<span>d</span>e<!-- comment -->f<template>t</template></div>"
    )
    assert "".join(markup.walk_text(node, br="|")) == "ab|c ১২ ৩৪def"
    assert "".join(markup.walk_text(node)) == "abc ১২ ৩৪def"


def test_element_text_of_a_string_result_is_the_string():
    sel = Selector(text="<p title='t'>x</p>")
    assert markup.element_text(sel.xpath("//p/@title")[0]) == "t"
    assert markup.element_text(sel.xpath("//p")[0]) == "x"


def test_first_text_takes_the_first_selector_with_text():
    sel = Selector(
        text="<div><h1> </h1><h2 class='t'>শিরোনাম <i>এক</i></h2>"
        "<a data-x='  মান '>y</a><h3>&lt;b&gt;x&lt;/b&gt;</h3></div>"
    )
    assert markup.first_text(sel, ["h1", "h2.t", "h3"]) == "শিরোনাম এক"
    assert markup.first_text(sel, ["a::attr(data-x)"]) == "মান"
    assert markup.first_text(sel, ["h2::text"]) == "শিরোনাম"
    assert markup.first_text(sel, ["h3"]) == "x"
    assert markup.first_text(sel, ["h4", "h1"]) is None
    assert markup.first_text(sel, []) is None


def test_paragraphs_take_the_first_selector_that_matches_and_split_at_double_breaks():
    sel = Selector(
        text="<div class='a'><p> </p></div><div class='b'><p>এক<br>দুই<br><br>তিন</p>"
        "<p>চার</p></div><div class='c'><p>পাঁচ</p></div>"
    )
    assert markup.paragraphs(sel, [".a p", ".b p", ".c p"]) == ["এক দুই", "তিন", "চার"]
    assert markup.paragraphs(sel, [".x p"]) == []
    assert markup.paragraphs(sel, [".c p::text"]) == ["পাঁচ"]


def test_block_paragraphs_split_at_blocks_and_breaks_and_drop_captions_and_marks():
    node = frag(
        "<div>ভূমিকা<p>এক <b>গাঢ়</b> লেখা</p><figure><img><figcaption>ছবি</figcaption></figure>"
        "<ul><li>দুই</li><li>তিন</li></ul>চার<br><br>পাঁচ<br>ছয়<p>***</p><p>.</p>"
        "<iframe>x</iframe><table><tr><td>১২</td><td>৩৪</td></tr></table>সাত</div>"
    )
    assert markup.block_paragraphs(node) == [
        "ভূমিকা",
        "এক গাঢ় লেখা",
        "দুই",
        "তিন",
        "চার",
        "পাঁচ ছয়",
        "১২ ৩৪",
        "সাত",
    ]


def test_block_paragraphs_leave_out_blocks_the_caller_refuses():
    node = frag("<div><p>এক</p><div class='ad'>বিজ্ঞাপন</div><span class='ad'>থাক</span></div>")
    skip = lambda el: el.get("class") == "ad"  # noqa: E731
    assert markup.block_paragraphs(node, skip) == ["এক", "থাক"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("এক\nদুই", ["এক", "দুই"]),
        ("<p>এক</p><p>দুই &amp; তিন</p>", ["এক", "দুই & তিন"]),
        ("&lt;p&gt;এক&lt;/p&gt;&lt;p&gt;দুই&lt;/p&gt;", ["এক", "দুই"]),
        (
            "&amp;lt;p&amp;gt;এক&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;দুই&amp;lt;/p&amp;gt;",
            ["এক", "দুই"],
        ),
        ("এক<br><br>দুই", ["এক", "দুই"]),
    ],
)
def test_html_inside_a_string_becomes_paragraphs(value, expected):
    assert markup.html_paragraphs(value) == expected


def test_has_markup():
    assert markup.has_markup("<p>x</p>")
    assert markup.has_markup("&lt;br/&gt;")
    assert not markup.has_markup("5 < 6 > 4")


def test_article_body_takes_the_pages_paragraph_breaks_when_the_text_is_the_same():
    sel = Selector(
        text="<body><p>মেনু</p><p>এক বাক্য।</p><p>দুই বাক্য।</p><p>তিন বাক্য।</p><p>শেষ</p></body>"
    )
    assert markup.article_body_paragraphs(sel, "এক বাক্য। দুই বাক্য।") == ["এক বাক্য।", "দুই বাক্য।"]
    # starting inside a paragraph: no run; the text as it is, split at its own newlines
    assert markup.article_body_paragraphs(sel, "বাক্য। দুই বাক্য।") == ["বাক্য। দুই বাক্য।"]
    assert markup.article_body_paragraphs(sel, "নতুন\nলেখা") == ["নতুন", "লেখা"]
    assert markup.article_body_paragraphs(sel, "<p>এক</p><p>দুই</p>") == ["এক", "দুই"]


def test_the_matching_run_must_start_and_end_on_paragraph_boundaries():
    page = ["ab", "ab", "abc", "d"]
    assert markup._matching_run(page, "ab abc") == ["ab", "abc"]
    assert markup._matching_run(page, "abc d") == ["abc", "d"]
    assert markup._matching_run(page, "ab") == ["ab"]
    assert markup._matching_run(page, "b ab") is None
    assert markup._matching_run(page, "ab a") is None
    assert markup._matching_run(page, "") is None
    assert markup._matching_run([], "ab") is None


# -- the body's paragraph rules --------------------------------------------------------------------


GENERIC = GenericOutlet(base_url="https://example.test")
SUNNEWS = SunnewsSpider()
S = [  # sentences of running text, each over 40 characters
    "রাজধানীর মিরপুরে একটি পোশাক কারখানায় আগুন লেগে অন্তত তিনজন শ্রমিক আহত হয়েছেন।",
    "ফায়ার সার্ভিসের কর্মকর্তা জানান, খবর পেয়ে ঘটনাস্থলে পাঁচটি ইউনিট পাঠানো হয়।",
    "আহত শ্রমিকদের ঢাকা মেডিকেল কলেজ হাসপাতালে ভর্তি করা হয়েছে বলে জানা গেছে।",
    "আগুনের কারণ অনুসন্ধানে তিন সদস্যের একটি তদন্ত কমিটি গঠন করা হয়েছে আজ।",
    "সাত দিনের মধ্যে কমিটিকে প্রতিবেদন জমা দিতে বলা হয়েছে বলে কর্মকর্তারা জানান।",
]


def cleaned(paras, outlet=GENERIC, **values):
    out = Extracted()
    out.values.update(values)
    return body_rules.clean_body(paras, out, outlet), out


def test_the_headline_standfirst_and_byline_lines_are_not_body():
    paras = ["শিরোনাম", "উপশিরোনাম", "রহিম উদ্দিন", *S[:3], "", "<b></b>"]
    result, _ = cleaned(paras, INQILAB, title="শিরোনাম", subtitle="উপশিরোনাম", author="রহিম উদ্দিন")
    assert result == S[:3]


def test_the_body_ends_where_the_outlet_says():
    result, _ = cleaned([S[0], "বিভাগ : জাতীয়", S[1]], INQILAB)
    assert result == [S[0]]


def test_outlet_boilerplate_and_sign_off_lines_go():
    result, _ = cleaned(
        [S[0], "আরও পড়ুন: অন্য খবর", S[1], "অন্য খবরের সারাংশ…", "সান নিউজ/এমআর"], SUNNEWS
    )
    assert result == [S[0], S[1]]


def test_date_lines_and_edition_labels_are_not_body():
    result, _ = cleaned(["প্রকাশ: ১৫ জানুয়ারি ২০২৫, ১০:৩০", S[0], "প্রিন্ট সংস্করণ", S[1]])
    assert result == S[:2]


@pytest.mark.parametrize(
    "line",
    [
        "জেডএস/এমআর",
        "আরও পড়ুন: অন্য একটি খবর",
        "ছবি: সংগৃহীত",
        "বিজ্ঞাপন",
        "শেয়ার করুন",
        "ট্যাগ: আগুন, মিরপুর",
    ],
)
def test_page_lines_go_anywhere_in_a_generic_body(line):
    result, _ = cleaned([S[0], S[1], line, S[2], S[3]])
    assert result == S[:4]


def test_page_lines_stay_for_an_outlet_with_its_own_rules():
    result, _ = cleaned([S[0], S[1], "বিজ্ঞাপন", S[2]], INQILAB)
    assert result == [S[0], S[1], "বিজ্ঞাপন", S[2]]


def test_a_long_paragraph_is_never_taken_for_a_page_line():
    long_line = "ছবি: " + "ক" * 200
    result, _ = cleaned([S[0], long_line, S[1]])
    assert result == [S[0], long_line, S[1]]


def test_edge_lines_go_only_in_the_first_or_last_two_paragraphs():
    follow = "সর্বশেষ খবর পেতে গুগল নিউজ ফলো করুন"
    result, _ = cleaned([follow, *S, "© ২০২৫ সর্বস্বত্ব সংরক্ষিত"])
    assert result == S
    result, _ = cleaned([S[0], follow, *S[1:]])
    assert result == S  # second paragraph: still an edge
    result, _ = cleaned([S[0], S[1], follow, S[2], S[3]])
    assert result == [S[0], S[1], follow, S[2], S[3]]  # the middle: a sentence


def test_an_outlet_with_its_own_sign_off_keeps_other_slashed_lines():
    result, _ = cleaned([S[0], "জেডএস/এমআর", S[1]], SUNNEWS)
    assert result == [S[0], "জেডএস/এমআর", S[1]]


def test_the_byline_with_a_place_after_it_goes_only_at_the_edges():
    byline = "রহিম উদ্দিন, চাঁদপুর"
    result, _ = cleaned([byline, *S[:3]], author="রহিম উদ্দিন")
    assert result == S[:3]
    result, _ = cleaned([S[0], byline, *S[1:3]], author="রহিম উদ্দিন")
    assert result == [S[0], byline, *S[1:3]]
    sentence = "রহিম উদ্দিন জানান, " + "ক" * 40
    result, _ = cleaned([sentence, *S[:2]], author="রহিম উদ্দিন")
    assert result == [sentence, *S[:2]]  # more than 40 characters after the name: a sentence
    said = "রহিম উদ্দিন বলেন।"
    result, _ = cleaned([said, *S[:2]], author="রহিম উদ্দিন")
    assert result == [said, *S[:2]]


def test_the_byline_line_rule_is_for_generic_bodies_only():
    result, _ = cleaned(["রহিম উদ্দিন, চাঁদপুর", *S[:2]], INQILAB, author="রহিম উদ্দিন")
    assert result == ["রহিম উদ্দিন, চাঁদপুর", *S[:2]]


def test_a_desk_line_opening_a_generic_body_is_the_byline():
    result, out = cleaned(["নিজস্ব প্রতিবেদক", *S[:2]])
    assert result == S[:2]
    assert out.values["author"] == "নিজস্ব প্রতিবেদক"
    assert out.layers["author"] == "body-lead-in"
    result, out = cleaned(["নিজস্ব প্রতিবেদক"])  # the only line: kept, not a byline
    assert result == ["নিজস্ব প্রতিবেদক"]
    assert "author" not in out.values
    result, out = cleaned(["নিজস্ব প্রতিবেদক", *S[:2]], INQILAB)
    assert result == ["নিজস্ব প্রতিবেদক", *S[:2]]


def test_a_desk_lead_in_in_a_generic_body_is_the_byline():
    result, out = cleaned([f"কুড়িগ্রাম প্রতিনিধি: {S[0]}", S[1]])
    assert result == S[:2]
    assert out.values["author"] == "কুড়িগ্রাম প্রতিনিধি"


def test_an_author_already_known_is_kept_over_the_lead_in_but_the_lead_in_still_goes():
    result, out = cleaned([f"অনলাইন ডেস্ক : {S[0]}", S[1]], INQILAB, author="রহিম")
    assert out.values["author"] == "রহিম"
    assert result == S[:2]


def test_repeated_paragraphs_are_read_once():
    result, _ = cleaned([*S[:2], *S[:2], "*", "*"])
    assert result == [*S[:2], "*", "*"]


@pytest.mark.parametrize(
    ("line", "is_date"),
    [
        ("প্রকাশ: ১৫ জানুয়ারি ২০২৫, ১০:৩০", True),
        ("আপডেট: ১৫ জানুয়ারি ২০২৫, বুধবার", True),
        ("ঢাকা, ১৫ জানুয়ারি ২০২৫", True),  # a short place
        ("Published: 15 January 2025, 10:30 AM", True),
        ("১৫ জানুয়ারি ২০২৫ তারিখে শুনানি হবে বলে আদালত জানায়", False),
        ("১৫ জানুয়ারি ২০২৫।", False),
        ("ঢাকা মিরপুর ১৫ জানুয়ারি ২০২৫", False),  # two words besides the date
        ("১৫ জানুয়ারি ২০২৫ " + "ক" * 90, False),
        ("কোনো তারিখ নেই", False),
    ],
)
def test_a_date_line_is_a_date_and_little_else(line, is_date):
    assert body_rules.is_date_line(line) is is_date


# -- headline and byline ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("লেখক: রহিম উদ্দিন | প্রকাশ: ১০ জানুয়ারি ২০২৫", "রহিম উদ্দিন"),
        ("By Rahim Uddin 10 Jan 2025", "Rahim Uddin"),
        ("by: Rahim Uddin", "Rahim Uddin"),
        ("Posted by Rahim Uddin, Published 10 Jan", "Rahim Uddin"),
        ("Written by Rahim", "Rahim"),
        ("লিখেছেন: করিম", "করিম"),
        ("প্রতিবেদন: করিম\nঢাকা", "করিম"),
        ("রহিম উদ্দিন, শনিবার, ১০ জানুয়ারি", "রহিম উদ্দিন"),
        ("রহিম উদ্দিন আপডেট: ১০:৩০", "রহিম উদ্দিন"),
        ("Rahim posted on Monday", "Rahim"),
        ("Author:", None),
        ("By", None),
        ("লেখক:", None),
        ("Posted by admin", None),
        ("Site Administrator", None),
        ("editor", None),
        ("Byron Khan", "Byron Khan"),  # "By" starting a name is no label
    ],
)
def test_a_byline_is_the_name_alone(value, name):
    assert headings.byline(value) == name


def heading_page(head: str, body: str) -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>")


HEADLINE = "মিরপুরে পোশাক কারখানায় আগুন"


def test_a_single_h1_with_no_metadata_is_the_headline():
    sel = heading_page("", f"<h1>{HEADLINE}</h1><h1 class='logo'>খবর</h1>")
    assert headings.headline(sel) == HEADLINE


def test_the_h1_the_title_names_wins_over_an_earlier_one():
    sel = heading_page(
        f"<title>{HEADLINE} | খবর</title>", f"<h1>সর্বশেষ সংবাদ শিরোনাম</h1><h1>{HEADLINE}</h1>"
    )
    assert headings.headline(sel) == HEADLINE


def test_the_h1_og_title_or_json_ld_names_wins():
    og = heading_page(
        f'<meta property="og:title" content="{HEADLINE}">',
        f"<h1>অন্য একটি বড় শিরোনাম</h1><h1>{HEADLINE}</h1>",
    )
    assert headings.headline(og) == HEADLINE
    ld = heading_page(
        f'<script type="application/ld+json">{{"headline": "{HEADLINE}"}}</script>',
        f"<h1>অন্য একটি বড় শিরোনাম</h1><h1>{HEADLINE}</h1>",
    )
    assert headings.headline(ld) == HEADLINE


def test_a_title_cut_short_still_names_its_heading():
    # "<title>" holding the first 15+ characters of a longer headline
    sel = heading_page(
        f"<title>{HEADLINE[:16]}</title>", f"<h1>অন্য শিরোনাম এখানে</h1><h1>{HEADLINE}</h1>"
    )
    assert headings.headline(sel) == HEADLINE
    short = heading_page(
        f"<title>{HEADLINE[:10]}</title>", f"<h1>অন্য শিরোনাম এখানে</h1><h1>{HEADLINE}</h1>"
    )
    assert headings.headline(short) == "অন্য শিরোনাম এখানে"  # too short a stem: the first h1


def test_a_heading_shorter_than_eight_characters_is_never_named():
    sel = heading_page("<title>আগুন | খবর</title>", "<h1>অন্য শিরোনাম এখানে</h1><h1>আগুন</h1>")
    assert headings.headline(sel) == "অন্য শিরোনাম এখানে"


def test_a_marked_sub_heading_the_metadata_names_is_the_headline():
    for tag in ("h2", "h3", 'div class="post-title"'):
        close = tag.split()[0]
        sel = heading_page(
            f"<title>{HEADLINE} | খবর</title>",
            f"<h1>খবর লোগো নয় এটা</h1><{tag}>{HEADLINE}</{close}>",
        )
        assert headings.headline(sel) == HEADLINE, tag
    unmarked = heading_page(
        f"<title>{HEADLINE} | খবর</title>", f"<h1>অন্য শিরোনাম এখানে</h1><div>{HEADLINE}</div>"
    )
    assert headings.headline(unmarked) == "অন্য শিরোনাম এখানে"


def test_no_headline_on_a_page_without_one():
    assert headings.headline(heading_page("<title>x</title>", "<p>text</p>")) is None


@pytest.mark.parametrize(
    ("h1", "logo"),
    [
        ('<h1 class="site-logo">খবর</h1>', True),
        ('<div id="masthead"><h1>খবর</h1></div>', True),
        ('<div class="brand"><div><div><h1>খবর</h1></div></div></div>', True),
        ('<div class="brand"><div><div><div><h1>খবর</h1></div></div></div></div>', False),
        ('<h1><a href="/">খবর</a></h1>', True),
        ('<h1><a href="https://example.test">খবর</a></h1>', True),
        ('<h1><a href="/?p=123">খবর</a></h1>', False),
        ('<h1><a href="/#top">খবর</a></h1>', False),
        ('<h1><a href="/news/1">খবর</a></h1>', False),
        ('<h1><a href="#">খবর</a></h1>', False),
        ('<h1><a href="?x">খবর</a></h1>', False),
        ("<h1><a>খবর</a></h1>", False),
        ('<h1><a href="/">খবর</a> আজ</h1>', False),
        ('<h1><a href="/">খ</a><a href="/">বর</a></h1>', False),
    ],
)
def test_an_h1_holding_the_sites_name_is_a_logo(h1, logo):
    root = Selector(text=f"<html><body>{h1}</body></html>").root
    node = next(root.iter("h1"))
    assert headings._is_logo(node, headings._text(node)) is logo


# -- the layers together (extraction/__init__) -----------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "title", "same"),
    [
        ("নদীর ওপর নতুন সেতু চালু হলো আজ", "নদীর ওপর নতুন সেতু চালু", True),  # goes on
        ("নদীর ওপর নতুন সেতু চালু", "নদীর ওপর নতুন সেতু চালু", False),  # identical
        ("নদীর ওপর নতুন সেতু চালু", "নদীর  ওপর নতুন সেতু চালু ", False),  # identical, cleaned
        ("নদীর ওপর সেতু চালু হলো", "নদীর ওপর সেতু চালু হয়েছে", True),  # 4 of 5 words
        ("নদীর ওপর সেতু চালু", "বাজারে চালের দাম বাড়ছে আবার", False),
        ("সেতু চালু হলো", "সেতু:", False),  # a stem under 8 characters
        ("নদীর ওপর নতুন সেতু চালু", None, False),
        ("এক দুই তিন চার পাঁচ", "এক দুই তিন ছয় সাত", True),  # 3 of 5: 60%
        ("এক দুই তিন চার পাঁচ", "এক দুই ছয় সাত আট", False),  # 2 of 5
    ],
)
def test_two_spellings_of_one_headline(shown, title, same):
    assert _same_headline(shown, title) is same


WORDS = [f"শব্দ{i}" for i in range(200)]


def test_paragraphs_cover_an_article_body_holding_90_percent_of_its_words():
    body = [" ".join(WORDS[:100]), " ".join(WORDS[100:200])]
    assert _covers(body, " ".join(WORDS))
    assert _covers(body, " ".join(WORDS[:180] + ["অন্য"] * 20))  # 90%: still a copy
    assert not _covers(body, " ".join(WORDS[:179] + ["অন্য"] * 21))
    assert not _covers(body, "")


def test_paragraphs_holding_another_story_after_a_whole_article_body_do_not_cover_it():
    story = " ".join(WORDS[:100])  # a whole articleBody, over 500 characters
    assert len(story) >= 500
    other = [f"অন্য{i}" for i in range(101)]
    assert not _covers([story, " ".join(other)], story)
    assert _covers([story, " ".join(other[:100])], story)  # no more than twice: still it


def test_an_article_body_cut_short_is_covered_by_the_page_that_goes_on():
    short = " ".join(WORDS[:30])  # under 500 characters: cut short
    assert len(short) < 500
    assert _covers([" ".join(WORDS)], short)
    ellipsis = " ".join(WORDS[:100]) + "…"
    assert _covers([" ".join(WORDS[:150]), " ".join(f"x{i}" for i in range(300))], ellipsis)


def test_an_article_body_cut_with_no_ellipsis_opens_the_page_text():
    words = WORDS[:100]
    page = [" ".join(WORDS[:150])]
    assert _opens(words, page)  # stops inside a paragraph: the page goes on
    assert not _opens(words, [" ".join(WORDS[:100]), " ".join(WORDS[100:150])])  # ends one
    assert not _opens(words, [" ".join(WORDS[50:200])])  # the page starts elsewhere


def test_the_date_line_after_the_headline_is_the_date():
    sel = Selector(
        text="<html><body><p>আজ ১০ জানুয়ারি ২০২৫</p><h1>শিরোনাম</h1>"
        "<p>শুনানি ১২ জানুয়ারি ২০২৫ তারিখে হবে বলে আদালত জানিয়েছে।</p>"
        "<p>প্রকাশ: ১৫ জানুয়ারি ২০২৫, ১০:৩০ | আপডেট: ১৬ জানুয়ারি ২০২৫, ০৯:০০</p></body></html>"
    )
    published, updated, line = date_from_text(sel, "শিরোনাম")
    assert (published.day, updated.day) == (15, 16)
    assert line.startswith("প্রকাশ: ১৫ জানুয়ারি")
    # no headline found on the page: from the top
    published, _, _ = date_from_text(sel, "অন্য শিরোনাম")
    assert published.day == 10


def test_a_date_line_more_than_40_lines_after_the_headline_is_not_the_articles():
    filler = "".join(f"<p>লাইন {i}</p>" for i in range(39))
    sel = Selector(text=f"<html><body><h1>শিরোনাম</h1>{filler}<p>১৫ জানুয়ারি ২০২৫</p></body></html>")
    assert date_from_text(sel, "শিরোনাম")[0].day == 15
    farther = Selector(
        text=f"<html><body><h1>শিরোনাম</h1>{filler}<p>আরও</p><p>১৫ জানুয়ারি ২০২৫</p></body></html>"
    )
    assert date_from_text(farther, "শিরোনাম") is None


def test_scripts_styles_and_embeds_hold_no_date_line():
    sel = Selector(
        text="<html><body><h1>শিরোনাম</h1><script>১৫ জানুয়ারি ২০২৫</script>"
        "<style>১৫ জানুয়ারি ২০২৫</style><noscript>১৫ জানুয়ারি ২০২৫</noscript>"
        '<blockquote class="twitter-tweet">১৫ জানুয়ারি ২০২৫</blockquote></body></html>'
    )
    assert date_from_text(sel, "শিরোনাম") is None


class Desk(InqilabSpider):
    """An outlet declaring every selector kind, for the selector layer's rules."""

    selectors: ClassVar[dict[str, tuple[str, ...]]] = {
        "title": ("h1.t",),
        "subtitle": (".sub",),
        "author": (".by",),
        "category": (".cat",),
        "tags": (".tags a",),
        "dates": (".when",),
        "published": (".pub",),
        "updated": (".upd",),
        "body": (".story p",),
        "image": (".story img::attr(src)",),
    }


DESK = Desk()


def test_every_selector_fills_its_field():
    found = read(
        "<html><body><h1 class='t'>শিরোনাম</h1><p class='sub'>উপশিরোনাম</p>"
        "<p class='by'>Daily Inqilab অনলাইন ডেস্ক</p><a class='cat'>জাতীয়</a>"
        "<div class='tags'><a>আগুন</a><a> </a><a>ঢাকা</a></div>"
        "<p class='when'>প্রকাশ: ১৫ জানুয়ারি ২০২৫, ১০:৩০ | আপডেট: ১৬ জানুয়ারি ২০২৫, ০৯:০০</p>"
        f"<div class='story'><img src='/i/1.jpg'><p>{PARAS[0]}</p><p>{PARAS[1]}</p></div>"
        "</body></html>",
        DESK,
    )
    values = dict(found.values)
    assert (values.pop("published").day, values.pop("updated").day) == (15, 16)
    assert values == {
        "title": "শিরোনাম",
        "subtitle": "উপশিরোনাম",
        "author": "অনলাইন ডেস্ক",
        "category": "জাতীয়",
        "tags": ["আগুন", "ঢাকা"],
        "image_urls": ["https://dailyinqilab.com/i/1.jpg"],
        "body": PARAS,
    }
    assert set(found.layers.values()) == {"selectors"}
    assert found.raw["published"] == "প্রকাশ: ১৫ জানুয়ারি ২০২৫, ১০:৩০"
    assert found.raw["updated"] == "আপডেট: ১৬ জানুয়ারি ২০২৫, ০৯:০০"


def test_separate_published_and_updated_selectors():
    found = read(
        "<html><body><h1 class='t'>শিরোনাম</h1><span class='pub'>১৫ জানুয়ারি ২০২৫</span>"
        f"<span class='upd'>১৬ জানুয়ারি ২০২৫</span><div class='story'><p>{PARAS[0]}</p></div>"
        "</body></html>",
        DESK,
    )
    assert (found.values["published"].day, found.values["updated"].day) == (15, 16)
    assert found.raw == {"published": "১৫ জানুয়ারি ২০২৫", "updated": "১৬ জানুয়ারি ২০২৫"}


def test_the_pages_paragraphs_come_before_json_ld_article_body():
    ld = json.dumps({"@type": "NewsArticle", "headline": "শিরোনাম", "articleBody": "অন্য লেখা"})
    page = inqilab_page(
        description(*PARAS), head=f'<script type="application/ld+json">{ld}</script>'
    )
    found = read(page)
    assert found.values["body"] == PARAS
    assert found.layers == {"title": "json-ld", "body": "selectors"}


def test_json_ld_article_body_when_the_selectors_find_none():
    ld = json.dumps({"@type": "NewsArticle", "headline": "শিরোনাম", "articleBody": " ".join(PARAS)})
    found = read(inqilab_page("", head=f'<script type="application/ld+json">{ld}</script>'))
    assert found.values["body"] == [" ".join(PARAS)]
    assert found.layers["body"] == "json-ld"


def test_a_title_cut_short_gives_way_to_the_printed_headline():
    for cut in (TITLE[:12] + "…", TITLE[:12] + "..."):
        found = read(
            inqilab_page(
                description(*PARAS), head=f'<meta property="og:title" content="{cut}">'
            ).replace('<div class="col-md-9 mt-3">', "<h1>" + TITLE + "</h1><div>"),
            GenericOutlet(base_url="https://example.test"),
        )
        assert found.values["title"] == TITLE
        assert found.layers["title"] == "generic"


def test_a_title_ending_in_an_ellipsis_the_page_does_not_go_on_from_stays():
    head = '<meta property="og:title" content="অপেক্ষা...">'
    page = f"<html><head>{head}</head><body><h1>অন্য শিরোনাম</h1>{description(*PARAS)}</body></html>"
    found = read(page, GenericOutlet(base_url="https://example.test"))
    assert found.values["title"] == "অপেক্ষা..."


@pytest.mark.parametrize("author", ["admin", "Khobor", "The Daily Khobor", "দৈনিক খবর"])
def test_an_author_named_like_the_site_or_a_cms_account_is_no_byline(author):
    ld = json.dumps({"@type": "NewsArticle", "headline": "শিরোনাম", "author": {"name": author}})
    head = (
        f'<script type="application/ld+json">{ld}</script>'
        '<meta property="og:site_name" content="Daily Khobor">'
        '<meta name="application-name" content="খবর">'
    )
    found = read(f"<html><head>{head}</head><body>{description(*PARAS)}</body></html>", DESK)
    assert "author" not in found.values


def test_the_sites_names_come_from_the_outlet_the_meta_tags_json_ld_and_the_title():
    ld = json.dumps({"@type": "NewsArticle", "headline": "শিরোনাম", "publisher": {"name": "খবর"}})
    head = (
        "<title>শিরোনাম | খবর ডটকম</title>"
        f'<script type="application/ld+json">{ld}</script>'
        '<meta property="og:site_name" content="Khobor">'
        '<meta property="og:title" content="শিরোনাম :: Khobor News">'
    )
    found = read(f"<html><head>{head}</head><body><p>x</p></body></html>")
    assert found.site_names == [
        "Daily Inqilab",
        "দৈনিক ইনকিলাব",
        "Khobor",
        "খবর",
        "খবর ডটকম",
        "Khobor News",
    ]


def test_a_page_line_is_boilerplate_up_to_200_characters():
    line = "আরও পড়ুন " + "ক" * 190
    assert len(line) == 200
    result, _ = cleaned([S[0], S[1], line, S[2], S[3]])
    assert result == S[:4]
    longer = line + "ক"
    result, _ = cleaned([S[0], S[1], longer, S[2], S[3]])
    assert result == [S[0], S[1], longer, S[2], S[3]]


def test_a_byline_line_allows_40_characters_after_the_name():
    for rest, dropped in ((", " + "ক" * 38, True), (", " + "ক" * 39, False)):
        line = "রহিম উদ্দিন" + rest
        result, _ = cleaned([line, *S[:2]], author="রহিম উদ্দিন")
        assert result == (S[:2] if dropped else [line, *S[:2]])


def test_a_byline_ending_in_a_capital_x_keeps_it():
    assert headings.byline("By Malcolm X") == "Malcolm X"


def test_lines_of_a_plain_string_stay_whole():
    assert markup.html_paragraphs("এক দুই\nতিন চার") == ["এক দুই", "তিন চার"]


# -- generic rules, piece by piece -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("marks", "furniture"),
    [
        ("share-box", True),
        ("post_related", True),
        ("newsShareBox", True),
        ("detailTags", True),
        ("ads", True),
        ("advertisement-slot", True),
        ("hidden-print", True),
        ("has-ads no-share tag-dhaka category-sports hasCaption", False),  # modifiers only
        ("story-body", False),
        ("shareholder", False),  # a word that only starts like one
        ("headers", False),
    ],
)
def test_page_furniture_is_told_by_its_class_words(marks, furniture):
    assert generic.is_furniture(marks) is furniture


def root_of(body: str):
    return Selector(text=f"<html><body>{body}</body></html>").root


def test_everything_inside_a_social_embed_is_an_embed():
    root = root_of(
        '<blockquote class="twitter-tweet"><p>টুইট <a>link</a></p></blockquote>'
        '<div class="instagram-media-x"><p>no</p></div><p>খবর</p>'
    )
    assert sorted(n.tag for n in generic.embeds(root)) == ["a", "blockquote", "p"]


def test_text_longer_than_counts_runs_of_white_space_as_one():
    node = root_of("<div>ab   cd <b>ef</b>\n\n gh</div>").find(".//div")
    assert not generic._longer_than(node, 10)  # "ab cd ef" and " gh": 10 characters
    assert generic._longer_than(node, 9)


def test_short_lines_may_repeat_but_running_text_is_read_once():
    long = "ক" * generic.MIN_PARAGRAPH
    short = "ক" * (generic.MIN_PARAGRAPH - 1)
    assert generic.collapse_repeats([long, short, long, short]) == [long, short, short]


def test_running_text_needs_40_characters_mostly_not_links():
    para = "ক" * 40
    root = root_of(
        f"<div id='a'><p>{para}</p><p>{para[:-1]}</p></div>"
        f"<div id='b'><p><a>{'খ' * 20}</a>{'গ' * 21}</p><p><a>{'খ' * 21}</a>{'গ' * 21}</p></div>"
    )
    found = [body for _, _, body in generic.running_text(root)]
    assert found == [para, "খ" * 20 + "গ" * 21]


def test_text_held_directly_between_breaks_counts_from_80_characters():
    root = root_of(f"<article>{'ক' * 39}<br>{'খ' * 39}</article><td>{'গ' * 40}<br>{'ঘ' * 39}</td>")
    found = [body for _, _, body in generic.running_text(root)]
    assert found == ["গ" * 40 + " " + "ঘ" * 39]


def published_page(body: str, head: str = "") -> generic.Page:
    return generic.Page(Selector(text=f"<html><head>{head}</head><body>{body}</body></html>"))


ARTICLE = "".join(f"<p>{s}</p>" for s in S)


def test_the_publication_time_from_itemprop_or_the_first_time_near_the_article():
    page = published_page(
        '<meta itemprop="datePublished" content="2025-01-15T10:30:00+06:00">'
        f"<h1>{HEADLINE}</h1><time datetime='2025-01-14'>x</time><div>{ARTICLE}</div>"
    )
    assert page.published() == "2025-01-15T10:30:00+06:00"
    page = published_page(
        "<time datetime='2020-01-01'>header</time>"
        f"<h1>{HEADLINE}</h1><span itemprop='datePublished'></span>"
        '<blockquote class="twitter-tweet"><time datetime="2019-01-01">t</time></blockquote>'
        f"<time>no attribute</time><time datetime='2025-01-14'>x</time><div>{ARTICLE}</div>"
        "<time datetime='2030-01-01'>after</time>"
    )
    assert page.published() == "2025-01-14"


def test_a_standfirst_after_the_headline_and_outside_the_article_text():
    page = published_page(
        f"<p class='summary'>আগে</p><h1>{HEADLINE}</h1><p class='standfirst'>সারাংশ এখানে</p>"
        f"<div class='story'>{ARTICLE}</div>"
    )
    assert page.standfirst() == "সারাংশ এখানে"
    inside = published_page(
        f"<h1>{HEADLINE}</h1><div class='story'><p class='intro'>ভেতরে</p>{ARTICLE}</div>"
    )
    assert inside.standfirst() is None


def test_shoulders_are_what_the_page_marks_as_kicker_or_shoulder():
    page = published_page(
        f"<p class='kicker'>বিশেষ</p><p class='shoulder'>{'ক' * 201}</p><h1>{HEADLINE}</h1>"
        f"<div>{ARTICLE}</div>"
    )
    assert page.shoulders() == ["বিশেষ"]


def test_the_byline_near_the_article_innermost_and_not_in_a_list_of_writers():
    page = published_page(
        f"<h1>{HEADLINE}</h1><div class='author-box'><span class='author-name'>রহিম উদ্দিন</span>"
        "<span>১০ জানুয়ারি</span></div>"
        f"<div class='story'>{ARTICLE}</div>"
        "<ul><li><a class='author'>অন্য লেখক</a></li><li><a class='author'>আরেক</a></li></ul>"
        "<p class='byline'>পরের খবরের লেখক</p>"
    )
    assert page.bylines() == ["রহিম উদ্দিন"]


def test_a_rel_author_link_is_a_byline():
    page = published_page(
        f"<h1>{HEADLINE}</h1><a rel='author' href='/a'>করিম</a><div>{ARTICLE}</div>"
    )
    assert page.bylines() == ["করিম"]


def test_the_article_follows_its_headline_or_not():
    assert published_page(f"<h1>{HEADLINE}</h1><div>{ARTICLE}</div>").follows_headline()
    assert not published_page(f"<div>{ARTICLE}</div><h1>{HEADLINE}</h1>").follows_headline()
    assert not published_page(f"<div>{ARTICLE}</div>").follows_headline()
    assert not published_page(f"<h1>{HEADLINE}</h1><p>ছোট</p>").follows_headline()


# -- more edges, found by mutation testing ---------------------------------------------------------


def test_a_title_suffix_needs_the_headline_to_open_the_title():
    assert meta.title_suffix("| খবর", None) is None
    assert meta.title_suffix("ঢাকা | খবর", "খুলনা") is None  # same length, another headline
    assert meta.title_suffix("শিরোনাম | ক", "শিরোনাম") == "ক"  # a one-letter name


def test_an_empty_site_name_strips_nothing():
    assert meta.strip_site_name("শিরোনাম -", [""]) == "শিরোনাম -"


def test_a_sign_off_line_inside_the_text_goes_and_the_text_goes_on():
    result, _ = cleaned([S[0], "সান নিউজ/এমআর", S[1]], SUNNEWS)
    assert result == S[:2]


class NoLeadIn(Desk):
    byline_lead_in = None


def test_an_outlet_with_selectors_but_no_lead_in_rule_keeps_a_desk_lead_in():
    first = f"কুড়িগ্রাম প্রতিনিধি: {S[0]}"
    result, out = cleaned([first, S[1]], NoLeadIn())
    assert result == [first, S[1]]
    assert "author" not in out.values


def test_a_desk_line_before_a_single_paragraph_is_the_byline():
    result, out = cleaned(["নিজস্ব প্রতিবেদক", S[0]])
    assert result == [S[0]]
    assert out.values["author"] == "নিজস্ব প্রতিবেদক"


def test_a_date_line_is_under_100_characters():
    date = "১৫ জানুয়ারি ২০২৫"
    assert body_rules.is_date_line(date + " " * (99 - len(date)))
    assert not body_rules.is_date_line(date + " " * (100 - len(date)))


def test_the_headline_is_the_h1s_text_without_markup_buttons_or_scripts():
    sel = heading_page(
        "", "<h1>মিরপুরে <b>আগুন</b><button>শেয়ার</button><script>x()</script> লেগেছে</h1>"
    )
    assert headings.headline(sel) == "মিরপুরে আগুন লেগেছে"


def test_a_sub_heading_marked_by_itemprop_alone_is_the_headline():
    sel = heading_page(
        f"<title>{HEADLINE} | খবর</title>",
        f"<h1>অন্য শিরোনাম এখানে</h1><div itemprop='headline'>{HEADLINE}</div>",
    )
    assert headings.headline(sel) == HEADLINE


def test_the_page_title_element_itself_is_never_the_headline():
    sel = heading_page(f"<title class='page-title'>{HEADLINE}</title>", "<p>লেখা</p>")
    assert headings.headline(sel) is None


def test_a_heading_of_eight_characters_may_be_named():
    eight = "ক" * 8
    sel = heading_page(f"<title>{eight} | খবর</title>", f"<h1>অন্য শিরোনাম এখানে</h1><h1>{eight}</h1>")
    assert headings.headline(sel) == eight


def test_a_title_of_15_characters_names_the_heading_it_opens():
    stem = HEADLINE[:15]
    sel = heading_page(f"<title>{stem}</title>", f"<h1>অন্য শিরোনাম এখানে</h1><h1>{HEADLINE}</h1>")
    assert headings.headline(sel) == HEADLINE


def test_json_ld_values_are_separated_only_by_white_space_semicolons_and_commas():
    assert jsonld.parse_block('{"a": 1}X{"b": 2}') == [{"a": 1}]


def test_names_after_a_value_nested_too_deep_are_still_read():
    deep = "খ"
    for _ in range(jsonld.MAX_DEPTH + 1):
        deep = [deep]
    assert jsonld.names([deep, "ক"]) == ["ক"]
    assert jsonld.names(["ক", ["খ", "গ"], "ঘ"]) == ["ক", "খ", "গ", "ঘ"]


def test_names_inside_objects_nested_up_to_the_depth_cap_are_read():
    value = "ক"
    for _ in range(jsonld.MAX_DEPTH):
        value = {"name": value}
    assert jsonld.names(value) == ["ক"]
    assert jsonld.names({"name": value}) == []


def test_a_blank_meta_tag_does_not_hide_the_ones_after_it():
    sel = meta_page(("name", "description", " "), ("property", "og:title", "শিরোনাম"))
    assert meta.meta_tags(sel) == {"og:title": ["শিরোনাম"]}


def test_article_author_meta_is_a_byline():
    out = Extracted()
    meta.from_meta(meta_page(("property", "article:author", "রহিম উদ্দিন")), out, [])
    assert out.values == {"author": "রহিম উদ্দিন"}


def test_an_article_inside_graphs_is_found_down_to_the_depth_cap():
    article = {"@type": "NewsArticle", "headline": "ক"}

    def wrapped(levels: int) -> dict:
        node = article
        for _ in range(levels):
            node = {"@type": "WebPage", "@graph": node}
        return node

    assert jsonld.article([wrapped(20)]) is article
    assert jsonld.article([wrapped(jsonld.MAX_DEPTH - 1)]) is article
    assert jsonld.article([wrapped(jsonld.MAX_DEPTH + 5)]) is None


def test_the_json_ld_article_of_a_page():
    ld = json.dumps([{"@type": "WebSite"}, {"@type": "NewsArticle", "headline": "ক"}])
    sel = ld_page(ld)
    assert jsonld.json_ld_article(sel) == {"@type": "NewsArticle", "headline": "ক"}


# -- generic rules on whole pages (found by mutation testing) --------------------------------------

GP = [s + " " + s for s in S]  # long running paragraphs
GH = "মিরপুরে পোশাক কারখানায় আগুন, আহত তিন শ্রমিক"
TEASE = "অন্য একটি খবরের সারাংশ এখানে ছাপা হয়েছে যাতে পাঠক সেটিতে ক্লিক করেন এবং পাতায় থাকেন"


def generic_read(inner: str) -> Extracted:
    page = f"<html><head><title>{GH} | উদাহরণ</title></head><body><h1>{GH}</h1>{inner}</body></html>"
    return extract.extract(page, "https://www.example-bd.test/n/1", GENERIC)


def gps(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


@pytest.mark.parametrize("tag", ["h2", "h3", "h4", "h5", "h6"])
def test_teaser_cards_under_any_sub_heading_are_not_the_article(tag):
    cards = "".join(
        f'<div class="item"><{tag}><a href="/n/{i}">অন্য খবরের শিরোনাম {i}</a></{tag}>'
        f"<p>{TEASE} {i}</p></div>"
        for i in range(6)
    )
    found = generic_read(f'<div class="content"><div class="story">{gps(*GP)}</div>{cards}</div>')
    assert found.values["body"] == GP


@pytest.mark.parametrize("box", ['class="latest"', 'id="most-read"'])
def test_a_box_beside_the_article_inside_its_block_is_not_body(box):
    inner = f'<div class="story">{gps(*GP[:3])}<div {box}><p>{TEASE}</p></div>{gps(*GP[3:])}</div>'
    assert generic_read(inner).values["body"] == GP


def test_a_line_that_is_mostly_links_inside_the_article_is_not_body():
    links = '<div><a href="/a">কককককক</a>খখখখ</div>'  # 7 of 11 characters: 64% links
    inner = f'<div class="story">{gps(*GP[:2])}{links}{gps(*GP[2:])}</div>'
    assert generic_read(inner).values["body"] == GP


@pytest.mark.parametrize("tag", ["ul", "ol"])
def test_a_list_of_writers_near_the_article_gives_no_byline(tag):
    items = "".join(
        f"<li><a class='author' href='/w/{i}'>{name}</a></li>"
        for i, name in enumerate(["অন্য লেখক", "আরেক লেখক"])
    )
    writers = f"<{tag}>{items}</{tag}>"
    found = generic_read(f"{writers}<div class='story'>{gps(*GP)}</div>")
    assert "author" not in found.values


def test_a_byline_alone_in_a_list_item_is_still_the_byline():
    single = "<ul><li><a class='author' href='/w/1'>রহিম উদ্দিন</a></li></ul>"
    found = generic_read(f"{single}<div class='story'>{gps(*GP)}</div>")
    assert found.values["author"] == "রহিম উদ্দিন"


def test_a_byline_leaves_out_buttons_beside_the_name():
    by = "<div class='author'>রহিম উদ্দিন<button>অনুসরণ করুন</button></div>"
    found = generic_read(f"{by}<div class='story'>{gps(*GP)}</div>")
    assert found.values["author"] == "রহিম উদ্দিন"
