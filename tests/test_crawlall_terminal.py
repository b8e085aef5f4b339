"""What ``scrapy crawlall`` prints on the terminal: a cron job's mail is a few lines.

Its own lines start ``scrapy crawlall:`` like every other command's; Scrapy's log (retry
tracebacks, Spidermon's report, the stats) goes to the run's log file, unless the person running
it chose a log level or file for the run.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl import runlock
from tests.conftest import PROJECT, scrapy_env


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on (held, so nothing else takes it): refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def crawlall(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``scrapy crawlall`` as cron runs it: no log setting of its own."""
    cmd = [sys.executable, "-m", "scrapy", "crawlall", *args, "-s", f"NEWSCRAWL_DB={db_path}",
           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]  # fmt: skip
    return subprocess.run(
        cmd, cwd=PROJECT, env=scrapy_env(), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def test_crawlall_speaks_with_one_prefix(db_path):
    usage = crawlall(db_path, "--outlet", "nowhere")
    assert usage.returncode == 2
    assert usage.stderr.startswith("scrapy crawlall: no outlet 'nowhere'"), usage.stderr
    runlock.acquire(db_path, "inqilab")
    try:
        locked = crawlall(db_path, "--outlet", "inqilab")
    finally:
        runlock.release(db_path, "inqilab")
    assert locked.returncode == 75, locked.stderr[-3000:]
    [line] = [x for x in locked.stderr.splitlines() if "crawlall:" in x]
    assert line.startswith("scrapy crawlall: another inqilab run (pid"), line
