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
SCRAPED_STAT = "newscrawl/items/scraped"  # every item the spider yielded into the pipelines
STORE_ERROR_STAT = "newscrawl/store_error"  # the first error the store gave, as its message
LOG_FAILURE_STAT = "newscrawl/log_failure"  # why the run log could not be written
# Problems that are consequences of an unreachable site, dropped when it is said plainly.
_UNREACHABLE_SYMPTOMS = ("Error Count Monitor", "Finish Reason Monitor")
FINISH_REASON_CHECK = "Finish Reason Monitor"
# A run that found its outlet's lock held closes at once having done nothing: no verdict.
NO_VERDICT_REASONS = frozenset({"locked"})
# One Ctrl-C or SIGTERM: Scrapy closes the run early with the finish reason "shutdown".
STOPPED = "stopped (Ctrl-C or SIGTERM) before it finished"


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


def _total(stats: Mapping[str, Any], prefix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))


def unreachable_problem(stats: Mapping[str, Any]) -> str | None:
    """Every request failed to download and no response came back: the site was not reached."""
    requests = stats.get("downloader/request_count", 0)
    if not requests or stats.get("response_received_count", 0):
        return None
    errors = _by_prefix(stats, "downloader/exception_type_count/")
    if not errors:
        return None
    reason = max(errors, key=lambda name: errors[name]).rsplit(".", 1)[-1]
    return f"site unreachable: {reason} ({requests} requests)"


def lost_problem(stats: Mapping[str, Any]) -> str | None:
    """Articles scraped but not stored: any store error, or items that vanished in between."""
    scraped = stats.get(SCRAPED_STAT, 0)
    dropped = _total(stats, "newscrawl/dropped/")
    stored = sum(stats.get(f"newscrawl/articles/{k}", 0) for k in ("new", "revision", "duplicate"))
    lost = max(scraped - dropped - stored, 0)
    failed = _by_prefix(stats, "newscrawl/store_failed/")
    if not lost and not failed:
        return None
    cause = stats.get(STORE_ERROR_STAT) or "an item pipeline failed; see the log"
    if failed:
        cause += f"; {sum(failed.values())} write(s) failed"
    return f"{lost} of {scraped} scraped articles were not stored ({cause})"


RECORD_FAILED = "the run could not be recorded"


def storage_problem(stats: Mapping[str, Any]) -> str | None:
    """The run lost articles to the store, or its own record: the one line to exit 1 with."""
    lost = lost_problem(stats)
    if lost:
        return lost
    problems = stats.get(PROBLEMS_STAT) or []
    return next((p for p in problems if p.startswith(RECORD_FAILED)), None)


def discovery_problem(stats: Mapping[str, Any]) -> str | None:
    """No article link found at all, and the discovery documents failed or were unreadable."""
    if _total(stats, "newscrawl/discovered/") or stats.get("item_scraped_count"):
        return None
    bad = {
        kind: _total(stats, f"newscrawl/{kind}/")
        for kind in ("discovery_failed", "discovery_malformed", "discovery_empty")
    }
    if not any(bad.values()):
        return None
    said = ", ".join(f"{n} {kind.removeprefix('discovery_')}" for kind, n in bad.items() if n)
    return f"no article found: the discovery documents failed or were unreadable ({said})"


def unreadable_problem(stats: Mapping[str, Any]) -> str | None:
    """Feeds or sitemaps that arrived but could not be read (too large, broken gzip, XML
    entities): whatever else the run found, the links they held were lost."""
    prefix = "newscrawl/discovery_unreadable/"
    kinds = {k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix) and v}
    if not kinds:
        return None
    said = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    return f"discovery documents could not be read ({said}): their links were lost; see the log"


def verdict(stats: Mapping[str, Any], stale: str | None) -> tuple[str | None, list[str]]:
    """``(outcome, problems)``: ``healthy`` or ``unhealthy`` with one line per problem, or
    ``(None, [])`` for a run that did nothing (it found its outlet locked) and has no verdict."""
    reason = stats.get("finish_reason")
    if reason in NO_VERDICT_REASONS:
        return None, []
    problems = list(stats.get(PROBLEMS_STAT) or [])
    unreachable = unreachable_problem(stats)
    if unreachable:
        problems = [unreachable] + [p for p in problems if not p.startswith(_UNREACHABLE_SYMPTOMS)]
    elif reason in ("store_failed", "shutdown"):  # said plainly: the lost articles, STOPPED
        problems = [p for p in problems if not p.startswith(FINISH_REASON_CHECK)]
    else:
        problems += filter(None, [discovery_problem(stats)])
    if reason == "shutdown":
        problems.insert(0, STOPPED)
    problems += filter(None, [unreadable_problem(stats), lost_problem(stats)])
    problems += filter(None, [stats.get(LOG_FAILURE_STAT)])
    if stale:
        problems.append(stale)
    return ("unhealthy" if problems else "healthy"), problems
