"""Text out of HTML: an element's text, a page's paragraphs, markup inside JSON-LD strings.

Every walk here is iterative: a page may nest elements thousands deep (a broken editor wrapping
each word in a ``<span>``), and Python's recursion limit must not cost the article.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from weakref import WeakKeyDictionary

import cssselect
import lxml.html
from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from newscrawl import text

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


# A step that tests one class, as the CSS translator writes it: libxml2 evaluates the predicate
# for every element of the axis (every element of the page for ".byline"), ~0.3 µs each. Read
# through the class attributes instead, a step of the axis rather than a predicate, it selects
# the same elements, in the same order, in a third to a half of the time.
# A step testing more (".a.b", "p.a:first-child") has the class test first, in parentheses.
_CLASS_TEST = (
    r"@class and contains\(@class, '([^']*)'\) and "
    r"contains\(concat\(' ', normalize-space\(@class\), ' '\), ' \{n} '\)"
)
_STEP = r"((?:^|/|\| )(?:[a-z-]+::)?[\w*-]+)"
_CLASS_STEP = re.compile(_STEP + r"\[" + _CLASS_TEST.format(n=2) + r"\]")
_FIRST_CLASS_STEP = re.compile(_STEP + r"\[\(" + _CLASS_TEST.format(n=2) + r"\) and \(")
_BY_CLASS = (
    r"\1/@class[contains(., '\2')]/parent::*"
    r"[contains(concat(' ', normalize-space(@class), ' '), ' \2 ')]"
)
_BY_FIRST_CLASS = (
    r"\1/@class[contains(., '\2')]/parent::*"
    r"[(contains(concat(' ', normalize-space(@class), ' '), ' \2 ')) and ("
)


@functools.lru_cache(maxsize=1024)
def _css_xpath(css: str) -> etree.XPath:
    """A CSS selector compiled as parsel compiles it for HTML (``::text``, ``::attr()``)."""
    path = HTMLTranslator().css_to_xpath(css)
    if "position()" not in path and "last()" not in path:  # no predicate counts the axis
        path = _FIRST_CLASS_STEP.sub(_BY_FIRST_CLASS, _CLASS_STEP.sub(_BY_CLASS, path))
    return etree.XPath(path, smart_strings=False)


@functools.lru_cache(maxsize=256)
def _compiled(path: str) -> etree.XPath:
    return etree.XPath(path, smart_strings=False)


def xpath_all(sel: Selector, path: str) -> list[Any]:
    """What ``sel.xpath(path)`` matches, as lxml elements and strings (``.getall()`` for text
    and attributes), without a parsel Selector made around each."""
    return _compiled(path)(sel.root)


def xpath_first(sel: Selector, path: str) -> Any:
    """``sel.xpath(path).get()`` for text and attributes: the first match, or None."""
    found = _compiled(path)(sel.root)
    return found[0] if found else None


# Finding elements by tag name, lxml's ``iter(tag)`` walks the tree in C and makes a Python
# object for each match only; a ``//tag`` XPath costs ~20 µs more on a 60 KB page.
_TEXT_NODES = etree.XPath("text()", smart_strings=False)


def tag_texts(
    sel: Selector, tags: tuple[str, ...], path: str, where: Callable[[Any], bool] | None = None
) -> list[str]:
    """``xpath_all(sel, path)`` for a ``path`` that takes the text nodes of the elements of these
    ``tags`` (``where`` says which of them, when the path has a predicate): each element's text
    nodes, in document order. Such elements inside one another order their text nodes
    differently; such a page is read by ``path`` itself."""
    found: list[str] = []
    for element in sel.root.iter(*tags):
        if where is not None and not where(element):
            continue
        if next(element.iterdescendants(*tags), None) is not None:
            return xpath_all(sel, path)
        found += _TEXT_NODES(element)
    return found


_PAGE_TITLES: WeakKeyDictionary[Selector, str | None] = WeakKeyDictionary()


def page_title(sel: Selector) -> str | None:
    """``//title/text()``'s first: read once a page (the skip rules and the site's names ask)."""
    try:
        return _PAGE_TITLES[sel]
    except KeyError:
        found = tag_texts(sel, ("title",), "//title/text()")
        title = _PAGE_TITLES[sel] = found[0] if found else None
        return title


def headings(sel: Selector) -> list[str]:
    """``h1::text, h2::text``: the text nodes of the page's h1 and h2 elements."""
    return tag_texts(sel, ("h1", "h2"), "//h1/text() | //h2/text()")


def select(sel: Selector, css: str) -> list[Any]:
    """What ``sel.css(css)`` matches, as lxml elements and strings: the same nodes, without a
    parsel Selector made around each (most of the cost of a query that matches many)."""
    required = _required_classes(css)
    if required is not None and not any(all(_has_class(sel, n) for n in r) for r in required):
        return []  # every selector of the group needs a class no element of the page has
    return _css_xpath(css)(sel.root)


# A selector whose first step is any element with a class (".byline") tests the class attribute
# of every element of the page (~65 µs on a 60 KB page), matching or not: outlets guess several
# such classes for a field, most absent from a given page. A class name no class attribute of
# the page holds (as a substring) matches nothing. The page's class attributes are read once
# (~45 µs), and only when the page's text lacks the name too (then it is absent, unless written
# with character references: the attributes tell). A present name costs a substring search.
_CLASS_VALUES: WeakKeyDictionary[Selector, str] = WeakKeyDictionary()
_WHITE = frozenset(" \t\n\r\f")
_CARRIES_SELECTOR = frozenset(
    {"Hash", "Attrib", "Pseudo", "Function", "Negation", "Relation", "Matching",
     "SpecificityAdjustment"}
)  # fmt: skip


@functools.lru_cache(maxsize=1024)
def _required_classes(css: str) -> tuple[frozenset[str], ...] | None:
    """For a selector group starting with any element (``.a``, ``.a p``, ``.a, .b``): the class
    names each of its selectors needs an element to have. None when there is no such group, or
    a selector of it needs no class or is not understood."""
    if not _css_xpath(css).path.startswith("descendant-or-self::*/"):
        return None
    found = []
    for selector in cssselect.parse(css):
        names = _classes_needed(selector.parsed_tree)
        if not names:
            return None
        found.append(names)
    return tuple(found)


def _classes_needed(tree: Any) -> frozenset[str]:
    """Class names an element must have to match a parsed selector: those of its compound
    parts; not those under ``:not()`` nor of the selectors inside ``:has()``/``:is()``."""
    names: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        kind = type(node).__name__
        if kind == "Class":
            if not _WHITE.intersection(node.class_name):  # never split by normalize-space
                names.add(node.class_name)
            stack.append(node.selector)
        elif kind == "CombinedSelector":
            stack += [node.selector, node.subselector]
        elif kind in _CARRIES_SELECTOR:
            stack.append(node.selector)
        elif kind != "Element":
            return frozenset()  # not understood: assume nothing
    return frozenset(names)


def _has_class(sel: Selector, name: str) -> bool:
    """Whether a class attribute of the page may hold ``name``: False only when none does."""
    values = _CLASS_VALUES.get(sel)
    if values is None:
        page = getattr(sel, "_text", None)
        if not isinstance(page, str) or name in page:
            return True
        values = _CLASS_VALUES[sel] = "\x00".join(xpath_all(sel, "//@class"))
    return name in values


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
