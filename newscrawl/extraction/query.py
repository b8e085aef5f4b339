"""Finding nodes in a parsed page: CSS selectors and XPath without parsel's wrappers, tags by
lxml's tree walk, and class selectors told absent without a scan of the page."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

import cssselect
from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

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
    if not isinstance(sel.root, etree._Element):
        return xpath_all(sel, path)  # a JSON "page": fails as the XPath fails (TypeError)
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
    if not _css_xpath(css).path.startswith("descendant-or-self::*/") or "|" in css:
        return None  # (a namespace prefix, svg|title, fails when run: it must be run)
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
