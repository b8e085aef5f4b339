"""The database out as JSON Lines, CSV or a verifiable text corpus: the library under
``scrapy export``.

- Streaming: articles come from one cursor and go straight out, so memory stays flat however
  large the database. What ``--new`` must remember goes to a temporary table, not a Python set.
- Safe: a file is written under a temporary name beside its target and renamed when complete; a
  corpus folder likewise. An interrupted export leaves the old output (or none), never half of one.
- Consistent: the whole export reads one snapshot of the database, so a crawl writing meanwhile
  neither blocks it nor shows it half a batch.
- Faithful: UTF-8 throughout, no ASCII escapes; corpus files hold exactly the text the content
  hash is taken over, so ``sha256sum FILE | cut -c1-16`` gives the hash in the file's name.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TextIO

from newscrawl import text
from newscrawl.store import ARTICLE_COLUMNS, JSON_COLUMNS, ArticleQuery, Store

FORMATS = ("jsonl", "csv", "txt")
STDOUT = "-"
INDEX_NAME = "index.csv"
INDEX_COLUMNS = (
    "number",
    "hash",
    "outlet",
    "url",
    "published_at",
    "updated_at",
    "author",
    "category",
    "title",
)

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ExportError(Exception):
    """An export problem a person can act on; the message is one line."""


@dataclass(frozen=True)
class ExportSummary:
    count: int
    fmt: str
    output: str  # the path written, or "-"
    seconds: float
    all_revisions: bool = False
    new_for: str | None = None  # the target whose earlier exports were left out (--new)
    unverifiable: int = 0  # corpus only: stored hash does not match the text, left out

    def describe(self) -> str:
        where = "stdout" if self.output == STDOUT else self.output
        what = ["all revisions" if self.all_revisions else "latest revisions"]
        if self.new_for:
            what.append(f"only what no earlier export to {self.new_for} took")
        line = (
            f"exported {_articles(self.count)} ({self.fmt}, {', '.join(what)}) to {where}"
            f" in {self.seconds:.1f} s"
        )
        if self.unverifiable:
            line += (
                f"; left out {_articles(self.unverifiable)} whose stored hash does not match"
                " the text"
            )
        return line


def _articles(n: int) -> str:
    return f"{n:,} article" + ("" if n == 1 else "s")


def parse_day(value: str | date | None, option: str) -> date | None:
    """A ``YYYY-MM-DD`` day (Bengali digits welcome), or an ExportError naming the form."""
    if value is None or isinstance(value, date):
        return value
    ascii_value = text.to_ascii_digits(value.strip())
    if _DAY.fullmatch(ascii_value):
        try:
            return date.fromisoformat(ascii_value)
        except ValueError:
            pass  # the right shape but no such day, e.g. 2023-02-30
    raise ExportError(f"bad {option} date {value!r}: expected YYYY-MM-DD, e.g. 2023-08-16")


def export_target(output: str | Path, name: str | None) -> str | None:
    """What an export is remembered as for ``--new``: its label, else its absolute path."""
    if name is not None:
        if not name.strip():
            raise ExportError("--name must not be empty")
        return name
    if str(output) == STDOUT:
        return None
    return str(Path(output).resolve())


class Progress:
    """A one-line progress bar on a terminal; silent when the stream is a file or a pipe."""

    WIDTH = 24

    def __init__(self, stream: TextIO | None, *, every: float = 0.1):
        self.stream = stream
        self.enabled = stream is not None and stream.isatty()
        self.every = every
        self.total: int | None = None
        self.shown = False
        self.last = 0.0

    def start(self, total: int) -> None:
        self.total = total

    def update(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < self.every):
            return
        self.last = now
        total = max(self.total or 0, done)
        filled = self.WIDTH * done // total if total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        assert self.stream is not None
        self.stream.write(f"\r[{bar}] {done:,}/{total:,} articles")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown and self.stream is not None:
            self.stream.write("\r" + " " * (self.WIDTH + 40) + "\r")
            self.stream.flush()


def export(
    store: Store,
    output: str | Path,
    *,
    fmt: str = "jsonl",
    outlets: Sequence[str] = (),
    since: str | date | None = None,
    until: str | date | None = None,
    all_revisions: bool = False,
    new: bool = False,
    name: str | None = None,
    force: bool = False,
    bom: bool = False,
    stdout: BinaryIO | None = None,
    progress: Progress | None = None,
) -> ExportSummary:
    """Export articles from ``store`` to ``output`` (a file, a folder for txt, or "-").

    ``new`` leaves out what earlier exports to the same target took; the target is ``name`` if
    given, else the output's absolute path. Every complete export is remembered that way.
    """
    started = time.monotonic()
    since, until = parse_day(since, "--since"), parse_day(until, "--until")
    if bom and fmt == "jsonl":
        raise ExportError("--bom is for csv and the txt corpus's index.csv, not for jsonl")
    destination = _check_output(output, fmt, force)
    target = export_target(output, name)
    if new and target is None:
        raise ExportError("--new needs to know which export it follows: with --output - add --name")
    if since and until and since > until:
        raise ExportError(f"--since {since} is after --until {until}: no article could match")
    store.require_outlets(outlets)
    query = ArticleQuery(
        outlets=tuple(outlets),
        since=since,
        until=until,
        latest_only=not all_revisions,
        not_exported_to=target if new else None,
    )
    progress = progress or Progress(None)
    store.start_export_tally()
    with store.snapshot():
        if progress.enabled:
            progress.start(store.count_articles(query))
        with _opened(destination, fmt, stdout) as place:
            count, unverifiable = _write(store, query, _sink(fmt, place, store, bom), progress)
    progress.finish()
    # Remembered only once the output is complete: should this fail, the next --new repeats
    # these articles rather than losing them.
    if target is not None:
        store.remember_export(target)
    return ExportSummary(
        count=count,
        fmt=fmt,
        output=str(destination) if destination else STDOUT,
        seconds=time.monotonic() - started,
        all_revisions=all_revisions,
        new_for=target if new else None,
        unverifiable=unverifiable,
    )


def _write(store: Store, query: ArticleQuery, sink: Sink, progress: Progress) -> tuple[int, int]:
    written = left_out = 0
    with sink:
        for article in store.select_articles(query):
            if sink.write(article):
                store.tally_exported(article["content_hash"])
                written += 1
            else:
                left_out += 1
            progress.update(written + left_out)
    progress.update(written + left_out, force=True)
    return written, left_out


# -- where the output goes -------------------------------------------------------------------


def _check_output(output: str | Path, fmt: str, force: bool) -> Path | None:
    """The path to write (None for stdout), after the checks that need no database."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if str(output) == STDOUT:
        if fmt == "txt":
            raise ExportError("--format txt writes a folder of files: give --output FOLDER")
        return None
    path = Path(output).absolute()
    wants_folder = fmt == "txt"
    if path.exists():
        if path.is_dir() != wants_folder:
            kind = "a folder" if path.is_dir() else "a file"
            needs = "a folder" if wants_folder else "a file name"
            raise ExportError(f"{path} is {kind}; --format {fmt} needs {needs} for --output")
        if not force:
            raise ExportError(f"{path} already exists: add --force to replace it")
    return path


@contextmanager
def _opened(destination: Path | None, fmt: str, stdout: BinaryIO | None) -> Iterator[Any]:
    if destination is None:
        yield stdout if stdout is not None else sys.stdout.buffer
    elif fmt == "txt":
        with _atomic_folder(destination) as folder:
            yield folder
    else:
        with _atomic_file(destination) as stream:
            yield stream


def _temporary_sibling(path: Path, kind: str) -> Path:
    return path.with_name(f"{path.name}.{kind}-{secrets.token_hex(4)}")


@contextmanager
def _atomic_file(target: Path) -> Iterator[BinaryIO]:
    """A file that appears at ``target`` complete, or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_sibling(target, "tmp")
    try:
        with open(temporary, "xb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def _atomic_folder(target: Path) -> Iterator[Path]:
    """A folder that appears at ``target`` complete, or not at all.

    A non-empty folder cannot be renamed over another, so a replaced one is first moved aside
    and deleted once the new one is in place.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_sibling(target, "tmp")
    temporary.mkdir()
    try:
        yield temporary
        if target.exists():
            old = _temporary_sibling(target, "old")
            target.rename(old)
            temporary.rename(target)
            shutil.rmtree(old)
        else:
            temporary.rename(target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


# -- formats ---------------------------------------------------------------------------------


class Sink(Protocol):
    def __enter__(self) -> Sink: ...
    def __exit__(self, *exc: object) -> None: ...
    def write(self, article: dict[str, Any]) -> bool: ...


class _Utf8:
    """A text writer over a binary stream, so stdout is UTF-8 whatever the locale says."""

    def __init__(self, stream: BinaryIO, *, bom: bool = False):
        self.stream = stream
        if bom:
            stream.write(codecs.BOM_UTF8)

    def write(self, value: str) -> int:
        return self.stream.write(value.encode("utf-8"))


class JsonLinesSink:
    """One JSON object per line, every stored column, Bengali as it is (not \\u-escaped)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream

    def __enter__(self) -> JsonLinesSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.flush()

    def write(self, article: dict[str, Any]) -> bool:
        line = json.dumps(article, ensure_ascii=False) + "\n"
        self.stream.write(line.encode("utf-8"))
        return True


class CsvSink:
    """Every stored column; lists and mappings as JSON text; a BOM on request for spreadsheets."""

    def __init__(self, stream: BinaryIO, *, bom: bool = False):
        self.stream = stream
        self.rows = csv.writer(_Utf8(stream, bom=bom))
        self.rows.writerow(ARTICLE_COLUMNS)

    def __enter__(self) -> CsvSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.flush()

    def write(self, article: dict[str, Any]) -> bool:
        self.rows.writerow(_csv_cell(column, article[column]) for column in ARTICLE_COLUMNS)
        return True


def _csv_cell(column: str, value: Any) -> Any:
    if column in JSON_COLUMNS and value is not None:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


class CorpusSink:
    """``NNN_<content_hash>.txt`` per article, holding exactly the hashed text, and index.csv.

    NNN is the article's ``seq``: stable across exports, so a filtered export has gaps. An
    article whose stored hash is not the hash of its text would break the promise that every
    file verifies against its name, so it is left out and counted instead.
    """

    def __init__(self, folder: Path, *, width: int, bom: bool = False):
        self.folder = folder
        self.width = width
        self.index = open(folder / INDEX_NAME, "xb")  # noqa: SIM115 (closed in __exit__)
        self.rows = csv.writer(_Utf8(self.index, bom=bom))
        self.rows.writerow(INDEX_COLUMNS)

    def __enter__(self) -> CorpusSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.index.close()

    def write(self, article: dict[str, Any]) -> bool:
        content_hash = article["content_hash"]
        # The pipelines store text already clean, so title + blank line + body is the canonical
        # text; cleaning it again cost 85% of a corpus export and is kept for rows stored
        # some other way.
        data = f"{article['title']}\n\n{article['body']}".encode()
        if _hash(data) != content_hash:
            data = text.canonical_text(article["title"], article["body"]).encode()
            if _hash(data) != content_hash:
                return False
        number = f"{article['seq']:0{self.width}d}"
        (self.folder / f"{number}_{content_hash}.txt").write_bytes(data)
        self.rows.writerow([number, content_hash, *(article[c] for c in INDEX_COLUMNS[2:])])
        return True


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def corpus_width(max_seq: int) -> int:
    """Digits for every number in one corpus: at least three, as in the seeds."""
    return max(3, len(str(max_seq)))


def _sink(fmt: str, place: Any, store: Store, bom: bool) -> Sink:
    if fmt == "jsonl":
        return JsonLinesSink(place)
    if fmt == "csv":
        return CsvSink(place, bom=bom)
    # Read inside the export's snapshot, so no article in it can have a longer number.
    return CorpusSink(place, width=corpus_width(store.max_seq()), bom=bom)
