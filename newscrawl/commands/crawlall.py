"""``scrapy crawlall``: the scheduled run. Every outlet (or ``--outlet`` ones) in one process.

Exit status: 0 when every outlet was healthy, 1 when any was not (one line each says why),
2 for a usage mistake, 75 (EX_TEMPFAIL) when another run of one of the outlets still holds its
lock (``--wait`` waits for it instead).

The terminal gets newscrawl's lines only (where the log goes, each outlet's verdict), short
enough for cron's mail; Scrapy's whole log goes to the run's log file. A log level or file given
for the run (``-L DEBUG``, ``-s LOG_LEVEL=…``, ``--logfile``, ``NEWSCRAWL_LOG_LEVEL``) puts
Scrapy's log where it says, as for any Scrapy command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import log_scrapy_info

from newscrawl import runlock, runlog
from newscrawl.commands._cli import (
    add_spider_args_option,
    check_database,
    one_line_errors,
    parse_spider_args,
    say,
    spider_argument_problem,
)
from newscrawl.offline import outlet_spiders
from newscrawl.runlog import start_run_log

EXIT_UNHEALTHY = 1
EXIT_LOCKED = 75


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--outlet NAME ...] [--wait] [-a NAME=VALUE] [-s NAME=VALUE]"

    def short_desc(self) -> str:
        return "Crawl every outlet once (the scheduled run); exit non-zero if any is unhealthy"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--outlet", action="append", default=[], metavar="NAME",
            help="crawl only this outlet (repeat for several); default: all",
        )  # fmt: skip
        parser.add_argument(
            "--wait", action="store_true",
            help="wait for a running crawl of the same outlets to finish instead of exiting",
        )  # fmt: skip
        add_spider_args_option(parser, " for every outlet")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        parse_spider_args(opts)
        # Checked here, before the crawler process exists: its start-up banner would bury them.
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        known = sorted(outlet_spiders(self.settings))
        unknown = [name for name in opts.outlet if name not in known]
        if unknown:
            raise UsageError(f"no outlet {unknown[0]!r} (known: {', '.join(known)})")
        opts.names = opts.outlet or known
        opts.per_outlet = self.outlet_arguments(opts.names, opts.spargs)
        for name in opts.names:
            problem = spider_argument_problem(self.settings, name, opts.per_outlet[name])
            if problem:
                raise UsageError(problem)
        check_database(self.settings)
        # A scheduled run's terminal gets the summary lines; Scrapy's log goes to the run's log
        # file (run). A log level, file or --nolog chosen for this run is Scrapy's as usual.
        opts.quiet = not runlog.log_chosen(self.settings)
        if opts.quiet:
            self.settings.set("LOG_ENABLED", False, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        names, spargs = opts.names, opts.per_outlet
        db_path = self.settings.get("NEWSCRAWL_DB")
        if not self.lock_all(db_path, names, wait=opts.wait):
            return
        crawlers: dict[str, Any] = {}
        try:
            self.log_to_file(db_path, quiet=opts.quiet)
            for name in names:
                crawlers[name] = self.crawler_process.create_crawler(name)
                self.crawler_process.crawl(crawlers[name], **spargs[name])
            self.crawler_process.start()
        finally:
            for name in names:
                runlock.release(db_path, name)
        self.exitcode = self.report(crawlers)

    def outlet_arguments(self, names: list[str], spargs: dict[str, str]) -> dict[str, dict]:
        """Each outlet's spider arguments: ``-a NAME=V`` for all, ``-a OUTLET.NAME=V`` for one.

        A bare ``base_url`` with several outlets would send all of them to one mirror: refused.
        """
        shared = {key: value for key, value in spargs.items() if "." not in key}
        per: dict[str, dict[str, str]] = {name: dict(shared) for name in names}
        for key, value in spargs.items():
            outlet, dot, arg = key.partition(".")
            if not dot:
                continue
            if outlet not in per or not arg:
                raise UsageError(
                    f"-a {key}=…: {outlet!r} is not an outlet of this run"
                    f" ({', '.join(names)}); write -a OUTLET.NAME=VALUE"
                )
            per[outlet][arg] = value
        if "base_url" in shared and len(names) > 1:
            raise UsageError(
                "-a base_url=… would send every outlet to one mirror: give each its own,"
                f" e.g. -a {names[0]}.base_url=URL, or add --outlet {names[0]}"
            )
        return per

    def lock_all(self, db_path: str, names: list[str], *, wait: bool) -> bool:
        taken: list[str] = []
        try:
            for name in names:
                runlock.acquire(db_path, name, wait=wait)
                taken.append(name)
        except (runlock.LockHeld, OSError) as exc:
            for name in taken:
                runlock.release(db_path, name)
            if isinstance(exc, runlock.LockHeld):
                say(self, f"{exc}; exiting (use --wait to queue behind it)")
                self.exitcode = EXIT_LOCKED
            else:
                where = runlock.lock_path(db_path, names[len(taken)])
                say(
                    self,
                    f"cannot take the run lock {where}: {exc.strerror or exc}"
                    " (the database's folder must be writable by this user)",
                )
                self.exitcode = EXIT_UNHEALTHY
            return False
        return True

    def log_to_file(self, db_path: str, *, quiet: bool) -> None:
        folder = Path(db_path).parent / "logs"
        try:
            path = start_run_log(
                folder,
                "crawlall",
                self.settings.getint("NEWSCRAWL_LOG_MAX_BYTES"),
                self.settings.getint("NEWSCRAWL_LOG_KEEP"),
            )
        except OSError as exc:
            # Crawl on (the console still logs); every outlet's run counts it as a problem.
            runlog.note_failure(f"no run log in {folder} ({exc.strerror or exc})")
            say(self, f"cannot write the run log in {folder}: {exc.strerror or exc}")
            if quiet:  # the detail would go nowhere: to the terminal, then
                runlog.log_to_terminal(self.settings)
            return
        say(self, f"logging to {path}")
        if quiet:
            log_scrapy_info(self.settings)  # the banner the terminal did not get

    def report(self, crawlers: dict[str, Any]) -> int:
        exitcode = 0
        for name, crawler in crawlers.items():
            stats = crawler.stats.get_stats()
            outcome = stats.get("newscrawl/health/outcome")
            problems = stats.get("newscrawl/health/problems") or []
            if outcome is None:
                outcome, problems = "unhealthy", ["the crawl ended before recording its run"]
            new = stats.get("newscrawl/articles/new", 0)
            dup = stats.get("newscrawl/duplicates", 0)
            if outcome == "healthy":
                say(self, f"{name} healthy: {new} new, {dup} duplicate(s)", file=sys.stdout)
            else:
                exitcode = EXIT_UNHEALTHY
                say(self, f"{name} unhealthy: {'; '.join(problems)}")
        return exitcode
