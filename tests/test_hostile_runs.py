"""Runs in a hostile world close cleanly and tell the truth (issue 12: items 2, 8, 9, 14, 15).

Each test runs the real ``scrapy crawlall`` (or ``crawl``) in a subprocess against a loopback
replica, with the fault injected at the operating-system boundary: a file size limit
(``RLIMIT_FSIZE``, with SIGXFSZ ignored, so writes past it fail with EFBIG as on a full disk),
a run log that is ``/dev/full`` (ENOSPC), a folder another user cannot write, signals, a port
nobody listens on. After each: the process ended within a bound, the outlet's lock is free,
the run is recorded with the cause, and the database passes ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newscrawl import health, runlock
from newscrawl.store import Store
from tests.conftest import PROJECT, run_scrapy, scrapy_args, scrapy_env
from tests.support.replica import Replica
from tests.test_scheduled import Site, path

MB = 1024 * 1024


@pytest.fixture
def site(replica):
    return Site(replica)


def crawlall_cmd(site: Site, db_path: Path, *extra: str, **settings: str) -> list[str]:
    return [
        sys.executable, "-m", "scrapy", "crawlall", "--outlet", "inqilab",
        "-a", f"base_url={site.replica.url}", *extra,
        *scrapy_args({"NEWSCRAWL_DB": str(db_path), **settings}),
    ]  # fmt: skip


def crawlall(site: Site, db_path: Path, *extra: str, timeout: float = 120, **settings: str):
    return run_scrapy(
        "crawlall", "--outlet", "inqilab", "-a", f"base_url={site.replica.url}", *extra,
        settings={"NEWSCRAWL_DB": str(db_path), **settings}, timeout=timeout,
    )  # fmt: skip


def lock_is_free(db_path: Path) -> bool:
    try:
        runlock.acquire(db_path, "inqilab")
    except runlock.LockHeld:
        return False
    runlock.release(db_path, "inqilab")
    return True


def assert_intact(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def last_run(db_path: Path) -> dict:
    with Store(db_path) as store:
        return store.runs("inqilab")[-1]


def unhealthy_line(stderr: str) -> str:
    [line] = [x for x in stderr.splitlines() if x.startswith("scrapy crawlall: inqilab unhealthy")]
    return line


def publish_long(site: Site, n: int) -> None:
    """``n`` articles of ~40 KB of text each, so a few of them fill a small file size limit."""
    site.publish(n)
    for i in range(site.count - n + 1, site.count + 1):
        page = site.replica.routes[path(i)]
        filler = f"<p>বিস্তারিত প্রতিবেদন {i}, অনুচ্ছেদ {{}}। " + "নগরে নতুন সেতু। " * 60 + "</p>"
        more = "".join(filler.format(k) for k in range(25)).encode()
        page.body = page.body.replace(b"</p>", b"</p>" + more, 1)


def finish(proc: subprocess.Popen, timeout: float) -> str:
    """The process's stderr once it has ended; killed (and the test failed) if it hangs."""
    try:
        return proc.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"still running after {timeout} s")


def limit_file_size(limit: int):
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


# -- item 2: a full disk -------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["crawlall", "crawl"])
def test_a_full_disk_closes_the_run_unhealthy_and_frees_the_lock(site, db_path, command):
    publish_long(site, 2)
    assert crawlall(site, db_path).returncode == 0  # the database exists, with 2 articles
    publish_long(site, 60)
    size = db_path.stat().st_size
    # Every file the run writes is capped a little above the database's size: batches of new
    # articles cannot be written, as on a full disk; the log file stays under its own bound.
    cmd = crawlall_cmd(site, db_path, NEWSCRAWL_BATCH_SIZE="5", NEWSCRAWL_LOG_MAX_BYTES="100000")
    if command == "crawl":
        cmd[3:6] = ["crawl", "inqilab"]  # scrapy crawl inqilab -a base_url=… -s …
    proc = subprocess.Popen(
        cmd,
        cwd=PROJECT, env=scrapy_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=limit_file_size(size + 400_000),
    )  # fmt: skip
    stderr = finish(proc, timeout=90)  # no hang after "Closing spider"
    assert proc.returncode == 1, stderr[-3000:]
    assert lock_is_free(db_path)
    assert_intact(db_path)
    if command == "crawl":
        [line] = [x for x in stderr.splitlines() if x.startswith("scrapy crawl: inqilab:")]
    else:
        line = unhealthy_line(stderr)
    assert "scraped articles were not stored" in line and "write(s) failed" in line, line
    run = last_run(db_path)
    assert run["status"] == "store_failed" and run["outcome"] == "unhealthy", stderr[-3000:]
    assert any("not stored" in problem for problem in run["problems"])
    failed = {k: v for k, v in run["stats"].items() if k.startswith("newscrawl/store_failed/")}
    assert failed, run["stats"]
    with Store(db_path) as store:
        kept = store.count()
    assert kept == 2 + run["new_articles"] < 62  # what was stored is kept
    # The next run (room on the disk again) is not blocked.
    again = crawlall(site, db_path)
    assert again.returncode == 0, again.stderr[-3000:]


def test_a_run_log_that_cannot_be_written_makes_the_run_unhealthy_not_hung(site, db_path):
    site.publish(3)
    logs = db_path.parent / "logs"
    logs.mkdir(parents=True)
    now = datetime.now(UTC)
    for second in range(-2, 60):  # whenever the run starts, its log file is /dev/full (ENOSPC)
        stamp = (now + timedelta(seconds=second)).strftime("%Y%m%dT%H%M%SZ")
        (logs / f"crawlall-{stamp}.log").symlink_to("/dev/full")
    result = crawlall(site, db_path, timeout=60)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Logging error" not in result.stderr and "Traceback" not in result.stderr
    assert "could not be written (No space left on device)" in unhealthy_line(result.stderr)
    assert lock_is_free(db_path)
    run = last_run(db_path)
    assert run["status"] == "finished" and run["new_articles"] == 3  # the articles are kept
    assert run["outcome"] == "unhealthy"


# -- item 8: killed runs, double SIGTERM, locked runs and staleness ------------------------------


def start_slow_crawl(site: Site, db_path: Path) -> subprocess.Popen:
    """A crawl whose article pages take 30 s each: it is mid-run for as long as a test needs."""
    site.publish(4, delay=30)
    proc = subprocess.Popen(
        crawlall_cmd(site, db_path), cwd=PROJECT, env=scrapy_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    site.wait_until_mid_run(proc)
    return proc


def test_a_killed_run_is_marked_abandoned_by_the_next(site, db_path):
    proc = start_slow_crawl(site, db_path)
    proc.kill()
    finish(proc, timeout=30)
    assert last_run(db_path)["status"] == "running"  # SIGKILL: nothing could record it
    for i in range(1, 5):
        site.replica.routes[path(i)].delay = 0
    result = crawlall(site, db_path)
    assert result.returncode == 0, result.stderr[-3000:]
    with Store(db_path) as store:
        killed, latest = store.runs("inqilab")
    assert killed["status"] == "abandoned" and killed["outcome"] == "unhealthy"
    assert "ended before recording the run" in killed["problems"][0]
    assert latest["status"] == "finished" and latest["new_articles"] == 4


def test_a_second_sigterm_still_records_the_run(site, db_path):
    proc = start_slow_crawl(site, db_path)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    stderr = finish(proc, timeout=30)
    assert "forcing unclean shutdown" in stderr
    assert proc.returncode != 0
    assert lock_is_free(db_path)
    assert_intact(db_path)
    run = last_run(db_path)
    assert run["status"] == "killed" and run["outcome"] == "unhealthy", run
    assert "stopped before the run could close" in run["problems"][0]


def test_locked_runs_do_not_count_toward_staleness(site, db_path):
    site.publish(2)
    settings = {"NEWSCRAWL_STALE_RUNS": "2"}
    assert crawlall(site, db_path, **settings).returncode == 0  # 2 new
    runlock.acquire(db_path, "inqilab")
    try:
        for _ in range(2):  # Scrapyd's overlapping jobs: recorded as "locked", crawl nothing
            run_scrapy(
                "crawl", "inqilab", "-a", f"base_url={site.replica.url}",
                settings={"NEWSCRAWL_DB": str(db_path), **settings},
            )  # fmt: skip
    finally:
        runlock.release(db_path, "inqilab")
    with Store(db_path) as store:
        assert [r["status"] for r in store.runs("inqilab")] == ["finished", "locked", "locked"]
    result = crawlall(site, db_path, **settings)  # 0 new: the first run without news
    assert result.returncode == 0, result.stderr[-3000:]
    result = crawlall(site, db_path, **settings)  # 0 new twice in a row: now stale
    assert result.returncode == 1
    assert "no new articles in 2 consecutive runs" in result.stderr


# -- item 9: a read-only database folder ---------------------------------------------------------


def without_root_file_powers() -> None:
    """Run the child as root minus the powers to ignore file permissions (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH, dropped from its bounding set), so a mode 555 folder is read-only to it
    as to any user."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            os._exit(99)


def test_a_read_only_database_folder_is_one_line(site, db_path):
    site.publish(1)
    assert crawlall(site, db_path).returncode == 0
    lock = runlock.lock_path(db_path, "inqilab")
    outcomes = []
    os.chmod(db_path.parent, 0o555)
    try:
        # With no lock file yet (the issue: PermissionError), then with one left by a run.
        for lock_file_there in (False, True):
            if lock_file_there:
                os.chmod(db_path.parent, 0o755)
                lock.touch()
                os.chmod(db_path.parent, 0o555)
            else:
                lock.unlink()
            outcomes.append(subprocess.run(
                crawlall_cmd(site, db_path), cwd=PROJECT, env=scrapy_env(), capture_output=True,
                text=True, timeout=60, preexec_fn=without_root_file_powers, check=False,
            ))  # fmt: skip
    finally:
        os.chmod(db_path.parent, 0o755)
    # The database is checked, writing nothing, before any lock file is made.
    for proc in outcomes:
        assert proc.returncode == 1, proc.stderr[-3000:]
        lines = [x for x in proc.stderr.splitlines() if "crawlall:" in x]
        assert len(lines) == 1 and "cannot write the database" in lines[0], proc.stderr[-3000:]
        assert "readonly database" in lines[0]
        assert "Traceback" not in proc.stderr
    assert_intact(db_path)
    with Store(db_path) as store:
        assert store.count() == 1


# -- item 14: an offline first run ---------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_offline_first_run_says_the_site_could_not_be_reached(db_path):
    url = f"http://127.0.0.1:{closed_port()}"
    result = run_scrapy(
        "crawlall", "--outlet", "inqilab", "-a", f"base_url={url}",
        settings={"NEWSCRAWL_DB": str(db_path), "RETRY_TIMES": "1"},
    )  # fmt: skip
    assert result.returncode == 1
    line = unhealthy_line(result.stderr)
    assert "site unreachable: " in line and "ConnectionRefusedError (" in line, line
    assert "Error Count Monitor" not in line
    run = last_run(db_path)
    assert run["problems"][0].startswith("site unreachable: ")


def test_discovery_that_finds_nothing_readable_is_unhealthy(replica, db_path):
    replica.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
    replica.add("/rss/rss.xml", "<rss><channel><item><link>", content_type="application/rss+xml")
    result = run_scrapy(
        "crawlall", "--outlet", "inqilab", "-a", f"base_url={replica.url}",
        settings={"NEWSCRAWL_DB": str(db_path)},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-3000:]
    line = unhealthy_line(result.stderr)
    assert "no article found: the discovery documents failed or were unreadable" in line, line


# -- item 15: per-outlet mirrors -----------------------------------------------------------------


def test_crawlall_takes_a_mirror_per_outlet(db_path):
    mirrors = {name: Replica().start() for name in ("inqilab", "sunnews")}
    try:
        bare = run_scrapy(
            "crawlall", "-a", f"base_url={mirrors['inqilab'].url}",
            settings={"NEWSCRAWL_DB": str(db_path)},
        )  # fmt: skip
        assert bare.returncode == 2 and "Traceback" not in bare.stderr
        [line] = [x for x in bare.stderr.splitlines() if "crawlall:" in x]
        assert "every outlet to one mirror" in line and "inqilab.base_url" in line
        assert not any(m.hits() for m in mirrors.values())

        typo = run_scrapy(
            "crawlall", "--outlet", "inqilab", "-a", "inqlab.base_url=http://127.0.0.1:1",
            settings={"NEWSCRAWL_DB": str(db_path)},
        )  # fmt: skip
        assert typo.returncode == 2 and "'inqlab' is not an outlet of this run" in typo.stderr

        both = run_scrapy(
            "crawlall", *(f"-a{name}.base_url={m.url}" for name, m in mirrors.items()),
            settings={"NEWSCRAWL_DB": str(db_path), "RETRY_TIMES": "0"},
        )  # fmt: skip
        assert "Traceback" not in both.stderr
        for name, mirror in mirrors.items():
            assert mirror.hits()["/robots.txt"] >= 1, (name, both.stderr[-3000:])
    finally:
        for mirror in mirrors.values():
            mirror.stop()


# -- health: items scraped but not stored --------------------------------------------------------


def test_items_scraped_but_not_stored_always_count_against_health():
    stored = {health.SCRAPED_STAT: 5, "newscrawl/articles/new": 4, "newscrawl/dropped/x": 1}
    assert health.verdict(stored, None) == ("healthy", [])
    vanished = {**stored, health.SCRAPED_STAT: 7}
    assert health.verdict(vanished, None) == (
        "unhealthy",
        ["2 of 7 scraped articles were not stored (an item pipeline failed; see the log)"],
    )
    one_error = {**stored, "newscrawl/store_failed/disk_full": 1,
                 health.STORE_ERROR_STAT: "database or disk is full"}  # fmt: skip
    assert health.verdict(one_error, None)[0] == "unhealthy"  # a failed write, even if none lost


def test_a_discovery_document_that_could_not_be_read_makes_the_run_unhealthy():
    # A 10 MB feed or a broken .xml.gz loses every link it held, even when other documents
    # gave articles: counted, and never a healthy run.
    found = {health.SCRAPED_STAT: 3, "newscrawl/articles/new": 3, "newscrawl/discovered/feed": 3}
    assert health.verdict(found, None) == ("healthy", [])
    lost = {**found, "newscrawl/discovery_unreadable/sitemap": 2}
    outcome, problems = health.verdict(lost, None)
    assert outcome == "unhealthy"
    assert problems == [
        "discovery documents could not be read (2 sitemap): their links were lost; see the log"
    ]
