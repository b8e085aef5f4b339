"""Parquet exports: typed, zstd, streamed in row groups, read back by pyarrow and DuckDB exactly
as the JSON Lines export says."""

import io
import json
from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newscrawl.export import ExportError, export
from newscrawl.sinks import PARQUET_COLUMNS, ParquetSink
from newscrawl.store import Store
from tests.conftest import run_scrapy, scrapy_env
from tests.test_export import (
    ARTICLES,
    RAIN,
    assert_one_line_error,
    export_cmd,
    news,
    read_jsonl,
)

TIMES = ("published_at", "updated_at", "crawled_at", "first_seen_at")
PYARROW_MISSING = "scrapy export: -f parquet needs pyarrow: pip install -e '.[parquet]'"


@pytest.fixture
def filled_db(db_path):
    with Store(db_path) as store:
        store.write_batch(ARTICLES)
    return db_path


@pytest.fixture
def store(filled_db):
    with Store(filled_db) as s:
        yield s


def as_jsonl(row: dict) -> dict:
    """A Parquet row in the JSON Lines export's terms: the stored text of each time, JSON
    mappings decoded; the UTC timestamps checked against that text on the way."""
    row = dict(row)
    for name in ("published_at", "updated_at"):
        stored = row.pop(f"{name}_iso")
        moment = row[name]
        assert (moment is None) == (stored is None)
        if stored is not None:
            assert moment == datetime.fromisoformat(stored)  # the same instant, in UTC
            assert moment.utcoffset().total_seconds() == 0
        row[name] = stored
    for name in ("crawled_at", "first_seen_at"):
        moment = row[name]
        row[name] = None if moment is None else moment.isoformat(timespec="seconds")
    if row["extraction"] is not None:
        row["extraction"] = json.loads(row["extraction"])
    return row


def duckdb_rows(path) -> list[dict]:
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{path}') ORDER BY seq")
    names = relation.columns
    return [dict(zip(names, values, strict=True)) for values in relation.fetchall()]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"all_revisions": True},
        {"outlets": ["sunnews"]},
        {"since": "2023-08-16", "until": "2023-08-16"},
    ],
    ids=["latest", "all-revisions", "outlet", "days"],
)
def test_parquet_reads_back_row_by_row_as_the_jsonl_export_with_pyarrow_and_duckdb(
    store, tmp_path, filters
):
    export(store, tmp_path / "a.jsonl", **filters)
    summary = export(store, tmp_path / "a.parquet", fmt="parquet", **filters)
    expected = read_jsonl(tmp_path / "a.jsonl")
    assert summary.count == len(expected) > 0

    by_pyarrow = pq.read_table(tmp_path / "a.parquet").to_pylist()
    assert [as_jsonl(row) for row in by_pyarrow] == expected
    assert [as_jsonl(row) for row in duckdb_rows(tmp_path / "a.parquet")] == expected


def test_columns_are_typed_and_compressed_with_zstd(store, tmp_path):
    out = tmp_path / "bn-news.parquet"
    export(store, out, fmt="parquet")
    parquet = pq.ParquetFile(out)
    schema = parquet.schema_arrow
    assert schema.names == [name for name, _ in PARQUET_COLUMNS]
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("first_seen_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("tags").type == pa.list_(pa.string())
    assert schema.field("image_urls").type == pa.list_(pa.string())
    assert schema.field("content_hash").type == pa.string()
    assert schema.field("simhash").type == pa.string()
    assert schema.field("seq").type == schema.field("cluster").type == pa.int64()
    group = parquet.metadata.row_group(0)
    assert {group.column(i).compression for i in range(group.num_columns)} == {"ZSTD"}
    first = parquet.read().to_pylist()[0]
    assert first["published_at_iso"] == "2023-08-17T00:10:00+06:00"  # the offset is kept
    assert first["published_at"].isoformat() == "2023-08-16T18:10:00+00:00"
    assert len(first["content_hash"]) == 16 and len(first["simhash"]) == 16


def test_rows_go_out_in_row_groups_as_they_come_not_all_at_the_end(tmp_path):
    articles = [news(RAIN, article_id=str(i), seq=i, cluster=i) for i in range(1, 8)]
    for article in articles:
        for name, _ in PARQUET_COLUMNS:
            if not name.endswith("_iso"):
                article.setdefault(name, None)
    out = io.BytesIO()
    text_bytes = len(f"{articles[0]['title']}{articles[0]['body']}".encode())
    sizes = []
    with ParquetSink(out, row_group_bytes=2 * text_bytes) as sink:  # a group every 2 articles
        for article in articles:
            sink.write(article)
            assert sink.rows < 2  # written out, not held: memory stays flat
            sizes.append(out.tell())
    assert sizes[1] < sizes[3] < sizes[5]  # the file grew while the export went on
    parquet = pq.ParquetFile(io.BytesIO(out.getvalue()))
    assert parquet.metadata.num_row_groups == 4  # 2, 2, 2 and the last one
    assert parquet.read().column("seq").to_pylist() == list(range(1, 8))


def test_new_remembers_a_parquet_export_as_the_other_formats_do(db_path, tmp_path):
    out = tmp_path / "daily.parquet"
    with Store(db_path) as db:
        db.write_batch(ARTICLES[:3])
        assert export(db, out, fmt="parquet", new=True).count == 3
        db.write_batch(ARTICLES[3:])
        summary = export(db, out, fmt="parquet", new=True, force=True)
    assert summary.count == 2  # the edit of the Kim letter and the rain, nothing taken before
    assert pq.read_table(out).column("seq").to_pylist() == [4, 5]


def test_an_earlier_parquet_export_is_replaced_only_with_force_and_a_foreign_one_never(
    store, tmp_path
):
    folder = tmp_path / "out"
    out = folder / "bn-news.parquet"
    export(store, out, fmt="parquet", outlets=["sunnews"])
    with pytest.raises(ExportError, match="holds an earlier export: add --force"):
        export(store, out, fmt="parquet")
    export(store, out, fmt="parquet", force=True)
    assert pq.read_table(out).num_rows == 4

    foreign = folder / "theirs.parquet"
    pq.write_table(pa.table({"content_hash": ["x"], "url": ["u"], "title": ["t"]}), foreign)
    before = foreign.read_bytes()
    with pytest.raises(ExportError, match="is a Parquet file no export wrote"):
        export(store, foreign, fmt="parquet", force=True)
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "README.md",  # the card of the first export
        "bn-news.parquet",
        "theirs.parquet",
    ]


def test_parquet_needs_a_file_and_takes_no_csv_options(store, tmp_path):
    with pytest.raises(ExportError, match="parquet writes a file: give --output FILE"):
        export(store, "-", fmt="parquet", card=False, stdout=io.BytesIO())
    with pytest.raises(ExportError, match=r"--bom is for csv .* not for parquet"):
        export(store, tmp_path / "out" / "a.parquet", fmt="parquet", bom=True)
    assert not (tmp_path / "out").exists()


def test_scrapy_export_writes_parquet_that_loads_in_one_line(filled_db, tmp_path):
    out = tmp_path / "bn-news.parquet"
    result = export_cmd(filled_db, "-f", "parquet", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"exported 4 articles (parquet, latest revisions) to {out}")
    assert f"dataset card {tmp_path / 'README.md'}" in result.stderr
    counts = duckdb.sql(f"SELECT outlet, count(*) FROM '{out}' GROUP BY 1 ORDER BY 1").fetchall()
    assert counts == [("inqilab", 2), ("sunnews", 2)]


def test_without_pyarrow_one_line_says_what_to_install(filled_db, tmp_path):
    # A pyarrow that cannot be imported, first on the path: as if it were not installed.
    shadow = tmp_path / "shadow" / "pyarrow"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named pyarrow')\n")
    env = scrapy_env(PYTHONPATH=str(shadow.parent))
    out = tmp_path / "out" / "bn-news.parquet"
    result = run_scrapy(
        "export", "-f", "parquet", "-o", str(out), settings={"NEWSCRAWL_DB": str(filled_db)},
        env=env,
    )  # fmt: skip
    assert_one_line_error(result)
    assert result.stderr.strip() == PYARROW_MISSING
    assert not out.parent.exists()  # nothing written, not even a folder
