"""The store-wide figures of the report page: articles per publication day, biggest clusters.

Plain functions over a Store's connection, so the report reads them without widening the Store.
``deploy/datasette-metadata.json`` holds the same queries for Datasette; a test checks both give
the same figures.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from typing import Any

from newscrawl.store.rows import decode_run

# published_at starts with the day in the outlet's own time (Dhaka), so its first ten
# characters are the publication day, and a range of days is a string range the index serves.
ARTICLES_PER_DAY = """
SELECT substr(published_at, 1, 10) AS day, outlet, count(*) AS articles
FROM latest_articles
WHERE published_at >= :since AND published_at < :before
GROUP BY day, outlet
ORDER BY day, outlet
"""

# An article's revisions share its cluster; counting distinct articles keeps an article edited
# three times from passing for a story three outlets carried.
BIGGEST_CLUSTERS = """
SELECT a.cluster,
       count(DISTINCT a.outlet || '/' || coalesce(a.article_id, a.content_hash)) AS articles,
       count(DISTINCT a.outlet) AS outlets,
       group_concat(DISTINCT a.outlet) AS outlet_names,
       substr(min(a.published_at), 1, 10) AS first_day,
       substr(max(a.published_at), 1, 10) AS last_day,
       (SELECT f.title FROM articles f WHERE f.seq = a.cluster) AS title,
       (SELECT f.url FROM articles f WHERE f.seq = a.cluster) AS url
FROM articles a
WHERE a.cluster IS NOT NULL
GROUP BY a.cluster
HAVING articles > 1
ORDER BY articles DESC, a.cluster
LIMIT :limit
"""


def _rows(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def newest_publication_day(conn: sqlite3.Connection) -> date | None:
    # Dates more than two days ahead are rejected when crawled, so the newest is a real one.
    (newest,) = conn.execute("SELECT max(published_at) FROM articles").fetchone()
    return date.fromisoformat(newest[:10]) if newest else None


def articles_per_day(conn: sqlite3.Connection, last_day: date, days: int) -> list[dict[str, Any]]:
    """(day, outlet, articles) of the latest revisions published in the ``days`` to ``last_day``."""
    since = last_day - timedelta(days=days - 1)
    params = {"since": since.isoformat(), "before": (last_day + timedelta(days=1)).isoformat()}
    return _rows(conn, ARTICLES_PER_DAY, params)


def biggest_clusters(conn: sqlite3.Connection, limit: int = 10) -> list[dict[str, Any]]:
    """The near-duplicate clusters with the most distinct articles, biggest first."""
    return _rows(conn, BIGGEST_CLUSTERS, {"limit": limit})


def recent_runs(
    conn: sqlite3.Connection, days: int, spider: str | None = None
) -> list[dict[str, Any]]:
    """Each outlet's runs of the ``days`` days up to its newest run, oldest first.

    Each outlet has its own window, so one no longer scheduled still shows its last weeks. The
    final Scrapy stats (``stats``, the bulk of a row) are left out: the report draws the
    summary columns.
    """
    where, params = ("WHERE spider = :spider", {"spider": spider}) if spider else ("", {})
    newest = conn.execute(
        f"SELECT spider, max(started_at) FROM runs {where} GROUP BY spider ORDER BY spider", params
    ).fetchall()
    names = [row[1] for row in conn.execute("PRAGMA table_info(runs)") if row[1] != "stats"]
    sql = (
        f"SELECT {', '.join(names)} FROM runs WHERE spider = :spider AND started_at >= :since"
        " ORDER BY started_at, rowid"
    )
    runs = []
    for name, last in newest:
        since = (datetime.fromisoformat(last) - timedelta(days=days)).isoformat()
        runs += [decode_run(row) for row in _rows(conn, sql, {"spider": name, "since": since})]
    return runs
