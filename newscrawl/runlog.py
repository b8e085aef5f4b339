"""One log file per scheduled run under ``data/logs/``, bounded in size and in number."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path


class BoundedFileHandler(logging.FileHandler):
    """A log file that stops growing at ``max_bytes``, saying so once, so a runaway log cannot
    fill the disk of a machine that runs crawls unattended for months."""

    def __init__(self, path: Path, max_bytes: int):
        super().__init__(path, encoding="utf-8")
        self.max_bytes = max_bytes
        self.full = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.full:
            return
        if self.stream is not None and self.stream.tell() >= self.max_bytes:
            self.full = True
            self.stream.write(f"[log truncated at {self.max_bytes} bytes]\n")
            self.flush()
            return
        super().emit(record)


def start_run_log(folder: Path, name: str, max_bytes: int, keep: int) -> Path:
    """Send this process's log records to a new file too, and prune the oldest files."""
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
