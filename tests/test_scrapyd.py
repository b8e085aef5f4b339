"""Scrapyd: deploy the project as an egg with ``scrapyd-deploy`` and crawl a replica through it.

A real ``scrapyd`` listens on a free loopback port in its own temporary directory. The project is
deployed from a copy of this checkout exactly as an operator deploys it (``scrapyd-deploy
<target>`` run in the directory holding ``scrapy.cfg``), so the egg is built by scrapyd-client
itself and nothing is written into the checkout. A crawl of a loopback replica of dailyinqilab.com
is then scheduled through Scrapyd's HTTP API and its articles are read back from the database,
whose path is given only as a setting: the job runs from the egg with Scrapyd's directory as its
working directory, so nothing may depend on the checkout or on a relative path.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newscrawl.store import Store
from tests.conftest import FAST, scrapy_env
from tests.support.checkout import copy_checkout
from tests.support.sites import inqilab_article, rss

REAL = "https://dailyinqilab.com"
JOB_TIMEOUT = 120.0  # seconds; the crawl itself takes a few


# What a copy of the checkout leaves out: never part of a deploy, and possibly large.
def story(i: int) -> tuple[str, list[str]]:
    title = f"শিরোনাম {i}: স্ক্র্যাপিডি দিয়ে সংগ্রহ"
    paragraphs = [
        f"প্রথম অনুচ্ছেদ, খবর {i}: নির্ধারিত সময়ে সংগ্রহ চলেছে।",
        f"দ্বিতীয় অনুচ্ছেদ, খবর {i}: ডেটাবেসে একবারই জমা হয়েছে।",
    ]
    return title, paragraphs


def article_path(i: int) -> str:
    return f"/national/news/{810000 + i}"


@pytest.fixture
def inqilab_site(replica):
    replica.add("/robots.txt", "User-agent: *\nDisallow: /admin\n", content_type="text/plain")
    for i in (1, 2, 3):
        replica.add(article_path(i), inqilab_article(*story(i), (2024, 12, i, 10, 30)))
    items = [(f"t{i}", f"{REAL}{article_path(i)}", "Sun, 01 Dec 2024 10:00:00 +0600")
             for i in (1, 2, 3)]  # fmt: skip
    replica.add("/rss/rss.xml", rss(items), content_type="application/rss+xml")
    return replica


# -- Scrapyd ----------------------------------------------------------------------------------


def clean_env(home: Path) -> dict[str, str]:
    """The environment for scrapyd and scrapyd-deploy, free of the developer's configuration.

    HOME and XDG_CONFIG_HOME point at an empty directory so a ~/.scrapyd.conf or ~/.scrapy.cfg
    cannot move the port or add targets; SCRAPY_*/SCRAPYD_* variables (SCRAPYD_HTTP_PORT
    overrides the configuration file) and PYTHONPATH (which could shadow the egg) are dropped.
    """
    env = {
        key: value
        for key, value in scrapy_env().items()
        if not key.startswith(("SCRAPY_", "SCRAPYD_")) and key != "PYTHONPATH"
    }
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, data: list[tuple[str, str]] | None = None, timeout: float = 10) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=timeout) as response:
        return json.load(response)


def tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else f"({path}: no file)"


@dataclass
class Scrapyd:
    root: Path
    url: str
    process: subprocess.Popen
    log: Path

    def api(self, endpoint: str, **params: str) -> dict:
        return get_json(f"{self.url}/{endpoint}?{urllib.parse.urlencode(params)}")

    def stop(self) -> None:
        """Stop scrapyd and any crawl it launched: they share its process group.

        The group id is scrapyd's pid and cannot be reused while one of its processes lives, so
        the final SIGKILL reaches only a crawl that outlived scrapyd (or nobody).
        """
        if self.process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait(timeout=10)
        self._signal(signal.SIGKILL)

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


def start_scrapyd(root: Path, env: dict[str, str]) -> Scrapyd:
    root.mkdir()
    log = root / "scrapyd.log"
    for _attempt in range(3):  # the free port may be taken between probing and binding it
        port = free_port()
        (root / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            "bind_address = 127.0.0.1\n"
            f"http_port = {port}\n"
            f"eggs_dir = {root / 'eggs'}\n"
            f"logs_dir = {root / 'logs'}\n"
            "items_dir =\n"
            "jobs_dir =\n"
            f"dbs_dir = {root / 'dbs'}\n"
            "max_proc = 2\n"
            "poll_interval = 0.2\n"
        )
        with log.open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "scrapyd", "--pidfile", str(root / "scrapyd.pid")],
                cwd=root,  # scrapyd reads ./scrapyd.conf; jobs run here too
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop() reaches its crawls
            )
        server = Scrapyd(root, f"http://127.0.0.1:{port}", process, log)
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if server.api("daemonstatus.json")["status"] == "ok":
                    return server
            except (OSError, ValueError):
                time.sleep(0.2)
        server.stop()
    pytest.fail(f"scrapyd did not start on 127.0.0.1:\n{tail(log)}")


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[Scrapyd]:
    for module, name in (("scrapyd", "scrapyd"), ("scrapyd_client.deploy", "scrapyd-client")):
        pytest.importorskip(module, reason=f"{name} is not installed: pip install -e '.[deploy]'")
    (tmp_path / "home").mkdir()
    server = start_scrapyd(tmp_path / "scrapyd", clean_env(tmp_path / "home"))
    try:
        yield server
    finally:
        server.stop()


def deploy(server: Scrapyd, checkout: Path, env: dict[str, str]) -> dict:
    """``scrapyd-deploy pytest -v 1`` from the checkout, the target added to its scrapy.cfg.

    The target inherits ``project`` from the ``[deploy]`` section, as any other target would.
    """
    cfg = checkout / "scrapy.cfg"
    cfg.write_text(f"{cfg.read_text()}\n[deploy:pytest]\nurl = {server.url}/\n")
    result = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "pytest", "--version", "1"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def job_log(server: Scrapyd, spider: str, job: str) -> Path:
    return server.root / "logs" / "newscrawl" / spider / f"{job}.log"


def context(server: Scrapyd, spider: str, job: str) -> str:
    return f"job log:\n{tail(job_log(server, spider, job))}\nscrapyd log:\n{tail(server.log)}"


def wait_for_job(server: Scrapyd, spider: str, job: str) -> None:
    """Poll listjobs.json until the job is among the finished ones, for JOB_TIMEOUT at most."""
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        jobs = server.api("listjobs.json", project="newscrawl")
        if any(j["id"] == job for j in jobs["finished"]):
            return
        assert server.process.poll() is None, f"scrapyd exited\n{context(server, spider, job)}"
        time.sleep(0.5)
    pytest.fail(f"job {job} not finished after {JOB_TIMEOUT:.0f} s\n{context(server, spider, job)}")


def test_deployed_egg_crawls_a_replica_into_the_configured_database(
    scrapyd: Scrapyd, inqilab_site, tmp_path: Path
):
    env = clean_env(tmp_path / "home")
    checkout = copy_checkout(tmp_path / "checkout")
    response = deploy(scrapyd, checkout, env)
    assert response["status"] == "ok", response
    assert response["project"] == "newscrawl"
    assert response["spiders"] >= 2  # Scrapyd listed the spiders by running the egg

    # The egg Scrapyd stored: the package and its settings entry point; no tests, no data.
    (egg,) = (scrapyd.root / "eggs" / "newscrawl").glob("*.egg")
    with zipfile.ZipFile(egg) as archive:
        names = archive.namelist()
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert "newscrawl/settings.py" in names
    assert "newscrawl/spiders/inqilab.py" in names
    assert "[scrapy]\nsettings = newscrawl.settings" in entry_points
    assert not [n for n in names if not n.startswith(("newscrawl/", "EGG-INFO/"))], names
    assert "inqilab" in scrapyd.api("listspiders.json", project="newscrawl")["spiders"]

    db_path = tmp_path / "db" / "newscrawl.db"  # absolute: the job's working dir is Scrapyd's
    settings = {**FAST, "NEWSCRAWL_DB": str(db_path)}
    scheduled = get_json(
        f"{scrapyd.url}/schedule.json",
        data=[
            ("project", "newscrawl"),
            ("spider", "inqilab"),
            *(("setting", f"{key}={value}") for key, value in settings.items()),
            ("base_url", inqilab_site.url),  # any other parameter is a spider argument
        ],
    )
    assert scheduled["status"] == "ok", scheduled
    job = scheduled["jobid"]
    wait_for_job(scrapyd, "inqilab", job)

    logs = context(scrapyd, "inqilab", job)
    assert "Spider closed (finished)" in job_log(scrapyd, "inqilab", job).read_text(), logs
    finished = f"Process finished: project='newscrawl' spider='inqilab' job='{job}'"
    assert finished in scrapyd.log.read_text(), logs  # exit status 0, else "Process died"
    hits = inqilab_site.hits()
    assert hits["/robots.txt"] == 1, logs
    assert all(hits[article_path(i)] == 1 for i in (1, 2, 3)), hits

    assert db_path.exists(), logs
    with Store(db_path, create=False) as store:
        rows = {row["article_id"]: row for row in store.articles()}
        assert sorted(rows) == ["810001", "810002", "810003"], logs
        for i in (1, 2, 3):
            title, paragraphs = story(i)
            assert rows[str(810000 + i)]["title"] == title
            assert rows[str(810000 + i)]["body"] == "\n\n".join(paragraphs)
            assert rows[str(810000 + i)]["url"] == f"{inqilab_site.url}{article_path(i)}"
        (run,) = store.runs()
        assert run["spider"] == "inqilab"
        assert run["status"] == "finished"
        assert run["stats"]["newscrawl/articles/new"] == 3
    # Nothing fell back to the relative default under Scrapyd's directory.
    assert not (scrapyd.root / "data").exists()
