"""The export formats: JSON Lines, CSV, Parquet and the verifiable text corpus, one article at a
time.

CSV is formula-safe by default: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading ``'``, as OWASP advises against CSV injection, so a spreadsheet
shows the text instead of running it as a formula. ``raw=True`` (``--csv-raw``) turns that off.

Parquet needs pyarrow (the ``parquet`` extra), imported only when a Parquet export starts.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from newscrawl import text
from newscrawl.atomic import INDEX_NAME
from newscrawl.store import ARTICLE_COLUMNS, JSON_COLUMNS

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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


class _CsvRows:
    """csv.writer that defuses cells a spreadsheet would read as a formula, unless ``raw``."""

    def __init__(self, stream: BinaryIO, *, bom: bool, raw: bool):
        self.rows = csv.writer(_Utf8(stream, bom=bom))
        self.raw = raw

    def writerow(self, cells: Iterable[Any]) -> None:
        if self.raw:
            self.rows.writerow(cells)
        else:
            self.rows.writerow(formula_safe(cell) for cell in cells)


def formula_safe(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


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

    def __init__(self, stream: BinaryIO, *, bom: bool = False, raw: bool = False):
        self.stream = stream
        self.rows = _CsvRows(stream, bom=bom, raw=raw)
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

    def __init__(self, folder: Path, *, width: int, bom: bool = False, raw: bool = False):
        self.folder = folder
        self.width = width
        self.index = open(folder / INDEX_NAME, "xb")  # noqa: SIM115 (closed in __exit__)
        self.rows = _CsvRows(self.index, bom=bom, raw=raw)
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


# -- Parquet ---------------------------------------------------------------------------------

PARQUET_MISSING = "-f parquet needs pyarrow: pip install -e '.[parquet]'"
TIMESTAMP = "timestamp[us, tz=UTC]"
# Every stored column, typed. Times become UTC timestamps; published_at and updated_at also keep
# the stored text (``*_iso``), whose offset says the outlet's local time. extraction stays JSON
# text as in CSV: its keys vary from article to article.
PARQUET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("content_hash", "string"),
    ("seq", "int64"),
    ("outlet", "string"),
    ("article_id", "string"),
    ("url", "string"),
    ("canonical_url", "string"),
    ("title", "string"),
    ("subtitle", "string"),
    ("author", "string"),
    ("category", "string"),
    ("tags", "list<string>"),
    ("published_at", TIMESTAMP),
    ("updated_at", TIMESTAMP),
    ("published_at_iso", "string"),
    ("updated_at_iso", "string"),
    ("published_raw", "string"),
    ("updated_raw", "string"),
    ("body", "string"),
    ("image_urls", "list<string>"),
    ("language", "string"),
    ("extraction", "string"),
    ("revision", "int64"),
    ("previous_hash", "string"),
    ("crawled_at", TIMESTAMP),
    ("run_id", "string"),
    ("first_seen_at", TIMESTAMP),
    ("simhash", "string"),
    ("cluster", "int64"),
)
# A row group is written once this much text is buffered (about 3,000 articles, 20 MB in Arrow,
# 4 MB zstd): big enough for readers to skip and parallelise by. Peak memory of a 100k-article
# export was the same as of 9k with 16 MB; with 32 MB it rose 44 MB, with 64 MB 130 MB
# (docs/benchmarks.md).
ROW_GROUP_BYTES = 16 * 2**20
ROW_GROUP_ROWS = 50_000
PARQUET_METADATA_KEY = b"newscrawl"  # in every Parquet export's footer: an export wrote it


def parquet_schema() -> Any:
    """The Arrow schema of a Parquet export; ImportError without pyarrow."""
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "int64": pa.int64(),
        "list<string>": pa.list_(pa.string()),
        TIMESTAMP: pa.timestamp("us", tz="UTC"),
    }
    fields = [pa.field(name, types[kind]) for name, kind in PARQUET_COLUMNS]
    return pa.schema(fields, metadata={PARQUET_METADATA_KEY: b'{"by": "scrapy export"}'})


def require_pyarrow() -> None:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ImportError(PARQUET_MISSING) from None


class ParquetSink:
    """Typed columns, zstd, streamed: one row group per ROW_GROUP_BYTES of text buffered."""

    def __init__(
        self,
        stream: BinaryIO,
        *,
        row_group_bytes: int = ROW_GROUP_BYTES,
        row_group_rows: int = ROW_GROUP_ROWS,
    ):
        import pyarrow.parquet as pq

        self.schema = parquet_schema()
        self.writer = pq.ParquetWriter(stream, self.schema, compression="zstd")
        self.row_group_bytes = row_group_bytes
        self.row_group_rows = row_group_rows
        self._start_group()

    def _start_group(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name, _ in PARQUET_COLUMNS}
        self.rows = 0
        self.bytes = 0

    def __enter__(self) -> ParquetSink:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self._flush()
        finally:
            self.writer.close()  # the footer; the stream stays open for the atomic rename

    def write(self, article: dict[str, Any]) -> bool:
        for name, kind in PARQUET_COLUMNS:
            self.columns[name].append(_parquet_cell(name, kind, article))
        self.rows += 1
        self.bytes += len(article["body"].encode()) + len(article["title"].encode())
        if self.bytes >= self.row_group_bytes or self.rows >= self.row_group_rows:
            self._flush()
        return True

    def _flush(self) -> None:
        if not self.rows:
            return
        import pyarrow as pa

        table = pa.Table.from_pydict(self.columns, schema=self.schema)
        self.writer.write_table(table, row_group_size=self.rows)
        self._start_group()


def _parquet_cell(name: str, kind: str, article: dict[str, Any]) -> Any:
    if name.endswith("_iso"):
        return article[name.removesuffix("_iso")]
    value = article[name]
    if value is None:
        return None
    if kind == TIMESTAMP:
        return utc_timestamp(value)
    if name in JSON_COLUMNS and kind == "string":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def utc_timestamp(value: str) -> datetime | None:
    """An ISO 8601 time with offset as an aware UTC datetime; None if it has no offset or
    does not parse (the ``*_iso`` column keeps the text either way)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)
