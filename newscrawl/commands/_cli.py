"""What newscrawl's commands share: the ``--db`` option, bounded numbers and one-line errors.

Plain functions and a class decorator, no command class: Scrapy registers every ScrapyCommand
subclass it finds in this package as a command named after its module.

Every command is decorated with :func:`one_line_errors`, the one place where a mistake or a
problem a person can act on becomes one line, ``scrapy CMD: what happened, what to do``, and an
exit status: 2 for a usage mistake (argparse's own included), 1 for the rest. No traceback.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import inspect
import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TextIO, TypeVar

from scrapy.commands import ScrapyCommand, ScrapyHelpFormatter
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import arglist_to_dict, closest_scrapy_cfg

from newscrawl import runlog
from newscrawl.offline import OfflineError
from newscrawl.search import SearchError
from newscrawl.store import Store, StoreError
from newscrawl.text import for_terminal

# The program name in messages and help: "newscrawl" when started through its entry point.
PROG = "scrapy"
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
# The largest --limit / --last: more than any database holds runs or readable search results.
MAX_COUNT = 1_000_000


class CommandError(Exception):
    """A command cannot do what it was asked; the message says why and what to do."""


# Errors our own code raises with a message meant for the person at the keyboard.
USER_ERRORS = (CommandError, StoreError, SearchError, OfflineError)

C = TypeVar("C", bound=type[ScrapyCommand])


def command_name(command: ScrapyCommand) -> str:
    return type(command).__module__.rsplit(".", 1)[-1]


def say(command: ScrapyCommand, message: object, file: TextIO | None = None) -> None:
    """One line on stderr (or ``file``), naming the command: ``scrapy CMD: message``."""
    line = for_terminal(" ".join(str(message).split()))
    print(f"{PROG} {command_name(command)}: {line}", file=file or sys.stderr)


def one_line_errors(cls: C) -> C:
    """Class decorator for every newscrawl command: one-line errors, readable help.

    Usage mistakes (argparse's, and UsageError raised by the command) exit 2; StoreError and the
    other errors of our own code, a broken or foreign database (sqlite3.DatabaseError) and a file
    that cannot be read or written (OSError) exit 1; a reader that goes away (``| head``) ends
    the output quietly; Ctrl-C exits 130. Each says one line at most.
    """
    add_options, process_options, run = cls.add_options, cls.process_options, cls.run

    @functools.wraps(add_options)
    def add_options_and_errors(self: ScrapyCommand, parser: argparse.ArgumentParser) -> None:
        add_options(self, parser)
        parser.formatter_class = HelpFormatter
        # scrapy.cmdline reports a UsageError through parser.error too: one hook for both.
        parser.error = functools.partial(usage_error, self)  # type: ignore[method-assign]

    cls.add_options = add_options_and_errors  # type: ignore[method-assign]
    cls.process_options = _guarded(process_options)  # type: ignore[method-assign]
    cls.run = _guarded(run)  # type: ignore[method-assign]
    return cls


def usage_error(command: ScrapyCommand, message: str) -> NoReturn:
    say(command, message)
    sys.exit(EXIT_USAGE)


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def guarded(self: ScrapyCommand, args: list[str], opts: argparse.Namespace) -> Any:
        try:
            result = method(self, args, opts)
            sys.stdout.flush()  # here, where a reader gone away is caught, not at exit
            return result
        except BrokenPipeError:
            reader_went_away(self)
        except KeyboardInterrupt:
            sys.exit(EXIT_INTERRUPTED)
        except USER_ERRORS as exc:
            say(self, exc)
        except sqlite3.DatabaseError as exc:
            say(self, database_problem(self, opts, exc))
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            say(self, f"cannot use{where}: {exc.strerror or exc}")
        sys.exit(self.exitcode or EXIT_FAILED)

    return guarded


def database_problem(command: ScrapyCommand, opts: argparse.Namespace, exc: Exception) -> str:
    """What to say when SQLite refuses the database: damaged, or not newscrawl's."""
    path = getattr(opts, "db", None) or (command.settings or {}).get("NEWSCRAWL_DB")
    return (
        f"cannot use the database {path} ({exc}): is it a newscrawl database? Check --db or "
        "NEWSCRAWL_DB, or restore it from a backup"
    )


class HelpFormatter(ScrapyHelpFormatter):
    """Scrapy's help layout without its flaw: Scrapy takes every part of the help ending in ":"
    for a section heading, so an option's help wrapped after "default:" came out title-cased and
    underlined. A real heading is the part that follows a section's opening blank line."""

    def format_part_strings(self, part_strings: list[str]) -> list[str]:
        parts: list[str] = []
        for i, part in enumerate(part_strings):
            if i == 0 and part.startswith("usage: scrapy "):
                parts.append(f"Usage\n=====\n  {PROG} " + part.removeprefix("usage: scrapy "))
            elif part.endswith(":\n") and i > 0 and part_strings[i - 1] == "\n":
                heading = part.removesuffix(":\n").strip().title()
                rule = "-" if heading == "Global Options" else "="
                parts += [heading, f"\n{rule * len(heading)}\n"]
            else:
                parts.append(part)
        return parts


def count_option(low: int = 1, high: int = MAX_COUNT) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, or a one-line usage error."""

    def parse(value: str) -> int:
        number = int(value) if re.fullmatch(r"\s*[+-]?\d{1,20}\s*", value) else None
        if number is None or not low <= number <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low} to {high}, not {value!r}"
            )
        return number

    return parse


def json_line(record: Any) -> str:
    """One JSON record on one line, Bengali as is, no control character raw (C1 included)."""
    line = json.dumps(record, ensure_ascii=False, default=str)
    return re.sub("[\x7f-\x9f\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", line)


def add_db_option(options: argparse._ActionsContainer) -> None:
    options.add_argument(
        "--db",
        metavar="PATH",
        help="the database (default: NEWSCRAWL_DB; data/newscrawl.db in the checkout, else "
        "~/.local/share/newscrawl/newscrawl.db)",
    )


def add_spider_args_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
        help=f"spider argument{what}, e.g. -a base_url=http://127.0.0.1:8080 for a mirror",
    )  # fmt: skip


def parse_spider_args(opts: argparse.Namespace) -> None:
    try:
        opts.spargs = arglist_to_dict(opts.spargs)
    except ValueError:
        raise UsageError("spider arguments look like -a NAME=VALUE", print_help=False) from None


def fixtures_folder() -> Path:
    """``tests/fixtures`` of the project whose scrapy.cfg is nearest the working directory."""
    cfg = closest_scrapy_cfg()
    if not cfg:
        raise UsageError("run this inside the newscrawl project (no scrapy.cfg found)")
    return Path(cfg).parent / "tests" / "fixtures"


def spider_argument_problem(settings: BaseSettings, name: str, spargs: dict) -> str | None:
    """What is wrong with an outlet's spider arguments (-a), checked before any crawl starts."""
    from newscrawl.spiders.base import OutletSpider
    from newscrawl.spiders.base import UsageError as SpiderUsageError

    loader = get_spider_loader(settings)
    if name not in loader.list():
        return None  # Scrapy's own message names the spiders there are
    spidercls = loader.load(name)
    if not issubclass(spidercls, OutletSpider):
        return None
    unknown = sorted(set(spargs) - spider_argument_names(spidercls))
    unknown = [arg for arg in unknown if not arg.startswith("_")]  # Scrapyd's _job and the like
    if unknown:
        known = sorted(_init_parameters(spidercls))
        close = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"{name} takes no argument {unknown[0]!r}{hint}: -a takes {', '.join(known)}"
    try:
        spidercls(**spargs)
    except SpiderUsageError as exc:
        return str(exc)
    except TypeError as exc:
        return f"{name} does not take these arguments ({exc})"
    return None


def _init_parameters(spidercls: type) -> set[str]:
    """The named parameters of the spider's ``__init__`` and those of the classes it builds on."""
    names: set[str] = set()
    for cls in spidercls.__mro__:
        init = cls.__dict__.get("__init__")
        if init is None:
            continue
        for parameter in inspect.signature(init).parameters.values():
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                names.add(parameter.name)
    return names - {"self", "name"}


def spider_argument_names(spidercls: type) -> set[str]:
    """What ``-a NAME=…`` may name: a parameter of the spider, or (as Scrapy sets arguments as
    attributes) one of its public attributes. Anything else is a typo that would be ignored."""
    attributes = {a for a in dir(spidercls) if not a.startswith("_")}
    return _init_parameters(spidercls) | attributes


def main() -> None:
    """The ``newscrawl`` command: ``scrapy`` with newscrawl's settings, from any directory.

    Outside the checkout ``scrapy`` finds no scrapy.cfg and knows no newscrawl command; this sets
    ``SCRAPY_SETTINGS_MODULE`` (unless it is set) and runs Scrapy's command line.
    """
    global PROG
    PROG = "newscrawl"
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    from scrapy.cmdline import execute

    execute([PROG, *sys.argv[1:]])


def check_spider(settings: BaseSettings, name: str, spargs: dict) -> None:
    """UsageError unless ``name`` is a spider that takes these arguments (-a)."""
    known = get_spider_loader(settings).list()
    if name not in known:
        raise UsageError(f"no spider {name!r} (known: {', '.join(sorted(known))})")
    problem = spider_argument_problem(settings, name, spargs)
    if problem:
        raise UsageError(problem)


def check_database(settings: BaseSettings) -> None:
    """Open the crawl's database (creating or upgrading it) before the crawl starts, so that one
    SQLite cannot use, or cannot write, is one line now rather than a failed run later."""
    path = settings.get("NEWSCRAWL_DB")
    try:
        with Store(path) as store, store.transaction() as conn:
            # A write that changes nothing: a read-only file or folder fails here, not mid-crawl.
            conn.execute(f"PRAGMA user_version = {store.schema_version}")
    except (StoreError, sqlite3.Error, OSError) as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, sqlite3.Error) else exc
        raise StoreError(f"cannot write the database {path}: {cause}") from None


def open_store(settings: BaseSettings | None, opts: argparse.Namespace) -> Store:
    """The existing database: a StoreError, not a new empty file, when there is none."""
    assert settings is not None
    return Store(opts.db or settings.get("NEWSCRAWL_DB"), create=False)


def reject_options(args: list[str]) -> None:
    """Scrapy parses known options only and passes the rest on as arguments: refuse them."""
    for arg in args:
        if arg.startswith("-") and arg != "-":
            raise UsageError(f"unknown option {arg}")


def fail(command: ScrapyCommand, error: Exception | str) -> None:
    """Report an error a person can act on in one line, and exit non-zero (no traceback)."""
    say(command, error)
    command.exitcode = EXIT_FAILED


def reader_went_away(command: ScrapyCommand) -> None:
    """stdout's reader stopped early (``| head``): say nothing more and exit non-zero.

    Pointing stdout at /dev/null keeps Python's final flush from printing a second error.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    command.exitcode = 1


def quiet_banner(settings: BaseSettings) -> None:
    """Log warnings and errors only, unless the person running the command chose a log level or
    file: the project's ``LOG_LEVEL`` (INFO) outranks a command's ``default_settings``, so
    Scrapy's start-up banner would otherwise bury the command's own output."""
    if not runlog.log_chosen(settings):
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
