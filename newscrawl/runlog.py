"""One log file per scheduled run under ``data/logs/``, bounded in size and in number."""

from __future__ import annotations

import contextlib
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

# Settings by which a person chooses where Scrapy's log goes, and how much of it.
LOG_CHOICES = ("LOG_ENABLED", "LOG_FILE", "LOG_LEVEL", "LOG_STDOUT")

# Why this process's run log stopped being written, if it did (a full disk, a file size limit).
# Process-wide like the log itself; every outlet's run counts it against its health.
_FAILURE: list[str] = []


def failure() -> str | None:
    """One line on why the run log could not be written, or None while it is fine."""
    return _FAILURE[0] if _FAILURE else None


def note_failure(line: str) -> None:
    if not _FAILURE:
        _FAILURE.append(line)


class BoundedFileHandler(logging.FileHandler):
    """A log file that stops growing at ``max_bytes``, saying so once, so a runaway log cannot
    fill the disk of a machine that runs crawls unattended for months.

    A write that fails (disk full) never reaches the caller: logging runs inside the engine's
    callbacks, and an exception there once left a finished crawl hanging with its lock held.
    The handler goes quiet instead, and ``failure()`` says why, so the run is marked unhealthy.
    """

    def __init__(self, path: Path, max_bytes: int):
        super().__init__(path, encoding="utf-8")
        self.path = path
        self.max_bytes = max_bytes
        self.full = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.full:
            return
        try:
            message = self.format(record)
        except Exception:  # a bad format string: logging's own handling, as any handler
            self.handleError(record)
            return
        try:
            if self.stream is None:
                self.stream = self._open()
            if self.stream.tell() >= self.max_bytes:
                self.full = True
                message = f"[log truncated at {self.max_bytes} bytes]"
            self.stream.write(message + self.terminator)
            self.stream.flush()
        except (OSError, ValueError) as exc:
            self.give_up(exc)

    def flush(self) -> None:
        try:
            super().flush()
        except (OSError, ValueError) as exc:
            self.give_up(exc)

    def close(self) -> None:
        try:
            super().close()
        except (OSError, ValueError) as exc:
            self.give_up(exc)
            self.stream = None  # type: ignore[assignment]

    def give_up(self, exc: BaseException) -> None:
        self.full = True
        note_failure(f"the run log {self.path} could not be written ({_reason(exc)})")
        stream, self.stream = self.stream, None  # type: ignore[assignment]
        if stream is not None:
            # The buffered bytes are what could not be written.
            with contextlib.suppress(OSError, ValueError):
                stream.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def start_run_log(folder: Path, name: str, max_bytes: int, keep: int) -> Path:
    """Send this process's log records to a new file too, and prune the oldest files.

    Raises OSError when the folder or the file cannot be made (the caller says so in one line).
    """
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{name}-{stamp}.log"
    handler = BoundedFileHandler(path, max_bytes)
    handler.setFormatter(
        logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    for old in sorted(folder.glob(f"{name}-*.log"))[:-keep]:
        old.unlink(missing_ok=True)
    return path


def log_chosen(settings: BaseSettings) -> bool:
    """The person running the command chose the log's level or place (``-L``, ``--logfile``,
    ``--nolog``, ``-s LOG_…=``, or ``NEWSCRAWL_LOG_LEVEL`` in the environment)."""
    if os.environ.get("NEWSCRAWL_LOG_LEVEL"):
        return True
    cmdline = SETTINGS_PRIORITIES["cmdline"]
    return any((settings.getpriority(name) or 0) >= cmdline for name in LOG_CHOICES)


def log_to_terminal(settings: BaseSettings) -> None:
    """Scrapy's log on stderr, at ``LOG_LEVEL``, formatted as Scrapy formats it."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
    )
    handler.setLevel(settings.get("LOG_LEVEL"))
    logging.getLogger().addHandler(handler)
