"""Backups: a database copied with SQLite's online backup API, the shards ``scrapy merge`` reads."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from contextlib import suppress
from pathlib import Path

from newscrawl.store.database import Store
from newscrawl.store.rows import StoreError, no_database


def backup(source: sqlite3.Connection, destination: Path) -> None:
    """Copy a database with SQLite's online backup API into one self-contained file.

    The copy is one consistent state of the source even while crawls write to it (a plain file
    copy of a WAL database may miss committed changes or catch a half-written page), and it is
    left in rollback-journal mode, so the single file is the whole database.
    """
    with suppress(FileNotFoundError):
        destination.unlink()
    target = sqlite3.connect(destination, isolation_level=None)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()


def backup_to_file(database: Path, destination: Path, *, force: bool = False) -> int:
    """``scrapy backup``: the database at ``database`` copied to ``destination``, atomically.

    The copy is written under a temporary name beside ``destination`` and renamed when
    complete. An existing destination is replaced only with ``force``, and never when it is the
    database itself or a live WAL database. Returns the number of articles copied.
    """
    if not database.is_file():
        raise StoreError(no_database(database))
    if destination.is_dir():
        raise StoreError(f"{destination} is a folder: give the file to write, e.g. NODE.db")
    if destination.exists():
        if os.path.samefile(destination, database):
            raise StoreError(f"{destination} is the database itself: give another path")
        if Path(f"{destination}-wal").exists():
            raise StoreError(f"{destination} is a live database (it has a -wal): not replaced")
        if not force:
            raise StoreError(f"{destination} exists: pass --force to replace it")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with Store(database, create=False) as store:
        fd, name = tempfile.mkstemp(prefix=f".{destination.name}.tmp-", dir=destination.parent)
        os.close(fd)
        temporary = Path(name)
        try:
            backup(store.conn, temporary)
            shutil.copymode(database, temporary)
            os.replace(temporary, destination)
        except BaseException:
            with suppress(FileNotFoundError):
                temporary.unlink()
            raise
        return store.count()
