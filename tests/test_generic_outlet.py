"""The generic outlet: any news page read with no selector, by rules a careful reader applies.

Every page here is written for its rule; none is copied from a real site.
"""

import json
import re
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from newscrawl.extraction import generic
from newscrawl.offline import parse_saved_page
from tests.conftest import FIXTURES, project_settings

URL = "https://www.example-news.test/national/abc123"
P1 = "নদীর ওপর নতুন সেতু আজ সকালে যান চলাচলের জন্য খুলে দেওয়া হয়েছে, জানিয়েছে সড়ক বিভাগ।"
P2 = "স্থানীয় বাসিন্দারা বলছেন, এতে দুই পারের মানুষের যাতায়াতের সময় অনেকটাই কমে আসবে।"
P3 = "সেতুটি নির্মাণে তিন বছর সময় লেগেছে এবং ব্যয় হয়েছে প্রায় দুই শ কোটি টাকা।"
BODY = [P1, P2, P3]
MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*[\s/>]|&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.I)


def read(tmp_path, page: str, url: str = URL) -> dict:
    (tmp_path / "page.html").write_text(page, "utf-8")
    [item] = parse_saved_page(tmp_path / "page.html", url, project_settings()).items
    for key, value in item.items():  # no stored text ever holds markup or entities
        if isinstance(value, str) and key not in ("url", "canonical_url"):
            assert not MARKUP.search(value), (key, value)
    return item


def ld(node: dict | list, raw: str | None = None) -> str:
    return f'<script type="application/ld+json">{raw or json.dumps(node)}</script>'


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def test_reads_a_plain_page_and_says_it_used_the_generic_outlet(tmp_path):
    page = (
        "<html><head><title>নতুন সেতু চালু | খবরের কাগজ</title></head><body>"
        '<nav><a href="/">প্রচ্ছদ</a><a href="/sports">খেলা</a></nav>'
        f'<h1>নতুন সেতু চালু</h1><div class="story">{paragraphs(*BODY)}</div>'
        '<ul class="more"><li><a href="/x/1">অন্য একটি খবরের শিরোনাম যা এখানে থাকার কথা নয়</a></li></ul>'
        "</body></html>"
    )
    item = read(tmp_path, page)
    assert item["outlet"] == "generic"
    assert item["extraction"]["outlet"] == "generic"
    assert item["title"] == "নতুন সেতু চালু"
    assert item["body"].split("\n\n") == BODY


@pytest.mark.parametrize(
    "article_body",
    [
        "".join(f"<p>{t}</p>" for t in BODY),  # markup as is
        "".join(f"&lt;p&gt;{t}&lt;/p&gt;" for t in BODY),  # escaped, as one CMS stores it
        "".join(f"&amp;lt;p&amp;gt;{t}&amp;lt;/p&amp;gt;" for t in BODY),  # escaped twice
        f"<p>{P1}</p>.<p>{P2}</p><figure><figcaption>ছবি: সংগৃহীত</figcaption></figure>"
        f"<div>{P3}</div>",  # a stray "." between paragraphs, a caption
    ],
)
def test_html_inside_json_ld_article_body_becomes_paragraphs(tmp_path, article_body):
    node = {"@type": "NewsArticle", "headline": "সেতু &amp; সড়ক", "articleBody": article_body,
            "alternativeHeadline": "সেতুর খবর &amp;mdash; বিস্তারিত"}  # fmt: skip
    item = read(tmp_path, f"<html><head>{ld(node)}</head><body></body></html>")
    assert item["body"].split("\n\n") == BODY
    assert item["title"] == "সেতু & সড়ক"
    assert item["subtitle"] == "সেতুর খবর — বিস্তারিত"


def test_json_ld_read_leniently(tmp_path):
    escaped = json.dumps("নতুন সেতু চালু")  # \\uXXXX escapes
    raw = (
        '<!--\n{"@context": "https://schema.org", "@graph": [\n'
        '  {"@type": "WebSite", "name": "খবরের কাগজ"},\n'
        '  {"@type": ["NewsArticle"], "headline": ' + escaped + ",\n"
        '   "author": {"@type": "Person", "name": "রহিম\tউদ্দিন\n"},\n'
        '   "datePublished": "2025-01-05T09:30:00+06:00",}\n]}\n-->'
    )
    page = f"<html><head>{ld({}, '[]')}{ld({}, raw)}</head><body>{paragraphs(*BODY)}</body></html>"
    item = read(tmp_path, page)
    assert item["title"] == "নতুন সেতু চালু"
    assert item["author"] == "রহিম উদ্দিন"
    assert item["published_at"] == "2025-01-05T09:30:00+06:00"
    assert item["extraction"]["title"] == "json-ld"


def test_site_name_learned_from_the_page_leaves_the_title(tmp_path):
    page = (
        '<html><head><meta property="og:site_name" content="Khaborer Kagoj">'
        '<meta property="og:title" content="নতুন সেতু চালু - Khaborer Kagoj">'
        "<title>নতুন সেতু চালু - Khaborer Kagoj</title></head>"
        f"<body><article>{paragraphs(*BODY)}</article></body></html>"
    )
    assert read(tmp_path, page)["title"] == "নতুন সেতু চালু"


def test_title_suffix_is_a_site_name_for_json_ld_too(tmp_path):
    node = {"@type": "NewsArticle", "headline": "নতুন সেতু চালু | দৈনিক খবর",
            "publisher": {"@type": "Organization", "name": "দৈনিক খবর"}}  # fmt: skip
    page = f"<html><head>{ld(node)}</head><body><div>{paragraphs(*BODY)}</div></body></html>"
    assert read(tmp_path, page)["title"] == "নতুন সেতু চালু"


def test_publisher_as_author_gives_way_to_the_visible_byline(tmp_path):
    node = {"@type": "NewsArticle", "headline": "নতুন সেতু চালু",
            "author": {"@type": "Organization", "name": "The Daily Khobor"},
            "publisher": {"@type": "NewsMediaOrganization", "name": "Daily Khobor"}}  # fmt: skip
    page = (
        f'<html><head>{ld(node)}<meta name="author" content="Daily Khobor"></head><body>'
        '<h1>নতুন সেতু চালু</h1><div class="byline"><span class="author-name">নিজস্ব প্রতিবেদক</span>'
        '</div><div class="details">' + paragraphs(*BODY) + "</div></body></html>"
    )
    item = read(tmp_path, page)
    assert item["author"] == "নিজস্ব প্রতিবেদক"
    assert item["extraction"]["author"] == "generic"


def test_a_desk_named_after_the_site_is_still_a_byline(tmp_path):
    node = {"@type": "NewsArticle", "headline": "নতুন সেতু চালু",
            "author": {"@type": "Organization", "name": "খবর ডেস্ক"},
            "publisher": {"@type": "Organization", "name": "খবর"}}  # fmt: skip
    page = f"<html><head>{ld(node)}</head><body><div>{paragraphs(*BODY)}</div></body></html>"
    assert read(tmp_path, page)["author"] == "খবর ডেস্ক"


def test_an_article_printed_twice_is_read_once(tmp_path):
    def copy(cls: str) -> str:
        text = f'<div class="text">{paragraphs(*BODY)}</div>'
        return f'<div class="{cls}"><h1>নতুন সেতু চালু</h1>{text}</div>'

    desktop, mobile = copy("desktop hidden-xs"), copy("mobile")
    page = f"<html><body>{desktop}<aside>বিজ্ঞাপন</aside>{mobile}</body></html>"
    assert read(tmp_path, page)["body"].split("\n\n") == BODY


def test_shoulder_standfirst_and_edition_label_stay_out_of_the_body(tmp_path):
    page = (
        "<html><body><div class='head'>"
        '<p class="news-shoulder">রাজধানীর যানজট</p><h1>নতুন সেতু চালু</h1>'
        '<p class="news-hanger">দুই পারের মানুষের দীর্ঘ অপেক্ষার অবসান, খরচ কমবে ব্যবসায়ীদের</p>'
        '<p class="reporter">নিজস্ব প্রতিবেদক</p><p class="time">প্রকাশ: ০৫ জানুয়ারি ২০২৫, ০৯:৩০ এএম</p>'
        '<p class="time">প্রিন্ট সংস্করণ</p></div>'
        f'<div class="news-body"><p>প্রিন্ট সংস্করণ</p>{paragraphs(*BODY)}'
        '<p class="photo-caption">ছবি: নতুন সেতুর ওপর দিয়ে চলছে গাড়ি, তোলা হয়েছে আজ সকালে</p>'
        '<div class="share-buttons"><a href="#">ফেসবুকে শেয়ার করুন এবং বন্ধুদের জানান</a></div>'
        "<p>জেডএস/এমআর</p></div></body></html>"
    )
    item = read(tmp_path, page)
    assert item["body"].split("\n\n") == BODY
    assert item["subtitle"] == "দুই পারের মানুষের দীর্ঘ অপেক্ষার অবসান, খরচ কমবে ব্যবসায়ীদের"
    assert item["author"] == "নিজস্ব প্রতিবেদক"
    assert item["published_at"] == "2025-01-05T09:30:00+06:00"


def test_story_split_over_many_blocks_is_read_whole(tmp_path):
    blocks = "".join(f'<div class="story-element"><div><p>{t}</p></div></div>' for t in BODY)
    page = f'<html><body><h1>নতুন সেতু চালু</h1><div class="story">{blocks}</div></body></html>'
    assert read(tmp_path, page)["body"].split("\n\n") == BODY


def test_text_between_line_breaks_is_read_as_paragraphs(tmp_path):
    page = (
        "<html><body><h1>নতুন সেতু চালু</h1>"
        f'<div class="content">{P1}<br><br>{P2} <a href="/x">সেতু</a> বিভাগ।<br><br>{P3}</div>'
        "</body></html>"
    )
    body = read(tmp_path, page)["body"].split("\n\n")
    assert body == [P1, f"{P2} সেতু বিভাগ।", P3]


def test_readers_comments_and_other_stories_are_not_the_article(tmp_path):
    comment = "পাঠকের মন্তব্য: সেতুটি আরও আগে হওয়া উচিত ছিল, আমরা অনেক দিন ধরে অপেক্ষা করেছি।"
    teaser = "অন্য একটি খবরের সারাংশ, যা এই পাতার পাশে ছাপা হয়েছে পাঠককে টেনে নিতে।"
    page = (
        f'<html><body><h1>নতুন সেতু চালু</h1><div class="text">{paragraphs(*BODY)}</div>'
        f'<div id="comments">{paragraphs(*[f"{comment} {n}" for n in range(8)])}</div>'
        f'<div class="related-news">{paragraphs(*[f"{teaser} {n}" for n in range(8)])}</div>'
        "</body></html>"
    )
    assert read(tmp_path, page)["body"].split("\n\n") == BODY


def test_the_innermost_byline_and_no_page_lines(tmp_path):
    page = (
        "<html><body><h1>নতুন সেতু চালু</h1>"
        '<div class="author-info"><span class="author">রহিম উদ্দিন</span>'
        "<span>প্রকাশ: ০৫ জানুয়ারি ২০২৫, ০৯:৩০ এএম</span></div>"
        f'<div class="text"><p>{P1}</p><p>আরও পড়ুন: অন্য একটি খবর</p><p>{P2}</p>'
        f"<p>ছবি: সংগৃহীত</p><p>{P3}</p>"
        "<p>সর্বশেষ খবর পেতে গুগল নিউজ চ্যানেল ফলো করুন</p></div></body></html>"
    )
    item = read(tmp_path, page)
    assert item["author"] == "রহিম উদ্দিন"
    assert item["body"].split("\n\n") == BODY


def test_title_suffix_learned_against_the_headline(tmp_path):
    page = (
        '<html><head><meta property="og:title" content="নতুন সেতু চালু | দৈনিক খবর">'
        "<title>নতুন সেতু চালু | দৈনিক খবর</title></head>"
        f'<body><h1 class="title">নতুন সেতু চালু</h1><div>{paragraphs(*BODY)}</div></body></html>'
    )
    item = read(tmp_path, page)
    assert item["title"] == "নতুন সেতু চালু"
    assert item["extraction"]["title"] == "meta"


def fixture_articles():
    for case in sorted(FIXTURES.glob("*/*.json")):
        expected = json.loads(case.read_text("utf-8"))
        if "items" in expected:
            yield pytest.param(case, expected, id=f"{case.parent.name}/{case.stem}")


@pytest.mark.parametrize(("case", "expected"), list(fixture_articles()))
def test_generic_outlet_reads_each_outlet_page_as_its_spider_does(case, expected):
    """Both outlets' saved pages, read as if from a site with no spider: the generic rules
    (desk lead-ins, bylines with the logo's text, teaser lists, copyright lines) give what the
    outlets' own selectors and rules give."""
    [want] = expected["items"]
    host = urlsplit(expected["url"]).hostname
    url = expected["url"].replace(host, "unknown-outlet.test")
    [item] = parse_saved_page(case.with_suffix(".html"), url, project_settings()).items
    assert item["extraction"]["outlet"] == "generic"
    for field in ("title", "author", "published_at", "body"):
        assert item[field] == want[field], field


def test_a_title_cut_short_gives_way_to_the_headline(tmp_path):
    node = {"@type": "NewsArticle", "headline": "নদীর ওপর নতুন সেতু চালু, দুই পারের…"}
    page = (
        f"<html><head>{ld(node)}</head><body><h1>নদীর ওপর নতুন সেতু চালু, দুই পারের মানুষের স্বস্তি"
        f"</h1><div>{paragraphs(*BODY)}</div></body></html>"
    )
    assert read(tmp_path, page)["title"] == "নদীর ওপর নতুন সেতু চালু, দুই পারের মানুষের স্বস্তি"


def test_a_desk_line_opening_the_body_is_the_byline(tmp_path):
    page = (
        f"<html><body><h1>সেতু</h1><div><p>নিজস্ব প্রতিবেদক</p>{paragraphs(*BODY)}</div></body></html>"
    )
    item = read(tmp_path, page)
    assert item["author"] == "নিজস্ব প্রতিবেদক"
    assert item["body"].split("\n\n") == BODY


def test_furniture_in_camel_case_and_tag_lines_stay_out(tmp_path):
    share = "ফেসবুক টুইটার হোয়াটসঅ্যাপ লিংকডইন ইমেইল প্রিন্ট কপি লিংক"
    page = (
        f'<html><body><h1>সেতু</h1><div class="newsDetail">{paragraphs(P1, P2)}'
        f'<div class="newsShareBox"><span>{share}</span></div><p>{P3}</p>'
        "<p>ট্যাগ: সেতু, সড়ক, যোগাযোগ</p><p>শেয়ার করুন</p></div></body></html>"
    )
    assert read(tmp_path, page)["body"].split("\n\n") == BODY


def test_entities_in_a_plain_article_body_are_text(tmp_path):
    node = {"@type": "NewsArticle", "headline": "সেতু",
            "articleBody": f"{P1} &quot;{P2}&quot;\n{P3}"}  # fmt: skip
    body = read(tmp_path, f"<html><head>{ld(node)}</head><body></body></html>")["body"]
    assert body.split("\n\n") == [f'{P1} "{P2}"', P3]


def test_the_summary_points_at_the_article_among_longer_lists(tmp_path):
    teaser = "অন্য একটি খবরের সারাংশ, যা এই পাতার পাশে ছাপা হয়েছে পাঠককে টেনে নিতে।"
    page = (
        f'<html><head><meta name="description" content="{P1[:60]}…"></head><body>'
        f'<div class="col-8"><h1>সেতু</h1><div class="txt">{paragraphs(*BODY)}</div></div>'
        f'<div class="col-4">{paragraphs(*[f"{teaser} {n}" for n in range(6)])}</div>'
        "</body></html>"
    )
    assert read(tmp_path, page)["body"].split("\n\n") == BODY


def test_the_printed_byline_wins_over_metadata_in_another_script(tmp_path):
    node = {"@type": "NewsArticle", "headline": "সেতু",
            "author": {"@type": "Person", "name": "Staff Correspondent"}}  # fmt: skip
    page = (
        f"<html><head>{ld(node)}</head><body><h1>সেতু</h1>"
        f'<span class="byline">নিজস্ব প্রতিবেদক</span><div>{paragraphs(*BODY)}</div></body></html>'
    )
    assert read(tmp_path, page)["author"] == "নিজস্ব প্রতিবেদক"


def test_a_logo_in_h1_is_not_the_headline_and_admin_is_no_byline(tmp_path):
    page = (
        '<html><head><meta name="author" content="admin"></head><body>'
        '<header><h1><a href="https://www.example-news.test/">খবরের কাগজ</a></h1></header>'
        '<h1 class="headline">নতুন সেতু চালু</h1><span class="author">রহিম উদ্দিন</span>'
        f"<div>{paragraphs(*BODY)}</div></body></html>"
    )
    item = read(tmp_path, page)
    assert item["title"] == "নতুন সেতু চালু"
    assert item["author"] == "রহিম উদ্দিন"


def test_an_article_page_outside_article_path_is_still_read(tmp_path):
    page = (
        '<html><body><h1>নতুন সেতু চালু</h1><div class="news-details" itemprop="articleBody">'
        f"{paragraphs(*BODY)}</div></body></html>"
    )
    (tmp_path / "page.html").write_text(page, "utf-8")
    url = "https://www.sunnews24x7.com/news/article/national/bridge-opens"
    result = parse_saved_page(tmp_path / "page.html", url, project_settings())
    assert "does not match sunnews's article_path" in result.warning
    [item] = result.items
    assert item["outlet"] == "sunnews" and item["body"].split("\n\n") == BODY


def test_byline_pieces_in_elements_of_their_own_stay_apart(tmp_path):
    page = (
        '<html><body><h1>সেতু</h1><div class="reporter"><span>রহিম উদ্দিন</span>'
        f'<span class="designation">স্টাফ রিপোর্টার</span></div><div>{paragraphs(*BODY)}</div>'
        "</body></html>"
    )
    assert read(tmp_path, page)["author"] == "রহিম উদ্দিন স্টাফ রিপোর্টার"


NEXT = [
    "উত্তরাঞ্চলের কৃষকেরা এবার আগাম শীতের সবজি চাষ করে ভালো দাম পাচ্ছেন, বাজারে নতুন ফুলকপি উঠেছে।",
    "কৃষি বিভাগ জানিয়েছে, এ বছর আগাম সবজির আবাদ গত বছরের চেয়ে বেশি হয়েছে, ফলনও ভালো হয়েছে।",
    "রংপুরের এক কৃষক বলেন, আগাম সবজিতে লাভ বেশি, তাই প্রতিবছর এ সময়ে সবজি চাষ করেন তিনি।",
    "পাইকারি বাজারে দাম কিছুটা কমলেও খুচরা বাজারে এখনো চড়া দামে বিক্রি হচ্ছে নতুন সবজি।",
]


@pytest.mark.parametrize("with_article_body", [False, True])
def test_the_next_story_loaded_below_is_not_part_of_the_article(tmp_path, with_article_body):
    """Pages that append the next story (longer than this one) after the article, each story
    in <div> paragraphs; the byline line is inside the story's header."""
    node = {"@type": "NewsArticle", "headline": "নতুন সেতু চালু", "articleBody": " ".join(BODY)}
    divs = "".join(f"<div>{t}</div>" for t in BODY)
    next_divs = "".join(f"<div>{t}</div>" for t in NEXT)
    page = (
        f"<html><head>{ld(node) if with_article_body else ''}</head><body><div id='wrap'>"
        '<div class="post"><div class="post-header"><h1>নতুন সেতু চালু</h1>'
        '<div class="post-author"><a rel="author" href="/a/1">রহিম উদ্দিন</a>, চাঁদপুর</div></div>'
        f'<div class="post-content">{divs}</div></div>'
        '<div class="post"><div class="post-header"><h1><a href="/bd/998">সবজিতে হাসি</a></h1></div>'
        f'<div class="post-content">{next_divs}</div></div></div></body></html>'
    )
    item = read(tmp_path, page)
    assert item["body"].split("\n\n") == BODY
    assert item["author"] == "রহিম উদ্দিন"


def test_an_old_style_page_with_no_metadata(tmp_path):
    """No JSON-LD, no meta tags, no <h1>: a table layout, the headline in a marked <div>, the
    article in one <div> split by double <br>, a desk lead-in and a sign-off."""
    page = (
        "<html><head><title>নতুন সেতু চালু : খবরের কাগজ</title></head><body>"
        '<div class="menu"><a href="/">প্রচ্ছদ</a> | <a href="/bd">দেশ</a></div>'
        '<table><tr><td><div class="headline">নতুন সেতু চালু</div>'
        '<div class="date">হালনাগাদ: ০৫ জানুয়ারি ২০২৫, ০৯:৩০ এএম</div>'
        f'<div class="text">নিজস্ব প্রতিবেদক: {P1}<br><br>{P2}<br><br>{P3}<br><br>'
        "খবরের কাগজ/আরকে</div>"
        '</td><td><div class="box"><b>সর্বশেষ</b><br><a href="/1">অন্য একটি খবরের শিরোনাম এখানে</a>'
        "</div></td></tr></table></body></html>"
    )
    item = read(tmp_path, page, "https://www.example-news.test/news.php?id=4321")
    assert item["title"] == "নতুন সেতু চালু"
    assert item["author"] == "নিজস্ব প্রতিবেদক"
    assert item["published_at"] == "2025-01-05T09:30:00+06:00"
    assert item["body"].split("\n\n") == BODY


def test_a_marked_headline_opening_the_page_title():
    page = (
        "<html><head><title>নতুন সেতু চালু : খবরের কাগজ</title></head><body>"
        '<div class="site-title">খবরের কাগজ</div><div class="news-headline">নতুন সেতু চালু</div>'
        "</body></html>"
    )
    assert generic.headline(Selector(text=page)) == "নতুন সেতু চালু"


def test_a_wrapper_named_like_a_side_region_still_holds_the_article(tmp_path):
    page = (
        '<html><body><div class="content-with-sidebar"><h1>সেতু</h1>'
        f'<div class="text">{paragraphs(*BODY)}</div></div></body></html>'
    )
    assert read(tmp_path, page)["body"].split("\n\n") == BODY
    assert read(tmp_path, page)["extraction"]["body"] == "generic"


def test_the_article_as_a_web_page_main_entity(tmp_path):
    node = {"@type": "WebPage", "name": "খবরের কাগজ",
            "mainEntity": {"@type": "NewsArticle", "headline": "নতুন সেতু চালু",
                           "author": {"@type": "Organization", "name": "খবর ডেস্ক"},
                           "datePublished": "2025-01-05T09:30:00+06:00"}}  # fmt: skip
    page = f"<html><head>{ld(node)}</head><body><div>{paragraphs(*BODY)}</div></body></html>"
    item = read(tmp_path, page)
    assert (item["title"], item["author"]) == ("নতুন সেতু চালু", "খবর ডেস্ক")
    assert item["published_at"] == "2025-01-05T09:30:00+06:00"


@pytest.mark.parametrize(
    ("metadata", "printed", "expected"),
    [
        ("নদীর ওপর নতুন সেতু চালু হলো আজ", "নদীর ওপর নতুন সেতু চালু হলো", "নদীর ওপর নতুন সেতু চালু হলো"),
        ("নদীর ওপর নতুন সেতু চালু", "জাতীয়", "নদীর ওপর নতুন সেতু চালু"),  # a section heading
    ],
)
def test_the_printed_headline_when_metadata_rewords_it(tmp_path, metadata, printed, expected):
    node = {"@type": "NewsArticle", "headline": metadata}
    page = f"<html><head>{ld(node)}</head><body><h1>{printed}</h1>{paragraphs(*BODY)}</body></html>"
    assert read(tmp_path, page)["title"] == expected
