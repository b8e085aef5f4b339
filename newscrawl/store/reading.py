"""Reading the store for exports and search: queries, snapshots, and what each export took."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from newscrawl.store.rows import StoreError, decode, utcnow
from newscrawl.store.schema import ARTICLE_COLUMNS

T = TypeVar("T")

# SQLite instructions a filtered --newest walk may take before it turns to the filter's own
# articles: a match the filter leaves out costs ~6, and a read of its row (~5 µs at a million
# articles), so this is ~1,000 matches passed over: a filter that keeps 1 match in 50 or more
# is answered by the walk alone.
NEWEST_WALK_STEPS = 6_000
# Looking one article up in the search index (is it a match?) costs as much as passing over this
# many matches in a walk of the index that reads no rows (~70 µs against ~0.18 µs, measured at
# 100k articles; see docs/benchmarks.md).
PROBE_MATCHES = 400
FILTER_PAGE = 1_000  # the filter's articles read at a time, newest first
SAMPLE = 256  # matches read to judge how many a stretch of the search index holds
# A filter of fewer articles is read from its index, each page reading all its entries (~0.2 µs
# each at a million articles); counted up to this (~3 ms).
PART_COUNTED = 50_000
# A filter of more is read backwards from the end of the table (~0.6 µs a row), where a filter
# holding most articles has its newest, for up to this many rows a page (~40 ms: --until half a
# year ago at 288 articles a day), then from its index. Counted in SQLite instructions: 1 a row
# and 2 for each condition of the filter (3 for --until, 5 with --outlet too, measured).
BROAD_SCAN_ROWS = 65_000
NEAR_THE_END_STEPS = 100_000  # to find where a broad filter's latest published are stored
_MATCHES = "SELECT 1 FROM articles_fts WHERE articles_fts MATCH :match AND rowid = :seq"
_NEWEST = "articles_fts.rowid DESC"
# A stretch of the search index, and of its matches those on a page of the filter's articles:
# "+" so that the page is a list to check each match against, not rowids to look up one by one.
_ON_THE_PAGE = (
    "articles_fts.rowid BETWEEN :low AND :high"
    " AND +articles_fts.rowid IN (SELECT value FROM json_each(:page))"
)


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
        probe_matches: float = PROBE_MATCHES,
    ) -> list[dict[str, Any]]:
        """Best matches first for an FTS5 query, or with ``newest`` the latest stored first;
        sqlite3.OperationalError if FTS5 rejects the query.

        Ranked, FTS5 scores every match before it can return the best, so a word in most
        articles costs time in proportion to the store. Newest first walks the index from its
        last rowid (the order articles were stored) and stops at ``limit``: the same short
        time for any word, as long as the newest matches pass the filters. When a filter
        leaves them out (an outlet no longer crawled, ``until`` long ago, an outlet with one
        article in 500), each match passed over costs a read of its row; after ``walk_steps``
        SQLite instructions the search goes through the filter's own articles instead, newest
        first (``_newest_of_the_filter``), in the same order.
        """
        where, params = _where(query)
        params.update(match=match, limit=limit, open=marks[0], close=marks[1])
        if not newest:
            return self._hits(query, where, "articles_fts.rank", params)
        if where == "1":
            return self._hits(query, where, _NEWEST, params)
        # A prefix query merges the lists of all its words at the start of each statement
        # (tens of ms at a million articles): not twice when the walk is cut short.
        if not _is_prefix(match):
            hits = self._within(walk_steps, lambda: self._hits(query, where, _NEWEST, params))
            if hits is not None:
                return hits
        return self._newest_of_the_filter(query, where, params, probe_matches)

    def _newest_of_the_filter(
        self, query: ArticleQuery, where: str, params: dict[str, Any], probe_matches: float
    ) -> list[dict[str, Any]]:
        """The newest matches among the filter's articles, read from the filter's index newest
        first, a page at a time. In the stretch of the search index a page spans, either the
        matches are walked, keeping those whose number is on the page (no row read for the
        others), or each article of the page is looked up in the search index: whichever is
        cheaper for the number of matches the stretch holds, judged from a sample of them."""
        hits: list[dict[str, Any]] = []
        for page in self._filter_pages(where, params):
            need = {**params, "limit": params["limit"] - len(hits)}
            if self._walk_is_cheaper(params["match"], page, probe_matches):
                stretch = {**need, "low": page[-1], "high": page[0], "page": json.dumps(page)}
                hits += self._hits(query, f"{where} AND {_ON_THE_PAGE}", _NEWEST, stretch)
            else:
                for seq in page:
                    one = {**need, "seq": seq}
                    if self.conn.execute(_MATCHES, one).fetchone():
                        hits += self._hits(
                            query, f"{where} AND articles_fts.rowid = :seq", _NEWEST, one
                        )
                        if len(hits) == params["limit"]:
                            break
            if len(hits) == params["limit"]:
                break
        return hits

    def _filter_pages(self, where: str, params: dict[str, Any]) -> Iterator[list[int]]:
        """The filter's articles (their seq), newest first, ``FILTER_PAGE`` at a time.

        From the filter's index (the outlet's, the days', or for both the outlet's by day),
        which holds the seq of each: all of the filter's entries are read for each page, and
        the newest kept. A filter of ``PART_COUNTED`` articles or more (counted up to that in
        its index), such as ``--until`` half a year ago, holds most articles, and its newest
        lie just behind the newest matches: the table is read backwards from its end first,
        for up to ``BROAD_SCAN_ROWS`` rows a page.
        """
        counted = f"SELECT count(*) FROM (SELECT 1 FROM articles a WHERE {where} LIMIT :most)"
        most = {**params, "most": PART_COUNTED}
        broad = self.conn.execute(counted, most).fetchone()[0] >= PART_COUNTED
        broad = broad and self._newest_are_near_the_end(where, params)
        scan_steps = BROAD_SCAN_ROWS * (1 + 2 * (where.count(" AND ") + 1))
        below = None
        while True:
            page = None
            if broad:
                back = functools.partial(self._filter_page, where, params, below, backwards=True)
                page = self._within(scan_steps, back)
            if page is None:
                page = self._filter_page(where, params, below, backwards=False)
            if page:
                yield page
            if len(page) < FILTER_PAGE:
                return
            below = page[-1]

    def _newest_are_near_the_end(self, where: str, params: dict[str, Any]) -> bool:
        """Whether a broad filter's newest articles are within ``BROAD_SCAN_ROWS`` of the end
        of the table, judged from its latest published (a page of them, from an index by day;
        stored order follows publication closely, and a guess wrong costs time, not hits)."""
        sql = (
            f"SELECT max(seq) FROM (SELECT a.seq FROM articles a WHERE {where}"
            " ORDER BY a.published_at DESC LIMIT :page)"
        )
        found = self._within(
            NEAR_THE_END_STEPS,
            lambda: self.conn.execute(sql, {**params, "page": FILTER_PAGE}).fetchone(),
        )
        if found is None:
            return False
        (newest,) = found
        return newest is not None and self.max_seq() - newest < BROAD_SCAN_ROWS

    def _filter_page(
        self, where: str, params: dict[str, Any], below: int | None, *, backwards: bool
    ) -> list[int]:
        """The filter's next ``FILTER_PAGE`` articles below ``below``, newest first: the table
        read backwards, or the filter's index (+seq: else SQLite would read the table)."""
        if backwards:
            if below is not None:
                where = f"{where} AND a.seq < :below"
            sql = f"SELECT a.seq FROM articles AS a NOT INDEXED WHERE {where} ORDER BY a.seq DESC"
        else:
            if below is not None:
                where = f"{where} AND +a.seq < :below"
            sql = f"SELECT +a.seq FROM articles a WHERE {where} ORDER BY 1 DESC"
        rows = self.conn.execute(
            f"{sql} LIMIT :page", {**params, "below": below, "page": FILTER_PAGE}
        )
        return [seq for (seq,) in rows]

    def _walk_is_cheaper(self, match: str, page: list[int], probe_matches: float) -> bool:
        """Whether walking the matches between a page's first and last article costs less than
        looking each article of the page up: the stretch's newest ``SAMPLE`` matches say how
        many it holds. A prefix query is always walked: each look-up would merge the lists of
        every word it stands for, as a walk does once."""
        if _is_prefix(match):
            return True
        high, low = page[0], page[-1]
        sample = [
            rowid
            for (rowid,) in self.conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
                " AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT ?",
                (match, low, high, SAMPLE),
            )
        ]
        matches = len(sample)
        if matches == SAMPLE:  # as dense as the sample through the whole stretch
            matches = SAMPLE * (high - low + 1) / (high - sample[-1] + 1)
        return matches <= probe_matches * len(page)

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

    def _within(self, steps: int, work: Callable[[], T]) -> T | None:
        """``work()``, or None when its statements take more than ``steps`` SQLite VM
        instructions (counted a thousand at a time): SQLite interrupts them then."""
        left = steps // 1000

        def tick() -> int:
            nonlocal left
            left -= 1
            return left < 0

        self.conn.set_progress_handler(tick, 1000)
        try:
            return work()
        except sqlite3.OperationalError as exc:
            if str(exc) != "interrupted":
                raise
            return None
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


def _is_prefix(match: str) -> bool:
    """Whether an FTS5 query may hold a prefix (``কিম*``); a ``*`` in quotes counts too."""
    return "*" in match


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
