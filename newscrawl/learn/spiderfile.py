"""The source of a learned spider, and the diff that puts newly learned selectors in one."""

from __future__ import annotations

import ast
import difflib
import textwrap
from collections.abc import Sequence
from datetime import date
from typing import Any

from newscrawl.learn.selectors import Learned

FIELDS = ("title", "subtitle", "author", "category", "dates", "published", "updated", "body",
          "tags", "image")  # fmt: skip
WIDTH = 100  # ruff's line length in pyproject.toml

LEARNED_SPIDER = """{docstring}

from __future__ import annotations

import re
from typing import ClassVar

from newscrawl.learn.rules import BYLINE_LEAD_IN, PAGE_LINE, SIGN_OFF
from newscrawl.spiders.base import OutletSpider


class {cls}(OutletSpider):
    name = "{name}"
    site_url = {site_url}
    site_hosts = {hosts}
    # As the site's pages state them: stripped from titles and byline lines.
    site_names = {site_names}

    feeds = {feeds}
    sitemaps = {sitemaps}
    sitemaps_from_robots = {from_robots}
    listings = {listings}  # category pages, followed with ?page=N
    archive_path = None  # a date archive for -a since=YYYY-MM-DD backfill, if the site has one

{path_note}
    article_path = re.compile({article_path})

    # Learned {today}; tried after JSON-LD and meta tags, in order: keep an old selector after
    # a new one when the layout changes (archived pages keep the old layout).
    selectors: ClassVar[dict[str, tuple[str, ...]]] = {selectors}

    # The generic outlet's paragraph rules (newscrawl/learn/rules.py); narrow them as needed.
    body_end_patterns = ()  # a paragraph that starts the page furniture: cut from there on
    boilerplate_patterns = (PAGE_LINE,)
    byline_lead_in = BYLINE_LEAD_IN
    sign_off = SIGN_OFF
"""

DOCSTRING = (
    "{title} ({host}), learned by ``scrapy newoutlet``.",
    "{origin}, and each selector was learned from sample pages (the comment says on how many it"
    " gave the value JSON-LD, meta tags and the generic rules agree on). JSON-LD and meta tags"
    " still come first; a field with no selector comes from them, the generic rules or trafilatura,"
    " and the crawl stats (``newscrawl/extraction/<field>/<layer>``) show which."
    " ``scrapy probe {name} --suggest`` proposes new selectors when the layout changes.",
)


def py_str(value: str) -> str:
    """A double-quoted Python string literal, as ruff format writes it."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def py_tuple(values: Sequence[str]) -> str:
    items = [py_str(v) for v in values]
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def py_value(values: Sequence[str], indent: int = 4, prefix: str = "") -> str:
    """A tuple of strings after ``prefix`` (``name = ``), one per line past ruff's width (with
    the trailing comma that keeps ruff format from joining them)."""
    one = py_tuple(values) if values else "()"
    if indent + len(prefix) + len(one) <= WIDTH:
        return one
    pad = " " * (indent + 4)
    return "(\n" + "".join(f"{pad}{py_str(v)},\n" for v in values) + " " * indent + ")"


def docstring(paragraphs: Sequence[str]) -> str:
    """A module docstring wrapped at ruff's width."""
    lines: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        first = '"""' if number == 0 else ""
        wrapped = textwrap.wrap(first + paragraph, WIDTH, break_on_hyphens=False)
        lines += [*wrapped, ""]
    return "\n".join(lines[:-1]) + '\n"""'


def comment(text: str, indent: int = 4) -> str:
    pad = " " * indent + "# "
    return "\n".join(textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad))


def regex_literal(pattern: str, indent: int = 4) -> str:
    """Raw string literals for a regular expression, split over lines past ruff's width."""
    room = WIDTH - indent - 8
    if len(pattern) <= room - 20:
        return f'r"{pattern}"'
    pieces, rest = [], pattern
    while len(rest) > room:
        cut = room
        while rest[cut - 1] == "\\":
            cut -= 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    pad = " " * (indent + 4)
    return "\n" + "".join(f'{pad}r"{p}"\n' for p in pieces) + " " * indent


def selector_lines(entries: dict[str, tuple[list[str], str]]) -> str:
    """``"field": ("css", ...),  # note`` lines, wrapped the way ruff format wraps them."""
    lines = []
    for name in [*FIELDS, *(n for n in entries if n not in FIELDS)]:
        if name not in entries:
            continue
        values, note = entries[name]
        comment = f"  # {note}" if note else ""
        one = f"        {py_str(name)}: {py_tuple(values)},"
        if len(one + comment) <= WIDTH:
            lines.append(one + comment)
            continue
        lines.append(f"        {py_str(name)}: ({comment}")
        lines += [f"            {py_str(v)}," for v in values]
        lines.append("        ),")
    return "\n".join(lines)


def render(
    *,
    name: str,
    cls: str,
    site_url: str,
    hosts: Sequence[str],
    site_names: Sequence[str],
    feeds: Sequence[str],
    sitemaps: Sequence[str],
    from_robots: bool,
    listings: Sequence[str],
    article_path: str,
    path_note: str,
    learned: dict[str, Learned],
    offline: bool = False,
) -> str:
    host = hosts[0]
    entries = {k: ([v.css], v.note) for k, v in learned.items()}
    title = site_names[0] if site_names else host.removeprefix("www.").split(".")[0].title()
    origin = (
        "``article_path`` was inferred from saved pages' URLs (feeds are a guess [G])"
        if offline
        else "Feeds, sitemaps and ``article_path`` were read from the site"
    )
    source = LEARNED_SPIDER.format(
        docstring=docstring(
            [p.format(title=title, host=host, origin=origin, name=name) for p in DOCSTRING]
        ),
        site_url=py_str(site_url),
        name=name,
        cls=cls,
        hosts=py_value(hosts, prefix="site_hosts = "),
        site_names=py_value(site_names, prefix="site_names = "),
        feeds=py_value(feeds, prefix="feeds = "),
        sitemaps=py_value(sitemaps, prefix="sitemaps = "),
        listings=py_value(listings, prefix="listings = "),
        from_robots=from_robots,
        path_note=comment(path_note),
        article_path=regex_literal(article_path),
        today=date.today().isoformat(),
        # No selector at all: the spider is read like the generic outlet. Either way, a field with
        # no selector gets the generic rules (newscrawl/extraction).
        selectors="{\n" + selector_lines(entries) + "\n    }" if entries else "{}",
    )
    return source


# -- the diff of ``scrapy probe --suggest`` -------------------------------------------------------


def current_selectors(source: str) -> tuple[dict[str, Any], ast.Dict] | None:
    """The spider's ``selectors``: each field's list and its entry's nodes, and the dict."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign | ast.Assign):
                targets = (
                    [statement.target]
                    if isinstance(statement, ast.AnnAssign)
                    else (statement.targets)
                )
                if not any(isinstance(t, ast.Name) and t.id == "selectors" for t in targets):
                    continue
                value = statement.value
                if not isinstance(value, ast.Dict):
                    return None
                found: dict[str, Any] = {}
                for key, item in zip(value.keys, value.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(item, ast.Tuple | ast.List):
                        css = [e.value for e in item.elts if isinstance(e, ast.Constant)]
                        found[key.value] = (css, key, item)
                return found, value
    return None


def suggest(source: str, learned: dict[str, Learned], path: str) -> str | None:
    """A unified diff putting each learned selector first in its field, the spider's own kept
    after it; the other entries, and the comments between them, are left as they are."""
    found = current_selectors(source)
    if found is None:
        return None
    current, block = found
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []  # (first line, last line, text), 0-based, inclusive
    for name, rule in learned.items():
        old = current[name][0] if name in current else []
        if rule.css in old:
            continue
        note = f"first one learned {date.today()}, {rule.note}"
        text = selector_lines({name: ([rule.css, *old], note)}) + "\n"
        if name in current:
            _, key, item = current[name]
            edits.append((key.lineno - 1, (item.end_lineno or item.lineno) - 1, text))
        else:
            closing = (block.end_lineno or block.lineno) - 1
            edits.append((closing, closing - 1, text))  # inserted before the closing brace
    if not edits:
        return None
    for first, last, text in sorted(edits, reverse=True):
        lines[first : last + 1] = [text]
    return "".join(
        difflib.unified_diff(
            source.splitlines(keepends=True),
            "".join(lines).splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )
