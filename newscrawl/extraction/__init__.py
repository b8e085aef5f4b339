"""Layered article extraction: a pure function of the page.

Each field is taken from the first layer that yields it:

    json-ld -> meta -> selectors (the outlet's own) -> generic rules -> fallback (trafilatura)

except the body, where the page's own paragraphs (selectors) come before JSON-LD ``articleBody``:
``articleBody`` often loses paragraph breaks, and the same article must give the same body, and so
the same content hash, whichever layer the other fields came from. Every body, whatever its layer,
goes through the outlet's paragraph rules (byline lead-in, boilerplate, sign-off). The generic
rules stand in for every field the outlet declares no selector for (see ``generic``).

No clock, no database, no hashing here: the result depends on the page and the outlet alone.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence, Set
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from newscrawl import dates, text
from newscrawl.extraction import generic, jsonld
from newscrawl.extraction.body import clean_body, is_date_line
from newscrawl.extraction.core import FIELDS, Extracted, Outlet
from newscrawl.extraction.jsonld import ARTICLE_TYPES, from_json_ld, json_ld_article
from newscrawl.extraction.markup import (
    article_body_paragraphs,
    element_text,
    first_text,
    get_all,
    paragraphs,
    plain_text,
)
from newscrawl.extraction.meta import (
    from_meta,
    meta_tags,
    page_site_names,
    possible_title_suffixes,
    strip_outlet_prefix,
    strip_site_name,
    title_suffix,
)
from newscrawl.extraction.query import _css_xpath
from newscrawl.extraction.query import page_title as first_page_title

__all__ = [
    "ARTICLE_TYPES", "FIELDS", "MIN_FALLBACK_BODY", "Extracted", "Outlet",
    "article_body_paragraphs", "clean_body", "date_from_text", "element_text", "extract",
    "first_text", "from_fallback", "from_json_ld", "from_meta", "from_selectors",
    "json_ld_article", "meta_tags", "paragraphs", "strip_outlet_prefix", "strip_site_name",
]  # fmt: skip

MIN_FALLBACK_BODY = 200  # characters
# The fields the generic rules give, and the selector keys that stand for fields of other names.
GENERIC_FIELDS = frozenset({"title", "subtitle", "author", "published", "body"})
_SELECTED = {"dates": "published", "image": "image_urls"}
NO_BYLINE = generic.NO_BYLINE
_BENGALI = re.compile("[\u0980-\u09ff]")
# Words and marks that do not tell one site name from another: "The Daily Star" is "Star".
_NAME_NOISE = re.compile(r"\bthe\b|\bdaily\b|\bonline\b|দৈনিক|[\W_]+")
# Text inside these elements is never article text, whichever container holds it.
_TEXT_XPATH = (
    ".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)"
    + "".join(
        f" and not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' {c} ')])"
        for c in generic.EMBED_CLASSES
    )
    + "]"
)


# -- the outlet's selectors ------------------------------------------------------------------------


def from_selectors(sel: Selector, out: Extracted, outlet: Outlet, base_url: str) -> None:
    layer = "selectors"
    css = outlet.selectors
    # A field an earlier layer gave is kept whatever the selectors find (``offer``), so its
    # selectors are not run: each is a walk over the whole page. They are still compiled, so a
    # selector that cannot be compiled fails on every page as before.
    wanted = _Wanted(out, css)
    if wanted("title"):
        out.offer("title", first_text(sel, css.get("title", ())), layer)
    if wanted("subtitle"):
        out.offer("subtitle", first_text(sel, css.get("subtitle", ())), layer)
    if wanted("author"):
        author = first_text(sel, css.get("author", ()))
        out.offer("author", strip_outlet_prefix(author, outlet.site_names), layer)
    if wanted("category"):
        out.offer("category", first_text(sel, css.get("category", ())), layer)
    if wanted("tags"):
        tags = [plain_text(t) for t in get_all(sel, ",".join(css.get("tags", ())) or "none")]
        out.offer("tags", [t for t in tags if t], layer)
    date_line = None
    if wanted("dates", "published", "updated"):
        date_line = first_text(sel, css.get("dates", ()))
    if date_line:
        published, updated = dates.parse_dates(date_line)
        raw_published, _, raw_updated = date_line.partition("|")
        out.offer("published", published, layer, raw_published.strip())
        out.offer("updated", updated, layer, raw_updated.strip())
    for name in ("published", "updated"):
        if wanted(name):
            raw = first_text(sel, css.get(name, ()))
            out.offer(name, dates.parse_date(raw), layer, raw)
    if wanted("image", "image_urls"):
        images = get_all(sel, ",".join(css.get("image", ())) or "none")
        out.offer("image_urls", [urljoin(base_url, i) for i in images], layer)


class _Wanted:
    """Whether a selector key's fields are still to find; compiles the key's selectors when not."""

    def __init__(self, out: Extracted, css: Mapping[str, Sequence[str]]):
        self.values, self.css = out.values, css

    def __call__(self, key: str, *fields: str) -> bool:
        if any(name not in self.values for name in fields or (key,)):
            return True
        selectors = self.css.get(key, ())
        try:
            for one in selectors if key not in ("tags", "image") else [",".join(selectors)]:
                if one:
                    _css_xpath(one)
        except Exception:
            return True  # run them: they raise where they did, on the pages that reach the bad one
        # A namespace prefix (svg|title) compiles but fails when run: run those too.
        return any("|" in one for one in selectors)


# -- generic rules ---------------------------------------------------------------------------------


def from_generic(
    sel: Selector,
    out: Extracted,
    article_body: str | None,
    declared: Set[str] = frozenset(),
    headline: Callable[[], str | None] | None = None,
) -> None:
    """Title, subtitle, byline, date and body from the page's structure, for the fields the
    outlet declares no selector for (``declared``: those it does). The article block's
    paragraphs are preferred to JSON-LD ``articleBody`` when they hold at least its words: they
    keep the page's paragraph breaks and nothing the page does not show. ``headline`` gives the
    page's shown headline, when the caller has it."""
    layer = "generic"
    summary = sel.xpath('//meta[@name="description" or @property="og:description"]/@content').get()
    page = generic.Page(sel, plain_text(summary) if summary else None)
    if "title" not in declared:
        shown = strip_site_name(headline() if headline else generic.headline(sel), out.site_names)
        if shown and _same_headline(shown, out.values.get("title")):
            # The metadata reworded or cut what the page prints: the reader sees the printed one.
            out.values["title"], out.layers["title"] = shown, layer
        out.offer("title", shown, layer)
    if "subtitle" not in declared:
        out.offer("subtitle", page.standfirst(), layer)
    if "author" not in declared:
        names = {_bare_name(n) for n in out.site_names}
        bylines = [strip_outlet_prefix(b, out.site_names) or b for b in page.bylines()]
        bylines = [b for b in bylines if _bare_name(b) not in names]
        out.offer("author", bylines[0] if bylines else None, layer)
        author = out.values.get("author", "")
        if bylines and _BENGALI.search(bylines[0]) and not _BENGALI.search(author):
            # "Staff Correspondent" in the metadata, "নিজস্ব প্রতিবেদক" printed: the printed one.
            out.values["author"], out.layers["author"] = bylines[0], layer
    if "published" not in declared:
        raw = page.published()
        out.offer("published", dates.parse_date(raw), layer, raw)
    if "body" in declared:
        return
    out.not_body.update(page.shoulders())
    body = page.body()
    if body and "body" in out.values and article_body is not None:
        if _covers(body, article_body):
            out.values["body"], out.layers["body"] = body, layer
        return
    if sum(map(len, body)) >= MIN_FALLBACK_BODY or (body and page.follows_headline()):
        # A short story printed under its headline is the story: the fallback's recall would
        # add the teasers printed after it.
        out.offer("body", body, layer)
    else:
        out.weak_body = body


def _same_headline(shown: str, title: str | None) -> bool:
    """Two spellings of one headline: different, but sharing most of their words, or the
    printed one going on where the metadata's stops."""
    if not title or text.clean_line(shown) == text.clean_line(title):
        return False
    stem = plain_text(title).rstrip(" ,:;-–—")
    if len(stem) >= 8 and plain_text(shown).startswith(stem):
        return True  # the metadata holds the headline's first part only
    a, b = set(plain_text(shown).split()), set(plain_text(title).split())
    return len(a & b) >= 0.6 * max(len(a), len(b))


def _covers(body: list[str], article_body: str) -> bool:
    """The paragraphs hold at least 90% of articleBody's words (a copy, not an excerpt), and not
    more than twice as many words as a whole-looking articleBody (no other story with it)."""
    plain = plain_text(article_body)
    words, found = Counter(plain.split()), Counter(" ".join(body).split())
    total = sum(words.values())
    common = sum((words & found).values())
    if not total or common < 0.9 * total:
        return False
    cut_short = len(plain) < 500 or plain.endswith(("…", "..."))
    if cut_short or sum(found.values()) - common <= total:
        return True
    return _opens(plain.split(), body)


def _opens(words: list[str], body: list[str]) -> bool:
    """``words`` (an articleBody cut short with no ellipsis) are how the page's text starts:
    about 90% of them, in order, within the first ``len(words)`` words and a little more, and
    they stop inside a paragraph (a whole articleBody ends where a paragraph does: what the
    block holds after it is another story)."""
    last = " ".join(words[-4:])
    if any(para.endswith(last) for para in body):
        return False
    head = " ".join(body).split()[: int(len(words) * 1.1) + 5]
    matcher = difflib.SequenceMatcher(None, words, head, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) >= 0.9 * len(words)


# -- date near the headline (last page-level resort) -----------------------------------------------


def date_from_text(sel: Selector, title: str | None) -> tuple[Any, Any, str] | None:
    """The first line after the headline holding a full Bengali or English date.

    Starting after the headline skips the page header's "today" line; ``parse_dates`` refuses
    that line anyway (it carries a Bangla-calendar date).
    """
    lines = [text.clean_line(t) for t in sel.xpath(f"//body{_TEXT_XPATH[1:]}").getall()]
    lines = [line for line in lines if line]
    start = lines.index(title) + 1 if title in lines else 0
    for line in lines[start : start + 40]:
        if not is_date_line(line):
            continue  # a sentence that mentions a date ("the hearing is on …")
        published, updated = dates.parse_dates(line)
        if published:
            return published, updated, line
    return None


# -- generic fallback ------------------------------------------------------------------------------


def from_fallback(html: str, url: str, out: Extracted, precise: bool = True) -> None:
    """trafilatura, for pages no other layer could read (imported late: it is slow to load)."""
    if "title" in out.values and "body" in out.values:
        return
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=precise,
            deduplicate=False,
        )
    except RecursionError:  # a page nested thousands deep: the other layers still stand
        return
    if doc is None:
        return
    layer = "fallback"
    out.offer("title", getattr(doc, "title", None), layer)
    body = getattr(doc, "text", None) or ""
    # A few words are a caption or a byline, not an article (video and photo pages).
    if len(body) >= MIN_FALLBACK_BODY:
        out.offer("body", [p for p in body.split("\n") if p.strip()], layer)


# -- the site's names ------------------------------------------------------------------------------


def site_names(
    sel: Selector,
    data: list[Any],
    outlet: Outlet,
    headline: str | None,
    tags: dict[str, list[str]],
    shown: Callable[[], str | None] | None = None,
) -> list[str]:
    """The outlet's declared names, then the ones the page states: meta tags, JSON-LD publisher,
    the ``<title>`` suffix after the headline (the metadata's, else the one the page shows:
    ``shown`` gives it, looked for only when needed)."""
    shown = shown or functools.cache(lambda: generic.headline(sel))
    found = list(outlet.site_names) + page_site_names(sel, tags) + jsonld.publisher_names(data)
    titles = [first_page_title(sel), *tags.get("og:title", ())[:1]]
    for page_title in titles:
        if not page_title:
            continue
        suffix = title_suffix(page_title, headline)
        # The shown headline costs a walk over the page: only when its suffix could be new.
        if not suffix and not possible_title_suffixes(page_title) <= set(found):
            suffix = title_suffix(page_title, shown())
        if suffix:
            found.append(suffix)
    return [n for n in dict.fromkeys(found) if n]


def _untruncate_title(
    sel: Selector, out: Extracted, headline: Callable[[], str | None] | None = None
) -> None:
    """A title cut short for search engines ('Long headline of the…') gives way to the page's
    headline it was cut from."""
    title = out.values.get("title")
    if not title or not title.endswith(("…", "...")):
        return
    stem = title.rstrip(".… ")
    shown = headline() if headline else generic.headline(sel)
    if shown and len(shown) > len(stem) and shown.startswith(stem):
        out.values["title"], out.layers["title"] = shown, "generic"


def _publisher_as_author(out: Extracted) -> bool:
    """An author named like the site is the publisher, not a byline ("The Daily X" for "X");
    a CMS account ("admin") is no byline either."""
    author = out.values.get("author")
    if author and NO_BYLINE.fullmatch(author):
        return True
    return bool(author) and _bare_name(author) in {_bare_name(n) for n in out.site_names}


def _bare_name(name: str) -> str:
    return _NAME_NOISE.sub("", name.casefold())


# -- all layers together ---------------------------------------------------------------------------


def extract(html: str, url: str, outlet: Outlet, sel: Selector | None = None) -> Extracted:
    """All layers for one page; ``sel`` is the page already parsed, when the caller has it."""
    sel = sel if sel is not None else Selector(text=html)
    out = Extracted()
    # The headline the page shows: a walk over the whole page, done at most once, if needed.
    shown = functools.cache(lambda: generic.headline(sel))
    data = jsonld.blocks(sel)
    node = jsonld.article(data)
    if node:
        from_json_ld(node, out)
    tags = meta_tags(sel)
    out.site_names = site_names(sel, data, outlet, out.values.get("title"), tags, shown)
    if "title" in out.values:
        out.values["title"] = strip_site_name(out.values["title"], out.site_names)
    if _publisher_as_author(out):
        del out.values["author"], out.layers["author"]
    from_meta(sel, out, out.site_names, tags)
    if _publisher_as_author(out):
        del out.values["author"], out.layers["author"]
    from_selectors(sel, out, outlet, url)
    # Body order: the page's own paragraphs, then JSON-LD articleBody, then the generic rules
    # (outlets with no selectors), then the fallback.
    body = paragraphs(sel, outlet.selectors.get("body", ()))
    if body:
        out.offer("body", body, "selectors")
    elif node and jsonld.first_string(node.get("articleBody")):
        out.offer("body", article_body_paragraphs(sel, node["articleBody"]), "json-ld")
    # The generic rules, for the fields the outlet declares no selector for. A field it declares
    # one for falls to the fallback when they miss: a layout change shows as `fallback`.
    declared = {_SELECTED.get(k, k) for k, css in outlet.selectors.items() if css}
    if not declared >= GENERIC_FIELDS:
        article_body = jsonld.first_string(node.get("articleBody")) if node else None
        json_ld_body = article_body if out.layers.get("body") == "json-ld" else None
        from_generic(sel, out, json_ld_body, declared, shown)
    # An outlet's own rules cover for what precision leaves out; with none, recall comes first.
    from_fallback(html, url, out, precise=bool(outlet.selectors))
    if out.weak_body and out.layers.get("body") == "fallback":
        found = " ".join(out.values["body"])
        if all(para in found for para in out.weak_body):  # the same story, and teasers after
            out.values["body"], out.layers["body"] = out.weak_body, "generic"
    out.offer("body", out.weak_body, "generic")
    if "published" not in out.values:
        found = date_from_text(sel, out.values.get("title"))
        if found:
            raw_published, _, raw_updated = found[2].partition("|")
            out.offer("published", found[0], "text", raw_published.strip())
            out.offer("updated", found[1], "text", raw_updated.strip())
    _untruncate_title(sel, out, shown)
    for name in ("title", "subtitle", "author", "category"):  # whichever layer gave them
        if isinstance(out.values.get(name), str):
            out.values[name] = plain_text(out.values[name])
    if out.values.get("tags"):
        out.values["tags"] = [t for t in map(plain_text, out.values["tags"]) if t]
    if "body" in out.values:
        out.values["body"] = clean_body(out.values["body"], out, outlet)
        if not out.values["body"]:
            del out.values["body"], out.layers["body"]
    return out
