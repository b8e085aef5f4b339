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
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from newscrawl import simhash

SCHEMA_VERSION = 4

# Long enough to outwait another writer's longest batch transaction by a wide margin.
BUSY_TIMEOUT_MS = 60_000

ARTICLE_COLUMNS = (
    "content_hash",
    "seq",
    "outlet",
    "article_id",
    "url",
    "canonical_url",
    "title",
    "subtitle",
    "author",
    "category",
    "tags",
    "published_at",
    "updated_at",
    "published_raw",
    "updated_raw",
    "body",
    "image_urls",
    "language",
    "extraction",
    "revision",
    "previous_hash",
    "crawled_at",
    "run_id",
    "first_seen_at",
    "simhash",
    "cluster",
)
JSON_COLUMNS = frozenset({"tags", "image_urls", "extraction"})

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS articles (
    -- seq is the rowid: a rowid that is not an INTEGER PRIMARY KEY may change on VACUUM, and the
    -- full-text index and the corpus file names both need a number that never changes.
    seq           INTEGER PRIMARY KEY,       -- stable number, never reused (corpus file names)
    content_hash  TEXT NOT NULL UNIQUE,      -- the key every other table refers to
    outlet        TEXT NOT NULL,
    article_id    TEXT,
    url           TEXT NOT NULL,
    canonical_url TEXT,
    title         TEXT NOT NULL,
    subtitle      TEXT,
    author        TEXT,
    category      TEXT,
    tags          TEXT,                      -- JSON list
    published_at  TEXT,                      -- ISO 8601 with offset
    updated_at    TEXT,
    published_raw TEXT,
    updated_raw   TEXT,
    body          TEXT NOT NULL,
    image_urls    TEXT,                      -- JSON list
    language      TEXT,
    extraction    TEXT,                      -- JSON {field: layer}
    revision      INTEGER NOT NULL DEFAULT 1,
    previous_hash TEXT REFERENCES articles(content_hash),
    crawled_at    TEXT,
    run_id        TEXT,
    first_seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_identity ON articles (outlet, article_id, revision);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published_at);

CREATE TABLE IF NOT EXISTS article_urls (
    url           TEXT PRIMARY KEY,
    outlet        TEXT NOT NULL,
    article_id    TEXT,
    content_hash  TEXT NOT NULL REFERENCES articles(content_hash),
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS article_urls_hash ON article_urls (content_hash);

CREATE TABLE IF NOT EXISTS runs (
    run_id        TEXT PRIMARY KEY,
    spider        TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL,             -- running, then the finish reason
    stats         TEXT                       -- JSON: the final Scrapy stats
);
CREATE INDEX IF NOT EXISTS runs_spider ON runs (spider, started_at);

-- The newest revision of each article; content without an outlet id stands alone.
CREATE VIEW IF NOT EXISTS latest_articles AS
SELECT a.* FROM articles a
WHERE a.article_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM articles b
    WHERE b.outlet = a.outlet AND b.article_id = a.article_id AND b.revision > a.revision
);
"""

MIGRATIONS = {1: _SCHEMA_V1}

# Bengali vowel signs and the virama are Unicode category M, which FTS5's default unicode61
# tokenizer treats as separators: it cuts every word at each sign, so কিম and কাম both index as
# the tokens ক, ম and a search for one finds the other. Counting M* as part of a word keeps
# Bengali words whole (and made a phrase query 24x faster on 100k articles, measured).
FTS_TOKENIZE = "unicode61 categories 'L* N* Co M*'"

# Migration 2: full-text search over title, subtitle and body, and the memory of what each export
# took. The index is an external-content FTS5 table (the text is stored once, in articles) named
# and laid out the way sqlite-utils' enable_fts makes it, so `sqlite-utils search` and datasette
# find and use it; triggers keep it in sync as articles arrive. Every statement is idempotent.
_SCHEMA_V2 = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING FTS5 (
    title, subtitle, body,
    tokenize="{FTS_TOKENIZE}",
    content="articles"
)""",
    """CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, subtitle, body)
    VALUES (new.rowid, new.title, new.subtitle, new.body);
END""",
    """CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, subtitle, body)
    VALUES ('delete', old.rowid, old.title, old.subtitle, old.body);
END""",
    """CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE OF title, subtitle, body ON articles
BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, subtitle, body)
    VALUES ('delete', old.rowid, old.title, old.subtitle, old.body);
    INSERT INTO articles_fts (rowid, title, subtitle, body)
    VALUES (new.rowid, new.title, new.subtitle, new.body);
END""",
    # Index the articles stored before this version (≈4 s per 20k articles of 15 KB).
    "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
    """CREATE TABLE IF NOT EXISTS exports (
    target        TEXT NOT NULL,             -- the output's absolute path, or an export --name
    content_hash  TEXT NOT NULL REFERENCES articles(content_hash),
    exported_at   TEXT NOT NULL,
    PRIMARY KEY (target, content_hash)
) WITHOUT ROWID""",
]
MIGRATIONS[2] = _SCHEMA_V2

# Migration 3: what each run did and whether its outlet was healthy (scheduled runs read these
# to judge the next run), and the look-up incremental crawls make for every discovered article.
_RUN_COLUMNS_V3 = {
    "pages_fetched": "INTEGER",
    "new_articles": "INTEGER",
    "duplicates": "INTEGER",
    "revisions": "INTEGER",
    "skipped": "TEXT",  # JSON {reason: count}
    "dropped": "TEXT",  # JSON {reason: count}
    "failed": "TEXT",  # JSON {reason: count}
    "http_status": "TEXT",  # JSON {status: count}
    "fill_rates": "TEXT",  # JSON {field: share of the run's articles}
    "layers": "TEXT",  # JSON {field: {layer: count}}
    "duration_s": "REAL",
    "outcome": "TEXT",  # healthy / unhealthy
    "problems": "TEXT",  # JSON [one line per problem]
}
RUN_JSON_COLUMNS = frozenset(
    {"stats", "skipped", "dropped", "failed", "http_status", "fill_rates", "layers", "problems"}
)
MIGRATIONS[3] = [
    *(f"ALTER TABLE runs ADD COLUMN {name} {kind}" for name, kind in _RUN_COLUMNS_V3.items()),
    "CREATE INDEX IF NOT EXISTS article_urls_identity ON article_urls (outlet, article_id)",
]

# Migration 4: near-duplicates. Each article's 64-bit SimHash (16 hex digits, like the content
# hash), its four 16-bit bands in an index so near-duplicates are found by look-ups rather than
# a scan, the pairs found with their distance, and a cluster number per article (the seq of the
# first article of its cluster). Existing articles are hashed and linked when the store opens.
MIGRATIONS[4] = [
    "ALTER TABLE articles ADD COLUMN simhash TEXT",
    "ALTER TABLE articles ADD COLUMN cluster INTEGER",
    "CREATE INDEX IF NOT EXISTS articles_cluster ON articles (cluster)",
    """CREATE TABLE IF NOT EXISTS simhash_bands (
    band          INTEGER NOT NULL,
    value         INTEGER NOT NULL,
    seq           INTEGER NOT NULL REFERENCES articles(seq),
    fingerprint   INTEGER NOT NULL,             -- the whole SimHash, as a signed 64-bit integer
    PRIMARY KEY (band, value, seq)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS near_duplicates (
    older_hash    TEXT NOT NULL REFERENCES articles(content_hash),
    newer_hash    TEXT NOT NULL REFERENCES articles(content_hash),
    distance      INTEGER NOT NULL,             -- differing bits of the two SimHashes
    found_at      TEXT NOT NULL,
    PRIMARY KEY (older_hash, newer_hash)
) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS near_duplicates_newer ON near_duplicates (newer_hash)",
    "ALTER TABLE runs ADD COLUMN near_duplicates INTEGER",
]
BACKFILLS = {4: "_backfill_simhashes"}
MAX_NEAR_LINKS = 50  # near-duplicate pairs recorded per new article, nearest first
RUN_SUMMARY_COLUMNS = {**_RUN_COLUMNS_V3, "near_duplicates": "INTEGER"}


class StoreError(Exception):
    """A store problem a person can act on (bad path, newer schema, not a database)."""


@dataclass(frozen=True)
class Outcome:
    """What writing one article did: ``new``, ``duplicate`` or ``revision``."""

    kind: str
    content_hash: str
    previous_hash: str | None = None
    near_duplicates: int = 0


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """One connection to the article database."""

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        near_distance: int = simhash.DEFAULT_DISTANCE,
    ):
        self.path = Path(path)
        if not 0 <= near_distance <= simhash.MAX_DISTANCE:
            raise StoreError(f"near-duplicate distance must be 0 to {simhash.MAX_DISTANCE}")
        self.near_distance = near_distance
        if not create and not self.path.exists():
            raise StoreError(f"no database at {self.path}: run a crawl first or pass its path")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a usable SQLite database ({exc})") from exc
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._migrate()

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
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                # Another process (a crawl starting beside an export) may have applied this
                # version while we waited for the lock; applying it twice would redo a backfill.
                if self.schema_version >= version:
                    continue
                # executescript would commit our transaction; run the statements one by one.
                for statement in _statements(MIGRATIONS[version]):
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
        """Store a batch of articles in one transaction; known content is not stored twice."""
        with self.transaction():
            return [self._write_one(article) for article in articles]

    def _write_one(self, article: Mapping[str, Any]) -> Outcome:
        now = utcnow()
        content_hash = article["content_hash"]
        known = self.conn.execute(
            "SELECT 1 FROM articles WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        if known:
            outcome = Outcome("duplicate", content_hash)
        else:
            previous = self._latest_revision(article.get("outlet"), article.get("article_id"))
            row = {column: article.get(column) for column in ARTICLE_COLUMNS}
            fingerprint = simhash.simhash(article["body"], cleaned=True)
            row.update(
                seq=self._next_seq(),
                first_seen_at=now,
                revision=previous[1] + 1 if previous else 1,
                previous_hash=previous[0] if previous else None,
                simhash=simhash.to_hex(fingerprint),
            )
            for column in JSON_COLUMNS:
                if row[column] is not None:
                    row[column] = json.dumps(row[column], ensure_ascii=False, sort_keys=True)
            placeholders = ", ".join(f":{column}" for column in ARTICLE_COLUMNS)
            self.conn.execute(
                f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({placeholders})",
                row,
            )
            near = self._link_near_duplicates(row["seq"], content_hash, fingerprint, now)
            kind = "revision" if previous else "new"
            outcome = Outcome(kind, content_hash, previous[0] if previous else None, near)
        self._remember_url(article, now)
        return outcome

    # -- near-duplicates -----------------------------------------------------------------------

    def _link_near_duplicates(self, seq: int, content_hash: str, value: int, now: str) -> int:
        """Index a new article's SimHash, record its near-duplicates and give it a cluster."""
        # The nearest few suffice to place an article in its cluster; templated short notices
        # could otherwise link every new article to thousands of old ones.
        found = sorted(self._near(value, exclude=seq), key=lambda f: f[2])[:MAX_NEAR_LINKS]
        for other_hash, _, distance in found:
            self.conn.execute(
                "INSERT OR IGNORE INTO near_duplicates (older_hash, newer_hash, distance,"
                " found_at) VALUES (?, ?, ?, ?)",
                (other_hash, content_hash, distance, now),
            )
        clusters = {cluster for _, cluster, _ in found if cluster is not None}
        cluster = min(clusters | {seq})
        if len(clusters) > 1 or (clusters and min(clusters) != cluster):
            marks = ",".join("?" * len(clusters))
            self.conn.execute(
                f"UPDATE articles SET cluster = ? WHERE cluster IN ({marks})", (cluster, *clusters)
            )
        self.conn.execute("UPDATE articles SET cluster = ? WHERE seq = ?", (cluster, seq))
        self.conn.executemany(
            "INSERT OR IGNORE INTO simhash_bands (band, value, seq, fingerprint)"
            " VALUES (?, ?, ?, ?)",
            [(band, part, seq, _signed(value)) for band, part in enumerate(simhash.bands(value))],
        )
        return len(found)

    def _near(self, value: int, *, exclude: int | None = None, distance: int | None = None):
        """(content_hash, cluster, distance) of stored articles within ``distance`` bits."""
        limit = self.near_distance if distance is None else distance
        if not value:
            return []  # an article with no words is like nothing
        # The band rows carry the whole SimHash, so candidates are read from the index alone, and
        # the articles are looked up only for the few within the distance: candidates grow with
        # the store, and a look-up per candidate became most of the cost of a write.
        signed = _signed(value)
        near: dict[int, int] = {}
        for band, part in enumerate(simhash.bands(value)):
            probes = simhash.probes(part)
            marks = ",".join("?" * len(probes))
            rows = self.conn.execute(
                f"SELECT seq, fingerprint FROM simhash_bands WHERE band = ? AND value IN ({marks})",
                (band, *probes),
            )
            for seq, fingerprint in rows:
                bits = ((signed ^ fingerprint) & _MASK64).bit_count()
                if bits <= limit:
                    near[seq] = bits
        near.pop(exclude, None)
        found = []
        for seq in sorted(near):
            other_hash, cluster = self.conn.execute(
                "SELECT content_hash, cluster FROM articles WHERE seq = ?", (seq,)
            ).fetchone()
            found.append((other_hash, cluster, near[seq]))
        return found

    def _backfill_simhashes(self) -> None:
        rows = self.conn.execute("SELECT seq, content_hash, body FROM articles ORDER BY seq")
        now = utcnow()
        for seq, content_hash, body in rows.fetchall():
            value = simhash.simhash(body, cleaned=True)
            self.conn.execute(
                "UPDATE articles SET simhash = ? WHERE seq = ?", (simhash.to_hex(value), seq)
            )
            self._link_near_duplicates(seq, content_hash, value, now)

    def similar(self, content_hash: str, distance: int | None = None) -> list[dict[str, Any]]:
        """An article's near-duplicates, nearest first, with outlet, date, distance and title.

        ``distance`` (at most simhash.MAX_DISTANCE) searches afresh; by default the pairs
        recorded as articles arrived are listed.
        """
        row = self.conn.execute(
            "SELECT seq, simhash FROM articles WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no article with content hash {content_hash} in {self.path}")
        if distance is not None:
            pairs = [(h, d) for h, _, d in self._near(simhash.from_hex(row[1]), exclude=row[0],
                                                       distance=distance)]  # fmt: skip
        else:
            pairs = self.conn.execute(
                "SELECT newer_hash, distance FROM near_duplicates WHERE older_hash = :h UNION"
                " SELECT older_hash, distance FROM near_duplicates WHERE newer_hash = :h",
                {"h": content_hash},
            ).fetchall()
        result = []
        for other_hash, bits in pairs:
            article = self.conn.execute(
                "SELECT outlet, published_at, title, url, cluster FROM articles"
                " WHERE content_hash = ?",
                (other_hash,),
            ).fetchone()
            outlet, published_at, title, url, cluster = article
            result.append({"content_hash": other_hash, "distance": bits, "outlet": outlet,
                           "published_at": published_at, "title": title, "url": url,
                           "cluster": cluster})  # fmt: skip
        return sorted(result, key=lambda r: (r["distance"], r["published_at"] or ""))

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

    def _remember_url(self, article: Mapping[str, Any], now: str) -> None:
        self.conn.execute(
            "INSERT INTO article_urls (url, outlet, article_id, content_hash, first_seen_at,"
            " last_seen_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET content_hash = excluded.content_hash,"
            " last_seen_at = excluded.last_seen_at",
            (
                article["url"],
                article["outlet"],
                article.get("article_id"),
                article["content_hash"],
                now,
                now,
            ),
        )

    def has_url(self, url: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM article_urls WHERE url = ?", (url,)).fetchone()
            is not None
        )

    def article(self, content_hash: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE content_hash = ?", [content_hash]))
        return _decode(rows[0]) if rows else None

    def articles(self, *, latest_only: bool = False) -> Iterator[dict[str, Any]]:
        """Every article in store order (``seq``), streamed."""
        source = "latest_articles" if latest_only else "articles"
        for row in self.db.query(f"SELECT * FROM {source} ORDER BY seq"):
            yield _decode(row)

    def count(self, table: str = "articles") -> int:
        return self.db[table].count

    # -- runs ----------------------------------------------------------------------------------

    def start_run(self, run_id: str, spider: str, started_at: str | None = None) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO runs (run_id, spider, started_at, status) VALUES (?, ?, ?, 'running')",
                (run_id, spider, started_at or utcnow()),
            )

    def finish_run(
        self,
        run_id: str,
        status: str,
        stats: Mapping[str, Any],
        summary: Mapping[str, Any] | None = None,
    ) -> None:
        """Record how a run ended: its finish reason, final stats and (optionally) its summary."""
        values: dict[str, Any] = {"finished_at": utcnow(), "status": status, "stats": stats}
        values.update({k: v for k, v in (summary or {}).items() if k in RUN_SUMMARY_COLUMNS})
        for column in RUN_JSON_COLUMNS & values.keys():
            values[column] = json.dumps(values[column], ensure_ascii=False, default=str)
        assignments = ", ".join(f"{column} = :{column}" for column in values)
        with self.transaction():
            self.conn.execute(
                f"UPDATE runs SET {assignments} WHERE run_id = :run_id",
                {**values, "run_id": run_id},
            )

    def runs(self, spider: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Runs oldest first (the newest ``limit`` of them when given)."""
        where, args = ("WHERE spider = ?", [spider]) if spider else ("", [])
        sql = f"SELECT * FROM runs {where} ORDER BY started_at DESC, rowid DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = [_decode_run(row) for row in self.db.query(sql, args)]
        return rows[::-1]

    def new_articles_before(self, spider: str, run_id: str, count: int) -> list[int]:
        """New-article counts of the ``count`` finished runs before ``run_id``, newest first."""
        rows = self.conn.execute(
            "SELECT new_articles FROM runs WHERE spider = ? AND run_id != ?"
            " AND finished_at IS NOT NULL AND new_articles IS NOT NULL"
            " AND started_at <= (SELECT started_at FROM runs WHERE run_id = ?)"
            " ORDER BY started_at DESC, rowid DESC LIMIT ?",
            (spider, run_id, run_id, count),
        )
        return [new for (new,) in rows]

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

    # -- reading for exports and search ------------------------------------------------------

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
        wanted = list(outlets)
        if not wanted:
            return
        known = self.outlets()
        unknown = [outlet for outlet in wanted if outlet not in known]
        if unknown:
            holds = f"it holds {', '.join(known)}" if known else "it holds no articles yet"
            raise StoreError(f"no outlet {unknown[0]!r} in {self.path}: {holds}")

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
            yield _decode(dict(zip(ARTICLE_COLUMNS, row, strict=True)))

    def search(
        self, match: str, query: ArticleQuery, *, limit: int, marks: tuple[str, str] = ("[", "]")
    ) -> list[dict[str, Any]]:
        """Best matches first for an FTS5 query; sqlite3.OperationalError if FTS5 rejects it."""
        where, params = _where(query)
        sql = f"""
            SELECT a.published_at, a.outlet, a.title, a.url, a.content_hash,
                   snippet(articles_fts, -1, :open, :close, '…', 16) AS snippet
            FROM articles_fts
            JOIN articles r ON r.rowid = articles_fts.rowid
            JOIN {_source(query)} a ON a.content_hash = r.content_hash
            WHERE articles_fts MATCH :match AND {where}
            ORDER BY articles_fts.rank
            LIMIT :limit
        """
        params.update(match=match, limit=limit, open=marks[0], close=marks[1])
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

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


_MASK64 = (1 << 64) - 1


def _signed(value: int) -> int:
    """A 64-bit unsigned value as SQLite stores integers: signed."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _decode_run(row: dict[str, Any]) -> dict[str, Any]:
    for column in RUN_JSON_COLUMNS:
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    return row


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    for column in JSON_COLUMNS:
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    return row


def _statements(migration: str | list[str]) -> list[str]:
    """A migration's statements: a script split on ';', or a list when bodies hold ';'."""
    return _split_sql(migration) if isinstance(migration, str) else migration


def _split_sql(script: str) -> list[str]:
    """Split a schema script into statements (no statement here holds a literal ';')."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
