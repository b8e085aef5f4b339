"""CSS selectors learned from sample pages.

For each field, the value the layers agree on (the layered reading of the page with no outlet
selector: JSON-LD, meta tags, generic rules, trafilatura) is located in each sample's DOM, and
the simplest CSS selector that gives exactly that value on every sample, and nothing else, is
kept. Simplest: one stable token (``itemprop``, an id, a class that is a word rather than a
build hash) before a tag, before an ancestor token and a tag; fewer parts before more.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from parsel import Selector
from scrapy.http import HtmlResponse

from newscrawl import dates, text
from newscrawl.extraction import (
    date_from_text,
    extract,
    from_fallback,
    from_json_ld,
    from_meta,
    jsonld,
)
from newscrawl.extraction import from_generic as generic_layer
from newscrawl.extraction.core import Extracted
from newscrawl.extraction.markup import element_text, first_text, plain_text
from newscrawl.extraction.meta import meta_tags, strip_outlet_prefix
from newscrawl.learn.rules import BYLINE_LEAD_IN, PAGE_LINE, SIGN_OFF

LEARNED = ("title", "subtitle", "author", "category", "published", "body")
LAYERS = ("json-ld", "meta", "generic", "fallback", "text")
# class/id words that say what an element is: preferred to words that say how it looks.
MEANINGFUL = re.compile(
    r"title|headline|head|heading|author|byline|writer|reporter|date|time|publish|post|meta|"
    r"body|content|article|story|details?|news|text|entry|summary|sub|lead|intro|section|"
    r"category|cat|breadcrumb|main",
    re.I,
)
# Tokens of a build tool or a grid, not of the page's meaning: "css-1x2ab3", "jsx-4412", "col-9".
UNSTABLE = re.compile(
    r"^(?:css|jsx|sc|emotion|svelte)-|^(?:col|row|d|m[tblrxy]?|p[tblrxy]?|w|h)-|\d{3,}|"
    r"^(?:active|show|open|clearfix|container|row|hidden|visible|selected|current)$",
    re.I,
)
TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
SKIPPED = frozenset({"script", "style", "noscript", "head", "title", "meta", "link", "template"})
MAX_ANCESTORS = 6
MAX_TEXT = 300  # characters: a title, byline or date line is never longer
MAX_SELECTOR = 80  # characters: a longer selector is no simple rule (and fits no spider line)


@dataclass
class Sample:
    url: str
    html: str
    raw: bytes | None = field(default=None, repr=False)  # the bytes as the site sent them
    sel: Selector = field(init=False, repr=False)

    @classmethod
    def from_bytes(cls, url: str, body: bytes) -> Sample:
        """The page read as a crawl reads it (BOM, then the page's declared charset)."""
        return cls(url, HtmlResponse(url=url, body=body).text, body)

    def __post_init__(self) -> None:
        self.sel = Selector(text=self.html)


class LearningOutlet:
    """The outlet declarations extraction needs, for a spider that does not exist yet.

    The text rules are the ones a learned spider declares (``newscrawl.learn.rules``)."""

    default_language = "bn"
    body_end_patterns: ClassVar[tuple[re.Pattern[str], ...]] = ()
    boilerplate_patterns = (PAGE_LINE,)
    byline_lead_in = BYLINE_LEAD_IN
    sign_off = SIGN_OFF

    def __init__(self, site_names: Sequence[str], selectors: dict[str, Sequence[str]]):
        self.site_names = tuple(site_names)
        self.selectors = dict(selectors)


@dataclass
class Observation:
    """One sample as the layers read it: the agreed values, and each layer on its own."""

    sample: Sample
    agreed: Extracted
    layers: dict[str, Extracted]


def observe(sample: Sample, site_names: Sequence[str]) -> Observation:
    agreed = extract(sample.html, sample.url, LearningOutlet(site_names, {}), sample.sel)
    layers: dict[str, Extracted] = {}
    node = jsonld.article(jsonld.blocks(sample.sel))
    layers["json-ld"] = Extracted()
    if node:
        from_json_ld(node, layers["json-ld"])
    layers["meta"] = Extracted()
    from_meta(sample.sel, layers["meta"], agreed.site_names, meta_tags(sample.sel))
    layers["generic"] = Extracted(site_names=list(agreed.site_names))
    generic_layer(sample.sel, layers["generic"], None)
    layers["fallback"] = Extracted()
    from_fallback(sample.html, sample.url, layers["fallback"], precise=False)
    layers["text"] = Extracted()  # a date line after the headline
    dated = date_from_text(sample.sel, agreed.values.get("title"))
    layers["text"].offer("published", dated[0] if dated else None, "text")
    return Observation(sample, agreed, layers)


@dataclass
class Learned:
    field: str  # a field of ``OutletSpider.selectors`` ("dates" for a published | updated line)
    css: str
    agreeing: int  # samples where it gives the agreed value
    samples: int  # samples that have the field

    @property
    def note(self) -> str:
        return f"{self.agreeing}/{self.samples} samples"


# -- candidate selectors -------------------------------------------------------------------------


def _tag(node: Any) -> str:
    return node.tag if isinstance(node.tag, str) else ""


def own_tokens(node: Any) -> list[tuple[int, str]]:
    """(rank, token) for the element's stable marks: itemprop, id, classes; lower is better."""
    found: list[tuple[int, str]] = []
    prop = (node.get("itemprop") or "").strip()
    if TOKEN.match(prop):
        found.append((0, f"[itemprop={prop}]"))
    ident = (node.get("id") or "").strip()
    if TOKEN.match(ident) and not UNSTABLE.search(ident):
        found.append((1 if MEANINGFUL.search(ident) else 3, f"#{ident}"))
    for cls in (node.get("class") or "").split():
        if TOKEN.match(cls) and not UNSTABLE.search(cls):
            found.append((2 if MEANINGFUL.search(cls) else 4, f".{cls}"))
    return found


def element_forms(node: Any) -> list[tuple[int, str]]:
    """Ways to name the element itself, best first: a token, the tag with a token, the tag."""
    tag = _tag(node)
    forms = []
    for rank, token in own_tokens(node):
        forms.append((rank, token))
        forms.append((rank + 1, f"{tag}{token}"))
    forms.append((5, tag))
    return forms


def candidates(node: Any) -> Iterator[str]:
    """Selectors for the element, simplest first: its own forms, then an ancestor's token
    (the nearest first) before it."""
    forms = sorted(element_forms(node))
    seen: set[str] = set()
    for _, form in forms:
        if form not in seen:
            seen.add(form)
            yield form
    ancestors = []
    parent = node.getparent()
    while parent is not None and _tag(parent) not in ("body", "html") and len(ancestors) < 6:
        ancestors.append(parent)
        parent = parent.getparent()
    scored = []
    for depth, ancestor in enumerate(ancestors):
        tokens = own_tokens(ancestor)
        if _tag(ancestor) in ("article", "main", "header", "h1", "h2"):
            tokens.append((5, _tag(ancestor)))
        for a_rank, a_token in tokens:
            for e_rank, form in forms:
                scored.append((a_rank + e_rank, depth, f"{a_token} {form}"))
    for _, _, css in sorted(scored):
        if css not in seen:
            seen.add(css)
            yield css
    # Last: the element's place among its siblings of its tag, for a class the page also gives
    # to a neighbour ("published" and "print edition" lines alike).
    parent = node.getparent()
    if parent is None:
        return
    tag = _tag(node)
    place = [c for c in parent if _tag(c) == tag].index(node) + 1
    for _, form in forms:
        if form.startswith(tag):
            yield f"{form}:nth-of-type({place})"
    for _, _, css in sorted(scored)[:20]:
        if css.endswith(tag) or f" {tag}." in css or css.startswith(f"{tag}."):
            yield f"{css}:nth-of-type({place})"


def body_nodes(sel: Selector) -> Iterator[Any]:
    body = sel.root.find(".//body") if hasattr(sel.root, "find") else None
    root = body if body is not None else sel.root
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in SKIPPED:
            continue
        if any(_tag(a) in SKIPPED for a in node.iterancestors()):
            continue
        yield node


def node_text(node: Any) -> str:
    return plain_text(text.clean_line("".join(element_text(Selector(root=node)))))


def innermost(nodes: list[Any]) -> list[Any]:
    """Of nested matches, the deepest (the element that holds the text itself)."""
    chosen = set(nodes)
    return [n for n in nodes if not any(d in chosen for d in n.iterdescendants())]


# -- locating agreed values ----------------------------------------------------------------------


def same_date(a: Any, b: Any) -> bool:
    return a is not None and b is not None and dates.to_iso(a)[:16] == dates.to_iso(b)[:16]


def holders(sample: Sample, name: str, value: Any, site_names: Sequence[str]) -> list[Any]:
    """Elements of the sample holding the field's agreed value."""
    found = []
    for node in body_nodes(sample.sel):
        if name == "published":
            for attr in ("datetime", "content"):
                if same_date(dates.parse_date(node.get(attr)), value):
                    found.append(node)
        raw = node_text(node)
        if not raw or len(raw) > MAX_TEXT:
            continue
        if name == "published":
            published = dates.parse_date(raw) or dates.parse_dates(raw)[0]
            if same_date(published, value):
                found.append(node)
        elif _same_text(name, raw, value, site_names):
            found.append(node)
    return innermost(list(dict.fromkeys(found)))


def _same_text(name: str, raw: str | None, value: Any, site_names: Sequence[str]) -> bool:
    if not raw:
        return False
    if name == "author":
        raw = strip_outlet_prefix(raw, site_names) or raw
    return text.clean_line(raw) == text.clean_line(value)


def selector_value(sample: Sample, name: str, css: str, site_names: Sequence[str]) -> Any:
    """What the selector gives for the field, and whether it selects nothing else."""
    matched = sample.sel.css(css)
    values = matched.getall() if "::" in css else [node_text(m.root) for m in matched]
    values = [v for v in (text.clean_line(v) for v in values) if v]
    if not values:
        return None
    if len(set(values)) > 1:
        return _AMBIGUOUS
    raw = first_text(sample.sel, (css,))
    if name == "published":
        return dates.parse_date(raw) or ("dates", dates.parse_dates(raw)[0])
    return raw


_AMBIGUOUS = object()


def agrees(sample: Sample, name: str, css: str, value: Any, site_names: Sequence[str]) -> bool:
    found = selector_value(sample, name, css, site_names)
    if value is None:
        return found is None
    if found is None or found is _AMBIGUOUS:
        return False
    if name == "published":
        return same_date(found[1] if isinstance(found, tuple) else found, value)
    return _same_text(name, found, value, site_names)


def learn_field(
    observations: list[Observation], name: str, site_names: Sequence[str]
) -> Learned | None:
    """The simplest selector giving the agreed value on every sample that has one, and nothing
    on those that do not; else the one agreeing on most (at least two) that is never wrong."""
    values = [o.agreed.values.get(name) for o in observations]
    having = [o for o, v in zip(observations, values, strict=True) if v not in (None, "", [])]
    if not having:
        return None
    tried: set[str] = set()
    best: tuple[int, str] | None = None
    for obs in having:
        value = obs.agreed.values[name]
        for node in holders(obs.sample, name, value, site_names):
            for css in _field_forms(node, name, value):
                if css in tried or len(css) > MAX_SELECTOR:
                    continue
                tried.add(css)
                count, wrong = 0, False
                for other, other_value in zip(observations, values, strict=True):
                    if agrees(other.sample, name, css, other_value, site_names):
                        count += other_value is not None
                    elif other_value is None or (
                        selector_value(other.sample, name, css, site_names) is not None
                    ):
                        wrong = True  # a value where the layers agree on another, or on none
                        break
                if wrong:
                    continue
                if count == len(having):
                    return Learned(_field_of(name, css, having), css, count, len(having))
                if count >= 2 and (best is None or count > best[0]):
                    best = (count, css)
    if best:
        return Learned(_field_of(name, best[1], having), best[1], best[0], len(having))
    return None


def _field_forms(node: Any, name: str, value: Any) -> Iterator[str]:
    for css in candidates(node):
        if name == "published":
            for attr in ("datetime", "content"):
                if same_date(dates.parse_date(node.get(attr)), value):
                    yield f"{css}::attr({attr})"
        yield css


def _field_of(name: str, css: str, having: list[Observation]) -> str:
    """``dates`` for a line holding the published and the updated date, else the field."""
    if name != "published" or "::attr" in css:
        return name
    line = first_text(having[0].sample.sel, (css,))
    return "published" if dates.parse_date(line) else "dates"


# -- all fields ----------------------------------------------------------------------------------


def learn(observations: list[Observation], site_names: Sequence[str]) -> dict[str, Learned]:
    from newscrawl.learn import body  # it builds on this module

    learned: dict[str, Learned] = {}
    for name in LEARNED:
        found = (
            body.learn_body(observations, site_names)
            if name == "body"
            else learn_field(observations, name, site_names)
        )
        if found:
            learned[found.field] = found
    return learned


def fill_table(
    observations: list[Observation], learned: dict[str, Learned], items: Iterable[dict[str, Any]]
) -> str:
    """Fields x layers x fill rate; what the learned spider reads from the samples (``items``,
    as the golden files hold them) and from which layer; the selector learned."""
    total = len(observations)
    final = list(items)
    head = f"{'field':<10}" + "".join(f"{layer:>10}" for layer in LAYERS)
    lines = [f"{head}{'agreed':>10}{'spider':>10}  selector learned (spider's layers)"]
    for name in LEARNED:
        key = f"{name}_at" if name == "published" else name
        cells = [
            sum(1 for o in observations if o.layers[layer].values.get(name)) for layer in LAYERS
        ]
        agreed = sum(1 for o in observations if o.agreed.values.get(name))
        got = [i for i in final if i.get(key)]
        layers = Counter((i.get("extraction") or {}).get(name, "?") for i in got)
        rule = learned.get(name) or (learned.get("dates") if name == "published" else None)
        where = f"{rule.css} ({rule.note})" if rule else "-"
        via = ", ".join(f"{k} {v}" for k, v in layers.most_common())
        row = "".join(f"{f'{c}/{total}':>10}" for c in [*cells, agreed, len(got)])
        lines.append(f"{name:<10}{row}  {where}" + (f" ({via})" if via else ""))
    return "\n".join(lines)
