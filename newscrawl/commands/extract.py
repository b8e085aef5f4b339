"""``scrapy extract PATH --url URL``: what a crawl would store from a saved page, as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from newscrawl.commands._cli import one_line_errors
from newscrawl.offline import CALLBACKS, OfflineError, parse_saved_page


@one_line_errors
class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "PATH --url URL"

    def short_desc(self) -> str:
        return "Print the article(s) a crawl would extract from a saved page, as JSON"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", required=True, help="the URL the page was saved from")
        parser.add_argument(
            "--callback", choices=CALLBACKS, help="how to read the page (default: from the URL)"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            self.fail("give exactly one saved page: scrapy extract PATH --url URL", 2)
            return
        try:
            result = parse_saved_page(args[0], opts.url, self.settings, opts.callback)
        except OfflineError as exc:
            self.fail(str(exc), 1)
            return
        if result.warning:
            print(f"scrapy extract: warning: {result.warning}", file=sys.stderr)
        if result.skipped:
            self.fail(f"{args[0]} is not an article page ({result.skipped})", 1)
            return
        output = result.items or result.requests
        if not output:
            self.fail(f"nothing found in {args[0]}: no article, feed or links to articles", 1)
            return
        json.dump(output, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")

    def fail(self, message: str, code: int) -> None:
        print(f"scrapy extract: {message}", file=sys.stderr)
        self.exitcode = code
