"""Scheduled runs: `scrapy crawlall` is incremental, never overlaps, records and reports health."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawl import runlock
from newscrawl.store import Store
from tests.conftest import PROJECT, run_scrapy, scrapy_args, scrapy_env
from tests.support.outlets import known_outlets
from tests.support.sites import inqilab_article, listing, rss

REAL = "https://dailyinqilab.com"
ARTICLE = re.compile(r"^/[a-z]+/news/\d+$")


def path(i: int) -> str:
    return f"/international/news/{800000 + i}"


class Site:
    """A loopback Inqilab with a feed (newest 10) and a two-page listing (the rest)."""

    def __init__(self, replica):
        self.replica = replica
        self.count = 0
        replica.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")

    def publish(self, n: int, **page_kwargs) -> None:
        for i in range(self.count + 1, self.count + n + 1):
            paragraphs = [f"প্রতিবেদন {i}: নগরে নতুন সেতুর কাজ শুরু হয়েছে।", f"বিস্তারিত {i}।"]
            page = inqilab_article(f"সেতুর খবর {i}", paragraphs, (2024, 12, 1 + i % 28, 10, 0))
            self.replica.add(path(i), page, **page_kwargs)
        self.count += n
        newest = range(self.count, max(self.count - 10, 0), -1)
        items = [(f"t{i}", f"{REAL}{path(i)}", "Sun, 01 Dec 2024 10:00:00 +0600") for i in newest]
        self.replica.add("/rss/rss.xml", rss(items), content_type="application/rss+xml")
        older = [f"{REAL}{path(i)}" for i in range(max(self.count - 10, 0), 0, -1)]
        self.replica.add("/international", listing(older[:5], "?page=2"))
        self.replica.add("/international?page=2", listing(older[5:]))

    def article_hits(self) -> list[str]:
        return sorted(p for p in self.replica.hits() if ARTICLE.match(p))

    def wait_until_mid_run(self, proc: subprocess.Popen, timeout: float = 60) -> None:
        """Until a crawl in ``proc`` has asked for an article page (it is then mid-run)."""
        deadline = time.monotonic() + timeout
        while not any(p.startswith("/international/news/") for p in self.replica.hits()):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.2)


@pytest.fixture
def site(replica):
    return Site(replica)


def crawlall(site, db_path, *extra, **settings):
    return run_scrapy(
        "crawlall", "--outlet", "inqilab", "-a", f"base_url={site.replica.url}", *extra,
        settings={"NEWSCRAWL_DB": str(db_path), **settings},
    )  # fmt: skip


def test_runs_fetch_only_what_is_new(site, db_path):
    site.publish(20)
    first = crawlall(site, db_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(site.article_hits()) == 20

    site.replica.reset_log()
    second = crawlall(site, db_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert site.article_hits() == []  # zero article pages on an unchanged site
    hits = site.replica.hits()
    assert hits["/rss/rss.xml"] == 1 and hits["/international"] == 1
    assert hits["/international?page=2"] == 0  # a listing page of known articles ends paging

    site.publish(10)
    site.replica.reset_log()
    third = crawlall(site, db_path)
    assert third.returncode == 0, third.stderr[-3000:]
    assert site.article_hits() == sorted(path(i) for i in range(21, 31))
    with Store(db_path) as store:
        assert store.count() == 30
        runs = store.runs("inqilab")
        assert [r["new_articles"] for r in runs] == [20, 0, 10]
        assert runs[1]["stats"]["newscrawl/incremental/known"] == 15  # feed 10 + listing 5
        assert all(r["outcome"] == "healthy" for r in runs)


def test_young_articles_are_revisited_for_edits(site, db_path):
    site.publish(3)
    assert crawlall(site, db_path).returncode == 0
    site.replica.reset_log()
    result = crawlall(site, db_path, NEWSCRAWL_REVISIT_INTERVAL_HOURS="0")
    assert result.returncode == 0
    assert len(site.article_hits()) == 3
    site.replica.reset_log()
    result = crawlall(site, db_path, NEWSCRAWL_REVISIT_MAX_AGE_HOURS="0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert site.article_hits() == []  # too old to revisit: never fetched again


def test_a_second_run_exits_at_once_while_the_first_holds_the_lock(site, db_path):
    site.publish(2)
    runlock.acquire(db_path, "inqilab")
    try:
        result = crawlall(site, db_path)
    finally:
        runlock.release(db_path, "inqilab")
    assert result.returncode == 75
    lines = [line for line in result.stderr.splitlines() if line.startswith("scrapy crawlall:")]
    assert len(lines) == 1 and "another inqilab run (pid" in lines[0] and "--wait" in lines[0]
    assert site.article_hits() == []


def _has_open(pid: int, path: Path) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd) == str(path) for fd in fds.iterdir())
    except OSError:  # a descriptor closed while listed
        return False


def test_wait_queues_behind_the_running_crawl(site, db_path):
    site.publish(2)
    runlock.acquire(db_path, "inqilab")
    cmd = [
        sys.executable, "-m", "scrapy", "crawlall", "--wait", "--outlet", "inqilab",
        "-a", f"base_url={site.replica.url}", *scrapy_args({"NEWSCRAWL_DB": str(db_path)}),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=PROJECT, env=scrapy_env(), stderr=subprocess.PIPE, text=True)
    # Waiting means holding the lock file open, retrying it: seen in /proc, not guessed by a sleep.
    lock = runlock.lock_path(db_path, "inqilab").resolve()
    deadline = time.monotonic() + 60
    while not _has_open(proc.pid, lock):
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "crawlall --wait never reached the lock"
        time.sleep(0.05)
    time.sleep(0.6)  # a retry of the lock (every 0.5 s) has failed since
    assert proc.poll() is None and site.article_hits() == []  # still waiting
    runlock.release(db_path, "inqilab")
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr[-3000:]
    assert len(site.article_hits()) == 2


def test_a_crashed_runs_lock_never_blocks_the_next(site, db_path):
    site.publish(2)
    code = (
        "import time; from newscrawl import runlock;"
        f"runlock.acquire({str(db_path)!r}, 'inqilab'); print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], cwd=PROJECT, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert runlock.lock_path(db_path, "inqilab").exists()  # the file stays; the lock does not
    assert crawlall(site, db_path).returncode == 0
    assert len(site.article_hits()) == 2


def test_plain_crawl_of_a_locked_outlet_closes_at_once(site, db_path):
    site.publish(2)
    runlock.acquire(db_path, "inqilab")
    try:
        result = run_scrapy(
            "crawl", "inqilab", "-a", f"base_url={site.replica.url}",
            settings={"NEWSCRAWL_DB": str(db_path)},
        )  # fmt: skip
    finally:
        runlock.release(db_path, "inqilab")
    assert site.article_hits() == []
    assert "closing at once" in result.stderr
    with Store(db_path) as store:
        assert store.runs()[-1]["status"] == "locked"


def test_an_outlet_whose_layout_broke_is_unhealthy(site, db_path):
    site.publish(6)
    # The site moves to a new layout: no date line, body in an unknown container.
    for i in range(1, 7):
        page = site.replica.routes[path(i)]
        page.body = re.sub(rb'<p class="news-date-time">.*?</p>', b"", page.body)
        page.body = page.body.replace(b'class="description"', b'class="story-text"')
        page.body = page.body.replace(b"</p><p>", "</p><p>দীর্ঘ অনুচ্ছেদ। ".encode() * 30 + b"</p><p>")
    # ...and its feed no longer carries dates either.
    items = [(f"t{i}", f"{REAL}{path(i)}", None) for i in range(1, 7)]
    site.replica.add("/rss/rss.xml", rss(items), content_type="application/rss+xml")
    result = crawlall(site, db_path)
    assert result.returncode == 1, result.stderr[-3000:]
    unhealthy = "scrapy crawlall: inqilab unhealthy"
    [line] = [x for x in result.stderr.splitlines() if x.startswith(unhealthy)]
    assert "generic fallback" in line and "published_at" in line
    with Store(db_path) as store:
        run = store.runs()[-1]
        assert run["outcome"] == "unhealthy" and len(run["problems"]) >= 2
        assert run["fill_rates"]["published_at"] == 0.0


def test_no_new_articles_for_n_runs_is_unhealthy(site, db_path):
    site.publish(2)
    settings = {"NEWSCRAWL_STALE_RUNS": "3"}
    assert crawlall(site, db_path, **settings).returncode == 0  # 2 new
    assert crawlall(site, db_path, **settings).returncode == 0  # 0 new, 1 run
    assert crawlall(site, db_path, **settings).returncode == 0  # 0 new, 2 runs
    result = crawlall(site, db_path, **settings)  # 0 new, 3 runs
    assert result.returncode == 1
    assert "inqilab unhealthy: no new articles in 3 consecutive runs" in result.stderr


def test_report_shows_the_last_runs(site, db_path):
    site.publish(3)
    assert crawlall(site, db_path).returncode == 0
    assert crawlall(site, db_path).returncode == 0
    result = run_scrapy("report", "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "started", "outlet", "status", "new", "dup", "rev", "near", "title", "body", "date",
        "health",
    ]  # fmt: skip
    assert lines[1].split()[2:] == ["inqilab", "finished", "3", "0", "0", "0", "100%", "100%",
                                    "100%", "healthy"]  # fmt: skip
    assert lines[2].split()[2:6] == ["inqilab", "finished", "0", "0"]
    as_json = run_scrapy("report", "--json", "--last", "1", "--db", str(db_path))
    [run] = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert run["new_articles"] == 0 and run["outcome"] == "healthy"
    assert run["http_status"]["200"] >= 2


def test_report_without_a_database_is_one_line(tmp_path):
    result = run_scrapy("report", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "no database" in result.stderr


def test_each_run_leaves_a_log_file_beside_the_database(site, db_path):
    site.publish(1)
    for _ in range(2):
        result = crawlall(site, db_path, NEWSCRAWL_LOG_KEEP="2")
        assert result.returncode == 0, result.stderr[-3000:]
    time.sleep(1.1)  # log names carry the second
    result = crawlall(site, db_path, NEWSCRAWL_LOG_KEEP="2")
    assert result.returncode == 0, result.stderr[-3000:]
    logs = sorted((db_path.parent / "logs").glob("crawlall-*.log"))
    assert len(logs) == 2  # three runs, at least two of them in different seconds
    assert "Spider closed (finished)" in logs[-1].read_text("utf-8")


def test_a_site_answering_429_is_slowed_down_not_hammered(site, db_path):
    site.publish(3)
    served = {"n": 0}
    page = site.replica.routes[path(2)]

    def rate_limited(_path):
        served["n"] += 1
        if served["n"] == 1:
            return type(page)(b"slow down", status=429, headers={"Retry-After": "1"})
        return page

    site.replica.routes[path(2)] = rate_limited
    result = crawlall(site, db_path)
    assert result.returncode == 0, result.stderr[-3000:]
    with Store(db_path) as store:
        assert store.count() == 3  # retried after backing off
        stats = store.runs()[-1]["stats"]
        assert stats["newscrawl/backoff"] == 1
        assert stats["downloader/response_status_count/429"] == 1


def test_unknown_outlet_is_a_usage_error(db_path):
    result = run_scrapy("crawlall", "--outlet", "nosuch", settings={"NEWSCRAWL_DB": str(db_path)})
    assert result.returncode == 2
    assert f"no outlet 'nosuch' (known: {known_outlets()})" in result.stderr


def test_a_bug_in_spider_code_makes_the_run_unhealthy(replica, db_path):
    replica.add("/", "<html><body>প্রচ্ছদ</body></html>")
    result = run_scrapy(
        "runspider", "tests/support/broken_spider.py", "-a", f"base_url={replica.url}",
        settings={"NEWSCRAWL_DB": str(db_path)},
    )  # fmt: skip
    assert result.returncode == 0
    with Store(db_path) as store:
        run = store.runs()[-1]
        assert run["new_articles"] == 1  # what it yielded before failing is kept
        assert run["outcome"] == "unhealthy"
        assert any("spider exceptions" in problem for problem in run["problems"])


def test_one_page_failing_after_its_retries_is_the_web_not_a_broken_outlet(site, db_path):
    site.publish(4)
    site.replica.add(path(3), "busy", status=503)
    result = crawlall(site, db_path, RETRY_TIMES="1")
    assert result.returncode == 0, result.stderr[-3000:]
    with Store(db_path) as store:
        run = store.runs()[-1]
        assert run["new_articles"] == 3 and run["failed"] == {"http_503": 1}
        assert run["outcome"] == "healthy"
