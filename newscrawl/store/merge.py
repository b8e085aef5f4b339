"""Merging shards: other nodes' databases into this one, article by content hash.

A shard is a newscrawl database made on another machine (a Scrapyd node), copied here with
``scrapy backup``. Merging it is exact because articles are keyed by their content hash:

- an article whose hash is here already is left as it is (its ``first_seen_at`` becomes the
  earlier of the two when both nodes saw it as the same outlet article); any other is added
  with a new ``seq``, its SimHash linked to its near-duplicates (which also sets its cluster),
  and indexed for search by the insert trigger;
- the revisions of one outlet article seen on several nodes are put back in one line: ordered
  by ``first_seen_at``, then ``crawled_at``, then the order each node stored them, numbered 1…n,
  each ``previous_hash`` pointing at the revision before it;
- ``article_urls`` keeps the earliest first and the latest last sighting of each URL, and the
  content it served last;
- ``runs`` arrive with the node they ran on; ``exports`` (this machine's history) is untouched.

So merging the same shard twice changes nothing. The shard is read through one cursor and
written in batches, one ``BEGIN IMMEDIATE`` transaction each: memory stays flat, a crawl writing
to the same database takes turns with the merge, and a merge killed at any point keeps every
committed batch; running it again completes it.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from newscrawl import simhash
from newscrawl.store.backup import backup
from newscrawl.store.database import Store
from newscrawl.store.rows import StoreError, utcnow
from newscrawl.store.schema import ARTICLE_COLUMNS, BUSY_TIMEOUT_MS, SCHEMA_VERSION

MERGE_BATCH = 500  # articles per transaction: ~0.1 s of write lock each (docs/benchmarks.md)
URL_COLUMNS = ("url", "outlet", "article_id", "content_hash", "first_seen_at", "last_seen_at")


class ProgressLike(Protocol):
    def start(self, total: int) -> None: ...
    def update(self, done: int, *, force: bool = False) -> None: ...
    def finish(self) -> None: ...


@dataclass
class MergeSummary:
    """What merging one shard did."""

    shard: Path
    node: str
    new: int = 0
    revisions: int = 0
    already: int = 0
    near_duplicates: int = 0
    urls: int = 0
    runs: int = 0
    upgraded_from: int | None = None
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.new or self.revisions or self.urls or self.runs)

    def describe(self) -> str:
        upgraded = (
            f" (schema {self.upgraded_from}, upgraded in a temporary copy)"
            if self.upgraded_from is not None
            else ""
        )
        return (
            f"merged {self.shard.name} from node {self.node}{upgraded}: {self.new:,} new,"
            f" {self.revisions:,} revisions, {self.already:,} already there;"
            f" {self.urls:,} URLs and {self.runs:,} runs added or updated,"
            f" {self.near_duplicates:,} near-duplicate pairs, in {self.seconds:.1f} s"
        )


def merge_shard(
    store: Store,
    shard: str | Path,
    *,
    node: str | None = None,
    batch_size: int = MERGE_BATCH,
    progress: ProgressLike | None = None,
) -> MergeSummary:
    """Merge the newscrawl database at ``shard`` into ``store``; ``node`` names its machine.

    ``node`` defaults to the shard's file name without its extension. Runs that already carry
    a node (a shard that is itself a merge) keep theirs.
    """
    if batch_size < 1:
        raise StoreError("the batch size must be at least 1")
    if store.readonly:
        raise StoreError(f"{store.path} is read-only: a merge needs write access to it")
    shard = Path(shard)
    started = time.monotonic()
    with open_shard(shard, store.path) as (conn, upgraded_from):
        summary = MergeSummary(shard, node or shard.stem, upgraded_from=upgraded_from)
        merger = _Merger(store, conn, summary, batch_size)
        conn.execute("BEGIN")  # one consistent read of the shard, should anything write it
        try:
            merger.articles(progress)
            merger.urls()
            merger.runs()
        finally:
            conn.execute("ROLLBACK")
    summary.seconds = time.monotonic() - started
    return summary


# -- the shard -----------------------------------------------------------------------------------


@contextmanager
def open_shard(path: Path, target: Path) -> Iterator[tuple[sqlite3.Connection, int | None]]:
    """A read-only connection to a shard at this newscrawl's schema version.

    A shard of an older version is upgraded in a temporary copy beside the target (the shard
    itself is never written); one of a newer version is refused. Yields the connection and the
    version it was upgraded from (None when it was current).
    """
    if not path.is_file():
        raise StoreError(f"no shard at {path}: give the path of a database `scrapy backup` made")
    if target.exists() and os.path.samefile(path, target):
        raise StoreError(f"{path} is the database being merged into: give another node's shard")
    conn = _connect_readonly(path)
    try:
        version = _newscrawl_version(conn, path)
        if version == SCHEMA_VERSION:
            yield conn, None
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path} has schema version {version}, newer than this newscrawl"
                f" ({SCHEMA_VERSION}): upgrade newscrawl on this machine, then merge again"
            )
        with tempfile.TemporaryDirectory(prefix=".merge-", dir=target.parent) as folder:
            copy = Path(folder) / path.name
            backup(conn, copy)
            Store(copy, create=False).close()  # applies the migrations to the copy
            upgraded = _connect_readonly(copy)
            try:
                yield upgraded, version
            finally:
                upgraded.close()
    finally:
        conn.close()


def _connect_readonly(path: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.absolute()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _newscrawl_version(conn: sqlite3.Connection, path: Path) -> int:
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a usable SQLite database ({exc})") from exc
    if not version or not {"articles", "article_urls", "runs"} <= tables:
        raise StoreError(f"{path} is not a newscrawl database (no articles table)")
    return version


# -- the merge ----------------------------------------------------------------------------------


class _Merger:
    def __init__(
        self, store: Store, shard: sqlite3.Connection, summary: MergeSummary, batch_size: int
    ):
        self.store = store
        self.conn = store.conn
        self.shard = shard
        self.summary = summary
        self.batch_size = batch_size

    def _batches(self, sql: str) -> Iterator[list[tuple]]:
        """The shard's rows in batches, from one cursor (one consistent read of the shard)."""
        cursor = self.shard.execute(sql)
        while rows := cursor.fetchmany(self.batch_size):
            yield rows

    # articles

    def articles(self, progress: ProgressLike | None) -> None:
        total = self.shard.execute("SELECT count(*) FROM articles").fetchone()[0]
        if progress:
            progress.start(total)
        done = 0
        try:
            for rows in self._batches(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles"
                                      " ORDER BY seq"):  # fmt: skip
                with self.store.transaction():
                    self._article_batch([dict(zip(ARTICLE_COLUMNS, r, strict=True)) for r in rows])
                done += len(rows)
                if progress:
                    progress.update(done)
        finally:
            if progress:
                progress.finish()

    def _article_batch(self, rows: list[dict[str, Any]]) -> None:
        now = utcnow()
        chains: set[tuple[str, str]] = set()
        arrived: list[dict[str, Any]] = []
        for row in rows:
            identity = (row["outlet"], row["article_id"]) if row["article_id"] else None
            known = self.conn.execute(
                "SELECT outlet, article_id, first_seen_at FROM articles WHERE content_hash = ?",
                (row["content_hash"],),
            ).fetchone()
            if known:
                self.summary.already += 1
                if identity and known[:2] == identity and row["first_seen_at"] < known[2]:
                    self.conn.execute(
                        "UPDATE articles SET first_seen_at = ? WHERE content_hash = ?",
                        (row["first_seen_at"], row["content_hash"]),
                    )
                    chains.add(identity)
                continue
            self._insert(row, now)
            arrived.append(row)
            if identity:
                chains.add(identity)
        for outlet, article_id in chains:
            self._renumber(outlet, article_id)
        for row in arrived:
            revision = self.conn.execute(
                "SELECT revision FROM articles WHERE content_hash = ?", (row["content_hash"],)
            ).fetchone()[0]
            if revision > 1:
                self.summary.revisions += 1
            else:
                self.summary.new += 1

    def _insert(self, row: dict[str, Any], now: str) -> None:
        value = (
            simhash.from_hex(row["simhash"])
            if row["simhash"]
            else simhash.simhash(row["body"], cleaned=True)
        )
        row = {
            **row,
            "seq": self.store._next_seq(),
            "previous_hash": None,  # set by _renumber once the whole chain is here
            "simhash": simhash.to_hex(value),
            "cluster": None,
        }
        if not row["article_id"]:
            row["revision"] = 1
        placeholders = ", ".join(f":{column}" for column in ARTICLE_COLUMNS)
        self.conn.execute(
            f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({placeholders})", row
        )
        self.summary.near_duplicates += self.store._link_near_duplicates(
            row["seq"], row["content_hash"], value, now
        )

    def _renumber(self, outlet: str, article_id: str) -> None:
        """Number one outlet article's revisions 1…n in the order they were first seen.

        Timestamps have one-second resolution; at a tie the revision number each node gave
        (its own storing order) decides, so a chain from one node keeps its numbers.
        """
        chain = self.conn.execute(
            "SELECT content_hash, revision, previous_hash FROM articles"
            " WHERE outlet = ? AND article_id = ?"
            " ORDER BY first_seen_at, crawled_at, revision, content_hash",
            (outlet, article_id),
        ).fetchall()
        previous = None
        for number, (content_hash, revision, previous_hash) in enumerate(chain, start=1):
            if (revision, previous_hash) != (number, previous):
                self.conn.execute(
                    "UPDATE articles SET revision = ?, previous_hash = ? WHERE content_hash = ?",
                    (number, previous, content_hash),
                )
            previous = content_hash

    # URLs and runs

    def urls(self) -> None:
        columns = ", ".join(URL_COLUMNS)
        for rows in self._batches(f"SELECT {columns} FROM article_urls ORDER BY rowid"):
            with self.store.transaction():
                cursor = self.conn.executemany(
                    f"INSERT INTO article_urls ({columns}) VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET"
                    " first_seen_at = min(first_seen_at, excluded.first_seen_at),"
                    " last_seen_at = max(last_seen_at, excluded.last_seen_at),"
                    # The URL's content is what it served when last seen, on whichever node.
                    " content_hash = iif(excluded.last_seen_at > last_seen_at,"
                    " excluded.content_hash, content_hash),"
                    " outlet = iif(excluded.last_seen_at > last_seen_at, excluded.outlet, outlet),"
                    " article_id = iif(excluded.last_seen_at > last_seen_at,"
                    " excluded.article_id, article_id)"
                    " WHERE excluded.first_seen_at < first_seen_at"
                    " OR excluded.last_seen_at > last_seen_at",
                    rows,
                )
                self.summary.urls += max(cursor.rowcount, 0)

    def runs(self) -> None:
        target = _columns(self.conn, "runs")
        columns = [c for c in _columns(self.shard, "runs") if c in target and c != "node"]
        names = ", ".join(columns)
        # A run merged while it was still going is completed by a later shard of its node.
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "run_id")
        sql = (
            f"INSERT INTO runs ({names}, node) VALUES ({', '.join('?' * len(columns))}, ?)"
            f" ON CONFLICT (run_id) DO UPDATE SET {updates}"
            " WHERE runs.finished_at IS NULL AND excluded.finished_at IS NOT NULL"
        )
        query = f"SELECT {names}, coalesce(node, ?) FROM runs ORDER BY rowid"
        cursor = self.shard.execute(query, (self.summary.node,))
        while rows := cursor.fetchmany(self.batch_size):
            with self.store.transaction():
                self.summary.runs += max(self.conn.executemany(sql, rows).rowcount, 0)


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
