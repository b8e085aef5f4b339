"""README's offline demo works as written: the loopback replica it starts, then the crawl."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import PROJECT, run_scrapy

pytestmark = pytest.mark.e2e

README = (PROJECT / "README.md").read_text("utf-8")


def demo_lines() -> list[list[str]]:
    [block] = [b for b in re.findall(r"```sh\n(.*?)\n```", README, re.S) if "bench._replica" in b]
    return [shlex.split(line, comments=True) for line in block.splitlines()]


def test_the_offline_demo_in_the_readme_crawls_the_replica(tmp_path):
    lines = demo_lines()
    [export] = [line for line in lines if line[0] == "export"]
    assert export[1].startswith("NEWSCRAWL_DB=")  # the demo keeps out of the real database
    [serve] = [line for line in lines if "bench._replica" in line]
    assert serve[:3] == ["python", "-m", "bench._replica"] and serve[-1] == "&"
    [crawl] = [line for line in lines if line[:2] == ["scrapy", "crawlall"]]
    replica = subprocess.Popen(
        [sys.executable, *serve[1:-1], "--articles", "5"], cwd=PROJECT,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert replica.stdout is not None
        said = replica.stdout.readline()
        port = re.fullmatch(r"PORT (\d+)\n", said)
        assert port, said
        args = [arg.replace("127.0.0.1:n", f"127.0.0.1:{port[1]}") for arg in crawl[1:]]
        result = run_scrapy(*args, settings={"NEWSCRAWL_DB": str(tmp_path / "demo.db")})
    finally:
        replica.terminate()
        replica.wait(timeout=10)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "scrapy crawlall: inqilab healthy: 5 new" in result.stdout, result.stderr[-3000:]
