"""Layered article extraction: a pure function of the page.

Each field is taken from the first layer that yields it:

    json-ld  ->  meta  ->  selectors (the outlet's own)  ->  fallback (trafilatura)

except the body, where the page's own paragraphs (selectors) come before JSON-LD ``articleBody``:
``articleBody`` often loses paragraph breaks, and the same article must give the same body, and so
the same content hash, whichever layer the other fields came from. Every body, whatever its layer,
goes through the outlet's paragraph rules (byline lead-in, boilerplate, sign-off).

No clock, no database, no hashing here: the result depends on the page and the outlet alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin

from parsel import Selector

from newscrawl import dates, text

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
     "OpinionNewsArticle", "BackgroundNewsArticle", "WebPageElement"}
)  # fmt: skip
FIELDS = (
    "title", "subtitle", "author", "category", "tags", "published", "updated", "body",
    "canonical_url", "image_urls",
)  # fmt: skip
# Text inside these elements is never article text, whichever container holds it.
_TEXT_XPATH = (
    ".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]"
)
MIN_FALLBACK_BODY = 200  # characters
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


class Outlet(Protocol):
    """What extraction needs to know about an outlet (outlet spiders declare these)."""

    site_names: Sequence[str]
    selectors: dict[str, Sequence[str]]
    body_end_patterns: Sequence[re.Pattern[str]]
    boilerplate_patterns: Sequence[re.Pattern[str]]
    byline_lead_in: re.Pattern[str] | None
    sign_off: re.Pattern[str] | None
    default_language: str


@dataclass
class Extracted:
    """Field values and the layer each came from."""

    values: dict[str, Any] = field(default_factory=dict)
    layers: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    # Raw strings a layer found but could not read (a date in the year 1800): the crawl counts
    # them when no later layer gives the field, so an unreadable date is told from an absent one.
    unparsed: dict[str, str] = field(default_factory=dict)

    def offer(self, name: str, value: Any, layer: str, raw: str | None = None) -> None:
        """Keep ``value`` unless an earlier layer already gave this field."""
        if name in self.values:
            return
        if value in (None, "", [], ()):
            if raw:
                self.unparsed.setdefault(name, raw)
            return
        self.values[name] = value
        self.layers[name] = layer
        if raw:
            self.raw[name] = raw


# -- JSON-LD ---------------------------------------------------------------------------------------


def json_ld_article(sel: Selector) -> dict[str, Any] | None:
    """The first schema.org article object in the page's JSON-LD, if any parses."""
    for block in sel.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            data = json.loads(block, strict=False)
        except ValueError:
            continue
        for node in _walk_json_ld(data):
            types = node.get("@type")
            types = {types} if isinstance(types, str) else set(types or ())
            if types & ARTICLE_TYPES:
                return node
    return None


def _walk_json_ld(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _walk_json_ld(entry)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk_json_ld(data["@graph"])


def _names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organisation, a list of them, or a plain string."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for entry in value for name in _names(entry)]
    return []


def _urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _urls(value.get("url") or value.get("@id") or value.get("contentUrl"))
    if isinstance(value, list):
        return [url for entry in value for url in _urls(entry)]
    return []


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.split(",")]
    if isinstance(value, list):
        return [k for entry in value for k in _keywords(entry)]
    return []


def _first_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def from_json_ld(node: dict[str, Any], out: Extracted) -> None:
    layer = "json-ld"
    out.offer("title", _first_text(node.get("headline") or node.get("name")), layer)
    out.offer("subtitle", _first_text(node.get("alternativeHeadline")), layer)
    out.offer("author", ", ".join(dict.fromkeys(_names(node.get("author")))), layer)
    out.offer("category", _first_text(node.get("articleSection")), layer)
    out.offer("tags", _keywords(node.get("keywords")), layer)
    for name, key in (("published", "datePublished"), ("updated", "dateModified")):
        raw = _first_text(node.get(key))
        out.offer(name, dates.parse_date(raw), layer, raw)
    page = node.get("mainEntityOfPage")
    out.offer("canonical_url", _first_text(_urls(page)) or _first_text(node.get("url")), layer)
    out.offer("image_urls", _urls(node.get("image")), layer)


# -- meta tags -------------------------------------------------------------------------------------


def meta_tags(sel: Selector) -> dict[str, list[str]]:
    """Every <meta> tag's content by its property, name or itemprop, read in one pass."""
    tags: dict[str, list[str]] = {}
    for meta in sel.xpath("//meta[@content]"):
        content = meta.attrib["content"].strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = meta.attrib.get(attribute)
            if key:
                tags.setdefault(key, []).append(content)
    return tags


def from_meta(sel: Selector, out: Extracted, outlet: Outlet) -> None:
    layer = "meta"
    tags = meta_tags(sel)

    def values(*keys: str) -> list[str]:
        return [value for key in keys for value in tags.get(key, ())]

    def first(*keys: str) -> str | None:
        return next(iter(values(*keys)), None)

    out.offer(
        "title", strip_site_name(first("og:title", "twitter:title"), outlet.site_names), layer
    )
    authors = [a for a in values("author", "article:author") if "://" not in a]
    out.offer("author", authors[0] if authors else None, layer)
    out.offer("category", first("article:section"), layer)
    out.offer("tags", values("article:tag", "news_keywords"), layer)
    for name, keys in (
        ("published", ("article:published_time", "datePublished", "pubdate", "publish-date")),
        ("updated", ("article:modified_time", "og:updated_time", "dateModified")),
    ):
        raw = first(*keys)
        out.offer(name, dates.parse_date(raw), layer, raw)
    canonical = sel.xpath('//link[@rel="canonical"]/@href').get()
    out.offer("canonical_url", canonical or first("og:url"), layer)
    out.offer("image_urls", values("og:image"), layer)


def strip_site_name(title: str | None, site_names: Iterable[str]) -> str | None:
    """'Headline | Daily Inqilab' -> 'Headline'."""
    if not title:
        return title
    for name in site_names:
        title = re.sub(rf"\s*[|\-–—:]\s*{re.escape(name)}\s*$", "", title)
    return title


# -- the outlet's selectors ------------------------------------------------------------------------


# Text inside these elements is never article text (same rule as _TEXT_XPATH).
_NOT_TEXT = frozenset({"script", "style", "noscript"})


def _texts(node: Any, parts: list[str], br: str) -> None:
    """A node's text in document order, walked with lxml directly: an XPath query per element
    cost more than the rest of extraction put together on a small page."""
    if node.text:
        parts.append(node.text)
    for child in node:
        tag = child.tag if isinstance(child.tag, str) else ""  # comments, processing instructions
        if tag == "br":
            parts.append(br)
        elif tag and tag.lower() not in _NOT_TEXT:
            _texts(child, parts, br)
        if child.tail:
            parts.append(child.tail)


def element_text(element: Selector) -> str:
    if isinstance(element.root, str):
        return element.root
    parts: list[str] = []
    _texts(element.root, parts, br="")
    return "".join(parts)


def first_text(sel: Selector, css_list: Sequence[str]) -> str | None:
    """Text of the first element any selector matches (``::attr()``/``::text`` taken as is)."""
    for css in css_list:
        found = sel.css(css)
        values = found.getall() if "::" in css else [element_text(e) for e in found]
        for value in map(text.clean_line, values):
            if value:
                return value
    return None


def paragraphs(sel: Selector, css_list: Sequence[str]) -> list[str]:
    """Paragraph texts of the first selector that matches any; a double <br> splits a paragraph."""
    for css in css_list:
        found: list[str] = []
        for element in sel.css(css):
            found += _paragraph_texts(element)
        found = text.clean_paragraphs(found)
        if found:
            return found
    return []


def _paragraph_texts(element: Selector) -> list[str]:
    # A <br> is a line break, two of them a paragraph break.
    if isinstance(element.root, str):
        return [element.root]
    parts: list[str] = []
    _texts(element.root, parts, br="\n")
    return _PARAGRAPH_BREAK.split("".join(parts))


def from_selectors(sel: Selector, out: Extracted, outlet: Outlet, base_url: str) -> None:
    layer = "selectors"
    css = outlet.selectors
    out.offer("title", first_text(sel, css.get("title", ())), layer)
    out.offer("subtitle", first_text(sel, css.get("subtitle", ())), layer)
    author = first_text(sel, css.get("author", ()))
    out.offer("author", strip_outlet_prefix(author, outlet.site_names), layer)
    out.offer("category", first_text(sel, css.get("category", ())), layer)
    tags = [text.clean_line(t) for t in sel.css(",".join(css.get("tags", ())) or "none").getall()]
    out.offer("tags", [t for t in tags if t], layer)
    date_line = first_text(sel, css.get("dates", ()))
    if date_line:
        published, updated = dates.parse_dates(date_line)
        raw_published, _, raw_updated = date_line.partition("|")
        out.offer("published", published, layer, raw_published.strip())
        out.offer("updated", updated, layer, raw_updated.strip())
    for name in ("published", "updated"):
        raw = first_text(sel, css.get(name, ()))
        out.offer(name, dates.parse_date(raw), layer, raw)
    images = sel.css(",".join(css.get("image", ())) or "none").getall()
    out.offer("image_urls", [urljoin(base_url, i) for i in images], layer)


def strip_outlet_prefix(author: str | None, site_names: Iterable[str]) -> str | None:
    """'Daily Inqilab অনলাইন ডেস্ক' -> 'অনলাইন ডেস্ক': the logo text is the outlet, not the author."""
    if not author:
        return author
    for name in site_names:
        if author.startswith(name):
            author = author[len(name) :].strip(" :-|")
    return author or None


def article_body_paragraphs(sel: Selector, article_body: str) -> list[str]:
    """JSON-LD ``articleBody`` split where the page's own paragraphs split it.

    ``articleBody`` usually comes with its paragraph breaks flattened to spaces. When a run of the
    page's ``<p>`` elements spells out exactly the same text, their breaks are the article's, and
    the body (so the hash) is the same as the page's own paragraphs would give.
    """
    target = text.clean_line(article_body)
    page = text.clean_paragraphs(element_text(p) for p in sel.xpath("//body//p"))
    for start, first in enumerate(page):
        if not target.startswith(first):
            continue
        run: list[str] = []
        for para in page[start:]:
            candidate = " ".join([*run, para])
            if not target.startswith(candidate):
                break
            run.append(para)
            if candidate == target:
                return run
    return text.clean_paragraphs(article_body.split("\n"))


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
        if len(line) > 120:
            continue
        published, updated = dates.parse_dates(line)
        if published:
            return published, updated, line
    return None


# -- generic fallback ------------------------------------------------------------------------------


def from_fallback(html: str, url: str, out: Extracted) -> None:
    """trafilatura, for pages no other layer could read (imported late: it is slow to load)."""
    if "title" in out.values and "body" in out.values:
        return
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        deduplicate=False,
    )
    if doc is None:
        return
    layer = "fallback"
    out.offer("title", getattr(doc, "title", None), layer)
    body = getattr(doc, "text", None) or ""
    # A few words are a caption or a byline, not an article (video and photo pages).
    if len(body) >= MIN_FALLBACK_BODY:
        out.offer("body", [p for p in body.split("\n") if p.strip()], layer)


# -- the body's paragraph rules --------------------------------------------------------------------


def clean_body(paragraphs: list[str], out: Extracted, outlet: Outlet) -> list[str]:
    """Outlet rules applied to body paragraphs from any layer; may set the author from a lead-in."""
    result: list[str] = []
    # The headline, sub-heading and byline line may reappear among paragraphs the fallback found.
    repeated = {text.clean_line(out.values.get(k)) for k in ("title", "subtitle", "author")}
    for raw in paragraphs:
        para = text.clean_line(raw)
        if not para:
            continue
        if any(pattern.search(para) for pattern in outlet.body_end_patterns):
            break
        if para in repeated or _is_date_line(para):
            continue
        if any(pattern.search(para) for pattern in outlet.boilerplate_patterns):
            continue
        if outlet.sign_off and outlet.sign_off.fullmatch(para):
            continue
        result.append(para)
    if result and outlet.byline_lead_in:
        match = outlet.byline_lead_in.match(result[0])
        if match and len(result[0]) - match.end() >= 40:
            out.offer("author", text.clean_line(match.group("author")), "body-lead-in")
            result[0] = result[0][match.end() :].strip()
    return [p for p in result if p]


def _is_date_line(para: str) -> bool:
    return len(para) < 100 and dates.parse_dates(para)[0] is not None


# -- all layers together ---------------------------------------------------------------------------


def extract(html: str, url: str, outlet: Outlet, sel: Selector | None = None) -> Extracted:
    """All layers for one page; ``sel`` is the page already parsed, when the caller has it."""
    sel = sel if sel is not None else Selector(text=html)
    out = Extracted()
    node = json_ld_article(sel)
    if node:
        from_json_ld(node, out)
    from_meta(sel, out, outlet)
    from_selectors(sel, out, outlet, url)
    # Body order: the page's own paragraphs, then JSON-LD articleBody, then the fallback.
    body = paragraphs(sel, outlet.selectors.get("body", ()))
    if body:
        out.offer("body", body, "selectors")
    elif node and _first_text(node.get("articleBody")):
        out.offer("body", article_body_paragraphs(sel, node["articleBody"]), "json-ld")
    from_fallback(html, url, out)
    if "published" not in out.values:
        found = date_from_text(sel, out.values.get("title"))
        if found:
            raw_published, _, raw_updated = found[2].partition("|")
            out.offer("published", found[0], "text", raw_published.strip())
            out.offer("updated", found[1], "text", raw_updated.strip())
    if "body" in out.values:
        out.values["body"] = clean_body(out.values["body"], out, outlet)
        if not out.values["body"]:
            del out.values["body"], out.layers["body"]
    return out
