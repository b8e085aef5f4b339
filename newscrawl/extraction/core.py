"""What every extraction layer shares: the outlet's declarations and the result being filled."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

FIELDS = (
    "title", "subtitle", "author", "category", "tags", "published", "updated", "body",
    "canonical_url", "image_urls",
)  # fmt: skip


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
    # The site's own names as the page states them (og:site_name, JSON-LD publisher): stripped
    # from titles and bylines like the outlet's declared ``site_names``.
    site_names: list[str] = field(default_factory=list)
    # Lines the page marks as not the article (shoulders, kickers): kept out of the body.
    not_body: set[str] = field(default_factory=set)
    # A body too short to trust over the fallback; used when the fallback finds none.
    weak_body: list[str] = field(default_factory=list)

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
