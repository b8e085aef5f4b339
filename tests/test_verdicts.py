"""Runs that did nothing, or were stopped, get verdicts that say so plainly (end to end).

A run that found its outlet locked by another run did nothing: it gets no health verdict, and
``scrapy report`` never shows it unhealthy. One Ctrl-C (or SIGTERM) stops a run early: it is
unhealthy, said in words ("stopped …"), not as Spidermon's finish-reason assertion.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl import health
from newscrawl.store import Store
from tests.conftest import PROJECT, run_scrapy, scrapy_args, scrapy_env
from tests.test_hostile_runs import finish
from tests.test_scheduled import Site

pytestmark = pytest.mark.e2e

# crawlall as cron runs it (no log setting of the run's own: the terminal gets its lines only).
QUIET = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "NEWSCRAWL_BATCH_SECONDS": "0.5"}


@pytest.fixture
def site(replica):
    return Site(replica)


def start(site: Site, db_path: Path, *command: str) -> subprocess.Popen:
    """``scrapy COMMAND`` against the replica, once it is waiting for an article page."""
    if command[0] == "crawlall":
        settings = [f"-s{key}={value}" for key, value in QUIET.items()]
    else:
        settings = scrapy_args({})
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapy", *command, "-a", f"base_url={site.replica.url}",
         *settings, "-s", f"NEWSCRAWL_DB={db_path}"],
        cwd=PROJECT, env=scrapy_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    site.wait_until_mid_run(proc)
    return proc


def runs(db_path: Path) -> list[dict]:
    with Store(db_path) as store:
        return store.runs("inqilab")


def report(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_scrapy("report", *args, settings={"NEWSCRAWL_DB": str(db_path)})
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_a_run_that_found_its_outlet_locked_gets_no_verdict(site, db_path):
    """Two crawls of one outlet: the second starts while the first holds the lock."""
    site.publish(4, delay=8)  # article pages that take 8 s: the first run holds the lock a while
    first = start(site, db_path, "crawl", "inqilab")
    try:
        second = run_scrapy(
            "crawl", "inqilab", "-a", f"base_url={site.replica.url}",
            settings={"NEWSCRAWL_DB": str(db_path)},
        )  # fmt: skip
        assert first.poll() is None, "the first run ended before the second tried: no overlap"
    finally:
        stderr = finish(first, timeout=90)
    assert first.returncode == 0, stderr[-3000:]
    assert second.returncode == 75, second.stderr[-3000:]
    assert "this run did nothing" in second.stderr.splitlines()[-1]
    # Not judged: no Spidermon check ran for a run that never crawled.
    assert "Finish Reason Monitor" not in second.stderr, second.stderr[-3000:]
    assert "[Spidermon]" not in second.stderr, second.stderr[-3000:]
    finished, locked = sorted(runs(db_path), key=lambda run: run["status"])
    assert (locked["status"], locked["outcome"], locked["problems"]) == ("locked", None, [])
    assert (finished["status"], finished["outcome"]) == ("finished", "healthy")
    assert finished["new_articles"] == 4

    # scrapy report: the locked run is skipped, never unhealthy; the outlet's health is its
    # last crawl's.
    table = report(db_path).stdout
    assert "unhealthy" not in table and "Finish Reason" not in table, table
    [row] = [line for line in table.splitlines() if " locked " in line]
    assert row.rstrip().endswith("skipped: locked"), table
    lines = report(db_path, "--json").stdout.splitlines()
    assert sorted((r["status"], r["outcome"]) for r in map(json.loads, lines)) == [
        ("finished", "healthy"),
        ("locked", None),
    ]
    page = db_path.parent / "report.html"
    report(db_path, "--html", str(page))
    html = page.read_text("utf-8")
    assert '<span class="badge healthy">' in html and "badge unhealthy" not in html


def test_a_locked_run_recorded_as_unhealthy_by_an_older_version_is_shown_skipped(db_path):
    with Store(db_path) as store:
        store.start_run("a", "inqilab", "2024-01-01T00:00:00+00:00")
        store.finish_run("a", "finished", {}, {"outcome": "healthy", "problems": []})
        store.start_run("b", "inqilab", "2024-01-01T00:30:00+00:00")
        old = ['Finish Reason Monitor: Finished with "locked" the expected reasons are [...]']
        store.finish_run("b", "locked", {}, {"outcome": "unhealthy", "problems": old})
    table = report(db_path).stdout
    assert "unhealthy" not in table and "Finish Reason" not in table, table
    assert [r["outcome"] for r in runs(db_path)] == ["healthy", None]
    page = db_path.parent / "report.html"
    report(db_path, "--html", str(page))
    html = page.read_text("utf-8")
    assert '<span class="badge healthy">' in html and "Finish Reason" not in html


@pytest.mark.parametrize("command", [("crawlall", "--outlet", "inqilab"), ("crawl", "inqilab")])
def test_one_ctrl_c_says_the_run_was_stopped_in_words(site, db_path, command):
    site.publish(4, delay=3)  # article pages that take 3 s: mid-run when the signal comes
    proc = start(site, db_path, *command)
    proc.send_signal(signal.SIGINT)
    stderr = finish(proc, timeout=90)
    run = runs(db_path)[-1]
    assert run["status"] == "shutdown" and run["outcome"] == "unhealthy", run
    assert run["problems"][0] == health.STOPPED, run["problems"]
    assert not any("Finished with" in p for p in run["problems"]), run["problems"]
    if command[0] == "crawlall":
        assert proc.returncode == 1, stderr[-3000:]  # README: an outlet was unhealthy
        said = [line for line in stderr.splitlines() if "inqilab unhealthy" in line]
        assert said == [f"scrapy crawlall: inqilab unhealthy: {health.STOPPED}"], stderr[-3000:]
    else:
        assert proc.returncode == 0, stderr[-3000:]  # unhealthy runs are left to scrapy report
        assert stderr.splitlines()[-1] == (
            f"scrapy crawl: inqilab: {health.STOPPED}; recorded as not finished (shutdown)"
        ), stderr[-3000:]
        assert 'Finished with "shutdown"' not in stderr, stderr[-3000:]
    table = report(db_path).stdout
    assert f"inqilab {run['started_at'][:16]}: {health.STOPPED}" in table, table
