"""Generic rules: the article read from any page's structure, no outlet selector needed.

Used for the fields an outlet declares no selector for (all of them for the generic outlet).
The rules are the ones a careful reader applies to a news page: the article is the block of the
page holding most running paragraphs, read once even when the page prints it twice (desktop and
mobile copies); captions, embeds, share bars and related-story lists are not article text; a
byline is an element the page marks as one; a standfirst the page marks is the subtitle.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from parsel import Selector

from newscrawl import text
from newscrawl.extraction.headings import NO_BYLINE, byline, headline, headline_node
from newscrawl.extraction.markup import BLOCKS, NOT_BODY, _tag, block_paragraphs, walk_text

__all__ = ["NO_BYLINE", "Page", "block_body", "collapse_repeats", "headline", "headline_node"]

# class/id words of page furniture inside an article block: never article paragraphs.
FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|related|also|read-?more|more-?news|advert\w*|ads?|"
    r"promo|newsletter|subscribe|follow|tags?|keywords|caption|credit|comments?|print|"
    r"breadcrumbs?|widget|sidebar|recommend\w*|popular|trending|author-?box|hidden-print)"
    r"(?:$|[\s_-])",
    re.I,
)
# The same words inside a camelCase class name ("newsShareBox", "detailTags").
FURNITURE_CAMEL = re.compile(
    r"[a-z](?:Share|Social|Related|Tags?|Caption|Comments?|Advert\w*|Promo|Newsletter|Subscribe"
    r"|Follow|Print|Breadcrumbs?|Recommend\w*)(?:[A-Z0-9_-]|\b)"
)
# Regions whose paragraphs are never the article: readers' comments, other stories.
OUTSIDE_TAGS = frozenset({"nav", "footer", "aside", "form"})
OUTSIDE = re.compile(
    r"comment|related|sidebar|widget|popular|trending|recommend|more-?news|latest|"
    r"most-?read|footer|menu|navbar",
    re.I,
)
# Embedded posts of social networks: never article text, their dates never the article's.
EMBED_CLASSES = ("twitter-tweet", "instagram-media", "fb-post", "fb-video", "tiktok-embed")
EMBED = re.compile(rf"(?:^|\s)(?:{'|'.join(EMBED_CLASSES)})(?:$|\s)")
BYLINE = re.compile(r"author|byline|reporter|writer|contributor", re.I)
STANDFIRST = re.compile(r"standfirst|hanger|sub-?title|subhead|dek\b|summary|excerpt|intro", re.I)
SHOULDER = re.compile(r"shoulder|kicker|overline|eyebrow|supertitle|upper-?title", re.I)
INLINE = frozenset(
    {"a", "span", "strong", "b", "em", "i", "u", "small", "sup", "sub", "mark", "abbr", "q",
     "cite", "time", "font", "br", "img"}
)  # fmt: skip
PARAGRAPH_LIKE = frozenset({"div", "section", "span"})
MAX_CLIMB = 10  # ancestors tried above the first block: stories split over a few wrappers
MIN_PARAGRAPH = 40  # characters: shorter <p>s are labels, datelines, captions
MAX_BYLINE = 150  # several reporters, each with a place


def _text(node: Any) -> str:
    return text.clean_line("".join(walk_text(node, skip=NOT_BODY)))


def _spaced_text(node: Any) -> str:
    return text.clean_line(" ".join(walk_text(node, skip=NOT_BODY)))


def _link_text(node: Any) -> int:
    return sum(len(text.clean_line("".join(walk_text(a)))) for a in node.iter("a"))


# Class words that say nothing of the element itself: CMS taxonomy ("tag-dhaka",
# "category-sports") and modifiers ("has-ads", "no-share", "hasCaption", "with-comments").
MODIFIER = re.compile(
    r"(?:tag|tags|category|cat|topic|post_tag|has|no|with|is)(?:[-_]|(?=[A-Z]))\S*"
)


def is_furniture(marks: str) -> bool:
    marks = _own_words(marks)
    return bool(FURNITURE.search(marks) or FURNITURE_CAMEL.search(marks))


def _own_words(marks: str) -> str:
    return " ".join(w for w in marks.split() if not MODIFIER.fullmatch(w))


def _marks(node: Any) -> str:
    return f"{node.get('class', '')} {node.get('id', '')} {node.get('itemprop', '')}"


def running_text(root: Any) -> list[tuple[Any, Any, str]]:
    """Holders of running text: ``<p>`` elements (or ``<div>``s with no block inside, used as
    paragraphs) long enough and mostly not links, scored to their parent; and elements holding
    such text directly, between ``<br>``s, scored to themselves. Each as (holder, element
    scored, text)."""
    found = []
    embedded = embeds(root)
    for node in root.iter():
        tag = _tag(node)
        if not tag or tag in NOT_BODY or node in embedded:
            continue
        if tag == "p" or (tag in PARAGRAPH_LIKE and not _has_blocks(node)):
            body = _text(node)
            if len(body) >= MIN_PARAGRAPH and _link_text(node) < len(body) / 2:
                found.append((node, node.getparent(), body))
        elif tag not in INLINE:
            own = text.clean_line(" ".join([node.text or ""] + [c.tail or "" for c in node]))
            if len(own) >= MIN_PARAGRAPH * 2:
                found.append((node, node, own))
    found = [entry for entry in found if entry[1] is not None]
    score: dict[Any, int] = {}
    for _, scored, body in found:
        score[scored] = score.get(scored, 0) + len(body)
    main = max(score, key=score.__getitem__) if score else None
    outside = _outside(root, main)
    return [entry for entry in found if entry[0] not in outside]


def embeds(root: Any) -> set[Any]:
    """Every element inside an embedded social post."""
    found: set[Any] = set()
    for node in root.iter():
        if node not in found and isinstance(node.tag, str) and EMBED.search(node.get("class", "")):
            found.update(node.iter())
    return found


def _has_blocks(node: Any) -> bool:
    return any(_tag(child) in BLOCKS for child in node)


def _outside(root: Any, main: Any | None = None) -> set[Any]:
    """Every element inside a region that is never the article (comments, other stories).

    A region holding the page's headline, or the element with most running text (``main``),
    wraps the article whatever its class says ("latest-news-details", "with-comments"), and so
    does another element of the same class (the article's second part, after an ad)."""
    inside: set[Any] = set()
    wrappers = {main, *main.iterancestors()} if main is not None else set()
    classes = {n.get("class") for n in wrappers if n.get("class")}
    for node in root.iter():
        if node in inside or not isinstance(node.tag, str):
            continue
        marks = _own_words(f"{node.get('class', '')} {node.get('id', '')}")
        if _tag(node) in OUTSIDE_TAGS or OUTSIDE.search(marks):
            if node in wrappers and "comment" in marks.lower():
                inside.update(node.iter())  # readers' comments outweighing the article
                continue
            if node in wrappers or next(node.iter("h1"), None) is not None:
                continue  # a wrapper of the article, not beside it
            if _tag(node) not in OUTSIDE_TAGS and node.get("class") in classes:
                continue
            inside.update(node.iter())
    return inside


def article_block(
    root: Any,
    summary: str | None = None,
    headline: Any | None = None,
    order: dict[Any, int] | None = None,
) -> Any | None:
    """The element holding the article's running text, and little else.

    Start at the element with most running text in its own ``<p>`` children (or its own text),
    or, when the page's summary (meta description) opens a paragraph elsewhere, at that
    paragraph's element if it holds a fair share of running text; go up to the highest ancestor
    that adds running text not already read (a repeated copy adds none), stopping at the first
    that holds much other text (navigation, lists of other stories).
    """
    found = running_text(root)
    if not found:
        return None
    order = order if order is not None else {n: i for i, n in enumerate(root.iter())}
    score: dict[Any, int] = {}
    for _, scored, body in found:
        score[scored] = score.get(scored, 0) + len(body)
    best = max(score, key=score.__getitem__)
    fair = [scored for scored in score if score[scored] >= 0.3 * score[best]]
    opening = " ".join(text.clean_line(summary).split()[:6]) if summary else ""
    starts = [s for _, s, body in found if s in fair and opening in body] if opening else []
    if len(opening) >= 20 and starts:
        best = starts[0]
    elif headline is not None:
        # The article follows its headline; what outweighs it further down is often the next
        # story (pages that load one article after another).
        after = [s for s in fair if s in order and order[s] > order.get(headline, -1)]
        best = min(after, key=order.__getitem__) if after else best
    # Teasers of other stories (a heading linking elsewhere with its excerpt) are not more of
    # this article: climbing counts only text outside such cards.
    cards = _cards(root) - {best, *best.iterancestors()}
    good = {h: body for h, _, body in found if not _in_card(h, cards)}
    current = _unique_text(best, good)
    headings = _count_headlines(best)
    ancestors = [] if _tag(best) == "article" else list(best.iterancestors())[:MAX_CLIMB]
    for parent in ancestors:
        if _tag(parent) in ("body", "html") or _count_headlines(parent) > max(headings, 1):
            break  # a block holds one article: never two headlines
        if headline is not None and _tag(headline) != "h1" and _count_headlines(parent) > headings:
            break  # the page's headline is no <h1>: an <h1> beside the article heads another box
        gained = _unique_text(parent, good)
        held = sum(len(body) for node, body in _held(parent, good))
        if _longer_than(parent, held + max(300, gained * 0.3)):
            break
        if gained > current * 1.1:  # wrappers that add nothing are passed through
            best, current = parent, gained
        if _tag(parent) == "article":
            break
    return best


def _cards(root: Any) -> set[Any]:
    """Elements holding a teaser of another story: the parent of a sub-heading that is mostly a
    link, or of a link wrapping a heading or an image."""
    found: set[Any] = set()
    for node in root.iter("h2", "h3", "h4", "h5", "h6"):
        size = len(_text(node))
        if size and _link_text(node) >= 0.5 * size and node.getparent() is not None:
            found.add(node.getparent())
    for link in root.iter("a"):
        parent = link.getparent()
        if parent is None or _tag(parent) == "p" or not link.get("href"):
            continue
        if any(_tag(n) in _CARD_INSIDE for n in link.iterdescendants()):
            found.add(parent)
    return found


_CARD_INSIDE = frozenset({"h2", "h3", "h4", "h5", "h6", "img", "picture"})


def _in_card(node: Any, cards: set[Any]) -> bool:
    return node in cards or any(n in cards for n in node.iterancestors())


def _count_headlines(node: Any) -> int:
    return sum(1 for _ in node.iter("h1"))


def _longer_than(node: Any, limit: float) -> bool:
    """The element's text is longer than ``limit`` (read only as far as needed: ancestors near
    ``<body>`` hold the whole page). Runs of white space count as one character, as in
    cleaned text."""
    size = 0
    for piece in walk_text(node, skip=NOT_BODY):
        words = piece.split()
        size += len(" ".join(words)) + (1 if words and piece[:1].isspace() else 0)
        if size > limit:
            return True
    return False


def _held(node: Any, good: dict[Any, str]) -> list[tuple[Any, str]]:
    return [(n, good[n]) for n in node.iter() if n in good]


def _unique_text(node: Any, good: dict[Any, str]) -> int:
    return sum(map(len, {body for _, body in _held(node, good)}))


def block_body(block: Any) -> list[str]:
    """The article block's paragraphs: furniture, captions, embeds and link lists left out, a
    repeated copy read once."""
    held: dict[Any, int] = {}
    found = running_text(block)
    holders = {holder for holder, _, _ in found}
    for holder, _, body in found:
        if any(n in holders for n in holder.iterancestors()):
            continue  # read once: a <span> of running text inside a <div> of it
        for node in (holder, *holder.iterancestors()):
            held[node] = held.get(node, 0) + len(body)
            if node is block:
                break
    share = 0.3 * held.get(block, 0)

    def skip(node: Any) -> bool:
        # An element holding a large share of the article is the article, whatever its class.
        if EMBED.search(node.get("class", "")):
            return True
        return held.get(node, 0) < share and (_furniture(node) or _beside(node))

    return collapse_repeats(block_paragraphs(block, skip=skip))


def _furniture(node: Any) -> bool:
    if is_furniture(_marks(node)):
        return True
    size = len(_text(node))
    return size > 0 and _link_text(node) >= size * 0.6


def _beside(node: Any) -> bool:
    """A region beside the article even inside its block: a footer, an aside, comments."""
    marks = _own_words(f"{node.get('class', '')} {node.get('id', '')}")
    return _tag(node) in OUTSIDE_TAGS or bool(OUTSIDE.search(marks))


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


class Page:
    """Where things are on the page: document order, the headline, the article block."""

    def __init__(self, sel: Selector, summary: str | None = None) -> None:
        self.sel = sel
        self.order = {node: n for n, node in enumerate(sel.root.iter())}
        self.headline = headline_node(sel.root)
        self.block = article_block(sel.root, summary, self.headline, self.order)
        self._marked = [
            (node, marks)
            for node, marks in ((n, _marks(n)) for n in self.order if isinstance(n.tag, str))
            if marks.strip() and _tag(node) not in NOT_BODY and not is_furniture(marks)
        ]

    def marked(self, pattern: re.Pattern[str], limit: int) -> list[tuple[Any, str]]:
        """Elements whose class, id or itemprop matches ``pattern``, with their (short) text."""
        found: list[tuple[Any, str]] = []
        seen: set[str] = set()
        for node, marks in self._marked:
            if pattern.search(marks):
                value = _text(node)
                if 0 < len(value) <= limit and value not in seen:
                    seen.add(value)
                    found.append((node, value))
        return found

    def near_article(self, node: Any) -> bool:
        """Between the headline (if any) and the article block's end (if any)."""
        at = self.order.get(node, -1)
        start = self.order.get(self.headline, -1) if self.headline is not None else -1
        end = self._block_end
        return start <= at <= end

    @functools.cached_property
    def _block_end(self) -> int:
        if self.block is None:
            return len(self.order)
        last = self.block
        for last in self.block.iter():  # noqa: B007 - the last element in the block
            pass
        return self.order.get(last, len(self.order))

    def follows_headline(self) -> bool:
        """The article block comes after the headline (the story under it, not a box aside)."""
        if self.block is None or self.headline is None:
            return False
        return self.order.get(self.block, -1) > self.order.get(self.headline, len(self.order))

    def bylines(self) -> list[str]:
        """Visible bylines and desk lines near the article: elements the page marks as author
        or reporter, or links with ``rel="author"``."""
        found = self.marked(BYLINE, MAX_BYLINE * 3)
        found += [(a, _text(a)) for a in self.sel.root.iter("a") if a.get("rel") == "author"]
        nodes = {node for node, _ in found}
        # The innermost of nested candidates: the name, not the box holding name and date.
        found = [(n, v) for n, v in found if not any(d in nodes for d in n.iterdescendants())]
        found = [(n, v) for n, v in found if not _in_link_list(n)]
        near = [node for node, _ in found if self.near_article(node)]
        # Never after the article: a columnist's box or the next story's byline.
        before = [node for node, _ in found if self.order.get(node, -1) <= self._block_end]
        # Pieces in elements of their own are apart on the page: "name" and "designation".
        names = [byline(_spaced_text(node)) for node in near or before]
        return [name for name in dict.fromkeys(names) if name and len(name) <= MAX_BYLINE]

    def standfirst(self) -> str | None:
        """A standfirst the page marks, after the headline and before the article text."""
        for node, value in self.marked(STANDFIRST, 400):
            if self.near_article(node) and not self._inside_block(node):
                return value
        return None

    def shoulders(self) -> list[str]:
        return [value for _, value in self.marked(SHOULDER, 200)]

    def _inside_block(self, node: Any) -> bool:
        return self.block is not None and any(a is self.block for a in node.iterancestors())

    def body(self) -> list[str]:
        return block_body(self.block) if self.block is not None else []

    def published(self) -> str | None:
        """A machine-readable publication time: ``itemprop="datePublished"``, else the first
        ``<time datetime>`` near the article."""
        for node in self.sel.root.iter():
            if isinstance(node.tag, str) and node.get("itemprop") == "datePublished":
                value = node.get("datetime") or node.get("content")
                if value:
                    return value
        embedded = embeds(self.sel.root)
        for node in self.sel.root.iter("time"):
            if node.get("datetime") and self.near_article(node) and node not in embedded:
                return node.get("datetime")
        return None


def _in_link_list(node: Any) -> bool:
    """Inside a list of links (other stories, other writers)."""
    for parent in node.iterancestors("ul", "ol"):
        size = len(_text(parent))
        return size > 0 and _link_text(parent) >= 0.6 * size and len(parent) > 1
    return False
