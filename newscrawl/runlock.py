"""One run at a time per outlet and database: an advisory lock file beside the database.

Locks are per outlet, so Scrapyd may run two different outlets side by side (SQLite takes turns
between the writers), while a run that would overlap the same outlet's previous run cannot start.

``flock`` locks belong to the open file, so the kernel drops a crashed run's lock with its
process: a stale lock file never blocks the next run. The file holds the holder's pid and start
time only so the message to a second run can say who holds it.
"""

from __future__ import annotations

import fcntl
import os
import time
from datetime import UTC, datetime
from pathlib import Path

# A process holds each lock once however many crawlers (crawlall runs several) ask for it.
_HELD: dict[Path, tuple[int, int]] = {}  # path -> (fd, holders)


class LockHeld(Exception):
    """Another process runs against the same database."""


def lock_path(db_path: str | Path, outlet: str) -> Path:
    return Path(f"{Path(db_path).resolve()}.{outlet}.lock")


def acquire(
    db_path: str | Path, outlet: str, *, wait: bool = False, timeout: float | None = None
) -> Path:
    """Take ``outlet``'s run lock for ``db_path``; raise LockHeld when another process has it."""
    path = lock_path(db_path, outlet)
    if path in _HELD:
        fd, holders = _HELD[path]
        _HELD[path] = (fd, holders + 1)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if not wait or (deadline is not None and time.monotonic() >= deadline):
                holder = _describe_holder(fd)
                os.close(fd)
                raise LockHeld(f"another {outlet} run {holder}holds {path}") from None
            time.sleep(0.5)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()} {datetime.now(UTC).isoformat(timespec='seconds')}\n".encode())
    _HELD[path] = (fd, 1)
    return path


def release(db_path: str | Path, outlet: str) -> None:
    path = lock_path(db_path, outlet)
    if path not in _HELD:
        return
    fd, holders = _HELD[path]
    if holders > 1:
        _HELD[path] = (fd, holders - 1)
        return
    del _HELD[path]
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def _describe_holder(fd: int) -> str:
    try:
        pid, started = os.pread(fd, 200, 0).decode().split()[:2]
    except (OSError, ValueError):
        return ""
    return f"(pid {pid}, started {started}) "
