"""The crawl path's shortcuts give what the long way gave: each is checked against the long way
on the fixture pages and on crafted inputs, and shown to be taken where it should be."""

from __future__ import annotations

import pytest
from parsel import Selector

from newscrawl.extraction import generic, jsonld, meta, site_names
from newscrawl.spiders.inqilab import InqilabSpider
from newscrawl.spiders.sunnews import SunnewsSpider
from tests.conftest import FIXTURES

PAGES = sorted(FIXTURES.glob("*/*.html"))

TITLES = [
    "Headline | Daily Inqilab",
    "Headline - part two: more | Site",
    "  Headline  —  Site  ",
    "| Site",
    "Headline |",
    "A: B: C - D | E « F » G · H • I",
    "শিরোনাম | দৈনিক ইনকিলাব",
    "শিরোনাম: আরও কিছু - " + "ক" * 45,
    "No separator at all",
    "x-y",
    "",
]


@pytest.mark.parametrize("title", TITLES)
def test_every_suffix_a_headline_can_give_is_foreseen(title):
    """possible_title_suffixes holds title_suffix(title, h) for any headline h: every prefix
    of the title (the only headlines that give one), and a few that give none."""
    possible = meta.possible_title_suffixes(title)
    cleaned = " ".join(title.split())
    headlines = [cleaned[:k] for k in range(len(cleaned) + 1)] + [title, "other", " ", "x"]
    for headline in headlines:
        suffix = meta.title_suffix(title, headline)
        assert suffix is None or suffix in possible, (headline, suffix)


def reference_site_names(sel, data, outlet, headline, tags):
    """site_names as first written: the shown headline looked for whenever the metadata's
    headline gives no suffix."""
    found = list(outlet.site_names) + meta.page_site_names(sel, tags)
    found += jsonld.publisher_names(data)
    for page_title in [sel.xpath("//title/text()").get(), *tags.get("og:title", ())[:1]]:
        if not page_title:
            continue
        suffix = meta.title_suffix(page_title, headline) or meta.title_suffix(
            page_title, generic.headline(sel)
        )
        if suffix:
            found.append(suffix)
    return [n for n in dict.fromkeys(found) if n]


CRAFTED = [
    # The <title>'s suffix is a declared name: no walk needed.
    "<title>Long headline here | Daily Inqilab</title><h1>Long headline here</h1>",
    # A headline with a colon: the part after it could be a suffix, so the walk decides.
    "<title>Vote: count begins | Site X</title><h1>Vote: count begins</h1>",
    "<title>Vote: count begins | Site X</title><h1>Vote</h1>",
    "<title>Shown one | Other name</title><meta property='og:title' content='Meta one'>"
    "<h1>Shown one</h1>",
    "<title>Headline only</title><h2 class='title'>Headline only</h2>",
]


@pytest.mark.parametrize("outlet", [InqilabSpider, SunnewsSpider], ids=lambda o: o.name)
@pytest.mark.parametrize(
    "html",
    CRAFTED + [p.read_text("utf-8") for p in PAGES],
    ids=[f"crafted{i}" for i in range(len(CRAFTED))] + [f"{p.parent.name}-{p.stem}" for p in PAGES],
)
def test_site_names_are_what_the_eager_walk_gave(html, outlet):
    sel = Selector(text=html)
    data = jsonld.blocks(sel)
    node = jsonld.article(data)
    headline = jsonld.first_string(node.get("headline")) if node else None
    tags = meta.meta_tags(sel)
    expected = reference_site_names(sel, data, outlet, headline, tags)
    assert site_names(sel, data, outlet, headline, tags) == expected


def test_the_walk_is_skipped_when_every_possible_suffix_is_known():
    sel = Selector(text=CRAFTED[0])

    def shown():
        raise AssertionError("the page was walked for its headline")

    names = site_names(sel, [], InqilabSpider, None, meta.meta_tags(sel), shown)
    assert names == list(InqilabSpider.site_names)
    calls = []
    sel = Selector(text=CRAFTED[1])
    names = site_names(sel, [], InqilabSpider, None, {}, lambda: calls.append(1) or "Vote")
    assert calls and names[-1] == "count begins | Site X"


def column_simhash(body: str) -> int:
    """SimHash counted per bit over each word's binary string: the definition, slowly."""
    from newscrawl import simhash

    rows = [format(simhash._feature_hash(w), "064b") for w in simhash.words(body)]
    if not rows:
        return 0
    columns = zip(*rows, strict=True)
    return int("".join("1" if 2 * c.count("1") > len(rows) else "0" for c in columns), 2)


@pytest.mark.parametrize("total", range(1, 9))
def test_simhash_threshold_is_more_than_half_at_every_small_count(total):
    """Ties (a bit set by exactly half the words) stay 0, one more sets it, at every count."""
    from itertools import combinations_with_replacement

    from newscrawl import simhash

    vocabulary = ["ক", "খগ", "ঘর", "চলো", "ছবি"]
    for words in combinations_with_replacement(vocabulary, total):
        body = " ".join(words)
        assert simhash.simhash(body) == column_simhash(body), body


# -- cleaning: texts known to be clean come back at once ------------------------------------------

TRICKY = (
    "কখগে া ি ্ য়\u09df\u09dc\u09bc\u09c7\u09be\u09d7e\u0301 \t\n\r\x0b\x0c\x1c\x85\xa0\u2000\u2028"
    "\u3000\u200b\ufeff\u00ad\u200c\u200d\x00\x07\x1b[]2J\x9b\x9c\ud800\\"
)


def reference_clean_line(value):
    """clean_line as written before it remembered clean texts."""
    import re
    import unicodedata

    from newscrawl import text

    if not value:
        return ""
    value = unicodedata.normalize("NFC", text.strip_controls(value))
    for invisible in ("\u200b", "\ufeff", "\u00ad"):
        value = value.replace(invisible, "")
    return re.sub(r"\s+", " ", value).strip()


def test_clean_line_gives_what_it_gave_before_it_remembered():
    import random

    from newscrawl import text

    rng = random.Random(16)
    for _ in range(4000):
        value = "".join(rng.choices(TRICKY, k=rng.randint(0, 12)))
        once = text.clean_line(value)
        assert once == reference_clean_line(value), repr(value)
        # A second pass (the pipelines clean what extraction cleaned) gives what it always did,
        # also when the first pass was remembered: the one case where cleaning twice differs
        # ("ে", U+200B, "া" -> "ো" only on the second pass) is never remembered.
        assert text.clean_line(once) == reference_clean_line(reference_clean_line(value))


def test_a_removed_invisible_character_is_not_remembered():
    from newscrawl import text

    joined = text.clean_line("কে\u200bা")
    assert joined == "কে\u09be" and joined not in text._CLEAN
    assert text.clean_line(joined) == "কো"  # NFC joins them on the next pass, as before
    plain = text.clean_line("কো  ছবি")
    assert plain in text._CLEAN and text.clean_line(plain) is plain


def test_remembered_clean_texts_stay_bounded(monkeypatch):
    from collections import OrderedDict

    from newscrawl import text

    monkeypatch.setattr(text, "_CLEAN", OrderedDict())
    monkeypatch.setattr(text, "_clean_chars", 0)
    monkeypatch.setattr(text, "_CLEAN_CHARS", 1000)
    for number in range(500):
        text.clean_line(f"অনুচ্ছেদ {number:04d}")
    assert text._clean_chars <= 1000 and len(text._CLEAN) < 500
    assert text.clean_line("x" * 300) not in text._CLEAN  # longer than 1/4 of the bound


# -- Spidermon's field counting -------------------------------------------------------------------


def coverage_stats(extension_class, items, **settings):
    from scrapy.utils.test import get_crawler

    from newscrawl import settings as project

    values = {k: v for k, v in vars(project).items() if k.isupper()}
    crawler = get_crawler(InqilabSpider, {**values, **settings})
    crawler.spider = InqilabSpider()
    crawler.spider.crawler = crawler
    extension = extension_class.from_crawler(crawler)
    for item in items:
        extension.item_scraped(item, None, crawler.spider)
    return list(crawler.stats.get_stats().items())


def sample_items():
    from newscrawl.items import Article

    full = Article(url="u", title="t", body="b", tags=["x"], extraction={"title": "meta"})
    sparse = Article(url="u", title="t", author=None, subtitle="", tags=[], image_urls=["i"])
    placeholders = Article(url="u", title="N/A", category="-", extraction={}, language="bn")
    nested = {"url": "u", "n": 0, "f": False, "d": {"a": {"b": "", "c": 1}, "e": None}}
    return [full, sparse, placeholders, nested, full, {"x": [], "y": [0], "z": 0.0}]


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"SPIDERMON_FIELD_COVERAGE_SKIP_NONE": False, "SPIDERMON_FIELD_COVERAGE_SKIP_FALSY": False},
        {"SPIDERMON_FIELD_COVERAGE_SKIP_VALUES": [0, "t", None]},
        {"SPIDERMON_LIST_FIELDS_COVERAGE_LEVELS": 1},  # Spidermon counts these itself
        {"SPIDERMON_DICT_FIELDS_COVERAGE_LEVELS": 1},
        {"SPIDERMON_DICT_FIELDS_COVERAGE_LEVELS": {"extraction": 0}},
        {"STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector"},
    ],
    ids=lambda s: ",".join(s) or "project",
)
def test_field_counts_are_spidermons(settings):
    from spidermon.contrib.scrapy.extensions import Spidermon

    from newscrawl.monitors import Monitoring

    expected = coverage_stats(Spidermon, sample_items(), **settings)
    assert coverage_stats(Monitoring, sample_items(), **settings) == expected
    assert expected or settings.get("STATS_CLASS")


def test_the_crawl_counts_fields_with_the_quick_pass():
    from scrapy.settings import Settings

    from newscrawl import settings

    extensions = Settings(vars(settings)).getdict("EXTENSIONS")
    assert extensions["newscrawl.monitors.Monitoring"] == 500
    assert "spidermon.contrib.scrapy.extensions.Spidermon" not in extensions


def test_a_spread_hash_holds_bit_i_of_the_word_hash_at_the_bottom_of_lane_i():
    from newscrawl import simhash

    for word in ["ক", "খবর", "Dhaka", "২০২৪", "x" * 40, "শব্দ১২৩"]:
        value, spread = simhash._feature_hash(word), simhash._spread(word)
        lanes = [(spread >> (simhash.LANE * i)) & (simhash._LANE_LIMIT - 1) for i in range(64)]
        assert lanes == [(value >> i) & 1 for i in range(64)], word


# -- CSS selectors read through class attributes --------------------------------------------------

CLASSY = """<html><body>
<div class="reporter">A</div><div class="reporters">B</div><span class="xreporter">C</span>
<p class=" news-author  reporter	extra">D <a class="active" href="/x">E</a></p>
<div class="new-details"><div class="description"><p>F</p><p class="reporter">G</p></div>
<img src="/i.jpg"></div><div class="REPORTER">H</div><b class="sub-heading">I</b>
<div class="col-md-9 mt-3"><h2>J</h2></div><div class="a-b_c">K<div class="a">L</div></div>
<ul class="a"><li class="b">M</li></ul><div class="reporter
writer">N</div></body></html>"""

SELECTORS = sorted(
    {css for outlet in (InqilabSpider, SunnewsSpider) for group in outlet.selectors.values()
     for css in group}
    | {".reporter", ".reporter::text", "div.reporter", ".a > .b", ".a .b", ".a, .reporter",
       "p.reporter", ".a-b_c", "div.new-details img::attr(src)", ".writer", "*.active::text",
       "h1::text, h2::text", "#x.reporter", ".reporter a::attr(href)", ".reporter.writer",
       "div.col-md-9.mt-3 h2", "p.reporter:first-child", "li.b:nth-child(1)", "li:last-child",
       "div.reporter:nth-of-type(2)", ".a.b > .c.d", ".reporter:not(.writer)"}
)  # fmt: skip


@pytest.mark.parametrize(
    "html",
    [CLASSY, *(p.read_text("utf-8") for p in PAGES)],
    ids=["crafted"] + [f"{p.parent.name}-{p.stem}" for p in PAGES],
)
def test_class_steps_select_what_parsel_selects(html):
    from newscrawl.extraction.markup import _css_xpath, select

    sel = Selector(text=html)
    for css in SELECTORS:
        found = select(sel, css)
        expected = sel.css(css)
        if "::" in css:
            assert found == expected.getall(), css
        else:
            assert found == [e.root for e in expected], css
    assert "@class[contains(., 'reporter')]/parent::*" in _css_xpath(".reporter").path


@pytest.mark.parametrize("css", ["none", ".reporter::text", "img::attr(src)", "p.reporter", "a"])
def test_get_all_is_parsels_getall(css):
    from newscrawl.extraction.markup import get_all

    for html in [CLASSY, "<p>x<none>y</none></p>", *(p.read_text("utf-8") for p in PAGES)]:
        sel = Selector(text=html)
        assert get_all(sel, css) == sel.css(css).getall()


XPATHS = ["//title/text()", "/html/@lang", '//link[@rel="canonical"]/@href',
          '//script[@type="application/ld+json"]/text()', "//meta/@content"]  # fmt: skip
ODD = [
    "<p>no head</p>",
    "<html lang=''><title>a &amp; b<!-- c --> d</title></html>",
    "<html lang='bn'><head><title></title><link rel=canonical href=' /x '></head></html>",
]


@pytest.mark.parametrize("path", XPATHS)
def test_xpath_without_parsel_wrappers_gives_what_parsel_gives(path):
    from newscrawl.extraction.markup import xpath_all, xpath_first

    for html in [*ODD, *(p.read_text("utf-8") for p in PAGES)]:
        sel = Selector(text=html)
        assert xpath_all(sel, path) == sel.xpath(path).getall()
        assert xpath_first(sel, path) == sel.xpath(path).get()


def test_meta_tags_are_read_as_parsel_read_them():
    for html in [*ODD, *(p.read_text("utf-8") for p in PAGES)]:
        sel = Selector(text=html)
        expected: dict[str, list[str]] = {}
        for tag in sel.xpath("//meta[@content]"):
            content = tag.attrib["content"].strip()
            for attribute in ("property", "name", "itemprop") if content else ():
                if tag.attrib.get(attribute):
                    expected.setdefault(tag.attrib[attribute], []).append(content)
        assert meta.meta_tags(sel) == expected


def test_simhash_words_are_the_pieces_between_separators():
    import random

    from newscrawl import simhash

    rng = random.Random(7)
    alphabet = simhash._PUNCTUATION + " \t\n\xa0\u2003" + "কখা্িAbZ09০৯ßİ" + "\u200c\u200d"
    for _ in range(3000):
        body = "".join(rng.choices(alphabet, k=rng.randint(0, 30)))
        lowered = simhash.text.to_ascii_digits(body).lower()
        expected = [w for w in simhash._SEPARATORS.split(lowered) if w]
        assert simhash.words(body, cleaned=True) == expected, repr(body)


# -- the store: numbers counted per batch, clusters given at insert -------------------------------


def reference_write_batch(store, articles):
    """write_batch as first written: seq looked up per article, the row stored, then its
    near-duplicates found and its cluster set by an UPDATE."""
    import json

    from newscrawl import simhash
    from newscrawl import store as package
    from newscrawl.store.rows import Outcome
    from newscrawl.store.schema import ARTICLE_COLUMNS, JSON_COLUMNS

    outcomes = []
    with store.transaction():
        for article in articles:
            now = package.utcnow()
            known = store.conn.execute(
                "SELECT 1 FROM articles WHERE content_hash = ?", (article["content_hash"],)
            ).fetchone()
            if known:
                outcomes.append(Outcome("duplicate", article["content_hash"]))
            else:
                previous = store._latest_revision(article.get("outlet"), article.get("article_id"))
                row = {column: article.get(column) for column in ARTICLE_COLUMNS}
                value = simhash.simhash(article["body"], cleaned=True)
                row.update(seq=store._next_seq(), first_seen_at=now, simhash=simhash.to_hex(value),
                           revision=previous[1] + 1 if previous else 1,
                           previous_hash=previous[0] if previous else None)  # fmt: skip
                for column in JSON_COLUMNS:
                    if row[column] is not None:
                        row[column] = json.dumps(row[column], ensure_ascii=False, sort_keys=True)
                marks = ", ".join(f":{c}" for c in ARTICLE_COLUMNS)
                store.conn.execute(
                    f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({marks})", row
                )
                near = store._link_near_duplicates(row["seq"], row["content_hash"], value, now)
                kind = "revision" if previous else "new"
                outcomes.append(Outcome(kind, row["content_hash"], row["previous_hash"], near))
            store._remember_url(article, now)
    return outcomes


def near_rich_batches():
    """Articles that are near each other in chains, bridges, revisions and duplicates."""
    import random

    from tests.test_neardup import KIM, SEED_BODIES, article

    rng = random.Random(3)
    bodies = list(SEED_BODIES.values())
    batches = []
    for size in (1, 7, 30, 12):
        batch = []
        for _ in range(size):
            words = rng.choice(bodies).split(" ")
            for _ in range(rng.choice([0, 1, 2, 4, 30])):
                words[rng.randrange(len(words))] = rng.choice(["নতুন", "শব্দ", "আজ", "১২"])
            outlet = rng.choice(["sunnews", "inqilab"])
            batch.append(article(" ".join(words), title=KIM["title"], outlet=outlet,
                                 article_id=str(rng.randrange(6))))  # fmt: skip
        batch.append(batch[0])  # a duplicate within the batch
        batches.append(batch)
    return batches


def test_stored_rows_pairs_and_clusters_are_the_reference_writes(tmp_path):
    from newscrawl.store import Store

    tables = {
        "articles": "SELECT seq, content_hash, revision, previous_hash, simhash, cluster"
        " FROM articles ORDER BY seq",
        "near_duplicates": "SELECT older_hash, newer_hash, distance FROM near_duplicates"
        " ORDER BY 1, 2",
        "simhash_bands": "SELECT * FROM simhash_bands ORDER BY 1, 2, 3",
        "fts": "SELECT rowid, title FROM articles_fts ORDER BY rowid",
    }
    with Store(tmp_path / "a.db") as fast, Store(tmp_path / "b.db") as reference:
        for batch in near_rich_batches():
            got = fast.write_batch(batch)
            expected = reference_write_batch(reference, batch)
            assert [(o.kind, o.content_hash, o.near_duplicates) for o in got] == [
                (o.kind, o.content_hash, o.near_duplicates) for o in expected
            ]
        for name, sql in tables.items():
            rows = fast.conn.execute(sql).fetchall()
            assert rows == reference.conn.execute(sql).fetchall(), name
        clusters = {c for (c,) in fast.conn.execute("SELECT cluster FROM articles")}
        assert len(clusters) > 1 and fast.conn.execute("SELECT count(*) FROM near_duplicates")


def test_a_write_sets_the_cluster_with_the_row_and_counts_its_numbers(tmp_path):
    from newscrawl.store import Store
    from tests.test_neardup import KIM, article, edit_one_sentence

    with Store(tmp_path / "n.db") as store:
        store.write_batch([article(KIM["body"], title="ক")])
        executed: list[str] = []
        store.conn.set_trace_callback(executed.append)
        store.write_batch([article(edit_one_sentence(KIM["body"]), title=t) for t in "খগ"])
        store.conn.set_trace_callback(None)
        assert not [sql for sql in executed if sql.startswith("UPDATE articles SET cluster")]
        assert sum("MAX(seq)" in sql for sql in executed) == 1  # once per batch
        rows = store.conn.execute("SELECT seq, cluster FROM articles ORDER BY seq").fetchall()
    assert rows == [(1, 1), (2, 1), (3, 1)]


def test_forgotten_clean_texts_are_cleaned_again_and_counted_afresh():
    from newscrawl import text

    value = text.clean_line("ভুলে যাওয়া লেখা")
    assert value in text._CLEAN
    text.forget_clean_texts()
    assert value not in text._CLEAN and text._clean_chars == 0
    assert text.clean_line(value) == value and value in text._CLEAN
    assert text._clean_chars == len(value)


# -- NFC of Bengali text: the quick check made decisive -------------------------------------------

NFC_ALPHABET = (
    "কখগঘঙচডঢয\u09be\u09bf\u09c0\u09c7\u09c8\u09cb\u09cc\u09d7\u09bc\u09cd\u09dc\u09dd\u09df"
    "\u0981\u0982 aAeE\u0300\u0301\u0327\u00e9\u1100\u1161\u11a8\uac00\u200c\u200d"
)


def test_nfc_is_unicodedatas_for_every_short_text_of_the_composing_characters():
    import itertools
    import unicodedata

    from newscrawl import text

    critical = "ক\u09be\u09c7\u09d7\u09cb\u09bc\u0301a"
    for size in range(1, 5):
        for chars in itertools.product(critical, repeat=size):
            value = "".join(chars)
            assert text.nfc(value) == unicodedata.normalize("NFC", value), ascii(value)


def test_nfc_is_unicodedatas_on_random_and_real_texts():
    import random
    import unicodedata

    from newscrawl import text

    rng = random.Random(9)
    samples = ["".join(rng.choices(NFC_ALPHABET, k=rng.randint(1, 40))) for _ in range(20000)]
    samples += [p.read_text("utf-8") for p in PAGES]
    samples += [unicodedata.normalize("NFD", s) for s in samples[-len(PAGES) :]]
    for value in samples:
        assert text.nfc(value) == unicodedata.normalize("NFC", value), ascii(value[:80])


def test_a_bengali_paragraph_in_nfc_is_returned_without_normalising(monkeypatch):
    import unicodedata

    from newscrawl import text

    paragraph = "বাংলাদেশের রাজধানী ঢাকায় আজ বৃষ্টি হয়েছে। আবহাওয়া অফিস জানিয়েছে।"
    calls = []
    monkeypatch.setattr(text.unicodedata, "normalize", lambda f, t: calls.append(t) or t)
    assert text.nfc(paragraph) is paragraph and not calls
    assert text.nfc("কে\u09be") == "কে\u09be" and calls  # ে then া: normalised (to ো)
    monkeypatch.undo()
    assert text.nfc("কে\u09be") == unicodedata.normalize("NFC", "কে\u09be") == "কো"


def test_white_space_collapses_as_the_regular_expression_collapsed_it():
    import random
    import re

    from newscrawl import text

    spaces = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
    assert all(re.fullmatch(r"\s", c) for c in spaces)  # \s is str.isspace
    rng = random.Random(5)
    for _ in range(20000):
        value = "".join(rng.choices(spaces + "ab কা", k=rng.randint(0, 14)))
        expected = re.sub(r"\s+", " ", text.nfc(value)).strip()
        assert text.clean_line(value) == expected, repr(value)
