"""A new outlet learned from its site or from saved pages (``scrapy newoutlet --url``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newscrawl.learn import paths, spiderfile
from newscrawl.learn.discover import Found, Site, discover
from newscrawl.learn.fetch import Fetcher, FetchError
from newscrawl.learn.selectors import Learned, Observation, Sample, learn, observe
from newscrawl.learn.skeleton import DEFAULT_ARTICLE_PATH, class_name, site_names_of

SAMPLES = 5


@dataclass
class Lesson:
    """What was learned, ready to be written."""

    samples: list[Sample]
    article_path: str
    path_note: str
    site_names: list[str]
    observations: list[Observation]
    learned: dict[str, Learned]
    found: Found = field(default_factory=Found)
    problems: list[str] = field(default_factory=list)
    site_url: str | None = None  # the site the mirror stands in for, when its pages say so


class LearnError(Exception):
    """Nothing to learn from; the message says what was tried."""


def hosts_of(site_url: str) -> tuple[str, ...]:
    host = urlsplit(site_url).hostname or ""
    if re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host) or "." not in host:
        return (host,)
    bare = host.removeprefix("www.")
    return (host, bare) if host.startswith("www.") else (host, f"www.{host}")


def from_site(fetcher: Fetcher, site: Site, count: int = SAMPLES) -> Lesson:
    """Discovery, ``article_path`` and a handful of articles fetched from the site."""
    found = discover(fetcher, site)
    inferred = paths.infer_article_path(found.article_urls)
    if inferred is None:
        where = ", ".join(found.problems) or "no feed, sitemap or article link was found"
        raise LearnError(f"no article URL found on {fetcher.base_url} ({where})")
    pattern, matched = inferred
    samples: list[Sample] = []
    problems = list(found.problems)
    for url in paths.spread(matched, count * 2):
        if len(samples) >= count:
            break
        try:
            body = fetcher.get(site.to_base(url))
        except FetchError as exc:
            problems.append(str(exc))
            continue
        samples.append(Sample.from_bytes(url, body))
    if not samples:
        raise LearnError(f"no article page could be fetched ({'; '.join(problems[-3:])})")
    note = _path_note(pattern, matched, found.article_urls)
    lesson = from_samples(samples, pattern, note)
    lesson.found, lesson.problems = found, problems
    if site.site_url != site.base_url:
        lesson.site_url = site.site_url
    return lesson


def _path_note(pattern: str, matched: list[str], seen: list[str]) -> str:
    return f"Inferred from the site's article URLs: matches {len(matched)} of {len(seen)} found."


def from_samples(samples: list[Sample], pattern: str | None = None, note: str = "") -> Lesson:
    """Selectors learned from sample pages (and ``article_path`` from their URLs if not given)."""
    if pattern is None:
        inferred = paths.infer_article_path(s.url for s in samples)
        pattern = inferred[0] if inferred else DEFAULT_ARTICLE_PATH
        note = (
            f"Inferred from the {len(samples)} sample URL(s): widen it when others do not match."
            if inferred
            else "The URL shapes news sites use: make it exact."
        )
    names: list[str] = []
    for sample in samples:
        names += site_names_of(sample.html)
    site_names = list(dict.fromkeys(n for n in names if n))
    observations = [observe(s, site_names) for s in samples]
    learned = learn(observations, site_names)
    return Lesson(samples, pattern, note, site_names, observations, learned)


def spider_source(name: str, site_url: str, lesson: Lesson, feeds: list[str]) -> str:
    found = lesson.found
    # Articles found only as links on the home page: the home page is the spider's listing.
    listings = [] if found.feeds or found.sitemaps or found.from_robots else ["/"]
    return spiderfile.render(
        listings=listings if found.article_urls else [],
        name=name,
        cls=class_name(name),
        site_url=site_url,
        hosts=hosts_of(site_url),
        site_names=lesson.site_names,
        feeds=[*found.feeds, *(f for f in feeds if f not in found.feeds)]
        or ([] if found.sitemaps or found.from_robots else ["/rss"]),
        sitemaps=found.sitemaps,
        from_robots=True,
        article_path=lesson.article_path,
        path_note=lesson.path_note,
        learned=lesson.learned,
        offline=not lesson.found.article_urls,
    )
