"""What a crawl run did, and whether its outlet looks healthy: pure functions of the stats.

The per-run checks (errors, finish reason, field coverage, fallback share) run as Spidermon
monitors (``newscrawl.monitors``) and leave their verdict in the stats; this module turns the
stats into the ``runs`` record and adds the one rule a single run cannot see: an outlet that
has produced no new article for several runs in a row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

FILL_FIELDS = ("title", "body", "published_at", "author", "category")
PROBLEMS_STAT = "newscrawl/health/problems"


def _by_prefix(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def _layers(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    layers: dict[str, dict[str, int]] = {}
    for key, count in _by_prefix(stats, "newscrawl/extraction/").items():
        field, _, layer = key.partition("/")
        layers.setdefault(field, {})[layer] = count
    return layers


def fill_rates(stats: Mapping[str, Any]) -> dict[str, float]:
    """Share of the run's articles with each field filled (Spidermon's field coverage)."""
    if not stats.get("spidermon_item_scraped_count/Article"):
        return {}  # no article this run: no rate, rather than a misleading 0%
    return {
        # Spidermon writes no coverage stat for a field no article had.
        field: round(float(stats.get(f"spidermon_field_coverage/Article/{field}", 0.0)), 4)
        for field in FILL_FIELDS
    }


def summarize(stats: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of a ``runs`` row, from a finished crawl's stats."""
    start, finish = stats.get("start_time"), stats.get("finish_time")
    duration = stats.get("elapsed_time_seconds")
    if duration is None and start is not None and finish is not None:
        duration = (finish - start).total_seconds()
    return {
        "pages_fetched": stats.get("response_received_count", 0),
        "new_articles": stats.get("newscrawl/articles/new", 0),
        "duplicates": stats.get("newscrawl/duplicates", 0),
        "revisions": stats.get("newscrawl/articles/revision", 0),
        "near_duplicates": stats.get("newscrawl/near_duplicates", 0),
        "skipped": _by_prefix(stats, "newscrawl/skipped/"),
        "dropped": _by_prefix(stats, "newscrawl/dropped/"),
        "failed": _by_prefix(stats, "newscrawl/failed/"),
        "http_status": _by_prefix(stats, "downloader/response_status_count/"),
        "fill_rates": fill_rates(stats),
        "layers": _layers(stats),
        "duration_s": round(float(duration), 3) if duration is not None else None,
    }


def stale_problem(new_articles: int, earlier_new: Sequence[int], runs: int) -> str | None:
    """The cross-run rule: no new article in this run and the ``runs - 1`` before it."""
    if runs <= 0 or new_articles > 0 or len(earlier_new) < runs - 1:
        return None
    if any(earlier_new[: runs - 1]):
        return None
    return f"no new articles in {runs} consecutive runs"


def verdict(stats: Mapping[str, Any], stale: str | None) -> tuple[str, list[str]]:
    problems = list(stats.get(PROBLEMS_STAT) or [])
    if stale:
        problems.append(stale)
    return ("unhealthy" if problems else "healthy"), problems
