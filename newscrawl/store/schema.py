"""The database layout: columns, and the migrations that build it version by version."""

from __future__ import annotations

SCHEMA_VERSION = 7

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

# Migration 5: the machine a run happened on, for runs merged in from other nodes' databases
# (`scrapy merge`); NULL for runs of this machine.
MIGRATIONS[5] = ["ALTER TABLE runs ADD COLUMN node TEXT"]
RUN_SUMMARY_COLUMNS = {**_RUN_COLUMNS_V3, "near_duplicates": "INTEGER"}

# Migration 6: newscrawl's own batches index their articles for search with one statement at the
# end of the batch's transaction (a row indexed by the insert trigger cost ~150 µs more, measured
# in docs/benchmarks.md). While a batch writes, its transaction holds a row in
# ``fts_deferred``, and the insert trigger skips rows then; the row is deleted before the
# commit, so no other connection ever sees it, and any other writer (sqlite-utils, datasette,
# `scrapy merge`) is indexed by the trigger row by row as before. A batch killed before its commit
# leaves neither its articles nor its index rows.
MIGRATIONS[6] = [
    """CREATE TABLE IF NOT EXISTS fts_deferred (
    batch         INTEGER PRIMARY KEY           -- present only inside a newscrawl write batch
)""",
    "DROP TRIGGER IF EXISTS articles_ai",
    """CREATE TRIGGER articles_ai AFTER INSERT ON articles
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred) BEGIN
    INSERT INTO articles_fts (rowid, title, subtitle, body)
    VALUES (new.rowid, new.title, new.subtitle, new.body);
END""",
]
# What a batch indexes at its end: the rows it stored (seq from the batch's first on).
INDEX_BATCH = (
    "INSERT INTO articles_fts (rowid, title, subtitle, body)"
    " SELECT seq, title, subtitle, body FROM articles WHERE seq >= ?"
)
# Migration 7: each outlet's articles by publication day, for `scrapy search --newest` with an
# outlet and days together: the filter's articles (their seq) read from this index alone, where
# the outlet's index or the days' one would need each row read for the other part. One more
# index entry per article stored (measured in docs/benchmarks.md, section 4).
MIGRATIONS[7] = [
    "CREATE INDEX IF NOT EXISTS articles_outlet_published ON articles (outlet, published_at)"
]


def statements(migration: str | list[str]) -> list[str]:
    """A migration's statements: a script split on ';', or a list when bodies hold ';'."""
    return _split_sql(migration) if isinstance(migration, str) else migration


def _split_sql(script: str) -> list[str]:
    """Split a schema script into statements (no statement here holds a literal ';')."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
