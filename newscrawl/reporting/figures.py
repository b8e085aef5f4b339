"""An outlet's runs as the figures the report draws: pure functions of ``runs`` rows.

Runs are drawn one bar each while they fit; a schedule of one run every 30 minutes makes
hundreds in a week, so then they are grouped by day (and by week past that), counts summed and
shares taken over every article of the group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

MAX_SLOTS = 120
FIELDS = ("title", "published_at", "author", "body")
# The extraction stats name the publication date ``published`` (fill rates: ``published_at``).
LAYER_FIELDS = {"published_at": "published"}
LAYERS = ("json-ld", "meta", "selectors", "fallback", "missing")


@dataclass
class Slot:
    """One bar of the charts: a run, or the runs of one day or week."""

    label: str
    runs: list[dict[str, Any]] = field(default_factory=list)

    def total(self, column: str) -> int:
        return sum(run.get(column) or 0 for run in self.runs)

    @property
    def crawled(self) -> list[dict[str, Any]]:
        """The runs that crawled: a run that found its outlet locked did nothing to draw."""
        return [run for run in self.runs if run.get("finished_at") and run["status"] != "locked"]

    def duration(self) -> float | None:
        times = [run["duration_s"] for run in self.crawled if run.get("duration_s") is not None]
        return sum(times) / len(times) if times else None

    def layer_shares(self, name: str) -> dict[str, float] | None:
        """Share of the slot's articles whose ``name`` came from each layer; None: no article."""
        counts: Counter[str] = Counter()
        key = LAYER_FIELDS.get(name, name)
        for run in self.runs:
            counts.update((run.get("layers") or {}).get(key) or {})
        articles = sum(counts.values())
        if not articles:
            return None
        return {layer: count / articles for layer, count in counts.items()}

    def reasons(self) -> Counter[str]:
        """Pages that did not become articles, by ``kind/reason``."""
        counts: Counter[str] = Counter()
        for kind in ("failed", "skipped", "dropped"):
            for run in self.runs:
                for reason, count in (run.get(kind) or {}).items():
                    counts[f"{kind}/{reason}"] += count
        return counts

    def verdict(self) -> str:
        """The worst verdict among the slot's runs, or the last run's status when none had one."""
        outcomes = {run.get("outcome") for run in self.runs}
        for outcome in ("unhealthy", "healthy"):
            if outcome in outcomes:
                return outcome
        return self.runs[-1]["status"] if self.runs else "other"

    def problems(self) -> list[str]:
        return [p for run in self.runs for p in run.get("problems") or []]

    def note(self) -> str:
        """What the slot's health cell says on hover."""
        unhealthy = [run for run in self.runs if run.get("outcome") == "unhealthy"]
        head = f"{len(self.runs)} run(s), {len(unhealthy)} unhealthy" if len(self.runs) > 1 else ""
        lines = [head] if head else [self.verdict()]
        lines += list(dict.fromkeys(self.problems()))[:5]
        return "; ".join(lines)


def started(run: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(run["started_at"])


def _week(run: dict[str, Any]) -> str:
    day = started(run).date()
    return (day - timedelta(days=day.weekday())).isoformat()


GROUPINGS: tuple[tuple[str, Callable[[dict[str, Any]], str]], ...] = (
    ("run", lambda run: started(run).strftime("%m-%d %H:%M")),
    ("day", lambda run: run["started_at"][:10]),
    ("week from", _week),
)


def slots(runs: Sequence[dict[str, Any]], max_slots: int = MAX_SLOTS) -> tuple[str, list[Slot]]:
    """Runs (oldest first) as bars: (what one bar is, the bars), at most ``max_slots``.

    A run's own label may repeat (two runs in one minute): bars stay one per run.
    """
    for unit, key in GROUPINGS:
        if unit == "run":
            if len(runs) <= max_slots:
                return unit, [Slot(key(run), [run]) for run in runs]
            continue
        grouped: dict[str, Slot] = {}
        for run in runs:
            label = key(run)
            grouped.setdefault(label, Slot(label)).runs.append(run)
        if len(grouped) <= max_slots or unit == GROUPINGS[-1][0]:
            return unit, list(grouped.values())[-max_slots:]
    raise AssertionError("unreachable")


def day_range(newest: date, days: int) -> list[date]:
    return [newest - timedelta(days=n) for n in range(days - 1, -1, -1)]
