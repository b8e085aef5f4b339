"""What newscrawl's commands share: the ``--db`` option and one-line errors.

Plain functions, no command class: Scrapy registers every ScrapyCommand subclass it finds in
this package as a command named after its module.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import arglist_to_dict, closest_scrapy_cfg

from newscrawl.store import Store


def add_db_option(options: argparse._ActionsContainer) -> None:
    options.add_argument(
        "--db",
        metavar="PATH",
        help="the database (default: the NEWSCRAWL_DB setting, data/newscrawl.db)",
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
    try:
        spidercls(**spargs)
    except SpiderUsageError as exc:
        return str(exc)
    except TypeError as exc:
        return f"{name} does not take these arguments ({exc})"
    return None


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
    name = type(command).__module__.rsplit(".", 1)[-1]
    print(f"scrapy {name}: {error}", file=sys.stderr)
    command.exitcode = 1


def reader_went_away(command: ScrapyCommand) -> None:
    """stdout's reader stopped early (``| head``): say nothing more and exit non-zero.

    Pointing stdout at /dev/null keeps Python's final flush from printing a second error.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    command.exitcode = 1
