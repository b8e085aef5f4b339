"""What an export says and how it publishes, pinned where mutation testing found nothing
checking it: the summary line and warning word for word, the progress bar, the one-step folder
swap, and the clean-up of what killed exports left behind."""

from __future__ import annotations

import errno
import io
import os
import time
from pathlib import Path

import pytest

from newscrawl import atomic
from newscrawl.export import ExportSummary, Progress

# -- the summary a person reads ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "line"),
    [
        (
            ExportSummary(count=1, fmt="jsonl", output="-", seconds=0.04),
            "exported 1 article (jsonl, latest revisions) to stdout in 0.0 s",
        ),
        (
            ExportSummary(count=1234, fmt="csv", output="/tmp/a.csv", seconds=2.26,
                          all_revisions=True, new_for="nightly"),
            "exported 1,234 articles (csv, all revisions, only what no earlier export to nightly"
            " took) to /tmp/a.csv in 2.3 s",
        ),
        (
            ExportSummary(count=0, fmt="txt", output="/tmp/corpus", seconds=1.0, unverifiable=2,
                          card="/tmp/corpus/README.md"),
            "exported 0 articles (txt, latest revisions) to /tmp/corpus in 1.0 s; left out"
            " 2 articles whose stored hash does not match the text; dataset card"
            " /tmp/corpus/README.md",
        ),
        (
            ExportSummary(count=3, fmt="txt", output="/tmp/c", seconds=0.5, unverifiable=1),
            "exported 3 articles (txt, latest revisions) to /tmp/c in 0.5 s; left out 1 article"
            " whose stored hash does not match the text",
        ),
    ],
)  # fmt: skip
def test_the_summary_line_word_for_word(summary, line):
    assert summary.describe() == line


def test_the_warning_says_why_the_next_new_export_repeats_articles():
    remembered = ExportSummary(count=1, fmt="jsonl", output="-", seconds=0)
    assert remembered.warning() is None
    forgotten = ExportSummary(
        count=1, fmt="jsonl", output="-", seconds=0, not_remembered="/data/n.db is read-only"
    )
    assert forgotten.warning() == (
        "warning: this export is not remembered for --new (/data/n.db is read-only):"
        " the next --new export repeats its articles"
    )


# -- the progress bar ----------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_fills_in_proportion_and_is_cleared_at_the_end():
    terminal = Terminal()
    progress = Progress(terminal, every=0)
    progress.start(4)
    progress.update(1)
    assert terminal.getvalue() == "\r[" + "#" * 6 + "-" * 18 + "] 1/4 articles"
    progress.update(4)
    assert terminal.getvalue().endswith("\r[" + "#" * 24 + "] 4/4 articles")
    progress.finish()
    assert terminal.getvalue().endswith("\r" + " " * 64 + "\r")


def test_the_bar_never_runs_past_full_nor_divides_by_nothing():
    terminal = Terminal()
    progress = Progress(terminal, every=0)
    progress.update(5)  # no total known: the done count stands in for it
    assert terminal.getvalue() == "\r[" + "#" * 24 + "] 5/5 articles"
    progress.start(0)
    progress.update(0)
    assert terminal.getvalue().endswith("\r[" + "#" * 24 + "] 0/0 articles")


def test_the_bar_is_drawn_at_most_every_interval_unless_forced():
    terminal = Terminal()
    progress = Progress(terminal, every=3600)
    progress.start(10)
    progress.update(1)  # the first draw: nothing drawn yet
    progress.update(2)
    assert terminal.getvalue().count("\r[") == 1
    progress.update(3, force=True)
    assert terminal.getvalue().count("\r[") == 2 and terminal.getvalue().endswith("3/10 articles")


def test_no_bar_and_nothing_to_clear_when_not_a_terminal():
    pipe = io.StringIO()
    progress = Progress(pipe, every=0)
    progress.start(2)
    progress.update(1, force=True)
    progress.finish()
    assert pipe.getvalue() == ""
    silent = Progress(None)
    silent.update(1, force=True)
    silent.finish()
    assert silent.enabled is False and silent.shown is False


# -- the one-step swap ---------------------------------------------------------------------------


def folder(path: Path, name: str) -> Path:
    path.mkdir()
    (path / name).write_text(name, encoding="utf-8")
    return path


def test_two_folders_are_swapped_in_one_step(tmp_path):
    new, old = folder(tmp_path / "new", "নতুন.txt"), folder(tmp_path / "old", "পুরনো.txt")
    if not atomic._exchange(new, old):
        pytest.skip("this file system cannot swap two paths in one step")
    assert [p.name for p in old.iterdir()] == ["নতুন.txt"]
    assert [p.name for p in new.iterdir()] == ["পুরনো.txt"]


def test_a_swap_that_fails_for_a_reason_other_than_support_is_an_error_naming_the_path(tmp_path):
    new = folder(tmp_path / "new", "a.txt")
    with pytest.raises(OSError) as failed:
        atomic._exchange(new, tmp_path / "missing")
    assert failed.value.errno == errno.ENOENT
    assert failed.value.filename == str(tmp_path / "missing")
    assert (new / "a.txt").exists()


def test_a_swap_the_system_refuses_as_invalid_falls_back_to_renames(tmp_path):
    outer = folder(tmp_path / "outer", "a.txt")
    inner = folder(outer / "inner", "b.txt")
    assert atomic._exchange(outer, inner) is False  # EINVAL: a folder into itself
    assert (outer / "a.txt").exists() and (inner / "b.txt").exists()


def test_a_symlink_named_like_a_corpus_file_is_foreign(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / atomic.MARKER_NAME).write_text("{}")
    (tmp_path / "elsewhere.txt").write_text("x")
    (corpus / "001_0123456789abcdef.txt").symlink_to(tmp_path / "elsewhere.txt")
    assert atomic._foreign_entries(corpus) == ["001_0123456789abcdef.txt"]


# -- what killed exports left --------------------------------------------------------------------


def dead_pid() -> int:
    """A process id nobody holds now."""
    for pid in range(4_000_000, 3_000_000, -1):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            continue
    raise AssertionError("no free process id")


def test_leftovers_of_dead_exports_go_and_those_of_live_ones_stay(tmp_path):
    target = tmp_path / "out.jsonl"
    dead, mine = dead_pid(), os.getpid()
    gone = [
        tmp_path / f"out.jsonl.tmp-{dead}-0123abcd",
        tmp_path / "out.jsonl.tmp-89abcdef",  # no pid (an older version), untouched for long
    ]
    kept = [
        tmp_path / f"out.jsonl.tmp-{mine}-0123abcd",  # this process is still writing it
        tmp_path / "out.jsonl.tmp-fedcba98",  # no pid, touched a moment ago
        tmp_path / f"other.jsonl.tmp-{dead}-0123abcd",  # another output's
        tmp_path / f"out.jsonl.tmp-{dead}-0123abcd.bak",  # not a name an export gives
    ]
    for path in gone + kept:
        path.write_text("x")
    long_ago = time.time() - atomic.LEGACY_QUIET_SECONDS - 60
    os.utime(gone[1], (long_ago, long_ago))
    stale_dir = folder(tmp_path / f"out.jsonl.tmp-{dead}-00000000", "part.txt")

    atomic.clean_leftovers(target)

    assert not any(path.exists() for path in gone) and not stale_dir.exists()
    assert all(path.exists() for path in kept)


def test_an_old_corpus_a_kill_left_aside_is_put_back(tmp_path):
    target = tmp_path / "corpus"
    aside = folder(tmp_path / f"corpus.old-{dead_pid()}-0123abcd", atomic.MARKER_NAME)
    atomic.clean_leftovers(target)
    assert not aside.exists()
    assert (target / atomic.MARKER_NAME).exists()


def test_an_old_corpus_left_aside_is_removed_once_a_new_one_is_in_place(tmp_path):
    target = folder(tmp_path / "corpus", "new.txt")
    aside = folder(tmp_path / f"corpus.old-{dead_pid()}-0123abcd", "old.txt")
    atomic.clean_leftovers(target)
    assert not aside.exists()
    assert [p.name for p in target.iterdir()] == ["new.txt"]


# -- what an export may replace ------------------------------------------------------------------


def refusal(path: Path, wants_folder: bool = False, force: bool = True) -> str | None:
    try:
        atomic.check_replaceable(path, wants_folder, force)
    except atomic.ExportError as error:
        return str(error)
    return None


NOT_OURS = (
    "newscrawl replaces only a file an export wrote, --force or not; give --output another file"
    " name"
)
UNLIKE = "does not look like an export (JSON Lines, CSV or Parquet of articles)"


@pytest.mark.parametrize(
    "first_line",
    [
        b"",  # empty
        b'{"title": "t", "url": "u", "content_hash": "h"}\n',  # exactly the three keys
        b'{"content_hash": "h", "url": "u", "title": "t", "body": "b"}\n',
        b"content_hash,url,title\n",  # exactly the three columns
        b"\xef\xbb\xbfcontent_hash,seq,url,title\r\n",  # a BOM and Windows line ends
        b"content_hash,url,title,\xff\xfe\n",  # a byte that is not UTF-8 further on
    ],
)
def test_files_an_export_wrote_are_replaced_with_force(tmp_path, first_line):
    path = tmp_path / "out"
    path.write_bytes(first_line + (b"more\n" if first_line else b""))
    assert refusal(path) is None
    assert (
        refusal(path, force=False) == f"{path} holds an earlier export: add --force to replace it"
    )


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"SQLite format 3\x00" + bytes(100), "is an SQLite database"),
        (b"PAR1" + bytes(6), "is a Parquet file no export wrote"),
        (b'["content_hash", "url", "title"]\n', UNLIKE),
        (b"title;url;content_hash\n", UNLIKE),
        (b"shopping list\n", UNLIKE),
    ],
)  # fmt: skip
def test_files_no_export_wrote_are_never_replaced(tmp_path, content, why):
    path = tmp_path / "out"
    path.write_bytes(content)
    assert refusal(path) == f"{path} {why}: {NOT_OURS}"


def test_a_fifo_is_not_a_file_an_export_wrote(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    assert refusal(path) == f"{path} is not a regular file: {NOT_OURS}"


def parquet_like(footer: bytes, magic: bytes = atomic.PARQUET_MAGIC) -> bytes:
    return atomic.PARQUET_MAGIC + b"data" + footer + len(footer).to_bytes(4, "little") + magic


@pytest.mark.parametrize(
    ("content", "ours"),
    [
        (parquet_like(b"newscrawl:content_hash"), True),
        (parquet_like(b"newscrawl:content_hash", magic=b"XXXX"), False),  # cut short
        (parquet_like(b"content_hash only"), False),
        (atomic.PARQUET_MAGIC + b"newscrawl content_hash" + (999).to_bytes(4, "little")
         + atomic.PARQUET_MAGIC, False),  # a footer longer than the file
    ],
)  # fmt: skip
def test_a_parquet_file_is_ours_only_when_its_whole_footer_names_newscrawl(tmp_path, content, ours):
    path = tmp_path / "out.parquet"
    path.write_bytes(content)
    assert atomic._parquet_export(path) is ours


def test_a_real_parquet_export_is_recognised(tmp_path):
    pytest.importorskip("pyarrow")
    from newscrawl.sinks import ParquetSink

    path = tmp_path / "out.parquet"
    with open(path, "wb") as stream, ParquetSink(stream):
        pass
    assert atomic._parquet_export(path) is True
    assert refusal(path) is None


@pytest.mark.parametrize(
    ("names", "foreign"),
    [
        ([atomic.MARKER_NAME, "001_0123456789abcdef.txt"], []),  # no index.csv yet: still ours
        ([atomic.INDEX_NAME, "001_0123456789abcdef.txt"], []),  # no marker (older exports)
        (["001_0123456789abcdef.txt"], ["no export marker"]),
        ([atomic.MARKER_NAME, "notes.txt"], ["notes.txt"]),
    ],
)
def test_what_in_a_corpus_folder_an_export_did_not_write(tmp_path, names, foreign):
    for name in names:
        (tmp_path / name).write_text("x")
    assert atomic._foreign_entries(tmp_path) == foreign


def test_a_folder_inside_a_corpus_is_shown_as_a_folder(tmp_path):
    (tmp_path / atomic.MARKER_NAME).write_text("{}")
    (tmp_path / "sub").mkdir()
    assert refusal(tmp_path, wants_folder=True) == (
        f"{tmp_path} holds things no export wrote (sub/): newscrawl never replaces them,"
        " --force or not; give --output a new or empty folder"
    )


def test_a_readme_that_cannot_be_read_is_not_a_card(tmp_path):
    (tmp_path / "README.md").mkdir()
    assert atomic.is_card(tmp_path / "README.md") is False


# -- CSV cells -----------------------------------------------------------------------------------


def test_csv_by_default_has_no_bom_defuses_formulas_and_writes_lists_as_readable_json():
    from newscrawl.sinks import CsvSink
    from newscrawl.store import ARTICLE_COLUMNS

    stream = io.BytesIO()
    article = dict.fromkeys(ARTICLE_COLUMNS)
    article.update(title="=SUM(A1)", tags=["খেলা", "ক্রিকেট"], extraction={"title": "a", "body": "b"})
    with CsvSink(stream) as sink:
        sink.write(article)
    data = stream.getvalue()
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(__import__("csv").reader(io.StringIO(data.decode("utf-8"))))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["title"] == "'=SUM(A1)"
    assert row["tags"] == '["খেলা", "ক্রিকেট"]'
    assert row["extraction"] == '{"body": "b", "title": "a"}'


def test_csv_raw_leaves_formulas_as_they_are():
    from newscrawl.sinks import CsvSink
    from newscrawl.store import ARTICLE_COLUMNS

    stream = io.BytesIO()
    with CsvSink(stream, raw=True) as sink:
        sink.write({**dict.fromkeys(ARTICLE_COLUMNS), "title": "=SUM(A1)"})
    assert ",=SUM(A1)," in stream.getvalue().decode("utf-8")


def test_the_corpus_index_lists_number_hash_outlet_and_the_rest_formula_safe(tmp_path):
    import csv

    from newscrawl import text as texts
    from newscrawl.sinks import INDEX_COLUMNS, CorpusSink

    title, body = "-শিরোনাম", "লেখা"
    article = {
        "content_hash": texts.content_hash(title, body), "seq": 7, "outlet": "inqilab",
        "url": "http://x/7", "published_at": None, "updated_at": None, "author": "=লেখক",
        "category": None, "title": title, "body": body,
    }  # fmt: skip
    with CorpusSink(tmp_path, width=3) as sink:
        assert sink.write(article) is True
    data = (tmp_path / "index.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == list(INDEX_COLUMNS)
    assert rows[1] == ["007", article["content_hash"], "inqilab", "http://x/7", "", "", "'=লেখক",
                       "", "'-শিরোনাম"]  # fmt: skip


def test_parquet_row_groups_close_at_the_byte_and_row_bounds_and_cells_read_back(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from newscrawl.sinks import PARQUET_COLUMNS, ParquetSink

    article = {name: None for name, _ in PARQUET_COLUMNS if not name.endswith("_iso")}
    article.update(
        content_hash="0" * 16, seq=1, outlet="inqilab", url="u", title="ক", body="খগ",
        tags=["খেলা"], extraction={"title": "a", "body": "b"},
        published_at="2023-08-16T08:39:00+06:00",
    )  # fmt: skip
    size = len(article["body"].encode()) + len(article["title"].encode())

    def groups(**bounds) -> list[int]:
        path = tmp_path / "out.parquet"
        with open(path, "wb") as stream, ParquetSink(stream, **bounds) as sink:
            for _ in range(3):
                sink.write(dict(article))
        meta = pq.ParquetFile(path).metadata
        return [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]

    assert groups(row_group_bytes=size * 2) == [2, 1]
    assert groups(row_group_bytes=size * 2 + 1) == [3]
    assert groups(row_group_rows=2) == [2, 1]
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.metadata[b"newscrawl"] == b'{"by": "scrapy export"}'
    row = table.to_pylist()[0]
    assert row["extraction"] == '{"body": "b", "title": "a"}'
    assert row["tags"] == ["খেলা"]
    assert row["published_at_iso"] == "2023-08-16T08:39:00+06:00"


def test_times_become_utc_whatever_the_machines_zone(monkeypatch):
    from datetime import UTC, datetime, timedelta

    from newscrawl.sinks import utc_timestamp

    monkeypatch.setenv("TZ", "Asia/Dhaka")
    time.tzset()
    try:
        moment = utc_timestamp("2023-08-16T08:39:00+06:00")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert moment == datetime(2023, 8, 16, 2, 39, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)
    assert utc_timestamp("2023-08-16T08:39:00") is None
    assert utc_timestamp("not a time") is None


# -- export() itself -------------------------------------------------------------------------------


@pytest.fixture
def filled(db_path):
    from newscrawl.store import Store
    from tests.test_export import ARTICLES

    with Store(db_path) as store:
        store.write_batch(ARTICLES)
        yield store


def refused_export(store, output, **options) -> str:
    from newscrawl.export import ExportError, export

    with pytest.raises(ExportError) as refused:
        export(store, output, **options)
    return str(refused.value)


def test_export_refusals_word_for_word(filled, tmp_path):
    out = tmp_path / "a.jsonl"
    assert refused_export(filled, out, since="16/08/2023") == (
        "bad --since date '16/08/2023': expected YYYY-MM-DD, e.g. 2023-08-16"
    )
    assert refused_export(filled, out, until="2023-02-30") == (
        "bad --until date '2023-02-30': expected YYYY-MM-DD, e.g. 2023-08-16"
    )
    assert refused_export(filled, out, bom=True) == (
        "--bom is for csv and the txt corpus's index.csv, not for jsonl"
    )
    assert refused_export(filled, out, raw_csv=True) == (
        "--csv-raw is for csv and the txt corpus's index.csv, not for jsonl"
    )
    assert refused_export(filled, "-", card=True) == (
        "--card writes README.md beside the output: give --output FILE"
    )
    assert refused_export(filled, "-", new=True) == (
        "--new needs to know which export it follows: with --output - add --name"
    )
    assert refused_export(filled, out, since="2023-08-17", until="2023-08-16") == (
        "--since 2023-08-17 is after --until 2023-08-16: no article could match"
    )
    assert refused_export(filled, out, name=" ") == "--name must not be empty"
    assert refused_export(filled, filled.path) == (
        f"{filled.path} is the database itself: give --output another file name"
    )
    assert not out.exists()


def test_the_summary_of_an_export_says_what_went_where(filled, tmp_path):
    from newscrawl.export import export, export_target

    out = tmp_path / "deep" / "new" / "a.csv"
    summary = export(filled, out, fmt="csv", all_revisions=True, raw_csv=True, card=True)
    assert (summary.fmt, summary.count, summary.output) == ("csv", 5, str(out))
    assert summary.all_revisions is True and summary.new_for is None
    assert summary.not_remembered is None and summary.warning() is None
    assert summary.card == str(out.parent / "README.md") and (out.parent / "README.md").exists()
    assert 0 <= summary.seconds < 60
    assert export_target(out, None) == str(out.resolve())

    again = export(filled, out, fmt="csv", new=True, force=True, card=False)
    assert again.count == 0 and again.new_for == str(out.resolve()) and again.card is None


def test_a_corpus_gets_its_card_inside_and_stdout_is_said_as_such(filled, tmp_path):
    from newscrawl.export import export

    summary = export(filled, tmp_path / "corpus", fmt="txt")
    assert summary.card == str(tmp_path / "corpus" / "README.md")
    assert (tmp_path / "corpus" / "README.md").exists()
    stream = io.BytesIO()
    streamed = export(filled, "-", stdout=stream, name="feed")
    assert streamed.output == "-" and streamed.count == 4 and streamed.card is None
    assert len(stream.getvalue().splitlines()) == 4


def test_the_progress_bar_knows_the_total_from_the_start(filled, tmp_path):
    from newscrawl.export import export

    terminal = Terminal()
    export(filled, tmp_path / "a.jsonl", progress=Progress(terminal, every=0))
    assert "] 1/4 articles" in terminal.getvalue()


def test_a_folder_for_a_file_and_a_file_for_a_folder_are_refused_saying_which(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    assert refusal(folder) == (
        f"{folder} is a folder; --format jsonl, csv and parquet needs a file name for --output"
    )
    file = tmp_path / "out.txt"
    file.write_text("x")
    assert refusal(file, wants_folder=True) == (
        f"{file} is a file; --format txt needs a folder for --output"
    )


@pytest.mark.parametrize(
    ("names", "shown"), [(["a", "b", "c"], "a, b, c"), (["a", "b", "c", "d"], "a, b, c, …")]
)
def test_a_folder_of_other_things_names_three_of_them(tmp_path, names, shown):
    for name in names:
        (tmp_path / name).write_text("x")
    assert refusal(tmp_path, wants_folder=True) == (
        f"{tmp_path} holds things no export wrote ({shown}): newscrawl never replaces them,"
        " --force or not; give --output a new or empty folder"
    )


def test_formats_and_outputs_that_do_not_fit_are_refused_word_for_word(filled, tmp_path):
    assert refused_export(filled, tmp_path / "a.xml", fmt="xml") == (
        "unknown format 'xml': use one of jsonl, csv, txt, parquet"
    )
    assert refused_export(filled, "-", fmt="txt") == (
        "--format txt writes a folder of files: give --output FOLDER"
    )
    assert refused_export(filled, "-", fmt="parquet") == (
        "--format parquet writes a file: give --output FILE"
    )
