from __future__ import annotations

import inspect
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


# End-to-end tests start a crawl, a `scrapy` subprocess or a server; `pytest -m "not e2e"` leaves
# them out for a seconds-long loop (and for mutation testing, whose mutants only in-process
# tests see). Marked here, by module or by what the test uses, so no test file need say it.
E2E_MODULES = frozenset({
    "test_hostile", "test_hostile_cli", "test_hostile_discovery", "test_hostile_export",
    "test_hostile_runs", "test_inqilab_e2e", "test_sunnews_e2e", "test_pipeline_e2e",
    "test_scheduled", "test_scrapyd", "test_report_html", "test_newoutlet",
})  # fmt: skip
E2E_FIXTURES = frozenset({"replica"})
E2E_CALLS = ("run_scrapy", "subprocess.", "Popen", "Replica(", "crawl_replica")


def _source(function: object) -> str:
    try:
        return inspect.getsource(function)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""


_helpers: dict[str, tuple[str, ...]] = {}


def _starts_something(item: pytest.Item) -> bool:
    """The test's code, or a helper of its module it calls, runs scrapy, a process or a server."""
    module = item.module
    if module.__name__ not in _helpers:
        _helpers[module.__name__] = tuple(
            f"{name}(" for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__
            and any(call in _source(value) for call in E2E_CALLS)
        )  # fmt: skip
    source = _source(getattr(item, "function", None))
    return any(call in source for call in E2E_CALLS + _helpers[module.__name__])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is None:
            continue
        if (
            item.module.__name__.rsplit(".", 1)[-1] in E2E_MODULES
            or E2E_FIXTURES & set(getattr(item, "fixturenames", ()))
            or _starts_something(item)
        ):
            item.add_marker(pytest.mark.e2e)
