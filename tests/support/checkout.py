"""A copy of the project as a fresh clone holds it, for tests that change or package it."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import PROJECT

NOT_COPIED = {
    ".git",
    ".venv",
    "data",
    "build",
    "dist",
    ".ruff_cache",
    ".pytest_cache",
    ".ci",
    "mutants",
}


def copy_checkout(target: Path) -> Path:
    """Copy the checkout minus virtualenvs, caches and data."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if name == "__pycache__" or name.endswith(".egg-info")}
        if Path(folder) == PROJECT:
            venvs = {name for name in names if (PROJECT / name / "pyvenv.cfg").exists()}
            skipped |= venvs | (NOT_COPIED & set(names))
        return skipped

    shutil.copytree(PROJECT, target, ignore=ignore)
    return target
