"""Properties of layered extraction that no single golden file shows."""

import pytest

from newscrawl import extract
from newscrawl.offline import parse_saved_page
from newscrawl.spiders.inqilab import InqilabSpider
from newscrawl.spiders.sunnews import SunnewsSpider
from tests.conftest import FIXTURES, project_settings
from tests.support.sites import inqilab_article

SUN_URL = "https://www.sunnews24x7.com/news/article/international/123456"
SUN_SHAPES = ("jsonld_time", "meta_only", "bare")


def stored(outlet: str, case: str, url: str) -> dict:
    [item] = parse_saved_page(FIXTURES / outlet / f"{case}.html", url, project_settings()).items
    return item


def test_three_sunnews_shapes_give_one_article():
    items = [stored("sunnews", shape, SUN_URL) for shape in SUN_SHAPES]
    assert {i["title"] for i in items} == {"কিমকে পুতিনের চিঠি"}
    assert {i["author"] for i in items} == {"আন্তর্জাতিক ডেস্ক"}
    assert {i["published_at"] for i in items} == {"2022-08-15T11:20:00+06:00"}
    assert len({i["content_hash"] for i in items}) == 1
    body = items[0]["body"].split("\n\n")
    assert len(body) == 7
    assert body[0].startswith("উত্তর কোরিয়ার নেতা কিম জং উনকে চিঠি পাঠিয়েছেন")
    assert body[-1].endswith("আশা প্রকাশ করেছিলেন কিম।")
    for junk in ("আরও পড়ুন", "সান নিউজ/", "Copyright", "সবচেয়ে", "...", "আন্তর্জাতিক ডেস্ক"):
        assert junk not in items[0]["body"]


@pytest.mark.parametrize(
    ("outlet", "spider", "case", "url"),
    [
        *[("sunnews", SunnewsSpider, shape, SUN_URL) for shape in SUN_SHAPES],
        ("inqilab", InqilabSpider, "plain", "https://dailyinqilab.com/international/news/593612"),
        ("inqilab", InqilabSpider, "opinion", "https://dailyinqilab.com/editorial/article/612345"),
    ],
)
def test_when_every_selector_misses_the_fallback_gives_the_same_body(outlet, spider, case, url):
    """A layout change must not change the text: the generic layer plus the outlet's text rules
    give the body the selectors gave."""
    blind = type("Blind", (spider,), {"selectors": {"body": (".nothing-matches p",)}})
    html = (FIXTURES / outlet / f"{case}.html").read_text("utf-8")
    found = extract.extract(html, url, blind)
    assert found.layers["body"] == "fallback"
    assert "\n\n".join(found.values["body"]) == stored(outlet, case, url)["body"]


def test_json_ld_body_splits_where_the_page_does(tmp_path):
    """articleBody flattens paragraph breaks; the hash must not depend on the layer."""
    url = "https://dailyinqilab.com/international/news/705512"
    from_json_ld = stored("inqilab", "jsonld", url)
    assert from_json_ld["extraction"]["body"] == "json-ld"
    paragraphs = from_json_ld["body"].split("\n\n")
    assert len(paragraphs) == 6
    page = inqilab_article(from_json_ld["title"], paragraphs, (2024, 11, 30, 19, 35))
    (tmp_path / "page.html").write_text(page, "utf-8")
    [from_selectors] = parse_saved_page(tmp_path / "page.html", url, project_settings()).items
    assert from_selectors["extraction"]["body"] == "selectors"
    assert from_selectors["content_hash"] == from_json_ld["content_hash"]


def test_header_date_is_never_the_article_date():
    # Every Inqilab page carries today's date in its header; the fallback page has no date
    # selector, so a careless text scan would take the header's.
    item = stored("inqilab", "fallback", "https://dailyinqilab.com/sports/cricket/710001")
    assert item["published_at"] == "2024-12-21T18:45:00+06:00"
    assert item["extraction"]["published"] == "text"


def test_both_encodings_of_ya_become_one():
    item = stored("inqilab", "lead_byline", "https://dailyinqilab.com/national/news/620001")
    for value in (item["title"], item["body"], item["category"]):
        assert "\u09df" not in value
    assert item["author"] == "অনলাইন ডেস্ক"
    assert item["body"].startswith("দেশের উত্তরাঞ্চলে রাতের তাপমাত্রা")


def test_no_date_anywhere_means_no_date(tmp_path):
    """The body's "সোমবার (১৫ অগাস্ট)" has no year: published_at stays empty, and is counted."""
    page = (FIXTURES / "sunnews" / "bare.html").read_text("utf-8")
    page = page.replace("প্রকাশ: ১৫ অগাস্ট ২০২২, ১১:২০ এএম", "")
    assert "সোমবার (১৫ অগাস্ট)" in page
    (tmp_path / "page.html").write_text(page, "utf-8")
    result = parse_saved_page(tmp_path / "page.html", SUN_URL, project_settings())
    [item] = result.items
    assert item["published_at"] is None and "published" not in item["extraction"]
    assert result.stats["newscrawl/extraction/published/missing"] == 1


def test_no_markup_or_entities_from_any_layer(tmp_path):
    """Text a CMS escaped twice shows "&quot;" or "<b>" on the page; stored text has neither."""
    page = (
        '<html><head><meta property="og:title" content="কিমের &amp;quot;চিঠি&amp;quot;">'
        "</head><body><div class='news-details'>"
        "<p>উত্তর কোরিয়ার নেতা &amp;quot;কিম জং উন&amp;quot; চিঠি পেয়েছেন, জানিয়েছে সংবাদ সংস্থা।</p>"
        "<p>&lt;b&gt;দ্বিতীয় অনুচ্ছেদে&lt;/b&gt; আরও কিছু কথা লেখা আছে এখানে, পড়ে দেখুন সবাই।</p>"
        "</div></body></html>"
    )
    (tmp_path / "page.html").write_text(page, "utf-8")
    [item] = parse_saved_page(tmp_path / "page.html", SUN_URL, project_settings()).items
    assert item["title"] == 'কিমের "চিঠি"'
    assert item["body"] == (
        'উত্তর কোরিয়ার নেতা "কিম জং উন" চিঠি পেয়েছেন, জানিয়েছে সংবাদ সংস্থা।\n\n'
        "দ্বিতীয় অনুচ্ছেদে আরও কিছু কথা লেখা আছে এখানে, পড়ে দেখুন সবাই।"
    )
