"""Full-text search that keeps Bengali words whole, in sync with the store, and open to tools."""

import json
import sqlite3
import subprocess
import sys

import pytest

from newscrawl.search import SearchError, search
from newscrawl.store import FTS_TOKENIZE, MIGRATIONS, SCHEMA_VERSION, Store
from tests.conftest import run_scrapy
from tests.test_export import ARTICLES, COMMISSION, FLOOD, KIM_LETTER, RAIN, news


@pytest.fixture
def store(db_path):
    with Store(db_path) as s:
        s.write_batch(ARTICLES)
        yield s


def titles(hits):
    return [hit.title for hit in hits]


def matches(tokenize, words):
    """Titles of ARTICLES an FTS5 index with ``tokenize`` returns for ``words``, in store order."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize={tokenize!r})")
    conn.executemany("INSERT INTO t VALUES (:title, :body)", ARTICLES)
    rows = conn.execute("SELECT title FROM t WHERE t MATCH ? ORDER BY rowid", (words,))
    return list(dict.fromkeys(title for (title,) in rows))


@pytest.mark.parametrize(
    "word, expected",
    [
        ("কিম", [KIM_LETTER[0]]),  # the default tokenizer also finds কোম্পানির
        ("তিন", [FLOOD[0]]),  # ... and পুতিন
        ("বৃষ্টি", [RAIN[0]]),  # ... and বৃষ্টিতে in the flood report
    ],
)
def test_a_whole_bengali_word_finds_exactly_the_articles_holding_it(store, word, expected):
    # The failure this index exists to avoid: unicode61 by default splits words at vowel signs
    # (category M), so কিম is searched as the tokens ক ম and matches কোম্পানির (ক ম প ন র).
    assert matches("unicode61", word) != expected
    assert matches(FTS_TOKENIZE, word) == expected
    assert titles(search(store, word)) == expected


def test_phrases_prefixes_and_columns_work(store):
    assert titles(search(store, '"কিম জং উনকে"')) == [KIM_LETTER[0]]
    assert titles(search(store, "কিম জং উন")) == []  # words, not prefixes: the text has উনকে
    assert titles(search(store, '"কিম জং উন" *')) == [KIM_LETTER[0]]  # ... and * takes উনকে
    assert set(titles(search(store, "বৃষ্টি*"))) == {RAIN[0], FLOOD[0]}
    assert titles(search(store, "title: কমিশনের")) == [COMMISSION[0]]


def test_results_are_the_latest_revision_unless_asked_for_all(store):
    [hit] = search(store, "কেসিএনএ")  # only in the edit
    assert hit.content_hash == ARTICLES[3]["content_hash"]
    [latest] = search(store, "চিঠিতে")
    assert latest.content_hash == ARTICLES[3]["content_hash"]
    everything = search(store, "চিঠিতে", all_revisions=True)
    assert {hit.content_hash for hit in everything} == {
        ARTICLES[0]["content_hash"],
        ARTICLES[3]["content_hash"],
    }


def test_the_index_follows_the_articles_as_they_arrive(store):
    assert search(store, "লঞ্চ") == []
    story = ("মেঘনায় লঞ্চডুবি", ["মেঘনা নদীতে একটি লঞ্চ ডুবে গেছে।"])
    store.write_batch([news(story, article_id="200")])
    assert titles(search(store, "লঞ্চ")) == [story[0]]
    store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_outlet_and_limit(store):
    assert titles(search(store, "পানিবন্দি OR বৃষ্টি", outlets=["sunnews"])) == [FLOOD[0]]
    assert len(search(store, "পানিবন্দি OR বৃষ্টি", limit=1)) == 1
    with pytest.raises(SearchError, match="--limit"):
        search(store, "বৃষ্টি", limit=0)


def test_a_version_1_database_is_indexed_when_opened(db_path):
    conn = sqlite3.connect(db_path)
    conn.executescript(MIGRATIONS[1])
    row = {**ARTICLES[0], "seq": 1, "first_seen_at": "2023-08-16T03:00:00+00:00"}
    row = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()}
    conn.execute(
        f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(db_path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert titles(search(store, "চিঠি")) == [KIM_LETTER[0]]
    before = dump(db_path)
    with Store(db_path) as store:  # opening again changes nothing: no second backfill
        store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    assert dump(db_path) == before


def dump(db_path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


# -- the command -----------------------------------------------------------------------------


def search_cmd(db_path, *args):
    return run_scrapy("search", *args, settings={"NEWSCRAWL_DB": str(db_path)})


def test_search_command_prints_date_outlet_title_and_snippet(store, db_path):
    result = search_cmd(db_path, "কিম")
    assert result.returncode == 0, result.stderr
    head, snippet, url = result.stdout.rstrip("\n").splitlines()
    assert head == f"2023-08-16  inqilab  {KIM_LETTER[0]}"
    assert "[কিম]" in snippet and "\n" not in snippet
    assert url == f"    {ARTICLES[3]['url']}"
    assert result.stderr.strip() == "1 article matches 'কিম'"


def test_search_command_filters_by_outlet_and_limits(store, db_path):
    result = search_cmd(db_path, "বৃষ্টি*", "--outlet", "sunnews", "--limit", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"2023-08-16  sunnews  {FLOOD[0]}"
    limited = search_cmd(db_path, "বৃষ্টি*", "--limit", "1")
    assert len(limited.stdout.strip().split("\n\n")) == 1
    assert "--limit for more" in limited.stderr


ELECTION = "title: নির্বাচন OR কমিশন"  # README's example


@pytest.mark.parametrize(
    ("limit", "newest", "line"),
    [
        ("1", False, f"the best article of 2 or more matching {ELECTION!r} (--limit for more)"),
        ("1", True, f"the newest article of 2 or more matching {ELECTION!r} (--limit for more)"),
        ("2", False, f"the best 2 of 3 or more articles matching {ELECTION!r} (--limit for more)"),
        ("2", True, f"the newest 2 of 3 or more articles matching {ELECTION!r} (--limit for more)"),
        ("3", False, f"3 articles match {ELECTION!r}"),  # all shown: the count is exact
        ("3", True, f"3 articles match {ELECTION!r}"),
        ("20", False, f"3 articles match {ELECTION!r}"),
    ],
)
def test_the_summary_line_reads_right_whether_the_count_is_known_or_not(
    db_path, limit, newest, line
):
    stories = [
        ("নির্বাচন নিয়ে বৈঠক", ["দলগুলোর বৈঠক।"]),
        ("কমিশন গঠন", ["নতুন কমিশন।"]),
        ("নির্বাচন কমিশন প্রস্তুত", ["প্রস্তুতি চলছে।"]),
        ("বৃষ্টির খবর", ["নির্বাচন নয়, বৃষ্টি।"]),  # the word in the body only: no match
    ]
    with Store(db_path) as s:
        s.write_batch([news(story, article_id=str(i)) for i, story in enumerate(stories)])
    result = search_cmd(db_path, ELECTION, "--limit", limit, *(["--newest"] if newest else []))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().split("\n\n")) == min(int(limit), 3)
    assert result.stderr.strip() == line


@pytest.mark.parametrize(
    ("shown", "more", "line"),
    [
        (0, False, "no article matches 'কিম'"),
        (1, False, "1 article matches 'কিম'"),
        (1, True, "the best article of 2 or more matching 'কিম' (--limit for more)"),
        (20, True, "the best 20 of 21 or more articles matching 'কিম' (--limit for more)"),
    ],
)
def test_every_summary_variant_word_for_word(shown, more, line):
    from newscrawl.commands.search import _summary

    assert _summary(shown, "কিম", more=more) == line


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["পুতিন-কিম"], "double quotes"),  # FTS5 reads '-' as syntax
        (['"কিম'], "unterminated string"),
        (["কিম", "--outlet", "prothomalo"], "no outlet 'prothomalo'"),
    ],
)
def test_a_search_the_user_can_fix_is_a_one_line_error(store, db_path, args, fragment):
    result = search_cmd(db_path, *args)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("scrapy search: ") and fragment in line


# -- other tools on the database as newscrawl leaves it ----------------------------------------


def sqlite_utils(*args):
    result = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sqlite_utils_command_line_reads_the_database_and_its_index(store, db_path):
    assert sqlite_utils("query", db_path, "select count(*) as n from articles") == [{"n": 5}]
    assert {"articles_fts", "exports"} <= {t["table"] for t in sqlite_utils("tables", db_path)}
    found = sqlite_utils("search", db_path, "articles", "কিম", "-c", "content_hash")
    assert {row["content_hash"] for row in found} == {
        ARTICLES[0]["content_hash"],
        ARTICLES[3]["content_hash"],
    }
    sql = "select title from articles_fts where articles_fts match 'কমিশন'"
    assert sqlite_utils("query", db_path, sql) == [{"title": COMMISSION[0]}]
