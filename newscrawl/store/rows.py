"""What the store hands out: its error, write outcomes, timestamps, and decoded rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newscrawl.store.schema import JSON_COLUMNS, RUN_JSON_COLUMNS


class StoreError(Exception):
    """A store problem a person can act on (bad path, newer schema, not a database)."""


def no_database(path: object) -> str:
    """What a command says when the database it is to read is not there."""
    return f"no database at {path}: run a crawl first, or give its path with --db or NEWSCRAWL_DB"


@dataclass(frozen=True)
class Outcome:
    """What writing one article did: ``new``, ``duplicate`` or ``revision``."""

    kind: str
    content_hash: str
    previous_hash: str | None = None
    near_duplicates: int = 0


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def decode_run(row: dict[str, Any]) -> dict[str, Any]:
    for column in RUN_JSON_COLUMNS:
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    return row


def decode(row: dict[str, Any]) -> dict[str, Any]:
    for column in JSON_COLUMNS:
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    return row
