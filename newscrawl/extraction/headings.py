"""What the page prints above the article: its headline, and the byline's name.

The headline is the ``<h1>`` the page's metadata names (not the site's logo); a byline is the
name an element marked as one holds, without the date, labels or CMS account beside it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from newscrawl import dates, text
from newscrawl.extraction.markup import NOT_BODY, _tag, walk_text

HEADLINE = re.compile(r"headline|title|heading", re.I)
# CMS accounts and placeholders: never a byline.
NO_BYLINE = re.compile(
    r"(?:site\s*)?admin(?:istrator)?|webmaster|editor|author|unknown|null|none|guest|user", re.I
)


def _text(node: Any) -> str:
    return text.clean_line("".join(walk_text(node, skip=NOT_BODY)))


def _marks(node: Any) -> str:
    return f"{node.get('class', '')} {node.get('id', '')} {node.get('itemprop', '')}"


_BYLINE_LABEL = re.compile(
    r"^(?:(?:posted|written)\s+by|by)(?:\s*[:ঃ]\s*|\s+)|^(?:লেখক|লিখেছেন|প্রতিবেদন)\s*[:ঃ]\s*", re.I
)
# Where the name ends: a date or time, or the label of one.
_BYLINE_END = re.compile(
    r"\s*[|\n]|(?:^|\s)(?:প্রকাশের সময়|প্রকাশের সময়|প্রকাশিত|প্রকাশ|পোস্ট|সর্বশেষ আপডেট|আপডেট|"
    r"হালনাগাদ|published|updated?|posted\s+(?:on|at))(?=[\s:ঃ]|$)|[0-9০-৯]",
    re.I,
)
_DATE_WORD = re.compile(dates.MONTH_OR_WEEKDAY, re.I)


def byline(value: str) -> str | None:
    """'লেখক: X | প্রকাশ: …' -> 'X', 'By X 10 Jan 2025' -> 'X'; a bare label ('Author:') or a
    CMS account ('Posted by admin') is no byline."""
    value = _BYLINE_LABEL.sub("", value.strip())
    value = _BYLINE_END.split(value, maxsplit=1)[0]
    words = value.split()
    while words and _DATE_WORD.fullmatch(words[-1].strip(",;:ঃ.-–—")):
        words.pop()  # "X, শনিবার," before the date
    value = " ".join(words).strip(" ,;:ঃ-–—")
    if re.fullmatch(r"(?:by|author|লেখক|প্রতিবেদক)?", value, re.I) or NO_BYLINE.fullmatch(value):
        return None
    return value


def headline(sel: Selector) -> str | None:
    """The first ``<h1>`` that is not the site's logo or name."""
    node = headline_node(sel.root)
    return _text(node) if node is not None else None


def headline_node(root: Any) -> Any | None:
    """The page's headline: the ``<h1>`` (not the site's logo or name) the page's metadata names
    (``og:title``, JSON-LD ``headline``, the start of ``<title>``), else a sub-heading or an
    element marked as a headline that it names, else the first ``<h1>``."""
    h1s = [h1 for h1 in root.iter("h1") if (v := _text(h1)) and not _is_logo(h1, v)]
    page_title = text.clean_line(" ".join(t for n in root.iter("title") for t in n.itertext()))
    refs = [page_title, *(root.xpath('//meta[@property="og:title"]/@content') or [])[:1]]
    refs = [text.clean_line(r) for r in refs if r]
    scripts = " ".join(
        "".join(n.itertext()) for n in root.iter("script") if "ld+json" in (n.get("type") or "")
    )
    if len(h1s) == 1 and not refs and not scripts:
        return h1s[0]
    for h1 in h1s:
        if _named(_text(h1), refs, scripts):
            return h1
    for node in _CANDIDATES(root):
        tag = _tag(node)
        marked = tag in ("h2", "h3") or (tag and tag != "title" and HEADLINE.search(_marks(node)))
        if marked and _named(_text(node), refs, scripts):
            return node
    return h1s[0] if h1s else None


# The only elements the walk above can take, in document order: a walk in C instead of a Python
# loop over every element (most have no class, id or itemprop and are no sub-heading).
_CANDIDATES = etree.XPath(
    "descendant-or-self::*[self::h2 or self::h3 or @class or @id or @itemprop]"
)


def _named(value: str, refs: list[str], scripts: str) -> bool:
    """The metadata names this heading: a title opening with it, or one it opens with, or
    JSON-LD holding it."""
    if len(value) < 8:
        return False
    if any(ref.startswith(value) or (len(ref) >= 15 and value.startswith(ref)) for ref in refs):
        return True
    return f'"{value}"' in scripts


_LOGO = re.compile(r"logo|brand|site-?(?:name|title)|masthead", re.I)


def _is_logo(h1: Any, value: str) -> bool:
    """An ``<h1>`` holding the site's name: marked as a logo, or one link to the home page."""
    if any(_LOGO.search(_marks(n)) for n in (h1, *list(h1.iterancestors())[:3])):
        return True
    links = list(h1.iter("a"))
    if len(links) == 1 and _text(links[0]) == value:
        href = (links[0].get("href") or "").strip()
        if not href or href.startswith(("#", "?")):
            return False
        parts = urlsplit(href)  # the site's root, not "/?p=123" (a post's own link)
        return parts.path in ("", "/") and not parts.query and not parts.fragment
    return False
