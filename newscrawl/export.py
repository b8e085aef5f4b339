"""The database out as JSON Lines, CSV, Parquet or a verifiable text corpus, with a dataset card
(newscrawl.card) on request: the library under ``scrapy export``.

- Streaming: articles come from one cursor and go straight out, so memory stays flat however
  large the database. What ``--new`` must remember goes to a temporary table, not a Python set.
- Safe: an output is replaced only if an export wrote it, never the database (see
  newscrawl.atomic); it is written under a temporary name and renamed when complete, so an
  interrupted export leaves the old output (or none), never half of one.
- Consistent: the whole export reads one snapshot of the database, so a crawl writing meanwhile
  neither blocks it nor shows it half a batch.
- Faithful: UTF-8 throughout, no ASCII escapes; corpus files hold exactly the text the content
  hash is taken over, so ``sha256sum FILE | cut -c1-16`` gives the hash in the file's name.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from newscrawl import text
from newscrawl.atomic import (
    CARD_NAME,
    INDEX_NAME,
    ExportError,
    atomic_file,
    atomic_folder,
    check_replaceable,
    clean_leftovers,
    output_lock,
    refuse_database,
)
from newscrawl.card import (
    CardFacts,
    Selection,
    check_card_place,
    claimed_card,
    publish_card,
    write_card,
)
from newscrawl.sinks import (
    INDEX_COLUMNS,
    CorpusSink,
    CsvSink,
    JsonLinesSink,
    ParquetSink,
    Sink,
    corpus_width,
    require_pyarrow,
)
from newscrawl.store import ArticleQuery, Store

FORMATS = ("jsonl", "csv", "txt", "parquet")
CARD_BY_DEFAULT = ("txt", "parquet")  # the formats data teams hand on; --card for the others
STDOUT = "-"
__all__ = [  # what ``newscrawl.export`` offers, the formats' names included
    "FORMATS",
    "INDEX_COLUMNS",
    "INDEX_NAME",
    "STDOUT",
    "CorpusSink",
    "CsvSink",
    "ExportError",
    "ExportSummary",
    "JsonLinesSink",
    "ParquetSink",
    "Progress",
    "corpus_width",
    "export",
    "export_target",
    "parse_day",
]

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class ExportSummary:
    count: int
    fmt: str
    output: str  # the path written, or "-"
    seconds: float
    all_revisions: bool = False
    new_for: str | None = None  # the target whose earlier exports were left out (--new)
    unverifiable: int = 0  # corpus only: stored hash does not match the text, left out
    not_remembered: str | None = None  # why --new will not know of this export, if it won't
    card: str | None = None  # where the dataset card went

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
        if self.card:
            line += f"; dataset card {self.card}"
        return line

    def warning(self) -> str | None:
        if self.not_remembered is None:
            return None
        return (
            f"warning: this export is not remembered for --new ({self.not_remembered}):"
            " the next --new export repeats its articles"
        )


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
    raw_csv: bool = False,
    card: bool | None = None,
    stdout: BinaryIO | None = None,
    progress: Progress | None = None,
) -> ExportSummary:
    """Export articles from ``store`` to ``output`` (a file, a folder for txt, or "-").

    ``new`` leaves out what earlier exports to the same target took; the target is ``name`` if
    given, else the output's absolute path. Every complete export is remembered that way,
    unless the database is read-only: then ``not_remembered`` in the summary says so.
    ``card`` (default: on for txt and parquet) writes a dataset card, README.md, beside the
    output or inside a corpus folder (see newscrawl.card).
    """
    started = time.monotonic()
    since, until = parse_day(since, "--since"), parse_day(until, "--until")
    for wanted, option in ((bom, "--bom"), (raw_csv, "--csv-raw")):
        if wanted and fmt in ("jsonl", "parquet"):
            raise ExportError(f"{option} is for csv and the txt corpus's index.csv, not for {fmt}")
    destination = _check_output(output, fmt, store.path)
    card = fmt in CARD_BY_DEFAULT if card is None else card
    if card and destination is None:
        raise ExportError("--card writes README.md beside the output: give --output FILE")
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
    facts = CardFacts()
    selection = Selection(
        fmt=fmt,
        output_name=destination.name if destination else STDOUT,
        all_revisions=all_revisions,
        outlets=tuple(outlets),
        since=since,
        until=until,
        new=new,
        exported_on=datetime.now(UTC).date(),
    )
    if destination is not None:  # refused before anything, a lock file even, is created
        check_replaceable(destination, fmt == "txt", force)
        if card and fmt != "txt":
            check_card_place(destination)
    store.start_export_tally()
    card_at = None
    with ExitStack() as card_lock:
        if card and fmt != "txt":
            assert destination is not None
            destination.parent.mkdir(parents=True, exist_ok=True)
            card_at = card_lock.enter_context(claimed_card(destination))
        with _opened(destination, fmt, force, stdout) as place, store.snapshot():
            if progress.enabled:
                progress.start(store.count_articles(query))
            sink = _sink(fmt, place, store, bom=bom, raw=raw_csv)
            count, unverifiable = _write(store, query, sink, progress, facts)
            if card and fmt == "txt":
                write_card(place / CARD_NAME, facts, selection)
                card_at = Path(output).absolute() / CARD_NAME
        progress.finish()
        # After the data, so a card never describes an output that failed to appear.
        if card_at is not None and fmt != "txt":
            publish_card(card_at, facts, selection)
    # Remembered only once the output is complete: should this fail, the next --new repeats
    # these articles rather than losing them.
    not_remembered = None
    if target is not None:
        not_remembered = _remember(store, target)
    return ExportSummary(
        count=count,
        fmt=fmt,
        output=str(destination) if destination else STDOUT,
        seconds=time.monotonic() - started,
        all_revisions=all_revisions,
        new_for=target if new else None,
        unverifiable=unverifiable,
        not_remembered=not_remembered,
        card=str(card_at) if card_at else None,
    )


def _remember(store: Store, target: str) -> str | None:
    """Record what the export took; why not, when the database cannot be written."""
    if store.readonly:
        return f"{store.path} is read-only"
    try:
        store.remember_export(target)
    except sqlite3.OperationalError as error:  # read-only after all, disk full, locked too long
        return f"{store.path}: {error}"
    return None


def _write(
    store: Store, query: ArticleQuery, sink: Sink, progress: Progress, facts: CardFacts
) -> tuple[int, int]:
    written = left_out = 0
    with sink:
        for article in store.select_articles(query):
            if sink.write(article):
                store.tally_exported(article["content_hash"])
                facts.add(article)
                written += 1
            else:
                left_out += 1
            progress.update(written + left_out)
    progress.update(written + left_out, force=True)
    return written, left_out


# -- where the output goes -------------------------------------------------------------------


def _check_output(output: str | Path, fmt: str, database: Path | None) -> Path | None:
    """The path to write (None for stdout), after the checks that need no lock."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        try:
            require_pyarrow()
        except ImportError as error:
            raise ExportError(str(error)) from None
    if str(output) == STDOUT:
        if fmt == "txt":
            raise ExportError("--format txt writes a folder of files: give --output FOLDER")
        if fmt == "parquet":
            raise ExportError("--format parquet writes a file: give --output FILE")
        return None
    path = Path(output).absolute()
    refuse_database(path, database)
    return path


@contextmanager
def _opened(
    destination: Path | None, fmt: str, force: bool, stdout: BinaryIO | None
) -> Iterator[Any]:
    """Where the sink writes, once the output is locked and known safe to replace."""
    if destination is None:
        yield stdout if stdout is not None else sys.stdout.buffer
        return
    # Checked before anything is created (by export), so a refusal leaves no trace, and again
    # under the lock, which may put back an old corpus a killed export took away.
    destination.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(destination):
        clean_leftovers(destination)
        check_replaceable(destination, fmt == "txt", force)
        if fmt == "txt":
            with atomic_folder(destination, {"format": "txt", "by": "scrapy export"}) as folder:
                yield folder
        else:
            with atomic_file(destination) as stream:
                yield stream


def _sink(fmt: str, place: Any, store: Store, *, bom: bool, raw: bool) -> Sink:
    if fmt == "jsonl":
        return JsonLinesSink(place)
    if fmt == "csv":
        return CsvSink(place, bom=bom, raw=raw)
    if fmt == "parquet":
        return ParquetSink(place)
    # Read inside the export's snapshot, so no article in it can have a longer number.
    return CorpusSink(place, width=corpus_width(store.max_seq()), bom=bom, raw=raw)
