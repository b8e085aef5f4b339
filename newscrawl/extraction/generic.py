"""Generic rules: the article read from any page's structure, no outlet selector needed.

Used for outlets that declare no selectors (the generic outlet ``scrapy extract`` falls back to).
The rules are the ones a careful reader applies to a news page: the article is the block of the
page holding most running paragraphs, read once even when the page prints it twice (desktop and
mobile copies); captions, embeds, share bars and related-story lists are not article text; a
byline is an element the page marks as one; a standfirst the page marks is the subtitle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from parsel import Selector

from newscrawl import text
from newscrawl.extraction.markup import NOT_BODY, _tag, block_paragraphs, walk_text

# class/id words of page furniture inside an article block: never article paragraphs.
FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|related|also|read-?more|more-?news|advert\w*|ads?|"
    r"promo|newsletter|subscribe|follow|tags?|keywords|caption|credit|comments?|print|"
    r"breadcrumbs?|widget|sidebar|recommend\w*|popular|trending|author-?box|hidden-print)"
    r"(?:$|[\s_-])",
    re.I,
)
BYLINE = re.compile(r"author|byline|reporter|writer|contributor", re.I)
STANDFIRST = re.compile(r"standfirst|hanger|sub-?title|subhead|dek\b|summary|excerpt|intro", re.I)
SHOULDER = re.compile(r"shoulder|kicker|overline|eyebrow|supertitle|upper-?title", re.I)
MIN_PARAGRAPH = 40  # characters: shorter <p>s are labels, datelines, captions
MAX_BYLINE = 80


def _text(node: Any) -> str:
    return text.clean_line("".join(walk_text(node, skip=NOT_BODY)))


def _link_text(node: Any) -> int:
    return sum(len(text.clean_line("".join(walk_text(a)))) for a in node.iter("a"))


def _marks(node: Any) -> str:
    return f"{node.get('class', '')} {node.get('id', '')} {node.get('itemprop', '')}"


def running_paragraphs(root: Any) -> list[tuple[Any, str]]:
    """``<p>`` elements that read as running text: long enough, mostly not links."""
    found = []
    for p in root.iter("p"):
        body = _text(p)
        if len(body) >= MIN_PARAGRAPH and _link_text(p) < len(body) / 2:
            found.append((p, body))
    return found


def article_block(root: Any) -> Any | None:
    """The element holding the article's running paragraphs, and little else.

    Start at the element with most running text in its own ``<p>`` children; go up while the
    parent adds running paragraphs not already read (a repeated copy adds none) and holds little
    other text (navigation, lists of other stories).
    """
    found = running_paragraphs(root)
    if not found:
        return None
    direct: dict[Any, int] = {}
    for p, body in found:
        parent = p.getparent()
        if parent is not None:
            direct[parent] = direct.get(parent, 0) + len(body)
    best = max(direct, key=direct.__getitem__)
    good = {p: body for p, body in found}
    current = _unique_text(best, good)
    while best.getparent() is not None and _tag(best.getparent()) not in ("body", "html"):
        parent = best.getparent()
        gained = _unique_text(parent, good)
        other = len(_text(parent)) - sum(len(good[p]) for p in parent.iter("p") if p in good)
        if gained <= current * 1.1 or other > max(300, gained * 0.3):
            break
        best, current = parent, gained
    return best


def _unique_text(node: Any, good: dict[Any, str]) -> int:
    seen = {good[p] for p in node.iter("p") if p in good}
    return sum(map(len, seen))


def block_body(block: Any) -> list[str]:
    """The article block's paragraphs: furniture, captions and embeds left out, repeats once."""
    paragraphs: list[str] = []
    for child in _content_children(block):
        if isinstance(child, str):
            paragraphs += text.clean_paragraphs([child])
        else:
            paragraphs += block_paragraphs(child)
    return collapse_repeats(paragraphs)


def _content_children(block: Any) -> list[Any]:
    """The block's children with furniture removed, as elements or stray text."""
    out: list[Any] = [block.text] if block.text else []
    for child in block:
        tag = _tag(child)
        if tag and tag not in NOT_BODY and not FURNITURE.search(_marks(child)):
            size = len(_text(child))
            if size and _link_text(child) < size * 0.6:
                out.append(child)
        if child.tail:
            out.append(child.tail)
    return out


def collapse_repeats(paragraphs: Iterable[str]) -> list[str]:
    """Each paragraph once: a page printing the article twice gives it once.

    Short lines (a "*", a sub-heading) may honestly repeat, so only paragraphs of running text
    are dropped as repeats.
    """
    seen: set[str] = set()
    out: list[str] = []
    for para in paragraphs:
        if len(para) >= MIN_PARAGRAPH and para in seen:
            continue
        seen.add(para)
        out.append(para)
    return out


def marked_text(sel: Selector, pattern: re.Pattern[str], limit: int) -> list[str]:
    """Texts of elements whose class, id or itemprop matches ``pattern``, short ones only."""
    found: list[str] = []
    for node in sel.root.iter():
        if not isinstance(node.tag, str) or _tag(node) in NOT_BODY:
            continue
        marks = _marks(node)
        if marks.strip() and pattern.search(marks) and not FURNITURE.search(marks):
            value = _text(node)
            if 0 < len(value) <= limit:
                found.append(value)
    return list(dict.fromkeys(found))


def bylines(sel: Selector) -> list[str]:
    """Visible bylines and desk lines: elements the page marks as author or reporter, or links
    with ``rel="author"``."""
    found = marked_text(sel, BYLINE, MAX_BYLINE)
    found += [_text(a.root) for a in sel.xpath('//a[@rel="author"]')]
    return [b for b in dict.fromkeys(found) if b and not _is_label(b)]


def _is_label(value: str) -> bool:
    """'লেখক', 'Author:': the label beside a byline, not one."""
    return bool(re.fullmatch(r"(?:by|author|লেখক|প্রতিবেদক)\s*:?", value, re.I))


def standfirst(sel: Selector) -> str | None:
    found = marked_text(sel, STANDFIRST, 400)
    return found[0] if found else None


def shoulders(sel: Selector) -> list[str]:
    return marked_text(sel, SHOULDER, 200)


def headline(sel: Selector) -> str | None:
    for h1 in sel.xpath("//h1"):
        value = _text(h1.root)
        if value:
            return value
    return None
