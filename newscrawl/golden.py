"""Golden files: a saved page beside the JSON of what newscrawl extracts from it.

``tests/fixtures/<outlet>/<case>.html`` (or ``.xml``) holds the page's raw bytes and
``<case>.json`` the URL it came from and the full expected result. One parametrised test checks
them all; ``pytest --update-golden`` (or ``scrapy fixture``) rewrites the JSON for review.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from newscrawl.offline import parse_saved_page

PAGE_SUFFIXES = (".html", ".xml")


def page_for(case_json: Path) -> Path:
    for suffix in PAGE_SUFFIXES:
        page = case_json.with_suffix(suffix)
        if page.exists():
            return page
    raise FileNotFoundError(f"{case_json} has no saved page beside it (.html or .xml)")


def expected_for(page: Path, url: str, settings: Settings, callback: str | None = None) -> dict:
    result = parse_saved_page(page, url, settings, callback)
    case: dict[str, Any] = {"url": url}
    if callback:
        case["callback"] = callback
    if result.skipped:
        case["skipped"] = result.skipped
    if result.items:
        case["items"] = result.items
    if result.requests:
        case["requests"] = result.requests
    return case


def write_case(path: Path, case: dict[str, Any]) -> None:
    path.write_text(json.dumps(case, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
