"""Reading the store for exports and search: queries, snapshots, and what each export took."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from newscrawl.store.rows import StoreError, decode, utcnow
from newscrawl.store.schema import ARTICLE_COLUMNS

# SQLite instructions a filtered --newest walk may take before it looks up where the filter's
# articles end: a match the filter leaves out costs ~6, and a read of its row (~5 µs at a
# million articles), so this is ~5,000 matches passed over.
NEWEST_WALK_STEPS = 30_000
# A filter that leaves no more articles than this has each looked up in the index (~0.05 ms
# each at a million articles) rather than the matches walked over.
FEW_ARTICLES = 500
LOOKUP_SECONDS = 0.05  # for those look-ups in all
_MATCHES = "SELECT 1 FROM articles_fts WHERE articles_fts MATCH :match AND rowid = :seq"


class Reading:
    """The Store's read side (a mixin: needs ``conn``, ``db``, ``path``, ``transaction``)."""

    conn: sqlite3.Connection
    db: sqlite_utils.Database
    path: Path

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def article(self, content_hash: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE content_hash = ?", [content_hash]))
        return decode(rows[0]) if rows else None

    def articles(self, *, latest_only: bool = False) -> Iterator[dict[str, Any]]:
        """Every article in store order (``seq``), streamed."""
        source = "latest_articles" if latest_only else "articles"
        for row in self.db.query(f"SELECT * FROM {source} ORDER BY seq"):
            yield decode(row)

    def count(self, table: str = "articles") -> int:
        return self.db[table].count

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Several reads that see one state of the database, while crawls go on writing.

        A deferred transaction that only reads never asks for the write lock, so it never meets
        "database is locked"; WAL lets writers commit meanwhile without disturbing it.
        """
        self.conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def outlets(self) -> list[str]:
        rows = self.conn.execute("SELECT DISTINCT outlet FROM articles ORDER BY outlet")
        return [outlet for (outlet,) in rows]

    def require_outlets(self, outlets: Iterable[str]) -> None:
        """Raise a StoreError naming the outlets there are if any one asked for is not."""
        # One index look-up per outlet asked for: listing them all reads the whole outlet index
        # (~0.1 s at a million articles), so that is done only to say which there are.
        for outlet in outlets:
            if not self.conn.execute(
                "SELECT 1 FROM articles WHERE outlet = ? LIMIT 1", (outlet,)
            ).fetchone():
                known = self.outlets()
                holds = f"it holds {', '.join(known)}" if known else "it holds no articles yet"
                raise StoreError(f"no outlet {outlet!r} in {self.path}: {holds}")

    def max_seq(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]

    def count_articles(self, query: ArticleQuery) -> int:
        where, params = _where(query)
        sql = f"SELECT COUNT(*) FROM {_source(query)} a WHERE {where}"
        return self.conn.execute(sql, params).fetchone()[0]

    def select_articles(self, query: ArticleQuery) -> Iterator[dict[str, Any]]:
        """The articles a query selects, in store order (``seq``), streamed from a cursor."""
        where, params = _where(query)
        columns = ", ".join(f"a.{column}" for column in ARTICLE_COLUMNS)
        sql = f"SELECT {columns} FROM {_source(query)} a WHERE {where} ORDER BY a.seq"
        for row in self.conn.execute(sql, params):
            yield decode(dict(zip(ARTICLE_COLUMNS, row, strict=True)))

    def search(
        self,
        match: str,
        query: ArticleQuery,
        *,
        limit: int,
        marks: tuple[str, str] = ("[", "]"),
        newest: bool = False,
        walk_steps: int = NEWEST_WALK_STEPS,
        lookup_seconds: float = LOOKUP_SECONDS,
    ) -> list[dict[str, Any]]:
        """Best matches first for an FTS5 query, or with ``newest`` the latest stored first;
        sqlite3.OperationalError if FTS5 rejects the query.

        Ranked, FTS5 scores every match before it can return the best, so a word in most
        articles costs time in proportion to the store. Newest first walks the index from its
        last rowid (the order articles were stored) and stops at ``limit``: the same short
        time for any word, as long as the newest matches pass the filters. When a filter
        leaves them out (an outlet no longer crawled, ``until`` long ago), each match passed
        over costs a read of its row; after ``walk_steps`` SQLite instructions the filters'
        last articles are read from their index: when there are few (``FEW_ARTICLES``) each is
        looked up in the search index, newest first, for up to ``lookup_seconds``; else, or
        then, the walk starts again from the next of them.
        """
        where, params = _where(query)
        params.update(match=match, limit=limit, open=marks[0], close=marks[1])
        if not newest:
            return self._hits(query, where, "articles_fts.rank", params)
        order = "articles_fts.rowid DESC"
        if where == "1":
            return self._hits(query, where, order, params)
        try:
            with self._instructions_at_most(walk_steps):
                return self._hits(query, where, order, params)
        except sqlite3.OperationalError as exc:
            if str(exc) != "interrupted":
                raise
        # The filter's last articles, from its index: +seq, because ordering by seq itself
        # would walk the table backwards, reading every row.
        sql = f"SELECT +a.seq FROM articles a WHERE {where} ORDER BY 1 DESC LIMIT :few"
        last = [seq for (seq,) in self.conn.execute(sql, {**params, "few": FEW_ARTICLES + 1})]
        # Few (they may be spread thin among the matches): each looked up in the search index,
        # newest first, while that is quick. Many, or slow lookups (a prefix query merges the
        # doclists of all its words at every lookup): the walk again, from the next of them.
        hits: list[dict[str, Any]] = []
        started = time.perf_counter()
        for seq in last:
            if len(last) > FEW_ARTICLES or time.perf_counter() - started >= lookup_seconds:
                rest = {**params, "last": seq, "limit": limit - len(hits)}
                where_last = f"{where} AND articles_fts.rowid <= :last"
                return hits + self._hits(query, where_last, order, rest)
            one = {**params, "seq": seq}
            if self.conn.execute(_MATCHES, one).fetchone():
                hits += self._hits(query, f"{where} AND articles_fts.rowid = :seq", order, one)
            if len(hits) == limit:
                break
        return hits

    def _hits(
        self, query: ArticleQuery, where: str, order: str, params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        sql = f"""
            SELECT a.published_at, a.outlet, a.title, a.url, a.content_hash,
                   snippet(articles_fts, -1, :open, :close, '…', 16) AS snippet
            FROM articles_fts
            JOIN {_source(query)} a ON a.seq = articles_fts.rowid
            WHERE articles_fts MATCH :match AND {where}
            ORDER BY {order}
            LIMIT :limit
        """
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    @contextmanager
    def _instructions_at_most(self, steps: int) -> Iterator[None]:
        """Interrupt a statement of this block past ``steps`` SQLite VM instructions
        (sqlite3.OperationalError "interrupted"), counted a thousand at a time."""
        left = steps // 1000

        def tick() -> int:
            nonlocal left
            left -= 1
            return left < 0

        self.conn.set_progress_handler(tick, 1000)
        try:
            yield
        finally:
            self.conn.set_progress_handler(None, 1000)

    # -- what each export took (for ``export --new``) ----------------------------------------

    def start_export_tally(self) -> None:
        """Start noting exported hashes in a temporary table: memory stays flat, however many."""
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS export_tally (content_hash TEXT PRIMARY KEY)"
        )
        self.conn.execute("DELETE FROM temp.export_tally")

    def tally_exported(self, content_hash: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO temp.export_tally (content_hash) VALUES (?)", (content_hash,)
        )

    def remember_export(self, target: str) -> None:
        """Record the tallied hashes as taken by ``target``, once its output is complete."""
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO exports (target, content_hash, exported_at)"
                " SELECT ?, content_hash, ? FROM temp.export_tally",
                (target, utcnow()),
            )
        self.conn.execute("DELETE FROM temp.export_tally")


@dataclass(frozen=True)
class ArticleQuery:
    """Which articles an export or a search reads."""

    outlets: tuple[str, ...] = ()
    since: date | None = None  # publication day, inclusive, in the offset the date was stored in
    until: date | None = None  # inclusive
    latest_only: bool = True  # the newest revision of each article
    not_exported_to: str | None = None  # leave out what an earlier export to this target took


def _source(query: ArticleQuery) -> str:
    return "latest_articles" if query.latest_only else "articles"


def _where(query: ArticleQuery) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (over alias ``a``) and its parameters for a query."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if query.outlets:
        names = [f"outlet{i}" for i in range(len(query.outlets))]
        clauses.append(f"a.outlet IN ({', '.join(':' + name for name in names)})")
        params.update(zip(names, query.outlets, strict=True))
    # published_at is ISO 8601 starting with the local day, so plain string comparison against
    # a day selects by that day and still uses the articles_published index.
    if query.since:
        clauses.append("a.published_at >= :since")
        params["since"] = query.since.isoformat()
    if query.until:
        clauses.append("a.published_at < :before")
        params["before"] = (query.until + timedelta(days=1)).isoformat()
    if query.not_exported_to is not None:
        clauses.append(
            "NOT EXISTS (SELECT 1 FROM exports e"
            " WHERE e.target = :target AND e.content_hash = a.content_hash)"
        )
        params["target"] = query.not_exported_to
    return " AND ".join(clauses) or "1", params
