"""Hostile text and hostile users at the command line (issue 12, items 11, 12, 13 and 15).

Pages carry terminal escape sequences, NUL bytes and bytes that are not UTF-8; people type
queries the way their keyboard does, numbers no database holds, the wrong database, and pipe the
output into ``head``. Nothing of that may reach a terminal raw, lose a match, or end in a
traceback: each mistake is one line, ``scrapy CMD: ...``, and an exit status (2 for usage).
Commands run as a user runs them, in a subprocess (``run_scrapy``).
"""

from __future__ import annotations

import itertools
import json
import os
import pty
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.cmdline import ScrapyArgumentParser, _get_commands_from_module
from scrapy.commands import ScrapyHelpFormatter

from newscrawl import text
from newscrawl.search import search
from newscrawl.store import Store
from tests.conftest import PROJECT, project_settings, run_scrapy, scrapy_args, scrapy_env
from tests.support.hostile import HostileInqilab, broken_utf8, good_page
from tests.support.outlets import known_outlets
from tests.support.replica import Page
from tests.support.sites import inqilab_article
from tests.test_export import ARTICLES, FLOOD, news

# What a page may hold that a terminal obeys: clear screen, set the window title, C1 CSI, bell,
# NUL (cuts FTS5 snippets short), DEL.
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\x9b31m\x00\x7f"
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\x00", "\x7f", "\x9d")


def assert_no_raw_controls(output: str) -> None:
    found = [c for c in RAW_CONTROLS if c in output]
    assert not found, f"raw control characters {found!r} in {output!r}"


def one_line_error(
    result: subprocess.CompletedProcess[str], command: str, code: int, prog: str = "scrapy"
) -> str:
    """The only line on stderr (no banner, no traceback), which names the command."""
    assert result.returncode == code, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith(f"{prog} {command}: "), lines[0]
    return lines[0]


def db_cmd(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_scrapy(*args, settings={"NEWSCRAWL_DB": str(db_path)})


@pytest.fixture
def filled_db(db_path: Path) -> Path:
    with Store(db_path) as store:
        store.write_batch(ARTICLES)
    return db_path


# -- item 11: control characters never reach storage ------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b[2Jb", "ab"),  # CSI: the whole sequence, no "[2J" left behind
        ("a\x1b[1;31mb\x1b[0m", "ab"),
        ("a\x1b]0;pwned\x07b", "ab"),  # OSC (window title), ended by BEL
        ("a\x1b]8;;http://x\x1b\\b", "ab"),  # OSC 8 (hyperlink), ended by ST
        ("a\x9b31mb", "ab"),  # the one-byte C1 CSI
        ("a\x1bcb", "ab"),  # ESC c: reset the terminal
        ("a\x00b\x07c\x7fd\x85e", "abcd e"),  # NUL, BEL, DEL gone; NEL is white space
        ("a\x1b]0;no end", "a0;no end"),  # an unterminated string loses its escape only
        ("a\ud800b", "a\ufffdb"),  # half a surrogate pair cannot be stored as UTF-8
        ("বিষ\u09dfে\x1b[2J", "বিষ\u09af\u09bcে"),
    ],
)
def test_cleaning_removes_control_characters_and_whole_escape_sequences(raw, clean):
    assert text.clean_line(raw) == clean


def test_white_space_controls_still_separate_words_and_paragraphs():
    assert text.clean_body("এক\r\n\r\nদুই\x0bতিন\x1cচার\tপাঁচ") == "এক\n\nদুই তিন চার পাঁচ"


def test_for_terminal_shows_control_characters_escaped():
    shown = text.for_terminal(f"শিরোনাম{HOSTILE}\n\ud800")
    assert_no_raw_controls(shown)
    assert shown == "শিরোনাম\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\x00\\x7f\\n\\ud800"


def test_a_crawl_stores_no_control_character_and_counts_undecodable_bytes(replica, db_path):
    site = HostileInqilab(replica)
    title = f"বন্যা {HOSTILE}সতর্কতা জারি"
    paragraphs = [f"নদীর পানি{HOSTILE} বাড়ছে আজ।", "উপকূলে\x00 বিপদসংকেত জারি করা হয়েছে।"]
    site.add("escapes", inqilab_article(title, paragraphs, (2024, 12, 1, 10, 0)), 1)
    site.add("not utf-8", Page(broken_utf8(good_page(2))), 2)  # declared utf-8, three bad bytes
    site.set_sitemap([])
    result = run_scrapy(
        "crawl", "inqilab", "-a", f"base_url={replica.url}",
        settings={"NEWSCRAWL_DB": str(db_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    with Store(db_path) as store:
        rows = {row["article_id"]: row for row in store.articles()}
        stats = store.runs()[-1]["stats"]
    assert rows["900001"]["title"] == "বন্যা সতর্কতা জারি"
    assert rows["900001"]["body"] == ("নদীর পানি বাড়ছে আজ।\n\nউপকূলে বিপদসংকেত জারি করা হয়েছে।")
    for row in rows.values():
        assert_no_raw_controls(json.dumps(row, ensure_ascii=False))
    assert rows["900002"]["body"].count("\ufffd") == 3  # one per paragraph
    stored = json.dumps(rows["900002"], ensure_ascii=False)  # ... and one in the date line
    assert stats["newscrawl/encoding/invalid_bytes"] == stored.count("\ufffd") == 4

    # NUL cut FTS5 snippets short: the words after it were missing from the snippet.
    found = db_cmd(db_path, "search", "বিপদসংকেত")
    assert found.returncode == 0, found.stderr
    assert "[বিপদসংকেত] জারি করা হয়েছে" in found.stdout


def test_search_similar_and_report_escape_control_characters_stored_earlier(db_path):
    # Rows written before cleaning removed control characters: output escapes them.
    dirty = news(("বন্যার খবর", ["পানি বাড়ছে নদীতে।"]), article_id="7")
    dirty.update(
        title=f"বন্যার খবর{HOSTILE}",
        body=f"পানি বাড়ছে{HOSTILE} নদীতে।",
        published_at=f"2024-01-01{HOSTILE}",
    )
    with Store(db_path) as store:
        store.write_batch([dirty])
        store.start_run("r1", f"inqilab{HOSTILE}", "2024-01-01T00:00:00+00:00")
        store.finish_run(
            "r1", "finished", {}, {"outcome": "unhealthy", "problems": [f"bad {HOSTILE}page"]}
        )
    outputs = [
        db_cmd(db_path, "search", "পানি"),
        db_cmd(db_path, "similar", dirty["content_hash"]),
        db_cmd(db_path, "report"),
        db_cmd(db_path, "report", "--json"),
    ]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert_no_raw_controls(result.stdout + result.stderr)
    search_out, similar_out, table, as_json = (r.stdout for r in outputs)
    assert "বন্যার খবর\\x1b[2J\\x1b]0;pwned\\x07" in search_out
    assert "[পানি] বাড়ছে\\x1b[2J" in search_out
    assert "বন্যার খবর\\x1b[2J" in similar_out
    assert "bad \\x1b[2J" in table
    assert json.loads(as_json)["problems"] == [f"bad {HOSTILE}page"]  # JSON escapes, losslessly


def test_on_a_terminal_the_only_codes_sent_are_the_bold_marks(db_path):
    dirty = news(("বন্যার খবর", ["পানি বাড়ছে নদীতে।"]), article_id="7")
    dirty.update(body=f"পানি বাড়ছে{HOSTILE} নদীতে।")
    with Store(db_path) as store:
        store.write_batch([dirty])
    leader, follower = pty.openpty()
    try:
        cmd = [sys.executable, "-m", "scrapy", "search", "পানি", "--db", str(db_path)]
        result = subprocess.run(
            cmd, cwd=PROJECT, env=scrapy_env(), stdout=follower, stderr=subprocess.PIPE,
            timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        shown = os.read(leader, 65536).decode()
    finally:
        os.close(leader)
        os.close(follower)
    assert "\x1b[1mপানি\x1b[0m বাড়ছে\\x1b[2J" in shown
    assert_no_raw_controls(shown.replace("\x1b[1m", "").replace("\x1b[0m", ""))


# -- item 12: queries are normalised as stored text is ----------------------------------------

ONE_POINT = "বিষ\u09dfে \u09dcাকা \u09ddাকা"  # য়, ড়, ঢ় as most Bengali keyboards type them


def test_a_query_typed_with_one_code_point_letters_finds_the_stored_text(db_path):
    story = ("খবর জানানো হবে", [text.nfc("ঢাকা থেকে বিষ\u09dfে খবর, \u09dcাকা \u09ddাকা।")])
    with Store(db_path) as store:
        store.write_batch([news(story, article_id="9")])
        assert "\u09df" not in store.article(news(story)["content_hash"])["body"]
        for word in ONE_POINT.split():
            assert [hit.title for hit in search(store, word)] == [story[0]], word
    result = db_cmd(db_path, "search", "\u09ddাকা")
    assert result.returncode == 0 and story[0] in result.stdout, result.stderr


# -- item 13: one line, never a traceback ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["search", "বন্যা", "--limit", "9223372036854775808"], "--limit: must be a whole number"),
        (["search", "বন্যা", "--limit", "0"], "from 1 to 1000000, not '0'"),
        (["search", "বন্যা", "--limit", "many"], "not 'many'"),
        (["report", "--last", "99999999999999999999"], "--last: must be a whole number"),
        (["report", "--last", "0"], "not '0'"),
        (["report", "--last", "-3"], "not '-3'"),
        (["similar", "0" * 16, "--distance", "99999999999999999999"], "from 0 to"),
        (["report", "--outlet", "nosuch"], f"no outlet 'nosuch' (known: {known_outlets()})"),
        (["extract", "page.html"], "required: --url"),
    ],
)
def test_usage_mistakes_are_one_line_exit_2(filled_db, args, fragment):
    line = one_line_error(db_cmd(filled_db, *args), args[0], 2)
    assert fragment in line


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["crawl", "inqilab", "-a", "since=2024-02-01", "-a", "until=2024-01-01"], 2, "before"),
        (["crawl", "nosuch"], 2, "no spider 'nosuch'"),
        (["crawlall", "--outlet", "nosuch"], 2, "no outlet 'nosuch'"),
        (["crawlall", "-a", "since=2024-02-01", "-a", "until=2024-01-01"], 2, "before"),
        (["fixture", "https://example.com/a/1"], 1, "no spider handles example.com"),
    ],
)
def test_crawling_commands_say_what_is_wrong_before_any_banner(db_path, args, code, fragment):
    # Scrapy's 12-line start-up banner used to come first, burying the one line that matters.
    line = one_line_error(db_cmd(db_path, *args), args[0], code)
    assert fragment in line
    assert not db_path.exists()


def foreign_database(path: Path) -> Path:
    """Somebody else's database that happens to have a table called articles."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, sku TEXT, price REAL)")
    conn.execute("INSERT INTO articles (sku, price) VALUES ('A-1', 9.5)")
    conn.commit()
    conn.close()
    return path


def schema(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "args",
    [
        ["search", "বন্যা"],
        ["report"],
        ["similar", "0" * 16],
        ["export"],
        ["crawl", "inqilab"],
        ["crawlall"],
    ],
)
def test_someone_elses_database_is_one_line_and_left_as_it_was(db_path, args):
    before = schema(foreign_database(db_path))
    line = one_line_error(db_cmd(db_path, *args), args[0], 1)
    assert str(db_path) in line and "newscrawl database" in line
    assert schema(db_path) == before


def test_a_damaged_database_is_one_line(filled_db, tmp_path):
    conn = sqlite3.connect(filled_db)
    conn.execute("UPDATE articles SET title = CAST(x'e0a6ff' AS TEXT) WHERE seq = 3")
    conn.commit()
    conn.close()
    for args in (["export"], ["search", "সুনামগঞ্জ"]):
        line = one_line_error(db_cmd(filled_db, *args), args[0], 1)
        assert "Could not decode to UTF-8" in line and "backup" in line
    not_sqlite = tmp_path / "garbage.db"
    not_sqlite.write_bytes(os.urandom(8192))
    for args in (["crawl", "inqilab"], ["crawlall"], ["report"]):
        line = one_line_error(db_cmd(not_sqlite, *args), args[0], 1)
        assert "not a usable SQLite database" in line or "not a database" in line


def test_a_reader_that_stops_early_ends_the_output_quietly(filled_db):
    with Store(filled_db) as store:
        for i in range(3):
            store.start_run(f"r{i}", "inqilab", f"2024-01-0{i + 1}T00:00:00+00:00")
    cmd = [sys.executable, "-m", "scrapy", "report", "--json", "--db", str(filled_db)]
    with subprocess.Popen(
        cmd, cwd=PROJECT, env=scrapy_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        proc.stdout.close()  # as `| head -0` would; the first write meets a closed pipe
        stderr = proc.stderr.read().decode()
        proc.wait(timeout=60)
    assert proc.returncode == 1
    assert stderr == ""


def test_report_of_an_outlet_without_runs_says_so(filled_db):
    result = db_cmd(filled_db, "report", "--outlet", "sunnews")
    assert result.returncode == 0
    assert result.stderr.strip() == "no runs of sunnews recorded yet"


def test_search_says_when_more_articles_match_than_it_shows(db_path):
    stories = [(f"বন্যা খবর {i}", [f"বন্যা পরিস্থিতি {i}।"]) for i in range(5)]
    with Store(db_path) as store:
        store.write_batch([news(s, article_id=str(i)) for i, s in enumerate(stories)])
    limited = db_cmd(db_path, "search", "বন্যা", "--limit", "3")
    assert limited.returncode == 0
    assert len(limited.stdout.strip().split("\n\n")) == 3
    assert limited.stderr.strip() == (
        "the best 3 of 4 or more articles matching 'বন্যা' (--limit for more)"
    )
    exact = db_cmd(db_path, "search", "বন্যা", "--limit", "5")
    assert exact.stderr.strip() == "5 articles match 'বন্যা'"


HEADINGS = {
    "Usage",
    "Options",
    "Global Options",
    "Search Options",
    "Export Options",
    "Backup Options",
    "Merge Options",
}


@pytest.mark.parametrize("columns", [60, 80, 100, 140])
def test_help_of_every_command_has_only_real_headings(monkeypatch, columns):
    # Scrapy's help formatter took any wrapped line ending in ":" for a heading ("Default:"
    # came out as an underlined "Crawl Only This Outlet (Repeat For Several); Default").
    monkeypatch.setenv("COLUMNS", str(columns))
    commands = _get_commands_from_module("newscrawl.commands", True)
    assert {"crawlall", "similar", "search", "report"} <= commands.keys()
    for name, command in commands.items():
        command.settings = project_settings()
        parser = ScrapyArgumentParser(
            formatter_class=ScrapyHelpFormatter,
            usage=f"scrapy {name} {command.syntax()}",
            conflict_handler="resolve",
            description=command.long_desc(),
        )
        command.add_options(parser)
        lines = parser.format_help().splitlines()
        headings = [
            above for above, line in itertools.pairwise(lines)
            if line and set(line) <= {"=", "-"}
        ]  # fmt: skip
        assert set(headings) <= HEADINGS, (name, headings)


def test_crawlall_help_as_a_user_sees_it():
    result = run_scrapy("crawlall", "--help", env={**scrapy_env(), "COLUMNS": "80"})
    assert result.returncode == 0
    assert "crawl only this outlet" in result.stdout
    assert "Crawl Only" not in result.stdout and "Default" not in result.stdout


# -- item 15: commands from any directory ------------------------------------------------------


def test_the_newscrawl_command_works_from_any_directory(filled_db, tmp_path):
    entry_point = shutil.which("newscrawl", path=str(Path(sys.executable).parent))
    assert entry_point, "pip install -e . makes the newscrawl command"
    env = scrapy_env(NEWSCRAWL_DB=str(filled_db))
    anywhere = tmp_path / "elsewhere"
    anywhere.mkdir()
    for cmd in (
        [entry_point, "search", "পানিবন্দি"],
        [sys.executable, "-m", "scrapy", "search", "পানিবন্দি"],
    ):
        extra = {} if cmd[0] == entry_point else {"SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
        result = subprocess.run(
            cmd, cwd=anywhere, env={**env, **extra}, capture_output=True, text=True, timeout=120,
            check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        assert FLOOD[0] in result.stdout


def test_outside_a_checkout_the_database_defaults_to_the_users_data_folder(tmp_path):
    anywhere, data_home = tmp_path / "elsewhere", tmp_path / "xdg"
    anywhere.mkdir()
    entry_point = shutil.which("newscrawl", path=str(Path(sys.executable).parent))
    result = subprocess.run(
        [entry_point, "report", *scrapy_args({})],
        cwd=anywhere, env=scrapy_env(XDG_DATA_HOME=str(data_home)),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    line = one_line_error(result, "report", 1, prog="newscrawl")
    assert f"no database at {data_home / 'newscrawl' / 'newscrawl.db'}" in line
    assert not (anywhere / "data").exists()


def test_the_spider_itself_refuses_until_before_since():
    # Scrapyd builds the spider from a job's arguments without the command-line checks.
    from newscrawl.spiders.base import UsageError
    from newscrawl.spiders.inqilab import InqilabSpider

    with pytest.raises(UsageError, match="before since"):
        InqilabSpider(since="2024-02-01", until="2024-01-01")
    assert InqilabSpider(since="2024-01-01", until="2024-01-01").until.isoformat() == "2024-01-01"
