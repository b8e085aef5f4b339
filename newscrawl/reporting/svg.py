"""Charts as inline SVG strings: bars (stacked or not) and a strip of coloured cells.

Written here rather than taken from a charting library: the page must open with no network and
no script (cron rewrites it for a web server to serve), and these two shapes are all it needs.
Every value a chart shows is also in a ``<title>`` a browser shows on hover, and every text is
escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

WIDTH = 640
HEIGHT = 140
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 8, 20


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (1 for nothing)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value * (1 - 1e-9):
            return step * power
    return 10 * power


def _number(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2g}"


def _fmt(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def stacked_bars(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    colors: Mapping[str, str],
    *,
    title: str,
    percent: bool = False,
    unit: str = "",
    height: int = HEIGHT,
) -> str:
    """One bar per label, its segments the series in order (bottom first).

    ``percent``: the axis runs 0–100% and values are shares (0–1). A label whose values are all
    None gets no bar (no data, told apart from a zero).
    """
    count = len(labels)
    names = list(series)
    totals = [
        sum(series[name][i] or 0 for name in names)
        if any(series[name][i] is not None for name in names)
        else None
        for i in range(count)
    ]
    top = 1.0 if percent else nice_ceiling(max((t for t in totals if t), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    slot = plot_w / max(count, 1)
    gap = min(slot * 0.2, 2)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    ]
    halves = percent or (top / 2).is_integer() or top < 1
    for fraction in (0, 0.5, 1) if halves else (0, 1):
        y = TOP + plot_h * (1 - fraction)
        tick = f"{fraction:.0%}" if percent else _number(top * fraction) + unit
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(y)}" y2="{_fmt(y)}"/>'
            f'<text class="tick" x="{LEFT - 4}" y="{_fmt(y + 4)}" text-anchor="end">'
            f"{escape(tick)}</text>"
        )
    for i, label in enumerate(labels):
        if totals[i] is None:
            continue
        x, base = LEFT + i * slot + gap / 2, 0.0
        for name in names:
            value = series[name][i] or 0
            if value <= 0:
                continue
            y_top = TOP + plot_h * (1 - min((base + value) / top, 1))
            y_bottom = TOP + plot_h * (1 - min(base / top, 1))
            shown = f"{value:.0%}" if percent else _number(value) + unit
            parts.append(
                f'<rect class="bar" x="{_fmt(x)}" y="{_fmt(y_top)}"'
                f' width="{_fmt(max(slot - gap, 0.5))}" height="{_fmt(y_bottom - y_top)}"'
                f' fill="{colors[name]}"><title>{escape(label)}: {escape(name)} {escape(shown)}'
                "</title></rect>"
            )
            base += value
    parts.extend(_x_labels(labels, slot, height))
    parts.append("</svg>")
    return "".join(parts)


def _x_labels(labels: Sequence[str], slot: float, height: int) -> list[str]:
    """The first, middle and last label under the axis, so time reads left to right."""
    if not labels:
        return []
    picks = sorted({0, len(labels) // 2, len(labels) - 1})
    out = []
    for i in picks:
        anchor = "start" if i == 0 else "end" if i == len(labels) - 1 else "middle"
        x = {"start": LEFT, "end": WIDTH - RIGHT}.get(anchor, LEFT + (i + 0.5) * slot)
        out.append(
            f'<text class="tick" x="{_fmt(x)}" y="{height - 5}" text-anchor="{anchor}">'
            f"{escape(labels[i])}</text>"
        )
    return out


def strip(
    labels: Sequence[str], kinds: Sequence[str], notes: Sequence[str], colors: Mapping[str, str]
) -> str:
    """A row of cells, one per label, coloured by kind, each with a note on hover."""
    count, height = len(labels), 22
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(count, 1)
    gap = min(slot * 0.2, 2)
    parts = [
        f'<svg class="chart strip" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH}'
        f' {height}" width="{WIDTH}" height="{height}" role="img" aria-label="health of each run">'
        '<title>health of each run</title><text class="tick" x="0" y="15">health</text>'
    ]
    for i, (label, kind, note) in enumerate(zip(labels, kinds, notes, strict=True)):
        parts.append(
            f'<rect class="cell {escape(kind)}" x="{_fmt(LEFT + i * slot + gap / 2)}" y="2"'
            f' width="{_fmt(max(slot - gap, 0.5))}" height="18"'
            f' fill="{colors.get(kind, colors["other"])}">'
            f"<title>{escape(label)}: {escape(note)}</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)
