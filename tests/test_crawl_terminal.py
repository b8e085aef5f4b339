"""What ``scrapy crawl OUTLET`` shows for a site it cannot reach: Scrapy's log, no traceback, and
a last line that says so and what to do; exit status 1."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator

import pytest

from tests.conftest import run_scrapy


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on (held, so nothing else takes it): refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_an_unreachable_site_ends_with_one_line_saying_so_and_exits_1(db_path, closed_port):
    site = f"http://127.0.0.1:{closed_port}"
    result = run_scrapy(
        "crawl", "inqilab", "-a", f"base_url={site}",
        settings={"NEWSCRAWL_DB": str(db_path), "RETRY_TIMES": "0"},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-3000:]
    lines = result.stderr.splitlines()
    assert lines[-1] == (
        "scrapy crawl: inqilab: site unreachable: DownloadConnectionRefusedError (11 requests): "
        f"check that {site} is up and that this machine reaches it (network, DNS, proxy, "
        "firewall), then run again"
    )
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr
    # Scrapy's log is still there, Spidermon's failed check as its name and reason
    for detail in ("Gave up retrying", "Connection refused", "Dumping Scrapy stats"):
        assert detail in result.stderr, detail
    failed = lines.index("FAIL: Error Count Monitor/test_stat_monitor")
    assert lines[failed + 2].startswith("AssertionError: Expecting 'log_count/ERROR'")
    assert result.stdout == ""
    with sqlite3.connect(db_path) as conn:
        [(status, problems)] = conn.execute("SELECT status, problems FROM runs").fetchall()
    assert status == "finished" and "site unreachable" in problems


def test_a_site_that_answers_is_not_called_unreachable(replica, db_path):
    # negative: one response (robots.txt's 404, here every path's) and the run is not unreachable
    result = run_scrapy(
        "crawl", "inqilab", "-a", f"base_url={replica.url}",
        settings={"NEWSCRAWL_DB": str(db_path), "RETRY_TIMES": "0"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "unreachable" not in result.stderr
    # no console into the run: neither telnet nor Scrapy 2.19's code-running HTTP server
    assert "Remote control" not in result.stderr and "Telnet console" not in result.stderr
