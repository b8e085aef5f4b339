"""The JSON-LD layer: schema.org article objects, read leniently.

Real pages carry JSON-LD that strict JSON refuses: raw newlines and control characters inside
strings, trailing commas, HTML comments or CDATA around the object, several objects in one
block. Each is read as far as it can be; a block that still cannot be read is skipped, never an
error. Walks are iterative and depth-capped: JSON-LD nested thousands deep is a broken or hostile
page, and must not cost the article.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from parsel import Selector

from newscrawl import dates
from newscrawl.extraction.core import Extracted
from newscrawl.extraction.markup import plain_text
from newscrawl.extraction.query import tag_texts

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
     "OpinionNewsArticle", "BackgroundNewsArticle", "WebPageElement"}
)  # fmt: skip
ORGANISATION_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation"})
MAX_DEPTH = 32  # schema.org objects on news pages nest a handful of levels
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_WRAPPING = re.compile(r"^\s*(?:<!--|<!\[CDATA\[|//\s*<!\[CDATA\[)|(?:-->|\]\]>|//\s*\]\]>)\s*$")


def parse_block(block: str) -> list[Any]:
    """Every JSON value in one ``<script type="application/ld+json">``, read leniently."""
    block = _WRAPPING.sub("", block.strip()).strip()
    for attempt in (block, _TRAILING_COMMA.sub(r"\1", block)):
        values = _decode_all(attempt)
        if values:
            return values
    return []


def _decode_all(block: str) -> list[Any]:
    decoder = json.JSONDecoder(strict=False)  # raw newlines and tabs inside strings
    values: list[Any] = []
    position = 0
    while position < len(block):
        while position < len(block) and block[position] in " \t\r\n;,":
            position += 1
        if position >= len(block):
            break
        try:
            value, position = decoder.raw_decode(block, position)
        except (ValueError, RecursionError):
            return values
        values.append(value)
    return values


_LD_JSON_PATH = '//script[@type="application/ld+json"]/text()'


def _is_ld_json(script: Any) -> bool:
    return script.get("type") == "application/ld+json"


def blocks(sel: Selector) -> list[Any]:
    found: list[Any] = []
    for block in tag_texts(sel, ("script",), _LD_JSON_PATH, _is_ld_json):
        found += parse_block(block)
    return found


def nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Every object in the JSON-LD (lists, ``@graph``, ``mainEntity``), breadth first, at most
    MAX_DEPTH deep."""
    queue: list[tuple[Any, int]] = [(data, 0)]
    for value, depth in queue:  # the list grows while it is read: a breadth-first walk
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, list):
            queue += [(entry, depth + 1) for entry in value]
        elif isinstance(value, dict):
            yield value
            for key in ("@graph", "mainEntity"):  # a WebPage whose main entity is the article
                if key in value:
                    queue.append((value[key], depth + 1))


def types(node: dict[str, Any]) -> set[str]:
    kinds = node.get("@type")
    if isinstance(kinds, str):
        return {kinds}
    return {k for k in kinds if isinstance(k, str)} if isinstance(kinds, list) else set()


def article(data: list[Any]) -> dict[str, Any] | None:
    """The first schema.org article object, if any."""
    for node in nodes(data):
        if types(node) & ARTICLE_TYPES:
            return node
    return None


def json_ld_article(sel: Selector) -> dict[str, Any] | None:
    return article(blocks(sel))


def _flatten(value: Any, pick: Any) -> list[str]:
    """Strings found in ``value``: a string, a list of them, or objects ``pick`` opens."""
    found: list[str] = []
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            stack += [(entry, depth + 1) for entry in reversed(value)]
        elif isinstance(value, dict):
            stack.append((pick(value), depth + 1))
    return found


def names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organisation, a list of them, or a plain string."""
    return [n for n in map(plain_text, _flatten(value, lambda d: d.get("name"))) if n]


def urls(value: Any) -> list[str]:
    return _flatten(value, lambda d: d.get("url") or d.get("@id") or d.get("contentUrl"))


def keywords(value: Any) -> list[str]:
    words = (k for entry in _flatten(value, lambda d: None) for k in entry.split(","))
    return [k for k in map(plain_text, words) if k]


def first_string(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def first_text(value: Any) -> str | None:
    """A one-line text field: no markup, no entities, no stray line breaks."""
    value = first_string(value)
    return plain_text(value) or None if value else None


def publisher_names(data: list[Any]) -> list[str]:
    """The site's names as its JSON-LD states them: the article's publisher, the Organization
    and WebSite objects (``name`` and ``alternateName``)."""
    found: list[str] = []
    for node in nodes(data):
        kinds = types(node)
        if kinds & ARTICLE_TYPES:
            publisher = node.get("publisher")
            for entry in publisher if isinstance(publisher, list) else [publisher]:
                if isinstance(entry, dict):
                    found += names(entry) + names(entry.get("alternateName"))
        elif kinds & (ORGANISATION_TYPES | {"WebSite", "Website"}):
            found += names(node) + names(node.get("alternateName"))
    return list(dict.fromkeys(found))


def from_json_ld(node: dict[str, Any], out: Extracted) -> None:
    layer = "json-ld"
    out.offer("title", first_text(node.get("headline") or node.get("name")), layer)
    out.offer("subtitle", first_text(node.get("alternativeHeadline")), layer)
    out.offer("author", ", ".join(dict.fromkeys(names(node.get("author")))), layer)
    out.offer("category", first_text(node.get("articleSection")), layer)
    out.offer("tags", keywords(node.get("keywords")), layer)
    for name, key in (("published", "datePublished"), ("updated", "dateModified")):
        raw = first_string(node.get(key))
        raw = raw.strip() if raw else raw
        out.offer(name, dates.parse_date(raw), layer, raw)
    page = node.get("mainEntityOfPage")
    out.offer("canonical_url", first_string(urls(page)) or first_string(node.get("url")), layer)
    out.offer("image_urls", urls(node.get("image")), layer)
