"""The mistakes a new user makes while following README.md: each is one line, with the exit
status README's table gives (2 for a usage mistake), and nothing of Scrapy's start-up banner."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time

import pytest

from newscrawl import runlock
from tests.conftest import PROJECT, run_scrapy, scrapy_args, scrapy_env
from tests.support.checkout import copy_checkout
from tests.test_hostile_runs import finish, last_run
from tests.test_scheduled import Site

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("probe", "inqilb"), "scrapy probe: no outlet 'inqilb' (known: "),
        (("probe",), "scrapy probe: name one outlet: scrapy probe inqilab"),
        (("probe", "inqilab", "-a", "since=yesterday"), "scrapy probe: since must be a date"),
    ],
)
def test_a_probe_mistake_is_one_line_before_the_banner(args, said):
    result = run_scrapy(*args)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.startswith(said), result.stderr[-2000:]
    assert len(result.stderr.splitlines()) == 1, result.stderr[-2000:]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--since", "2024-13-01"), "scrapy export: bad --since date '2024-13-01': expected"),
        (("--since", "2024-02-01", "--until", "2024-01-01"),
         "scrapy export: --since 2024-02-01 is after --until 2024-01-01: no article could"),
    ],
)  # fmt: skip
def test_a_mistyped_export_day_is_a_usage_mistake(tmp_path, args, said):
    result = run_scrapy(
        "export", *args, "-o", str(tmp_path / "out.jsonl"),
        settings={"NEWSCRAWL_DB": str(tmp_path / "none.db")},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(result.stderr.splitlines()) == 1, result.stderr[-2000:]
    assert result.stderr.startswith(said), result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_scrapy_crawl_of_a_locked_outlet_says_so_and_exits_75(tmp_path):
    """Two crawls of one outlet at once: the second stops at once, as crawlall's does."""
    db = tmp_path / "newscrawl.db"
    runlock.acquire(db, "inqilab")
    try:
        result = run_scrapy(
            "crawl", "inqilab", "-a", "base_url=http://127.0.0.1:9",
            settings={"NEWSCRAWL_DB": str(db)},
        )  # fmt: skip
    finally:
        runlock.release(db, "inqilab")
    assert result.returncode == 75, result.stderr[-3000:]
    last = result.stderr.splitlines()[-1]
    assert last == (
        "scrapy crawl: inqilab: another run of inqilab holds its lock (see above); this run did"
        " nothing: run it again once that one has finished"
    ), result.stderr[-3000:]
    assert "holds " + str(db) + ".inqilab.lock" in result.stderr


def test_scrapy_fixture_from_a_saved_page_prints_what_it_wrote_and_each_fields_layer(tmp_path):
    """No start-up banner on stderr, and the date fields name the layer that gave them."""
    checkout = copy_checkout(tmp_path / "newscrawl")
    page = checkout / "tests/fixtures/inqilab/jsonld.html"
    url = json.loads(page.with_suffix(".json").read_text("utf-8"))["url"]
    result = subprocess.run(  # as typed: no log settings of the tests' own
        [sys.executable, "-m", "scrapy", "fixture", "--from-file", str(page), "--url", url,
         "--case", "walk"],
        cwd=checkout, env=scrapy_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == ""
    assert (checkout / "tests/fixtures/inqilab/walk.json").is_file()
    [published] = [line for line in result.stdout.splitlines() if "published_at:" in line]
    assert published.endswith("[json-ld]"), result.stdout


@pytest.fixture
def site(replica):
    return Site(replica)


def test_scrapy_crawl_stopped_by_a_second_ctrl_c_exits_130(site, db_path):
    """Ctrl-C twice: the run is recorded as killed, and the exit status says it did not finish."""
    site.publish(4, delay=30)  # article pages that take 30 s: mid-run for as long as needed
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "inqilab", "-a", f"base_url={site.replica.url}",
         *scrapy_args({"NEWSCRAWL_DB": str(db_path)})],
        cwd=PROJECT, env=scrapy_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    site.wait_until_mid_run(proc)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    stderr = finish(proc, timeout=30)
    assert proc.returncode == 130, stderr[-3000:]
    assert stderr.splitlines()[-1] == (
        "scrapy crawl: inqilab: stopped before the run could close; recorded as killed"
    ), stderr[-3000:]
    assert last_run(db_path)["status"] == "killed"


def test_scrapy_probe_of_an_unreachable_site_logs_no_traceback():
    with socket.socket() as held:  # a loopback port nothing listens on: refused at once
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        result = run_scrapy(
            "probe", "inqilab", "--limit", "1", "-a", f"base_url=http://127.0.0.1:{port}",
            settings={"RETRY_TIMES": "0"},
        )  # fmt: skip
    assert result.returncode == 1, result.stderr[-3000:]
    assert "no article could be read" in result.stdout
    assert "DownloadConnectionRefusedError" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("crawl", "inqilab", "-a", "sinse=2024-01-01"),
         "scrapy crawl: inqilab takes no argument 'sinse' (did you mean since?): -a takes"
         " base_url, since, until"),
        (("crawlall", "-a", "inqilab.base_ur=http://127.0.0.1:9"),
         "scrapy crawlall: inqilab takes no argument 'base_ur' (did you mean base_url?)"),
        (("probe", "inqilab", "-a", "nosuch=1"),
         "scrapy probe: inqilab takes no argument 'nosuch'"),
    ],
)  # fmt: skip
def test_a_mistyped_spider_argument_is_refused_not_ignored(db_path, args, said):
    """A typo in -a used to be set as a spider attribute nobody reads: a backfill crawled news."""
    result = run_scrapy(*args, settings={"NEWSCRAWL_DB": str(db_path)})
    assert result.returncode == 2, result.stderr[-3000:]
    assert result.stderr.startswith(said), result.stderr[-3000:]
    assert len(result.stderr.splitlines()) == 1
    assert not db_path.exists()
