"""What ``scrapy crawlall`` prints on the terminal: a cron job's mail is a few lines.

Its own lines start ``scrapy crawlall:`` like every other command's; Scrapy's log (retry
tracebacks, Spidermon's report, the stats) goes to the run's log file, unless the person running
it chose a log level or file for the run.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.exceptions import DownloadConnectionRefusedError
from scrapy.utils.test import get_crawler

from newscrawl import runlock
from newscrawl.extensions import ShortNetworkErrors
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


def test_an_unreachable_site_is_a_few_lines_on_the_terminal_and_all_of_it_in_the_log(
    db_path, closed_port
):
    done = crawlall(
        db_path, "--outlet", "inqilab", "-a", f"base_url=http://127.0.0.1:{closed_port}"
    )
    assert done.returncode == 1, done.stderr[-3000:]
    lines = done.stderr.splitlines()
    assert len(lines) <= 25, done.stderr[-3000:]
    assert lines[-1].startswith(
        "scrapy crawlall: inqilab unhealthy: site unreachable: DownloadConnectionRefusedError"
    ), lines[-1]
    assert "Traceback" not in done.stderr and "Spidermon" not in done.stderr
    assert done.stdout == ""
    [logging_to] = [line for line in lines if " logging to " in line]
    log = Path(logging_to.rsplit(" logging to ", 1)[1]).read_text("utf-8")
    for detail in ("Scrapy", "started", "Gave up retrying", "Error downloading", "[Spidermon]",
                   "Dumping Scrapy stats", "Connection refused"):  # fmt: skip
        assert detail in log, detail


def test_a_log_level_given_for_the_run_shows_scrapys_log(db_path, closed_port):
    done = crawlall(
        db_path, "--outlet", "inqilab", "-a", f"base_url=http://127.0.0.1:{closed_port}",
        "-L", "DEBUG",
    )  # fmt: skip
    assert done.returncode == 1
    assert "Gave up retrying" in done.stderr and "[Spidermon]" in done.stderr
    assert "DEBUG" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("scrapy crawlall: inqilab unhealthy")


def test_with_no_log_file_scrapys_log_stays_on_the_terminal(tmp_path, closed_port):
    (tmp_path / "logs").write_text("a file where the log folder would be", "utf-8")
    done = crawlall(
        tmp_path / "newscrawl.db", "--outlet", "inqilab",
        "-a", f"base_url=http://127.0.0.1:{closed_port}",
    )  # fmt: skip
    assert done.returncode == 1
    assert "scrapy crawlall: cannot write the run log in" in done.stderr
    assert "Gave up retrying" in done.stderr  # the detail goes somewhere


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
    [line] = locked.stderr.splitlines()  # nor Scrapy's start-up banner
    assert line.startswith("scrapy crawlall: another inqilab run (pid"), line


def test_a_refused_connection_is_one_line_and_a_bug_keeps_its_traceback(caplog):
    ShortNetworkErrors.from_crawler(get_crawler())
    robots = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    for exc in (DownloadConnectionRefusedError("Connection refused"), TypeError("a bug")):
        try:
            raise exc
        except Exception:
            robots.error("Error downloading %s: %s", "<GET http://x/>", exc, exc_info=True)
    refused, bug = caplog.records
    assert refused.levelname == "ERROR" and "Connection refused" in refused.getMessage()
    assert refused.exc_info is None and "Traceback" not in caplog.text.split("a bug")[0]
    assert bug.exc_info is not None and "TypeError: a bug" in caplog.text
