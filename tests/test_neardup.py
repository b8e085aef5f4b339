"""Near-duplicates: SimHash in the store, found by indexed look-ups, clustered, never dropped."""

import json
import random
import sqlite3

import pytest

from newscrawl import simhash, text
from newscrawl.store import MIGRATIONS, Store
from tests.conftest import FIXTURES, TEST_DATA, run_scrapy


def fixture_item(outlet: str, case: str) -> dict:
    return json.loads((FIXTURES / outlet / f"{case}.json").read_text("utf-8"))["items"][0]


KIM = fixture_item("sunnews", "meta_only")
# The seed texts: one story (Putin and Kim's letters), written separately by five outlets.
SEED_BODIES = {
    "000": fixture_item("inqilab", "plain")["body"],
    "001": KIM["body"],
    "002": fixture_item("inqilab", "updated")["body"],
    "003": (TEST_DATA / "seed_003.txt").read_text("utf-8").split("\n", 1)[1],
    "004": fixture_item("inqilab", "jsonld")["body"],
}


def article(body: str, *, title: str = "শিরোনাম", outlet: str = "sunnews", article_id=None):
    return {
        "url": f"http://x/{outlet}/{article_id or text.content_hash(title, body)}",
        "outlet": outlet,
        "article_id": article_id,
        "title": title,
        "body": body,
        "content_hash": text.content_hash(title, body),
    }


def edit_one_sentence(body: str) -> str:
    first, rest = body.split("।", 1)
    return "আজ একটি ভিন্ন বাক্য লেখা হয়েছে এখানে।" + rest if first else body


@pytest.fixture
def store(db_path):
    with Store(db_path) as s:
        yield s


def pairs(store):
    return store.conn.execute(
        "SELECT older_hash, newer_hash, distance FROM near_duplicates"
    ).fetchall()


def test_a_copy_with_one_sentence_changed_is_a_near_duplicate(store):
    original = article(KIM["body"], title=KIM["title"])
    copy = article(edit_one_sentence(KIM["body"]), title=KIM["title"], outlet="inqilab")
    outcomes = store.write_batch([original, copy])
    assert [o.kind for o in outcomes] == ["new", "new"]  # nothing dropped for being similar
    assert outcomes[1].near_duplicates == 1
    [(older, newer, distance)] = pairs(store)
    assert (older, newer) == (original["content_hash"], copy["content_hash"])
    assert 0 < distance <= simhash.DEFAULT_DISTANCE
    a, b = store.articles()
    assert a["cluster"] == b["cluster"] == a["seq"]
    assert a["simhash"] == simhash.to_hex(simhash.simhash(KIM["body"]))


def test_a_different_byline_and_sign_off_is_a_near_duplicate(store):
    body = KIM["body"]
    store.write_batch([article(body), article(f"নিজস্ব প্রতিবেদক: {body}\n\nসান নিউজ/এমআর")])
    assert len(pairs(store)) == 1


def test_the_seed_texts_are_one_story_but_not_near_duplicates(store):
    outcomes = store.write_batch([article(b, title=f"seed {n}") for n, b in SEED_BODIES.items()])
    assert [o.near_duplicates for o in outcomes] == [0] * 5
    assert pairs(store) == []
    assert len({a["cluster"] for a in store.articles()}) == 5
    values = [simhash.simhash(b) for b in SEED_BODIES.values()]
    gaps = [simhash.distance(a, b) for i, a in enumerate(values) for b in values[i + 1 :]]
    assert min(gaps) > simhash.MAX_DISTANCE  # not even the widest search links them


def test_a_revision_is_linked_to_its_earlier_text(store):
    first = article(KIM["body"], article_id="123456")
    edited = article(KIM["body"] + "\n\nপরে আরও তথ্য যোগ করা হয়েছে।", article_id="123456")
    store.write_batch([first])
    [outcome] = store.write_batch([edited])
    assert outcome.kind == "revision" and outcome.near_duplicates == 1
    assert [(o, n) for o, n, _ in pairs(store)] == [(first["content_hash"], edited["content_hash"])]
    similar = store.similar(edited["content_hash"])
    assert [s["content_hash"] for s in similar] == [first["content_hash"]]


def test_clusters_merge_when_an_article_bridges_two(store):
    words = KIM["body"].split()
    half = len(words) // 2
    a = " ".join(words)
    b = " ".join(words[:half] + ["নতুন"] * 3 + words[half + 3 :])
    store.write_batch([article(a), article(b)])
    assert len({x["cluster"] for x in store.articles()}) == 1


def test_the_band_index_finds_every_hash_within_the_maximum_distance():
    """Pigeonhole with one-bit probes: no candidate within MAX_DISTANCE bits is ever missed."""
    rng = random.Random(11)
    for _ in range(3000):
        a = rng.getrandbits(64)
        flips = rng.sample(range(64), rng.randint(0, simhash.MAX_DISTANCE))
        b = a
        for bit in flips:
            b ^= 1 << bit
        assert any(
            bb in simhash.probes(ba)
            for ba, bb in zip(simhash.bands(a), simhash.bands(b), strict=True)
        )


def test_near_duplicate_look_ups_use_the_index(store):
    """The queries the store itself runs for a write's look-up, planned by SQLite: no scan."""
    store.write_batch([article(KIM["body"], title=KIM["title"])])
    executed: list[str] = []
    store.conn.set_trace_callback(executed.append)  # each statement with its values bound
    copy = edit_one_sentence(KIM["body"])
    store.write_batch([article(copy, title=KIM["title"], outlet="inqilab")])
    store.conn.set_trace_callback(None)
    look_ups = [sql for sql in executed if sql.lstrip().startswith("SELECT")
                and ("simhash_bands" in sql or "WHERE seq" in sql)]  # fmt: skip
    # One statement probes every bucket of every band, each an indexed, LIMITed look-up.
    probes = [sql for sql in look_ups if "simhash_bands" in sql]
    assert len(probes) == 1
    assert probes[0].count("FROM simhash_bands") == simhash.BANDS * len(simhash.probes(0))
    for sql in look_ups:
        plan = store.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        assert any("PRIMARY KEY" in row[-1] or "INDEX" in row[-1] for row in plan), sql
        # No table is scanned; a SCAN of a subquery reads the few rows an indexed, LIMITed
        # look-up gave (the newest candidates of one band bucket).
        scans = [row[-1] for row in plan if row[-1].startswith("SCAN")]
        assert all(s.startswith("SCAN (subquery-") for s in scans), (sql, plan)


def test_simhash_keeps_bengali_words_whole():
    assert simhash.words("কিম জং উনকে চিঠি পাঠিয়েছেন। ১৯৪৫ সালে") == [
        "কিম", "জং", "উনকে", "চিঠি", "পাঠিয়েছেন", "1945", "সালে",
    ]  # fmt: skip
    spaced = KIM["body"].replace(" ", "  ").replace("য়", "\u09df")
    assert simhash.simhash(spaced) == simhash.simhash(KIM["body"])


def test_older_stores_are_hashed_and_linked_when_opened(db_path):
    conn = sqlite3.connect(db_path)
    for version in (1, 2, 3):
        statements = MIGRATIONS[version]
        for statement in statements if isinstance(statements, list) else [statements]:
            conn.executescript(statement) if version == 1 else conn.execute(statement)
    columns = "seq, content_hash, outlet, url, title, body, first_seen_at"
    for seq, body in ((1, KIM["body"]), (2, edit_one_sentence(KIM["body"]))):
        conn.execute(
            f"INSERT INTO articles ({columns}) VALUES (?, ?, 'sunnews', ?, 't', ?, 'now')",
            (seq, text.content_hash("t", body), f"http://x/{seq}", body),
        )
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Store(db_path) as store:
        a, b = store.articles()
        assert a["simhash"] == simhash.to_hex(simhash.simhash(KIM["body"], cleaned=True))
        assert a["cluster"] == b["cluster"] == 1
        assert len(pairs(store)) == 1


def test_similar_command_lists_near_duplicates(db_path):
    with Store(db_path) as store:
        original = article(KIM["body"], title=KIM["title"])
        copy = article(edit_one_sentence(KIM["body"]), title="অন্য শিরোনাম", outlet="inqilab")
        store.write_batch([original, copy])
    result = run_scrapy("similar", original["content_hash"], "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(KIM["title"]) and "1 near-duplicate(s)" in lines[1]
    assert "inqilab" in lines[2] and copy["content_hash"] in lines[2] and "অন্য শিরোনাম" in lines[2]
    fresh = run_scrapy("similar", original["content_hash"], "--distance", "0", "--db", str(db_path))
    assert "0 near-duplicate(s)" in fresh.stdout
    missing = run_scrapy("similar", "0" * 16, "--db", str(db_path))
    assert missing.returncode == 1 and "no article with content hash" in missing.stderr
    bad = run_scrapy("similar", "xyz", "--db", str(db_path))
    assert bad.returncode != 0 and "16 hex digits" in bad.stderr


def test_distances_read_from_signed_integers_are_the_same():
    """SQLite stores 64-bit integers signed; the index compares SimHashes stored that way."""
    from newscrawl.store.neardup import MASK64 as _MASK64
    from newscrawl.store.neardup import as_signed as _signed

    rng = random.Random(5)
    for _ in range(2000):
        a, b = rng.getrandbits(64), rng.getrandbits(64)
        assert -(1 << 63) <= _signed(a) < 1 << 63
        assert ((_signed(a) ^ _signed(b)) & _MASK64).bit_count() == simhash.distance(a, b)
