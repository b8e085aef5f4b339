"""The report page: one self-contained HTML document, no script, no request to anywhere."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from typing import Any

from newscrawl.reporting import svg
from newscrawl.reporting.figures import FIELDS, LAYERS, Slot, day_range, slots

GENERATOR = '<meta name="generator" content="newscrawl report">'
# Nothing may load, and no script may run, whatever text the database holds.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# Fonts a plain Linux box has for Bengali (Noto from fonts-noto-core, Lohit from
# fonts-lohit-beng-bengali, FreeSans from fonts-freefont-ttf), then whatever it has. Latin
# fonts without Bengali come first, so Latin text is not drawn with a Bengali font's Latin
# letters; Bengali text falls through to the next ones.
FONTS = (
    "'Noto Sans', 'DejaVu Sans', 'Liberation Sans', 'Noto Sans Bengali', 'Lohit Bengali',"
    " 'FreeSans', 'Mukti', sans-serif"
)

LAYER_COLORS = {
    "json-ld": "#0072b2",
    "meta": "#56b4e9",
    "selectors": "#009e73",
    "fallback": "#e69f00",
    "missing": "#d0d0d0",
}
VERDICT_COLORS = {
    "healthy": "#009e73",
    "unhealthy": "#d55e00",
    "running": "#f0e442",
    "other": "#bbbbbb",
}
HEALTH_LEGEND = {
    "healthy": VERDICT_COLORS["healthy"],
    "unhealthy": VERDICT_COLORS["unhealthy"],
    "running": VERDICT_COLORS["running"],
    "no verdict (found its outlet locked)": VERDICT_COLORS["other"],
}
PALETTE = (
    "#d55e00", "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#882255", "#999933",
)  # fmt: skip
NEW_COLOR, DURATION_COLOR = "#0072b2", "#777777"
FIELD_NAMES = {"published_at": "date"}
MAX_REASONS = 7
MAX_PROBLEM_RUNS = 8

STYLE = f"""
body {{ font-family: {FONTS}; margin: 24px; color: #222; background: #fff; max-width: 1340px; }}
h1 {{ font-size: 24px; margin: 0 0 4px; }}
h2 {{ font-size: 20px; margin: 32px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }}
h3 {{ font-size: 14px; margin: 12px 0 2px; color: #444; }}
h4 {{ font-size: 13px; margin: 6px 0 0; color: #444; font-weight: normal; }}
.meta, .why {{ color: #555; font-size: 13px; margin: 2px 0; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 8px 0; }}
th, td {{ border-bottom: 1px solid #e4e4e4; padding: 4px 10px; text-align: left;
  vertical-align: top; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.d {{ white-space: nowrap; }}
.badge {{ display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff;
  font-size: 12px; background: {VERDICT_COLORS["other"]}; }}
.badge.healthy {{ background: {VERDICT_COLORS["healthy"]}; }}
.badge.unhealthy {{ background: {VERDICT_COLORS["unhealthy"]}; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(640px, 1fr));
  gap: 4px 24px; }}
svg.chart {{ max-width: 100%; height: auto; display: block; }}
svg .grid {{ stroke: #e4e4e4; }}
svg .tick {{ font-size: 11px; fill: #666; font-family: {FONTS}; }}
.legend {{ font-size: 12px; color: #444; margin: 2px 0; }}
.legend span {{ display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px;
  vertical-align: -1px; }}
ul.problems {{ font-size: 13px; margin: 4px 0; padding-left: 20px; }}
.none {{ color: #888; font-size: 13px; }}
"""


def legend(colors: Mapping[str, str]) -> str:
    keys = "".join(
        f'<span style="background:{color}"></span>{escape(name)}' for name, color in colors.items()
    )
    return f'<div class="legend">{keys}</div>'


def badge(verdict: str) -> str:
    return f'<span class="badge {escape(verdict)}">{escape(verdict)}</span>'


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _last_judged(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The newest run with a verdict (a run that found its outlet locked has none)."""
    judged = [run for run in runs if run.get("outcome")]
    return (judged or list(runs))[-1]


def overview(outlets: Mapping[str, Sequence[dict[str, Any]]]) -> str:
    head = "".join(
        f"<th>{name}</th>"
        for name in ("outlet", "health", "last run", "new", "new, 4 weeks", "runs",
                     "unhealthy", "title", "date", "author", "body", "why")
    )  # fmt: skip
    rows = []
    for outlet, runs in outlets.items():
        last = _last_judged(runs)
        rates = last.get("fill_rates") or {}
        unhealthy = sum(run.get("outcome") == "unhealthy" for run in runs)
        cells = [
            f'<td><a href="#outlet-{escape(outlet)}">{escape(outlet)}</a></td>',
            f"<td>{badge(last.get('outcome') or last['status'])}</td>",
            f'<td class="d">{escape(last["started_at"][:16].replace("T", " "))}</td>',
            f'<td class="n">{last.get("new_articles") or 0}</td>',
            f'<td class="n">{sum(run.get("new_articles") or 0 for run in runs)}</td>',
            f'<td class="n">{len(runs)}</td>',
            f'<td class="n">{unhealthy}</td>',
            *(f'<td class="n">{_percent(rates.get(f))}</td>' for f in FIELDS),
            f"<td>{escape('; '.join(last.get('problems') or [])) or '–'}</td>",
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="overview"><tr>{head}</tr>{"".join(rows)}</table>'


def _layer_chart(labels: list[str], bars: list[Slot], name: str) -> str:
    shares = [bar.layer_shares(name) for bar in bars]
    extra = sorted({layer for s in shares if s for layer in s} - set(LAYERS))
    order = [*LAYERS[:-1], *extra, "missing"]
    series = {layer: [None if s is None else s.get(layer, 0.0) for s in shares] for layer in order}
    colors = {layer: LAYER_COLORS.get(layer, PALETTE[-1]) for layer in order}
    shown = FIELD_NAMES.get(name, name)
    chart = svg.stacked_bars(
        labels, series, colors, title=f"{shown} by layer", percent=True, height=110
    )
    return f"<div><h4>{escape(shown)}</h4>{chart}</div>"


def _reasons_chart(labels: list[str], bars: list[Slot]) -> str:
    counts = [bar.reasons() for bar in bars]
    totals: Counter[str] = sum(counts, Counter())
    if not totals:
        return '<p class="none">no page failed or was skipped</p>'
    top = [reason for reason, _ in totals.most_common(MAX_REASONS)]
    rest = [reason for reason in totals if reason not in top]
    series = {reason: [float(c.get(reason, 0)) for c in counts] for reason in top}
    if rest:
        series["other reasons"] = [float(sum(c.get(r, 0) for r in rest)) for c in counts]
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}
    return legend(colors) + svg.stacked_bars(labels, series, colors, title="failures and skips")


def _problem_list(runs: Sequence[dict[str, Any]]) -> str:
    bad = [run for run in runs if run.get("outcome") == "unhealthy"][-MAX_PROBLEM_RUNS:][::-1]
    if not bad:
        return '<p class="none">every run shown was healthy</p>'
    items = "".join(
        f"<li><b>{escape(run['started_at'][:16].replace('T', ' '))}</b> {escape(run['status'])}: "
        f"{escape('; '.join(run.get('problems') or ['(no reason recorded)']))}</li>"
        for run in bad
    )
    return f'<ul class="problems">{items}</ul>'


def outlet_section(outlet: str, runs: Sequence[dict[str, Any]]) -> str:
    unit, bars = slots(runs)
    labels = [bar.label for bar in bars]
    last = _last_judged(runs)
    verdict = last.get("outcome") or last["status"]
    new = {"new articles": [float(bar.total("new_articles")) for bar in bars]}
    duration = {"seconds": [bar.duration() for bar in bars]}
    per = "run" if unit == "run" else f"{unit} (runs summed)"
    counts = [
        f"<div><h3>New articles per {escape(per)}</h3>"
        + svg.stacked_bars(labels, new, {"new articles": NEW_COLOR}, title="new articles")
        + "</div>",
        "<div><h3>Failures and skips by reason</h3>" + _reasons_chart(labels, bars) + "</div>",
    ]
    layers = [_layer_chart(labels, bars, name) for name in FIELDS]
    timing = svg.stacked_bars(
        labels, duration, {"seconds": DURATION_COLOR}, title="run duration", unit=" s", height=110
    )
    health = svg.strip(
        labels, [bar.verdict() for bar in bars], [bar.note() for bar in bars], VERDICT_COLORS
    )
    return (
        f'<section id="outlet-{escape(outlet)}"><h2>{escape(outlet)} {badge(verdict)}</h2>'
        f'<p class="why">{len(runs)} runs, one bar per {escape(unit)}. Latest verdict: '
        f"{escape('; '.join(last.get('problems') or []) or verdict)}</p>"
        + health
        + legend(HEALTH_LEGEND)
        + f'<div class="charts">{"".join(counts)}</div>'
        + "<h3>Where each field came from: share of the articles, by extraction layer</h3>"
        + legend(LAYER_COLORS)
        + f'<div class="charts">{"".join(layers)}</div>'
        + f"<h3>Run duration (mean per bar)</h3>{timing}"
        + "<h3>Unhealthy runs, newest first</h3>"
        + _problem_list(runs)
        + "</section>"
    )


def per_day_section(rows: Sequence[dict[str, Any]], last_day: date | None, days: int) -> str:
    if last_day is None or not rows:
        return '<p class="none">no article has a publication date yet</p>'
    calendar = day_range(last_day, days)
    outlets = sorted({row["outlet"] for row in rows})
    counts = {(row["day"], row["outlet"]): row["articles"] for row in rows}
    series = {
        outlet: [float(counts.get((day.isoformat(), outlet), 0)) for day in calendar]
        for outlet in outlets
    }
    colors = {outlet: PALETTE[(i + 1) % len(PALETTE)] for i, outlet in enumerate(outlets)}
    labels = [day.isoformat() for day in calendar]
    return legend(colors) + svg.stacked_bars(
        labels, series, colors, title="articles per day of publication"
    )


def clusters_section(clusters: Sequence[dict[str, Any]]) -> str:
    if not clusters:
        return '<p class="none">no near-duplicates found yet</p>'
    head = "<tr><th>articles</th><th>outlets</th><th>days</th><th>first article</th></tr>"
    rows = "".join(
        f'<tr><td class="n">{c["articles"]}</td><td>{escape(c["outlet_names"] or "")}</td>'
        f'<td class="d">{escape(c["first_day"] or "?")} – {escape(c["last_day"] or "?")}</td>'
        f'<td><a href="{escape(c["url"] or "")}">{escape(c["title"] or "")}</a></td></tr>'
        for c in clusters
    )
    return f'<table class="clusters">{head}{rows}</table>'


def document(title: str, meta: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'{GENERATOR}<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<h1>{escape(title)}</h1><p class="meta">{meta}</p>{body}</body></html>\n'
    )
