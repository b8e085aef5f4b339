from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.replica import Replica

PROJECT = Path(__file__).resolve().parent.parent
TEST_DATA = PROJECT / "tests" / "data"


@pytest.fixture
def replica() -> Iterator[Replica]:
    server = Replica().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "newscrawl.db"


def scrapy_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCRAWL_")}
    env.update(extra)
    return env


# Settings that make a crawl of a loopback replica quick; politeness stays on in real runs.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "LOG_LEVEL": "INFO",
    "NEWSCRAWL_BATCH_SECONDS": "0.5",
}


def scrapy_args(settings: dict[str, str]) -> list[str]:
    args: list[str] = []
    for key, value in {**FAST, **settings}.items():
        args += ["-s", f"{key}={value}"]
    return args


def run_scrapy(
    *args: str, settings: dict[str, str] | None = None, timeout: float = 120, **kw
) -> subprocess.CompletedProcess[str]:
    """Run a ``scrapy`` command in the project directory, as a user would."""
    cmd = [sys.executable, "-m", "scrapy", *args, *scrapy_args(settings or {})]
    return subprocess.run(
        cmd,
        cwd=kw.pop("cwd", PROJECT),
        env=kw.pop("env", scrapy_env()),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kw,
    )


FIXTURES = PROJECT / "tests" / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite each fixture's expected .json from the current extraction (review the diff)",
    )


def project_settings():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    return settings
