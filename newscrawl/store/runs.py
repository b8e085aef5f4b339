"""Crawl runs: what each did and how it ended."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

import sqlite_utils

from newscrawl.health import NO_VERDICT_REASONS
from newscrawl.store.rows import decode_run, utcnow
from newscrawl.store.schema import RUN_JSON_COLUMNS, RUN_SUMMARY_COLUMNS


def without_stale_verdict(run: dict[str, Any]) -> dict[str, Any]:
    """A ``runs`` row as read: one that found its outlet locked has no verdict, even where an
    older version recorded one (``unhealthy``, for a finish reason other than ``finished``)."""
    if run.get("status") in NO_VERDICT_REASONS:  # a run's status is its finish reason
        run["outcome"], run["problems"] = None, []
    return run


class Runs:
    """The Store's record of crawl runs (a mixin: needs ``conn``, ``db``, ``transaction``)."""

    conn: sqlite3.Connection
    db: sqlite_utils.Database

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

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
        """Record how a run ended: its finish reason, final stats and (optionally) its summary.

        A run is most worth recording when the disk is full. When the write fails, the WAL is
        checkpointed and truncated (the room it held is what one small update needs) and the
        write tried once more.
        """
        values: dict[str, Any] = {"finished_at": utcnow(), "status": status, "stats": stats}
        values.update({k: v for k, v in (summary or {}).items() if k in RUN_SUMMARY_COLUMNS})
        for column in RUN_JSON_COLUMNS & values.keys():
            values[column] = json.dumps(values[column], ensure_ascii=False, default=str)
        assignments = ", ".join(f"{column} = :{column}" for column in values)
        sql = f"UPDATE runs SET {assignments} WHERE run_id = :run_id"
        try:
            with self.transaction():
                self.conn.execute(sql, {**values, "run_id": run_id})
        except sqlite3.OperationalError:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            with self.transaction():
                self.conn.execute(sql, {**values, "run_id": run_id})

    def mark_abandoned(self, spider: str, current_run_id: str | None) -> int:
        """Runs of ``spider`` left ``running`` by a process that is gone: status ``abandoned``.

        Call it only while holding the outlet's run lock: no other live process can be running
        the outlet then, so any other run still ``running`` lost its process (killed, power cut)
        before it could record how it ended.
        """
        problems = json.dumps(["the process ended before recording the run (killed?)"])
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE runs SET status = 'abandoned', outcome = 'unhealthy', problems = ?"
                " WHERE spider = ? AND status = 'running' AND run_id IS NOT ?",
                (problems, spider, current_run_id),
            )
        return cursor.rowcount

    def runs(self, spider: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Runs oldest first (the newest ``limit`` of them when given)."""
        where, args = ("WHERE spider = ?", [spider]) if spider else ("", [])
        sql = f"SELECT * FROM runs {where} ORDER BY started_at DESC, rowid DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = [without_stale_verdict(decode_run(row)) for row in self.db.query(sql, args)]
        return rows[::-1]

    def new_articles_before(self, spider: str, run_id: str, count: int) -> list[int]:
        """New-article counts of the ``count`` finished runs before ``run_id``, newest first.

        Runs that never crawled (``locked``: another run held the outlet) are not counted.
        """
        rows = self.conn.execute(
            "SELECT new_articles FROM runs WHERE spider = ? AND run_id != ?"
            " AND finished_at IS NOT NULL AND new_articles IS NOT NULL"
            " AND status NOT IN ('locked', 'abandoned')"
            " AND started_at <= (SELECT started_at FROM runs WHERE run_id = ?)"
            " ORDER BY started_at DESC, rowid DESC LIMIT ?",
            (spider, run_id, run_id, count),
        )
        return [new for (new,) in rows]
