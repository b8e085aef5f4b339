"""The README documents every command and keeps its two set-up commands in step with CI."""

import pkgutil
import re

import newscrawl.commands
from tests.conftest import PROJECT

README = (PROJECT / "README.md").read_text("utf-8")


def test_every_project_command_is_documented():
    names = [m.name for m in pkgutil.iter_modules(newscrawl.commands.__path__)]
    commands = [name for name in names if not name.startswith("_")]
    assert commands
    for name in commands:
        assert f"scrapy {name}" in README, f"README.md does not show `scrapy {name}`"


def test_ci_runs_the_test_command_the_readme_gives():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    test_command = blocks[1].strip()
    assert "pytest" in test_command
    assert test_command in (PROJECT / ".ci" / "run").read_text("utf-8")
