"""``article_path`` inferred from a site's article URLs.

The URLs are grouped by shape (how many path segments, and what each holds: a number, a slug
ending in a number, a short code, a date, a word); the biggest shape (and the shapes that end
the same way) becomes the pattern. The id is the segment that differs from URL to URL and looks
like an id; a segment is kept literally when it is the same everywhere and names articles
("news", "article", ...) or when many URLs agree on it; any other segment matches any word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# Words that mark an article URL on news sites: kept literally even from a few samples.
ARTICLE_WORDS = frozenset(
    {"news", "article", "articles", "story", "stories", "details", "detail", "post", "posts",
     "content", "news-details", "read", "archives", "p", "a", "n", "view", "single"}
)  # fmt: skip
LITERAL_AFTER = 8  # URLs agreeing on a segment before it is kept literally
QUERY_ID = re.compile(r"(?:^|&)(id|nid|news_id|newsid|article_id|story_id|pid)=(\d+)(?:&|$)")
KINDS = (
    ("year", re.compile(r"(?:19|20)\d\d")),
    ("num", re.compile(r"\d{3,}")),
    ("slug-num", re.compile(r"[^/]*?[-_]\d{3,}(?:\.[a-z]{2,5})?", re.I)),
    ("num-slug", re.compile(r"\d{3,}[-_][^/]+")),
    ("code", re.compile(r"(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{6,16}", re.I)),
    ("day", re.compile(r"\d{1,2}")),
)
ID_FORMS = {
    "num": r"(?P<id>\d+)",
    "slug-num": r"[^/]*?[-_](?P<id>\d{3,})(?:\.[a-z]{2,5})?",
    "num-slug": r"(?P<id>\d{3,})[-_][^/]+",
    "code": r"(?P<id>[A-Za-z0-9]{6,16})",
    "dated": r"(?P<id>\d{4}/\d{1,2}/\d{1,2}/[^/?#]+)",
    "slug": r"(?P<id>[^/?#]+)",
    "query": r"(?P<id>\d+)",
}


def kind(segment: str) -> str:
    for name, pattern in KINDS:
        if pattern.fullmatch(segment):
            return name
    return "word"


@dataclass
class Shape:
    prefix: str  # the pattern before the id
    id_form: str
    suffix: str  # after the id: "/?$", or the rest of a query
    urls: list[str]


def shape_of(paths: list[tuple[str, str]], urls: list[str]) -> Shape | None:
    """The pattern of URLs of one shape (same segment count and kinds)."""
    split = [p.strip("/").split("/") for p, _ in paths]
    kinds = [kind(s) for s in split[0]]
    width = len(kinds)
    if paths[0][1] and QUERY_ID.search(paths[0][1]):
        param = QUERY_ID.search(paths[0][1]).group(1)  # type: ignore[union-attr]
        prefix = _literal_or_any([p for p, _ in paths])
        return Shape(prefix + rf"\?(?:[^#]*&)?{param}=", "query", r"(?:&|$)", urls)
    dated = next(
        (i for i in range(width - 3) if kinds[i] == "year" and kinds[i + 1 : i + 3] == ["day"] * 2),
        None,
    )
    if dated is not None and dated + 4 == width:
        id_at, id_form = dated, "dated"
    else:
        id_at, id_form = -1, ""
        for i in reversed(range(width)):
            distinct = len({s[i] for s in split}) == len(split)
            form = "num" if kinds[i] == "year" else kinds[i]
            if form in ID_FORMS and form != "slug" and (distinct or len(split) == 1):
                id_at, id_form = i, form
                break
        if id_at < 0:
            distinct = len({s[-1] for s in split}) == len(split)
            if width < 2 or not distinct or kinds[-1] != "word" or "-" not in split[0][-1]:
                return None
            id_at, id_form = width - 1, "slug"
    parts = []
    for i in range(id_at):
        values = sorted({s[i] for s in split})
        if all(v.lower() in ARTICLE_WORDS for v in values):  # /news/1, /article/2
            parts.append("|".join(map(re.escape, values)))
            parts[-1] = parts[-1] if len(values) == 1 else f"(?:{parts[-1]})"
        elif len(values) == 1 and (len(split) >= LITERAL_AFTER or id_form == "slug"):
            parts.append(re.escape(values[0]))  # a slug alone does not say "article": its folder
        else:
            parts.append("[^/]+")
    prefix = "/" + "".join(f"{p}/" for p in parts)
    rest = width - id_at - (4 if id_form == "dated" else 1)
    suffix = "(?:/[^/]+)" * rest + "/?$" if rest else "/?$"
    return Shape(prefix, id_form, suffix, urls)


def _literal_or_any(paths: list[str]) -> str:
    values = set(paths)
    return re.escape(paths[0]) if len(values) == 1 else "/[^?#]*"


def infer_article_path(urls: Iterable[str]) -> tuple[str, list[str]] | None:
    """The pattern (source of a regular expression) and the URLs it matches; None when no URL
    looks like an article's."""
    groups: dict[tuple[int, tuple[str, ...], bool], list[tuple[str, str, str]]] = defaultdict(list)
    for url in dict.fromkeys(urls):
        parts = urlsplit(url)
        path = parts.path or "/"
        segments = path.strip("/").split("/") if path.strip("/") else []
        has_query_id = bool(QUERY_ID.search(parts.query))
        if not segments and not has_query_id:
            continue
        key = (len(segments), tuple(kind(s) for s in segments), has_query_id)
        groups[key].append((path, parts.query if has_query_id else "", url))
    shapes = []
    for members in groups.values():
        shape = shape_of([(p, q) for p, q, _ in members], [u for _, _, u in members])
        if shape:
            shapes.append(shape)
    if not shapes:
        return None
    # Shapes ending the same way are one pattern: prefixes in an alternation.
    merged: dict[tuple[str, str], list[Shape]] = defaultdict(list)
    for shape in shapes:
        merged[(shape.id_form, shape.suffix)].append(shape)
    (id_form, suffix), best = max(merged.items(), key=lambda kv: sum(len(s.urls) for s in kv[1]))
    prefixes = sorted({s.prefix for s in best}, key=lambda p: (-len(p), p))
    prefix = prefixes[0] if len(prefixes) == 1 else "(?:" + "|".join(prefixes) + ")"
    pattern = f"^{prefix}{ID_FORMS[id_form]}{suffix}"
    compiled = re.compile(pattern)
    matched = [u for u in dict.fromkeys(urls) if _matches(compiled, u)]
    return pattern, matched


def _matches(pattern: re.Pattern[str], url: str) -> bool:
    parts = urlsplit(url)
    return bool(
        pattern.match(parts.path) or (parts.query and pattern.match(f"{parts.path}?{parts.query}"))
    )


def spread(urls: list[str], count: int) -> list[str]:
    """Up to ``count`` URLs, in their order, taking each section (first segment) in turn."""
    sections: dict[str, list[str]] = defaultdict(list)
    for url in urls:
        sections[urlsplit(url).path.strip("/").split("/")[0]].append(url)
    chosen: list[str] = []
    queues = list(sections.values())
    while len(chosen) < count and any(queues):
        for queue in queues:
            if queue and len(chosen) < count:
                chosen.append(queue.pop(0))
    order = {u: i for i, u in enumerate(urls)}
    return sorted(chosen, key=order.__getitem__)
