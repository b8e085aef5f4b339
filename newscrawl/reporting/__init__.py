"""``scrapy report --html FILE``: the crawler's health at a glance, as one self-contained page.

``figures`` turns runs into what the charts draw, ``svg`` draws them, ``page`` lays out the HTML;
the store-wide figures come from ``newscrawl.store.overview``. The page is written under a
temporary name and renamed, so cron can refresh it in place while a web server serves it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

from newscrawl.atomic import ExportError, atomic_file, clean_leftovers, refuse_database
from newscrawl.reporting import page
from newscrawl.store import Store
from newscrawl.store.overview import (
    articles_per_day,
    biggest_clusters,
    newest_publication_day,
    recent_runs,
)
from newscrawl.store.runs import without_stale_verdict

DAYS = 28
CLUSTERS = 10


class ReportError(Exception):
    """A report that cannot be written; the message is one line saying what to do."""


def render(store: Store, outlet: str | None = None, days: int = DAYS) -> str:
    """The page for each outlet's runs of the ``days`` days up to its newest run."""
    by_outlet: dict[str, list[dict]] = {}
    for run in recent_runs(store.conn, days, outlet):
        by_outlet.setdefault(run["spider"], []).append(without_stale_verdict(run))
    by_outlet = dict(sorted(by_outlet.items()))
    last_day = newest_publication_day(store.conn)
    per_day = articles_per_day(store.conn, last_day, days) if last_day else []
    if outlet is not None:
        per_day = [row for row in per_day if row["outlet"] == outlet]
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = (
        f"Generated {generated} from {escape(str(store.path))}: each outlet's runs of the {days}"
        " days up to its newest run. Hover a bar for its figures."
    )
    if by_outlet:
        body = page.overview(by_outlet) + "".join(
            page.outlet_section(name, rows) for name, rows in by_outlet.items()
        )
    else:
        which = f" of {escape(outlet)}" if outlet else ""
        body = f'<p class="none">no runs{which} recorded yet: run <code>scrapy crawlall</code></p>'
    body += (
        '<section id="store"><h2>The store</h2>'
        f"<h3>Articles per day of publication, latest revision of each ({days} days)</h3>"
        + page.per_day_section(per_day, last_day, days)
        + "<h3>Biggest near-duplicate clusters</h3>"
        + page.clusters_section(biggest_clusters(store.conn, CLUSTERS))
        + "</section>"
    )
    return page.document("newscrawl: crawl health", meta, body)


def write_report(store: Store, target: Path, outlet: str | None = None, days: int = DAYS) -> None:
    """Write the page to ``target`` whole, replacing only a page an earlier report wrote."""
    try:
        refuse_database(target, store.path)
    except ExportError as error:
        raise ReportError(str(error).replace("--output", "--html")) from None
    if target.is_dir():
        raise ReportError(f"{target} is a folder: give --html a file name")
    if target.exists() and not _is_report(target):
        raise ReportError(f"{target} is not a page newscrawl wrote: give --html a new file name")
    text = render(store, outlet, days)
    try:
        # Temporary names carry the writer's pid, so this removes only what killed reports left.
        clean_leftovers(target)
        with atomic_file(target) as stream:
            stream.write(text.encode("utf-8"))
    except OSError as error:
        raise ReportError(
            f"cannot write {target} ({error.strerror or error}): give --html a writable path"
        ) from None


def _is_report(path: Path) -> bool:
    try:
        with open(path, "rb") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    return not head or page.GENERATOR.encode() in head
