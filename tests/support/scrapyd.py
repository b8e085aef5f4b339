"""A real Scrapyd on loopback for tests: started in its own folder, deployed to, polled, stopped.

Used by ``tests/test_scrapyd.py`` (one node) and ``tests/test_scrapyd_nodes.py`` (two nodes).
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
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import scrapy_env

JOB_TIMEOUT = 120.0  # seconds; the crawl itself takes a few


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


def deploy(
    server: Scrapyd, checkout: Path, env: dict[str, str], target: str = "pytest", *options: str
) -> dict:
    """``scrapyd-deploy TARGET -v 1`` from the checkout, the target added to its scrapy.cfg.

    The target inherits ``project`` from the ``[deploy]`` section, as any other target would.
    ``options`` go to scrapyd-deploy as they are (``--egg FILE`` to upload an egg built once).
    """
    cfg = checkout / "scrapy.cfg"
    cfg.write_text(f"{cfg.read_text()}\n[deploy:{target}]\nurl = {server.url}/\n")
    result = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", target, "--version", "1", *options],
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
