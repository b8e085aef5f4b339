"""Text out of HTML: an element's text, a page's paragraphs, markup inside JSON-LD strings.

Every walk here is iterative: a page may nest elements thousands deep (a broken editor wrapping
each word in a ``<span>``), and Python's recursion limit must not cost the article.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import lxml.html
from lxml import etree
from parsel import Selector

from newscrawl import text
from newscrawl.extraction.query import select

# Text inside these elements is never article text, whichever container holds it.
NOT_TEXT = frozenset({"script", "style", "noscript", "template"})
# Elements that end a paragraph: their start and end break the text around them.
BLOCKS = frozenset(
    {"p", "div", "section", "article", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4",
     "h5", "h6", "figure", "table", "tr", "header", "footer", "aside", "pre", "dl", "dt", "dd",
     "main", "form", "hr"}
)  # fmt: skip
# Captions and embedded media: never article paragraphs.
NOT_BODY = NOT_TEXT | {"figcaption", "iframe", "object", "embed", "svg", "button", "select"}
# Table cells: apart from their neighbours ("১২" and "৩৪" in two cells are not "১২৩৪").
CELLS = frozenset({"td", "th"})
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WORD = re.compile(r"\w")
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
_ESCAPED_TAG = re.compile(r"&(?:amp;)*lt;/?[a-zA-Z][a-zA-Z0-9-]*(?:\s.*?)?/?&(?:amp;)*gt;")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});")


def _tag(node: Any) -> str:
    return node.tag.lower() if isinstance(node.tag, str) else ""  # comments: ""


def walk_text(root: Any, br: str = "", skip: frozenset[str] = NOT_TEXT) -> Iterator[str]:
    """An element's text pieces in document order; ``br`` stands for each ``<br>``."""
    if root.text:
        yield root.text
    stack: list[tuple[Iterator[Any], str | None]] = [(iter(root), None)]
    while stack:
        children, tail = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if tail:
                yield tail
            continue
        tag = _tag(child)
        if tag == "br":
            yield br
        elif tag and tag not in skip:
            if tag in CELLS:
                yield " "
            if child.text:
                yield child.text
            stack.append((iter(child), child.tail))
            continue
        if child.tail:
            yield child.tail


def joined_text(node: Any, br: str = "") -> str:
    """``"".join(walk_text(node, br))``; an element holding text only (most paragraphs) is its
    text, read without a walk."""
    if not len(node):  # no child element, comment or instruction
        return node.text or ""
    return "".join(walk_text(node, br))


def element_text(element: Selector) -> str:
    if isinstance(element.root, str):
        return element.root
    return joined_text(element.root)


def get_all(sel: Selector, css: str) -> list[str]:
    """``sel.css(css).getall()``: texts and attributes as they are, and elements serialized by
    parsel (rare: outlets select ``::text`` or ``::attr()``)."""
    if css == "none" and next(sel.root.iter("none"), None) is None:
        return []  # what an outlet with no selector for a field asks: a tag walk tells at once
    found = select(sel, css)
    if all(isinstance(v, str) for v in found):
        return found
    return sel.css(css).getall()


def first_text(sel: Selector, css_list: Sequence[str]) -> str | None:
    """Text of the first element any selector matches (``::attr()``/``::text`` taken as is)."""
    for css in css_list:
        found = select(sel, css)
        if "::" in css and not all(isinstance(v, str) for v in found):
            values = sel.css(css).getall()  # elements serialized as parsel does: never here
        else:
            values = [v if isinstance(v, str) else joined_text(v) for v in found]
        for value in map(text.clean_line, values):
            if value:
                return plain_text(value)
    return None


def paragraphs(sel: Selector, css_list: Sequence[str]) -> list[str]:
    """Paragraph texts of the first selector that matches any; a double <br> splits a paragraph."""
    for css in css_list:
        found: list[str] = []
        for element in select(sel, css):
            found += paragraph_texts(element)
        found = text.clean_paragraphs(found)
        if found:
            return found
    return []


def paragraph_texts(node: Any) -> list[str]:
    """One element's text split at double ``<br>`` (a single one is a line break)."""
    if isinstance(node, str):
        return [node]
    return _PARAGRAPH_BREAK.split(joined_text(node, br="\n"))


def block_paragraphs(root: Any, skip: Callable[[Any], bool] | None = None) -> list[str]:
    """Paragraphs of a fragment of any shape: block elements and double ``<br>`` split them.

    Captions, embeds and scripts are left out, and block elements ``skip`` refuses; inline
    elements (links, bold) stay in the text. Paragraphs without a letter or digit (a stray
    ".", a "***") are dropped.
    """
    parts: list[str] = []
    if root.text:
        parts.append(root.text)
    stack: list[tuple[Iterator[Any], str | None, bool]] = [(iter(root), None, False)]
    while stack:
        children, tail, block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if block:
                parts.append("\n\n")
            if tail:
                parts.append(tail)
            continue
        tag = _tag(child)
        if tag == "br":
            parts.append("\n")
        elif tag and tag not in NOT_BODY and not (skip and tag in BLOCKS and skip(child)):
            is_block = tag in BLOCKS
            if is_block:
                parts.append("\n\n")
            elif tag in CELLS:
                parts.append(" ")
            if child.text:
                parts.append(child.text)
            stack.append((iter(child), child.tail, is_block))
            continue
        if child.tail:
            parts.append(child.tail)
    found = text.clean_paragraphs(_PARAGRAPH_BREAK.split("".join(parts)))
    return [p for p in found if _WORD.search(p)]


def has_markup(value: str) -> bool:
    return bool(_TAG.search(value) or _ESCAPED_TAG.search(value))


def html_paragraphs(value: str) -> list[str]:
    """Paragraphs of a string that may hold HTML, escaped (``&lt;p&gt;``) or not."""
    for _ in range(3):  # escaped once or twice, as CMSs store it
        if not _ESCAPED_TAG.search(value):
            break
        value = html.unescape(value)
    if not _TAG.search(value):
        return text.clean_paragraphs(plain_text(p) for p in value.split("\n"))
    try:
        root = lxml.html.fragment_fromstring(value, create_parent="div")
    except (etree.ParserError, ValueError):
        return text.clean_paragraphs(plain_text(p) for p in value.split("\n"))
    return [plain_text(p) for p in block_paragraphs(root)]


def plain_text(value: str) -> str:
    """A one-line field with no markup and no entities left (``&amp;mdash;`` -> ``—``)."""
    if "<" in value and _TAG.search(value):
        value = _TAG.sub(" ", value)
    for _ in range(3):
        if "&" not in value or not _ENTITY.search(value):
            break
        value = html.unescape(value)
    if "<" in value and _TAG.search(value):  # markup that was escaped
        value = _TAG.sub(" ", value)
    return text.clean_line(value)


def article_body_paragraphs(sel: Selector, article_body: str) -> list[str]:
    """JSON-LD ``articleBody`` as paragraphs.

    Markup in it (escaped or not) gives the paragraphs. Otherwise ``articleBody`` usually comes
    with its paragraph breaks flattened to spaces: when a run of the page's ``<p>`` elements
    spells out exactly the same text, their breaks are the article's, and the body (so the hash)
    is the same as the page's own paragraphs would give. Linear in the page's size.
    """
    if has_markup(article_body):
        return html_paragraphs(article_body)
    target = plain_text(article_body)
    page = text.clean_paragraphs(element_text(p) for p in sel.xpath("//body//p"))
    run = _matching_run(page, target)
    if run:
        return run
    return text.clean_paragraphs(plain_text(p) for p in article_body.split("\n"))


def _matching_run(page: list[str], target: str) -> list[str] | None:
    """The consecutive paragraphs whose space-joined text is ``target``, if any.

    The page's paragraphs are joined once; each occurrence of ``target`` found by ``str.find``
    is accepted when it starts and ends on paragraph boundaries. No candidate string is built
    per paragraph, so thousands of paragraphs cost one pass, not a cube of them.
    """
    if not target or not page:
        return None
    joined = " ".join(page)
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    offset = 0
    for index, para in enumerate(page):
        starts[offset] = index
        offset += len(para)
        ends[offset] = index
        offset += 1
    position = joined.find(target)
    while position >= 0:
        first, last = starts.get(position), ends.get(position + len(target))
        if first is not None and last is not None:
            return page[first : last + 1]
        position = joined.find(target, position + 1)
    return None
