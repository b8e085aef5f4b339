"""The article store: every line of SQL in newscrawl lives here.

The store knows nothing of Scrapy. It takes plain dicts, keeps one row per distinct content
(keyed by the content hash), remembers every URL content was seen at, links edited revisions of
one article, and records crawl runs.

Concurrency and crash safety, as measured on this project's machines:
- WAL + ``synchronous=NORMAL``: a process killed mid-batch leaves an intact database holding
  every committed batch, and readers (exports, ``has_url`` look-ups) never block the writer.
- Writes take the lock up front (``BEGIN IMMEDIATE``). A deferred transaction that reads first
  and then upgrades to a writer fails at once with "database is locked" when another writer is
  active, whatever the busy timeout; an immediate one waits its turn.
- Batches are written in one short transaction each, so the lock is held for milliseconds.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlite_utils

from newscrawl import simhash
from newscrawl.store.neardup import NearDuplicates
from newscrawl.store.reading import Reading
from newscrawl.store.rows import Outcome, StoreError, no_database, utcnow
from newscrawl.store.runs import Runs
from newscrawl.store.schema import (
    ARTICLE_COLUMNS,
    BACKFILLS,
    BUSY_TIMEOUT_MS,
    INDEX_BATCH,
    JSON_COLUMNS,
    MIGRATIONS,
    SCHEMA_VERSION,
    statements,
)


class Store(Reading, Runs, NearDuplicates):
    """One connection to the article database."""

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        readonly: bool | None = None,
        near_distance: int = simhash.DEFAULT_DISTANCE,
    ):
        """Open (or with ``create``, make) the database at ``path``.

        ``readonly`` True opens it with SQLite's ``mode=ro``: nothing is written, not even a
        schema upgrade. None (the default) means read-only when an existing database
        (``create=False``) or its folder cannot be written, read-write otherwise, so readers
        work on a read-only copy; ``readonly`` tells which it became.
        """
        self.path = Path(path)
        if not 0 <= near_distance <= simhash.MAX_DISTANCE:
            raise StoreError(f"near-duplicate distance must be 0 to {simhash.MAX_DISTANCE}")
        self.near_distance = near_distance
        if not create and not self.path.exists():
            raise StoreError(no_database(self.path))
        if readonly is None:
            readonly = not create and not _writable(self.path)
        self.readonly = readonly
        if create and not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = self._connect_readonly() if readonly else self._connect()
            if readonly:
                self._refuse_foreign(self.conn)
            self.db = sqlite_utils.Database(self.conn)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if "readonly" in str(exc):
                raise StoreError(
                    f"{self.path} or its folder is read-only ({exc}): this needs write access"
                ) from exc
            raise StoreError(f"{self.path} is not a usable SQLite database ({exc})") from exc

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._refuse_foreign(conn)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _connect_readonly(self) -> sqlite3.Connection:
        """``mode=ro``; for a WAL database in a folder nobody may write, ``immutable=1``.

        SQLite reads a WAL database through its -shm file, which it cannot create in a
        read-only folder. When no -wal file holds changes, the main file is the whole
        database and nothing can be writing it (a writer would have made a -wal), so reading
        it as immutable loses nothing.
        """
        uri = f"file:{quote(str(self.path.absolute()))}?mode=ro"
        conn = self._connect_uri(uri)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            conn.close()
            wal = Path(f"{self.path}-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise StoreError(
                    f"cannot read {self.path} read-only: its -wal file holds changes SQLite"
                    f" cannot read without write access to {self.path.parent}; open it once"
                    " with write access (any newscrawl command does)"
                ) from None
        conn = self._connect_uri(uri + "&immutable=1")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn

    def _refuse_foreign(self, conn: sqlite3.Connection) -> None:
        """Leave someone else's database as it is: no WAL switch, no tables of ours added.

        A newscrawl database records its schema version in the same transaction that makes its
        tables, so tables at version 0 belong to another program.
        """
        if conn.execute("PRAGMA user_version").fetchone()[0]:
            return
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name LIMIT 4")]  # fmt: skip
        if tables:
            conn.close()
            shown = ", ".join(tables[:3]) + (", …" if len(tables) > 3 else "")
            raise StoreError(
                f"{self.path} is not a newscrawl database (it holds tables {shown}): check --db"
                " or NEWSCRAWL_DB"
            )

    @staticmethod
    def _connect_uri(uri: str) -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return conn

    # -- schema --------------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {current}, newer than this newscrawl "
                f"({SCHEMA_VERSION}): upgrade newscrawl"
            )
        if self.readonly and current < SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {current} and is read-only, so this newscrawl"
                f" cannot upgrade it to {SCHEMA_VERSION}: open it once with write access"
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                # Another process (a crawl starting beside an export) may have applied this
                # version while we waited for the lock; applying it twice would redo a backfill.
                if self.schema_version >= version:
                    continue
                # executescript would commit our transaction; run the statements one by one.
                for statement in statements(MIGRATIONS[version]):
                    self.conn.execute(statement)
                if version in BACKFILLS:
                    getattr(self, BACKFILLS[version])()
                self.conn.execute(f"PRAGMA user_version = {version}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles ------------------------------------------------------------------------------

    def write_batch(self, articles: Iterable[Mapping[str, Any]]) -> list[Outcome]:
        """Store a batch of articles in one transaction; known content is not stored twice.

        The articles it stores are indexed for search at its end, in the same transaction, and
        the URLs it saw are recorded there too, in the batch's order.
        """
        with self.transaction():
            # The write lock is ours until the commit: the next numbers are counted, not looked up.
            self._seq = first = self._next_seq()
            self._urls: list[tuple] = []
            self.conn.execute("INSERT INTO fts_deferred (batch) VALUES (1)")
            outcomes = [self._write_one(article) for article in articles]
            self.conn.executemany(_REMEMBER_URL, self._urls)
            if self._seq > first:
                self.conn.execute(INDEX_BATCH, (first,))
            self.conn.execute("DELETE FROM fts_deferred")
            return outcomes

    def _write_one(self, article: Mapping[str, Any]) -> Outcome:
        now = utcnow()
        content_hash = article["content_hash"]
        known = self.conn.execute(_KNOWN, (content_hash,)).fetchone()
        if known:
            outcome = Outcome("duplicate", content_hash)
        else:
            previous = self._latest_revision(article.get("outlet"), article.get("article_id"))
            values = list(map(article.get, _FROM_ARTICLE))
            for at in _JSON_AT:
                if values[at] is not None:
                    values[at] = _json(values[at])
            fingerprint = simhash.simhash(article["body"], cleaned=True)
            seq = self._seq
            found, cluster = self._placed(seq, fingerprint)
            previous_hash = previous[0] if previous else None
            revision = previous[1] + 1 if previous else 1
            values += (seq, now, revision, previous_hash, simhash.to_hex(fingerprint), cluster)
            self.conn.execute(_INSERT_ARTICLE, values)
            self._seq += 1
            near = self._record_near(seq, content_hash, fingerprint, now, found, cluster)
            kind = "revision" if previous else "new"
            outcome = Outcome(kind, content_hash, previous_hash, near)
        self._urls.append(_url_row(article, now))
        return outcome

    def _latest_revision(self, outlet: str | None, article_id: str | None) -> tuple | None:
        if not outlet or not article_id:
            return None
        return self.conn.execute(
            "SELECT content_hash, revision FROM articles WHERE outlet = ? AND article_id = ?"
            " ORDER BY revision DESC LIMIT 1",
            (outlet, str(article_id)),
        ).fetchone()

    def _next_seq(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles").fetchone()[0]

    def has_url(self, url: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM article_urls WHERE url = ?", (url,)).fetchone()
            is not None
        )

    def article_seen(self, outlet: str, article_id: str) -> tuple[datetime, datetime] | None:
        """When an outlet's article was first and last seen at any of its URLs, if ever."""
        row = self.conn.execute(
            "SELECT min(first_seen_at), max(last_seen_at) FROM article_urls"
            " WHERE outlet = ? AND article_id = ?",
            (outlet, str(article_id)),
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1])


# What write_batch binds per article, built once: the item's columns in ARTICLE_COLUMNS' order
# (its JSON ones encoded), then those the store sets.
_SET_BY_STORE = ("seq", "first_seen_at", "revision", "previous_hash", "simhash", "cluster")
_FROM_ARTICLE = tuple(column for column in ARTICLE_COLUMNS if column not in _SET_BY_STORE)
_JSON_AT = tuple(i for i, column in enumerate(_FROM_ARTICLE) if column in JSON_COLUMNS)
_INSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(_FROM_ARTICLE + _SET_BY_STORE)})"
    f" VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})"
)
assert sorted(_FROM_ARTICLE + _SET_BY_STORE) == sorted(ARTICLE_COLUMNS)
# json.dumps(value, ensure_ascii=False, sort_keys=True), without making an encoder per call.
_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_KNOWN = "SELECT 1 FROM articles WHERE content_hash = ?"
_REMEMBER_URL = (
    "INSERT INTO article_urls (url, outlet, article_id, content_hash, first_seen_at,"
    " last_seen_at) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (url) DO UPDATE SET content_hash = excluded.content_hash,"
    " last_seen_at = excluded.last_seen_at"
)


def _url_row(article: Mapping[str, Any], now: str) -> tuple:
    return (
        article["url"],
        article["outlet"],
        article.get("article_id"),
        article["content_hash"],
        now,
        now,
    )


def _writable(path: Path) -> bool:
    """Whether SQLite can write ``path``: the file, and its folder for the -wal and -shm."""
    return os.access(path, os.W_OK) and os.access(path.absolute().parent, os.W_OK)
