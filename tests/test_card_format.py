"""A dataset card exported inside a project (README's `-o bn-news/bn-news.parquet`, run from the
checkout) must not break the project's `ruff format --check .`: ruff formats Markdown's Python."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newscrawl.export import export
from newscrawl.store import Store
from tests.test_export import ARTICLES


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv", "txt"])
def test_the_cards_python_is_as_ruff_formats_it(db_path, tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    with Store(db_path) as store:
        store.write_batch(ARTICLES)
        out = tmp_path / "bn-news" / ("corpus" if fmt == "txt" else f"bn-news.{fmt}")
        summary = export(store, out, fmt=fmt, card=True)
    assert summary.card
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n", "utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", summary.card],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
