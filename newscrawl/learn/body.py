"""The body's selector: the element around the article's paragraphs, and their tag.

Pages may print the article twice (desktop and mobile copies): the paragraphs are grouped by the
element holding them, and each holder is tried, so the selector reads one copy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from newscrawl import text
from newscrawl.extraction.body import clean_body
from newscrawl.extraction.core import Extracted
from newscrawl.extraction.markup import paragraphs
from newscrawl.learn.selectors import (
    MAX_SELECTOR,
    Learned,
    LearningOutlet,
    Observation,
    _tag,
    body_nodes,
    innermost,
    node_text,
    own_tokens,
)

MAX_HOLDERS = 4  # elements holding the paragraphs, most paragraphs first
MAX_CLIMB = 3  # ancestors tried above each


def learn_body(observations: list[Observation], site_names: Sequence[str]) -> Learned | None:
    """The paragraphs' holder and tag (``div.story-text p``), exact on every sample if one is;
    else the one exact on most samples, never far off on the others."""
    having = [o for o in observations if o.agreed.values.get("body")]
    if not having:
        return None
    tried: set[str] = set()
    best: tuple[int, str] | None = None
    for obs in having:
        for css in body_candidates(obs):
            if css in tried or len(css) > MAX_SELECTOR:
                continue
            tried.add(css)
            scores = [body_score(other, css, site_names) for other in having]
            exact = sum(score == 1.0 for score in scores)
            if exact == len(having):
                return Learned("body", css, exact, len(having))
            if min(scores) >= 0.8 and (best is None or exact > best[0]):
                best = (exact, css)
    if best:
        return Learned("body", best[1], best[0], len(having))
    return None


def body_candidates(obs: Observation) -> Iterator[str]:
    target = obs.agreed.values["body"]
    wanted = {text.clean_line(p) for p in target}
    nodes = innermost([n for n in body_nodes(obs.sample.sel) if _paragraph_text(n) in wanted])
    if not nodes:
        return
    tag = Counter(_tag(n) for n in nodes).most_common(1)[0][0]
    holders = Counter(n.getparent() for n in nodes if n.getparent() is not None)
    for holder, _ in holders.most_common(MAX_HOLDERS):
        direct = all(n.getparent() is holder for n in nodes if _tag(n) == tag)
        chain = [holder, *list(holder.iterancestors())[:MAX_CLIMB]]
        for depth, ancestor in enumerate(chain):
            if _tag(ancestor) in ("body", "html"):
                break
            tokens = [t for _, t in sorted(own_tokens(ancestor))]
            if _tag(ancestor) in ("article", "main", "section"):
                tokens.append(_tag(ancestor))
            for token in tokens:
                if depth == 0 and direct:
                    yield f"{token} > {tag}"
                yield f"{token} {tag}"
                if depth == 0:
                    yield token  # paragraphs split at <br><br> in one element


def _paragraph_text(node: Any) -> str:
    return text.clean_line(node_text(node)) if _tag(node) not in ("body", "html") else ""


def body_score(obs: Observation, css: str, site_names: Sequence[str]) -> float:
    """1.0 when the selector's paragraphs, cleaned by the learned spider's rules, are the agreed
    body; else the share of paragraphs in common over all paragraphs of either."""
    found = paragraphs(obs.sample.sel, (css,))
    if not found:
        return 0.0
    out = Extracted(values=dict(obs.agreed.values), site_names=list(obs.agreed.site_names))
    out.not_body = set(obs.agreed.not_body)
    cleaned = clean_body(found, out, LearningOutlet(site_names, {"body": (css,)}))
    target = obs.agreed.values["body"]
    if cleaned == target:
        return 1.0
    a, b = set(cleaned), set(target)
    return len(a & b) / len(a | b) if a | b else 0.0
