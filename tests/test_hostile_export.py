"""Exports where users and the world are careless: each fault run as a user runs it.

``--force`` at a folder of notes, at the database's own folder, at the database; a database
on a read-only disk; exports killed half way; two exports to one path; CSV cells a spreadsheet
would run as formulas. After each, nothing that was there is lost.

Read-only tests need a process that file permissions bind: as root, the command runs without
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so the permission bits apply to it as to anyone.
"""

from __future__ import annotations

import csv
import ctypes
import fcntl
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawl import text
from newscrawl.export import export
from newscrawl.store import Store, StoreError
from tests.conftest import PROJECT, run_scrapy, scrapy_args, scrapy_env
from tests.test_export import ARTICLES, RAIN, RECEDING, news, read_jsonl

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


@pytest.fixture
def data(tmp_path):
    """``data/newscrawl.db`` holding the five articles of test_export, closed cleanly."""
    folder = tmp_path / "data"
    with Store(folder / "newscrawl.db") as store:
        store.write_batch(ARTICLES)
    return folder


def export_cmd(db, *args, **kw):
    return run_scrapy("export", *args, settings={"NEWSCRAWL_DB": str(db)}, **kw)


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {
        str(p.relative_to(root)): None if p.is_dir() else p.read_bytes()
        for p in sorted(root.rglob("*"))
    }


def assert_refused(result, *fragments):
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scrapy export: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert "add --force" not in lines[0]  # the refusal must not point at the way to lose data


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


# -- --force never destroys -----------------------------------------------------------------


def test_force_never_empties_a_folder_holding_other_things(data, tmp_path):
    mine = tmp_path / "mine"
    (mine / "drafts").mkdir(parents=True)
    (mine / "notes.txt").write_text("my notes", encoding="utf-8")
    (mine / "drafts" / "one.txt").write_text("a draft", encoding="utf-8")
    (mine / "001_0123456789abcdef.txt").write_text("looks like ours", encoding="utf-8")
    before = tree(mine)
    for force in ([], ["--force"]):
        result = export_cmd(data / "newscrawl.db", "-f", "txt", "-o", str(mine), *force)
        assert_refused(result, str(mine), "no export wrote", "drafts/", "notes.txt")
    assert tree(mine) == before


def test_force_at_the_database_folder_loses_nothing(data, tmp_path):
    (data / "README").write_text("what this folder is", encoding="utf-8")
    before = tree(data)
    result = export_cmd(data / "newscrawl.db", "-f", "txt", "-o", str(data), "--force")
    assert_refused(result, "newscrawl.db", "no export wrote")
    assert tree(data) == before
    later = export_cmd(data / "newscrawl.db", "-o", str(tmp_path / "later.jsonl"))
    assert later.returncode == 0, later.stderr
    assert len(read_jsonl(tmp_path / "later.jsonl")) == 4


@pytest.mark.parametrize("name", ["newscrawl.db", "newscrawl.db-wal", "newscrawl.db-shm"])
def test_the_database_and_its_companions_are_never_an_output(data, name):
    db = data / "newscrawl.db"
    before = tree(data)
    for fmt in ("jsonl", "csv"):
        result = export_cmd(db, "-f", fmt, "-o", str(data / name), "--force")
        assert_refused(result, "is the database itself")
    assert tree(data) == before and integrity(db) == "ok"


def test_a_link_to_the_database_and_another_sqlite_file_are_never_replaced(data, tmp_path):
    db = data / "newscrawl.db"
    (tmp_path / "link.jsonl").symlink_to(db)
    other = tmp_path / "other.jsonl"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE mine (x)")
    conn.close()
    before = tree(tmp_path)
    assert_refused(export_cmd(db, "-o", str(tmp_path / "link.jsonl"), "--force"), "database")
    assert_refused(export_cmd(db, "-o", str(other), "--force"), "is an SQLite database")
    assert tree(tmp_path) == before and integrity(db) == "ok"


def test_force_never_replaces_a_file_an_export_did_not_write(data, tmp_path):
    notes = tmp_path / "notes.csv"
    notes.write_text("name,phone\nRahim,017\n", encoding="utf-8")
    for force in ([], ["--force"]):
        result = export_cmd(data / "newscrawl.db", "-f", "csv", "-o", str(notes), *force)
        assert_refused(result, "does not look like an export")
    assert notes.read_text(encoding="utf-8") == "name,phone\nRahim,017\n"


def test_force_replaces_an_earlier_corpus_and_an_empty_folder_needs_no_force(data, tmp_path):
    db = data / "newscrawl.db"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    assert export_cmd(db, "-f", "txt", "-o", str(corpus), "--outlet", "sunnews").returncode == 0
    assert len(list(corpus.glob("*.txt"))) == 2
    assert (corpus / ".newscrawl-export").exists()
    refused = export_cmd(db, "-f", "txt", "-o", str(corpus))
    assert refused.returncode == 1 and "earlier export: add --force" in refused.stderr
    forced = export_cmd(db, "-f", "txt", "-o", str(corpus), "--force")
    assert forced.returncode == 0, forced.stderr
    assert len(list(corpus.glob("*.txt"))) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == [".corpus.lock", "corpus", "data"]


# -- read-only databases and folders ----------------------------------------------------------


def _bound_by_permissions() -> None:
    """In the child, before exec: as root, give up the capabilities that ignore file modes."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
            if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                os._exit(99)


@pytest.fixture
def read_only(tmp_path):
    """Make paths read-only for the test (modes restored after, so tmp_path can be removed)."""
    probe = subprocess.run(["true"], preexec_fn=_bound_by_permissions, check=False)
    if probe.returncode == 99:
        pytest.skip("running as root without CAP_SETPCAP: cannot make permissions bind")
    changed: list[tuple[Path, int]] = []

    def make(*paths: Path) -> None:
        for path in paths:
            mode = path.stat().st_mode
            changed.append((path, mode))
            path.chmod(stat.S_IMODE(mode) & ~0o222)

    yield make
    for path, mode in reversed(changed):
        path.chmod(stat.S_IMODE(mode))


def export_as_user(db, *args):
    return export_cmd(db, *args, preexec_fn=_bound_by_permissions)


def assert_exported_not_remembered(result, count):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warning, summary = result.stderr.strip().splitlines()
    assert warning.startswith("scrapy export: warning: this export is not remembered for --new")
    assert "read-only" in warning
    assert summary.startswith(f"exported {count} articles")


def killed_after_commit(db: Path, article: dict) -> None:
    """A crawl killed after committing ``article``: it is in the -wal, beside the -shm."""
    script = (
        "import os\nfrom newscrawl.store import Store\n"
        f"Store({str(db)!r}).write_batch([{article!r}])\nos._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT, check=True)


def test_export_from_a_read_only_folder_writes_its_output_and_changes_nothing(
    data, tmp_path, read_only
):
    db = data / "newscrawl.db"
    read_only(db, data)
    before = tree(data)
    out = tmp_path / "out" / "articles.jsonl"
    for force in ([], ["--force"]):  # --new remembers nothing, so it takes all again
        result = export_as_user(db, "--new", "-o", str(out), *force)
        assert_exported_not_remembered(result, 4)
        assert len(read_jsonl(out)) == 4
    assert tree(data) == before  # not even a -shm file


def test_export_from_a_read_only_database_file_in_a_writable_folder(data, tmp_path, read_only):
    db = data / "newscrawl.db"
    read_only(db)
    result = export_as_user(db, "-f", "csv", "-o", str(tmp_path / "a.csv"))
    assert_exported_not_remembered(result, 4)
    assert integrity(db) == "ok"


def test_export_reads_changes_still_in_the_wal_of_a_read_only_folder(data, tmp_path, read_only):
    db = data / "newscrawl.db"
    # A crawl killed after committing: its batch is in newscrawl.db-wal, beside the -shm.
    late = news(
        RECEDING, outlet="sunnews", article_id="9", published_at="2023-08-18T09:00:00+06:00"
    )
    killed_after_commit(db, late)
    assert Path(f"{db}-wal").stat().st_size > 0
    read_only(*data.iterdir(), data)
    result = export_as_user(db, "-o", str(tmp_path / "out.jsonl"))
    assert_exported_not_remembered(result, 5)
    assert read_jsonl(tmp_path / "out.jsonl")[-1]["article_id"] == "9"


def test_a_wal_without_its_shm_in_a_read_only_folder_is_one_line_not_a_silent_loss(
    data, tmp_path, read_only
):
    db = data / "newscrawl.db"
    late = news(RECEDING, outlet="sunnews", article_id="9")
    killed_after_commit(db, late)
    Path(f"{db}-shm").unlink()
    read_only(*data.iterdir(), data)
    result = export_as_user(db, "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "its -wal file holds changes" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()  # not an export missing the late article


def test_a_read_only_store_remembers_nothing_and_says_why(data, tmp_path):
    with Store(data / "newscrawl.db", readonly=True) as store:
        summary = export(store, tmp_path / "a.jsonl", new=True)
        assert store.readonly and summary.count == 4
        assert "read-only" in summary.warning()
    with Store(data / "newscrawl.db") as store:
        assert not store.readonly and store.count("exports") == 0
        assert export(store, tmp_path / "b.jsonl", new=True).warning() is None
        assert store.count("exports") == 4


# -- killed exports, racing exports --------------------------------------------------------


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_next_export_removes_what_killed_exports_left(data, tmp_path):
    db = data / "newscrawl.db"
    corpus, out = tmp_path / "corpus", tmp_path / "out.jsonl"
    assert export_cmd(db, "-f", "txt", "-o", str(corpus)).returncode == 0
    dead, alive = dead_pid(), os.getpid()
    junk = [
        tmp_path / f"corpus.tmp-{dead}-0123abcd",
        tmp_path / f"corpus.old-{dead}-4567cdef",
    ]
    for folder in junk:
        folder.mkdir()
        (folder / "001_0123456789abcdef.txt").write_text("half", encoding="utf-8")
    junk.append(tmp_path / f"out.jsonl.tmp-{dead}-89abcdef")
    junk[-1].write_text("half a line", encoding="utf-8")
    # Left by versions before pids were in the names: removed once untouched for 15 minutes.
    legacy, fresh = tmp_path / "corpus.old-0123abcd", tmp_path / "out.jsonl.tmp-4567cdef"
    legacy.mkdir()
    fresh.write_text("an old version may still be writing", encoding="utf-8")
    an_hour_ago = time.time() - 3600
    os.utime(legacy, (an_hour_ago, an_hour_ago))
    junk.append(legacy)
    kept = [tmp_path / f"corpus.tmp-{alive}-0123abcd", tmp_path / "corpus.tmp-notes", fresh]
    for path in kept[:2]:
        path.write_text("not junk", encoding="utf-8")

    assert export_cmd(db, "-f", "txt", "-o", str(corpus), "--force").returncode == 0
    assert export_cmd(db, "-o", str(out)).returncode == 0
    assert not any(path.exists() for path in junk)
    assert all(path.exists() for path in kept)
    assert len(list(corpus.glob("*.txt"))) == 4 and len(read_jsonl(out)) == 4


def test_a_corpus_moved_aside_by_a_killed_export_is_put_back(data, tmp_path):
    db = data / "newscrawl.db"
    corpus = tmp_path / "corpus"
    assert export_cmd(db, "-f", "txt", "-o", str(corpus), "--outlet", "sunnews").returncode == 0
    before = tree(corpus)
    corpus.rename(tmp_path / f"corpus.old-{dead_pid()}-0123abcd")  # killed between two renames
    refused = export_cmd(db, "-f", "txt", "-o", str(corpus))
    assert refused.returncode == 1 and "earlier export: add --force" in refused.stderr
    assert tree(corpus) == before


@pytest.fixture
def big_db(tmp_path):
    db = tmp_path / "big.db"
    articles = []
    for i in range(3000):
        article = news(RAIN, article_id=str(i))
        body = article["body"] + f" {i}" * 50
        article.update(body=body, content_hash=text.content_hash(article["title"], body))
        articles.append(article)
    with Store(db) as store:
        store.write_batch(articles)
    return db


def test_an_export_killed_half_way_leaves_nothing_the_next_one_keeps(big_db, tmp_path):
    corpus = tmp_path / "corpus"
    command = [sys.executable, "-m", "scrapy", "export", "-f", "txt", "-o", str(corpus)]
    command += scrapy_args({"NEWSCRAWL_DB": str(big_db)})
    child = subprocess.Popen(command, cwd=PROJECT, env=scrapy_env(), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(f"corpus.tmp-{child.pid}-*/*.txt")):
        assert child.poll() is None and time.monotonic() < deadline, "the export never started"
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert list(tmp_path.glob("corpus.tmp-*")) and not corpus.exists()

    result = export_cmd(big_db, "-f", "txt", "-o", str(corpus))
    assert result.returncode == 0, result.stderr
    assert len(list(corpus.glob("*.txt"))) == 3000
    assert not list(tmp_path.glob("corpus.*"))  # the killed export's folder is gone


def test_a_second_export_to_the_same_path_fails_at_once_and_loses_nothing(data, tmp_path):
    db = data / "newscrawl.db"
    out = tmp_path / "out.jsonl"
    assert export_cmd(db, "-o", str(out), "--outlet", "sunnews").returncode == 0
    with open(tmp_path / ".out.jsonl.lock", "a") as lock:  # another export is writing it
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = export_cmd(db, "-o", str(out), "--force")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"scrapy export: another export is writing {out} right now: wait for it to finish,"
        " or choose another --output"
    )
    assert len(read_jsonl(out)) == 2
    assert export_cmd(db, "-o", str(out), "--force").returncode == 0  # the lock died with it


# -- CSV a spreadsheet will not run ---------------------------------------------------------

HOSTILE_CELLS = ['=HYPERLINK("http://evil.example","ক্লিক")', "+8801712345678", "-2+3", "@SUM(A1)"]


def test_csv_cells_that_start_a_formula_are_defused_unless_raw(db_path, tmp_path):
    title, author, category, subtitle = HOSTILE_CELLS
    article = news(RAIN, article_id="7", author=author, category=category, subtitle=subtitle)
    body = "\tট্যাব দিয়ে শুরু"
    article.update(title=title, body=body, content_hash=text.content_hash(title, body))
    with Store(db_path) as store:
        store.write_batch([article])
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    assert export_cmd(db_path, "-f", "csv", "-o", str(safe)).returncode == 0
    assert export_cmd(db_path, "-f", "csv", "--csv-raw", "-o", str(raw)).returncode == 0
    assert export_cmd(db_path, "-f", "txt", "-o", str(tmp_path / "corpus")).returncode == 0

    def row(path):
        with open(path, encoding="utf-8", newline="") as stream:
            return next(csv.DictReader(stream))

    cells = ("title", "author", "category", "subtitle")
    assert [row(safe)[c] for c in cells] == ["'" + cell for cell in HOSTILE_CELLS]
    assert row(safe)["body"] == "'" + body and row(safe)["url"].startswith("https://")
    assert [row(raw)[c] for c in cells] == HOSTILE_CELLS and row(raw)["body"] == body
    index = row(tmp_path / "corpus" / "index.csv")
    assert index["title"] == "'" + title and index["author"] == "'" + author
    jsonl = export_cmd(db_path, "--csv-raw")
    assert jsonl.returncode == 1 and "--csv-raw is for csv" in jsonl.stderr


def test_a_read_only_store_cannot_upgrade_and_a_writer_is_told_it_needs_write_access(
    data, read_only
):
    db = data / "newscrawl.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    with pytest.raises(StoreError, match="is read-only, so this newscrawl cannot upgrade it"):
        Store(db, readonly=True)

    read_only(db, data)
    script = (
        "from newscrawl.store import Store, StoreError\n"
        f"try:\n    Store({str(db)!r})\nexcept StoreError as e:\n    print(e)\n"
    )
    opened = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_bound_by_permissions,
    )
    assert opened.returncode == 0, opened.stderr
    assert "or its folder is read-only" in opened.stdout
    assert "this needs write access" in opened.stdout
