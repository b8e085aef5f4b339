"""The store's and the pipelines' shortcuts give what the long way gave: SimHash, Spidermon's
field counts, the rows, pairs and clusters a batch writes."""

from __future__ import annotations

import pytest

from newscrawl.spiders.inqilab import InqilabSpider


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


def reference_simhash(body: str) -> int:
    """SimHash as it was computed before the plain-dict cache and str.split: words found by a
    regular expression, each spread hash computed afresh."""
    import re

    from newscrawl import simhash, text

    word = re.compile(f"[^\\s{re.escape(simhash._PUNCTUATION)}]+")
    features = word.findall(text.to_ascii_digits(body).lower())
    if not features:
        return 0
    counts = sum(map(simhash._spread, features))
    lanes = [(counts >> (simhash.LANE * bit)) & (simhash._LANE_LIMIT - 1) for bit in range(64)]
    return sum(1 << bit for bit, n in enumerate(lanes) if 2 * n > len(features))


def many_bodies():
    """A few thousand bodies: the replica's articles, the seed texts, copies with marks added."""
    import random

    from bench._site import make_article
    from newscrawl import text
    from tests.test_neardup import SEED_BODIES

    rng = random.Random(11)
    seeds = list(SEED_BODIES.values())
    marks = [*"।॥‘’“”–—…,.;:!?()[]\"'-/%", "\xa0", "\u2003", "\n\n", " ১২৩ ", "İ", "ß", "\x1c"]
    bodies = [text.clean_body("\n\n".join(make_article(n, seed).paragraphs))
              for seed in (0, 1) for n in range(1000)]  # fmt: skip
    for _ in range(1000):
        words = rng.choice(seeds).split(" ")
        for _ in range(rng.randint(0, 40)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(marks))
        bodies.append(" ".join(words))  # not cleaned: white space of every kind
    return [*bodies, *seeds]


def test_simhash_is_the_reference_on_thousands_of_bodies():
    from newscrawl import simhash

    bodies = many_bodies()
    assert len(bodies) > 3000
    for body in bodies:
        assert simhash.simhash(body, cleaned=True) == reference_simhash(body), body[:80]


def test_str_split_and_the_regular_expression_split_at_the_same_white_space():
    """words() splits with str.split(), the definition with the regular expression's \\s."""
    import re
    import sys

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    spaces = re.findall(r"\s", every)
    assert spaces == [c for c in every if c.isspace()]
    assert len(spaces) == 29


def test_the_spread_cache_is_bounded_and_keeps_the_newest_half():
    from newscrawl import simhash

    cache = simhash._Spreads(8)
    words = [f"শব্দ{i}" for i in range(30)]
    for word in words:
        assert cache[word] == simhash._spread(word)
        assert len(cache) <= 8
    assert list(cache) == words[-(len(cache)) :] and len(cache) > 4
    assert simhash._SPREADS.bound == 1 << 16


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
            store.conn.execute(
                "INSERT INTO article_urls (url, outlet, article_id, content_hash, first_seen_at,"
                " last_seen_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET content_hash = excluded.content_hash,"
                " last_seen_at = excluded.last_seen_at",
                (article["url"], article["outlet"], article.get("article_id"),
                 article["content_hash"], now, now),
            )  # fmt: skip
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
            item = article(" ".join(words), title=KIM["title"], outlet=outlet,
                           article_id=str(rng.randrange(6)))  # fmt: skip
            if rng.random() < 0.5:  # the other columns, JSON ones with text to escape
                item.update(subtitle="উপশিরোনাম", published_at="2024-12-01T10:00:00+06:00",
                            tags=["খবর", 'a "q"'], image_urls=[], run_id="r1",
                            extraction={"title": "meta", "body": "selectors"})  # fmt: skip
            batch.append(item)
        batch.append(batch[0])  # a duplicate within the batch
        batches.append(batch)
    return batches


def test_stored_rows_pairs_and_clusters_are_the_reference_writes(tmp_path):
    from newscrawl.store import Store
    from newscrawl.store.schema import ARTICLE_COLUMNS

    tables = {
        # Every column but the time of the write.
        "articles": f"SELECT {', '.join(c for c in ARTICLE_COLUMNS if c != 'first_seen_at')}"
        " FROM articles ORDER BY seq",
        "article_urls": "SELECT url, outlet, article_id, content_hash FROM article_urls"
        " ORDER BY rowid",
        "near_duplicates": "SELECT older_hash, newer_hash, distance FROM near_duplicates"
        " ORDER BY 1, 2",
        "simhash_bands": "SELECT * FROM simhash_bands ORDER BY 1, 2, 3",
        "fts": "SELECT id, sz FROM articles_fts_docsize ORDER BY id",  # the index itself
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


def test_the_probe_statement_reads_the_buckets_each_probe_names(tmp_path):
    """The one statement with the bit flips done in SQL returns, row for row, what a statement
    of one bound (band, value, limit) per probe returned."""
    import random

    from newscrawl import simhash
    from newscrawl.store import Store, neardup

    one_per_probe = " UNION ALL ".join(
        ["SELECT * FROM (SELECT seq, fingerprint FROM simhash_bands"
         " WHERE band = ? AND value = ? ORDER BY seq DESC LIMIT ?)"] * (4 * 17)
    )  # fmt: skip
    rng = random.Random(5)
    with Store(tmp_path / "n.db") as store:
        for batch in near_rich_batches():
            store.write_batch(batch)
        stored = [
            simhash.from_hex(h) for (h,) in store.conn.execute("SELECT simhash FROM articles")
        ]
        near = [v ^ (1 << rng.randrange(64)) ^ (1 << rng.randrange(64)) for v in stored]
        for value in [*stored, *near, 0, (1 << 64) - 1, *(rng.getrandbits(64) for _ in range(50))]:
            for limit in (64, 2, -1):
                params = [
                    x
                    for band, part in enumerate(simhash.bands(value))
                    for probe in simhash.probes(part)
                    for x in (band, probe, limit)
                ]
                expected = store.conn.execute(one_per_probe, params).fetchall()
                got = store.conn.execute(neardup._PROBES, (*simhash.bands(value), limit)).fetchall()
                assert got == expected
        assert any(store.conn.execute(neardup._PROBES, (*simhash.bands(v), 64)).fetchall()
                   for v in near)  # fmt: skip
