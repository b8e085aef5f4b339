"""`scrapy report --html`: a crawler's health in charts, one self-contained page, in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newscrawl import text
from newscrawl.reporting import ReportError, figures, page, render, svg, write_report
from newscrawl.store import Store
from newscrawl.store import overview as store_overview
from tests.conftest import PROJECT, run_scrapy
from tests.support.replica import Replica
from tests.support.sites import inqilab_article, listing, rss

REAL = "https://dailyinqilab.com"
TOPICS = [
    ("পদ্মা সেতুতে রেকর্ড যান চলাচল", "ঈদের আগে পদ্মা সেতু দিয়ে এক দিনে রেকর্ড সংখ্যক যানবাহন পার হয়েছে।"),
    ("বাজারে চালের দাম বেড়েছে", "রাজধানীর খুচরা বাজারে মোটা চালের দাম কেজিতে পাঁচ টাকা বেড়েছে।"),
    ("চট্টগ্রামে ভারী বৃষ্টি", "টানা বর্ষণে চট্টগ্রাম নগরের নিচু এলাকা জলমগ্ন হয়ে পড়েছে।"),
    ("ক্রিকেটে বাংলাদেশের জয়", "শেষ ওভারের রোমাঞ্চে সফরকারী দলকে তিন উইকেটে হারিয়েছে বাংলাদেশ।"),
    ("শিক্ষা বোর্ডের নতুন সময়সূচি", "মাধ্যমিক পরীক্ষার নতুন সময়সূচি প্রকাশ করেছে শিক্ষা বোর্ড।"),
    ("বিদ্যুৎ সরবরাহে বিঘ্ন", "জাতীয় গ্রিডে ত্রুটির কারণে কয়েকটি জেলায় বিদ্যুৎ সরবরাহ বন্ধ ছিল।"),
]


def story(i: int) -> tuple[str, list[str]]:
    title, lead = TOPICS[i % len(TOPICS)]
    return f"{title} ({i})", [lead, f"প্রতিবেদক জানান, ঘটনাটি {i} নম্বর ওয়ার্ডে ঘটেছে।", *[
        f"স্থানীয় বাসিন্দা {i}-{n} বলেন, পরিস্থিতি এখনও পুরোপুরি স্বাভাবিক হয়নি।" for n in range(3)
    ]]  # fmt: skip


def article_path(i: int) -> str:
    return f"/national/news/{700000 + i}"


def publish(replica: Replica, first: int, last: int) -> None:
    """Inqilab articles first..last on the replica, in the feed and one listing page."""
    for i in range(first, last + 1):
        title, paragraphs = story(i)
        page_ = inqilab_article(title, paragraphs, (2024, 12, 1 + i % 20, 9, 30))
        replica.add(article_path(i), page_)
    items = [(f"t{i}", f"{REAL}{article_path(i)}", None) for i in range(last, 0, -1)]
    replica.add("/rss/rss.xml", rss(items), content_type="application/rss+xml")
    replica.add("/national", listing([]))


def break_layout(replica: Replica, first: int, last: int) -> None:
    """The site moves its body to an unknown container and drops the date line."""
    for i in range(first, last + 1):
        body = replica.routes[article_path(i)].body
        body = re.sub(rb'<p class="news-date-time">.*?</p>', b"", body)
        body = body.replace(b'class="description"', b'class="story-text"')
        replica.routes[article_path(i)].body = body


def crawl(replica: Replica, db: Path) -> subprocess.CompletedProcess[str]:
    return run_scrapy(
        "crawlall", "--outlet", "inqilab", "-a", f"base_url={replica.url}",
        settings={"NEWSCRAWL_DB": str(db)},
    )  # fmt: skip


def history(store: Store, spider: str, runs: int, *, drift_from: int | None = None) -> None:
    """Earlier runs, two a day going back from yesterday: the body drifts to the fallback."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    for n in range(runs):
        when = start - timedelta(hours=12 * (runs - n))
        drifted = drift_from is not None and n >= drift_from
        new = 12 - n // 4 if not drifted else 2
        body = {"fallback": new} if drifted else {"selectors": new}
        summary = {
            "pages_fetched": new + 3,
            "new_articles": new,
            "duplicates": n % 3,
            "skipped": {"challenge": 1} if n % 5 == 0 else {},
            "failed": {"http_404": n % 4} if n % 4 else {},
            "dropped": {},
            "fill_rates": {"title": 1.0, "body": 1.0, "published_at": 1.0, "author": 0.5},
            "layers": {
                "title": {"json-ld": new},
                "published": {"meta": new - 1, "missing": 1} if new > 1 else {"meta": new},
                "author": {"selectors": new // 2, "missing": new - new // 2},
                "body": body,
            },
            "duration_s": 30.0 + n,
            "outcome": "unhealthy" if drifted else "healthy",
            "problems": ["all bodies came from the generic fallback"] if drifted else [],
        }
        run_id = f"{spider}-history-{n}"
        store.start_run(run_id, spider, when.isoformat())
        store.finish_run(run_id, "finished", {}, summary)


def sunnews_articles(store: Store) -> None:
    """A few sunnews articles, one of them an inqilab story republished with an edit."""
    articles = []
    for i in (3, 8, 14, 15):
        title, paragraphs = story(i)
        day = f"2024-12-{1 + i % 20:02d}"
        if i == 3:
            paragraphs = [*paragraphs[:-1], "সূত্র: বাসস।"]
        body = text.join_paragraphs(paragraphs)
        articles.append({
            "content_hash": text.content_hash(title, body), "outlet": "sunnews",
            "article_id": str(i), "url": f"https://www.sunnews24x7.com/national/{i}",
            "title": title, "body": body, "published_at": f"{day}T11:00:00+06:00",
        })  # fmt: skip
    store.write_batch(articles)


def build_database(db: Path) -> None:
    """A database from replica crawls (two healthy, then one after the layout broke), with
    weeks of earlier runs written through the Store, including a drift to the fallback."""
    with Store(db) as store:
        history(store, "inqilab", 30, drift_from=26)
        history(store, "sunnews", 20)
        sunnews_articles(store)
    replica = Replica().start()
    try:
        replica.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
        publish(replica, 1, 8)
        assert crawl(replica, db).returncode == 0
        publish(replica, 9, 12)
        assert crawl(replica, db).returncode == 0
        publish(replica, 13, 18)
        break_layout(replica, 13, 18)
        result = crawl(replica, db)
        assert result.returncode == 1, result.stderr[-2000:]  # unhealthy
    finally:
        replica.stop()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("report") / "newscrawl.db"
    build_database(db)
    return db


# -- the chart helper ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (0.3, 0.5), (1, 1), (7, 10), (12, 20), (120, 200), (501, 1000)]
)
def test_axis_tops_are_round_numbers(value, ceiling):
    assert svg.nice_ceiling(value) == pytest.approx(ceiling)


def bars(chart: str) -> list[dict[str, str]]:
    return [
        dict(re.findall(r'(\w+)="([^"]*)"', attrs))
        for attrs in re.findall(r"<rect ([^>]*)>", chart)
    ]


def test_stacked_bars_are_proportional_and_stacked():
    chart = svg.stacked_bars(
        ["a", "b", "c"],
        {"new": [10, 5, None], "old": [10, 0, None]},
        {"new": "#111111", "old": "#222222"},
        title="t",
    )
    drawn = bars(chart)
    assert [bar["fill"] for bar in drawn] == ["#111111", "#222222", "#111111"]  # c: no data
    first, second, third = (float(bar["height"]) for bar in drawn)
    assert first == second == pytest.approx(2 * third)
    assert float(drawn[1]["y"]) + second == pytest.approx(float(drawn[0]["y"]))  # on top
    assert ">20<" in chart  # the axis top: 10 + 10


def test_chart_text_is_escaped():
    label = '<script>alert("x")</script>'
    chart = svg.stacked_bars([label], {"a&b": [1]}, {"a&b": "#000"}, title="<t>")
    assert "<script>" not in chart and "&lt;script&gt;" in chart and "a&amp;b" in chart


def test_many_runs_are_grouped_by_day():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    runs = [
        {"started_at": (start + timedelta(minutes=30 * n)).isoformat(), "new_articles": 1,
         "status": "finished", "outcome": "unhealthy" if n == 5 else "healthy"}
        for n in range(48 * 7)
    ]  # fmt: skip
    unit, grouped = figures.slots(runs)
    assert unit == "day" and len(grouped) == 7
    assert [slot.total("new_articles") for slot in grouped] == [48] * 7
    assert [slot.verdict() for slot in grouped[:2]] == ["unhealthy", "healthy"]
    unit, single = figures.slots(runs[:10])
    assert unit == "run" and len(single) == 10


def test_layer_shares_are_taken_over_every_article_of_a_bar():
    slot = figures.Slot("d", [{"layers": {"body": {"selectors": 3}}},
                              {"layers": {"body": {"fallback": 1}}}, {"layers": {}}])  # fmt: skip
    assert slot.layer_shares("body") == {"selectors": 0.75, "fallback": 0.25}
    assert slot.layer_shares("author") is None


# -- the page --------------------------------------------------------------------------------


def test_the_page_shows_each_outlet_its_verdicts_and_the_store(crawled):
    with Store(crawled, create=False) as store:
        html = render(store)
    assert page.GENERATOR in html and "default-src 'none'" in html
    assert not re.search(r"<script|\bsrc=|@import|url\(", html)  # nothing to load, nothing to run
    for outlet in ("inqilab", "sunnews"):
        assert f'id="outlet-{outlet}"' in html
    inqilab = html[html.index('id="outlet-inqilab"') : html.index('id="outlet-sunnews"')]
    assert "generic fallback" in inqilab  # why the last run was unhealthy
    assert inqilab.count('class="cell unhealthy"') == 5  # 4 drifted earlier runs + the broken one
    assert "'Noto Sans Bengali', 'Lohit Bengali', 'FreeSans'" in html
    clusters = html[html.index('class="clusters"') :]
    assert "sunnews,inqilab" in clusters and "ক্রিকেটে বাংলাদেশের জয় (3)" in clusters  # republished


def test_the_datasette_queries_give_the_page_s_figures(crawled):
    metadata = json.loads((PROJECT / "deploy" / "datasette-metadata.json").read_text("utf-8"))
    queries = metadata["databases"]["newscrawl"]["queries"]
    with Store(crawled, create=False) as store:
        conn = store.conn
        day = store_overview.newest_publication_day(conn)
        per_day = store_overview.articles_per_day(conn, day, 28)
        assert per_day and run_query(conn, queries["articles_per_day"]["sql"], {}) == per_day
        clusters = store_overview.biggest_clusters(conn, 10)
        assert clusters and run_query(conn, queries["biggest_clusters"]["sql"], {}) == clusters
        runs = run_query(conn, queries["runs_by_outlet"]["sql"], {"outlet": "inqilab"})
        assert len(runs) == 33 and runs[-1]["outcome"] == "unhealthy"
        layers = run_query(
            conn, queries["field_layers"]["sql"], {"outlet": "inqilab", "field": "body"}
        )
        assert layers[-1]["fallback"] >= 1 and layers[0]["selectors"] == 12
        for name, query in queries.items():
            assert query.get("title") and query.get("description"), name


def run_query(conn, sql: str, params: dict) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def test_a_report_replaces_only_a_report_and_leaves_no_temporary_file(crawled, tmp_path):
    target = tmp_path / "health.html"
    with Store(crawled, create=False) as store:
        write_report(store, target)
        first = target.read_text("utf-8")
        write_report(store, target)  # cron refreshing it in place
        assert [p.name for p in tmp_path.iterdir()] == ["health.html"]
        assert target.read_text("utf-8").startswith("<!DOCTYPE html>") and first
        notes = tmp_path / "notes.html"
        notes.write_text("<html>mine</html>")
        with pytest.raises(ReportError, match="not a page newscrawl wrote"):
            write_report(store, notes)
        assert notes.read_text() == "<html>mine</html>"
        with pytest.raises(ReportError, match="is the database itself"):
            write_report(store, crawled)
        with pytest.raises(ReportError, match="give --html a writable path"):
            write_report(store, tmp_path / "no" / "such" / "folder.html")


def test_report_html_command(crawled, tmp_path):
    target = tmp_path / "health.html"
    result = run_scrapy("report", "--html", str(target), "--db", str(crawled))
    assert result.returncode == 0, result.stderr
    assert 'id="outlet-inqilab"' in target.read_text("utf-8")
    only = run_scrapy("report", "--html", str(target), "--outlet", "sunnews", "--db", str(crawled))
    assert only.returncode == 0 and 'id="outlet-inqilab"' not in target.read_text("utf-8")
    refused = run_scrapy("report", "--html", str(crawled), "--db", str(crawled))
    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 0 and "database itself" in refused.stderr


def test_an_empty_store_gets_a_page_that_says_so(tmp_path):
    db = tmp_path / "newscrawl.db"
    Store(db).close()
    target = tmp_path / "health.html"
    result = run_scrapy("report", "--html", str(target), "--db", str(db))
    assert result.returncode == 0, result.stderr
    html = target.read_text("utf-8")
    assert "no runs recorded yet" in html and "no article has a publication date yet" in html
    assert "no near-duplicates found yet" in html


def test_runs_without_a_verdict_and_hostile_text(tmp_path):
    """A locked run and one still going are drawn apart; text from the store is escaped."""
    with Store(tmp_path / "newscrawl.db") as store:
        start = datetime(2026, 1, 5, tzinfo=UTC)
        store.start_run("a", "inqilab", start.isoformat())
        store.finish_run("a", "finished", {}, {"new_articles": 3, "outcome": "unhealthy",
                         "problems": ['<img src=x onerror="alert(1)">']})  # fmt: skip
        store.start_run("b", "inqilab", (start + timedelta(hours=1)).isoformat())
        store.finish_run("b", "locked", {}, {})
        store.start_run("c", "inqilab", (start + timedelta(hours=2)).isoformat())
        # another outlet that ran months later: inqilab keeps its own four weeks
        store.start_run("d", "sunnews", (start + timedelta(days=90)).isoformat())
        html = render(store)
    assert "<img" not in html and "&lt;img src=x" in html
    inqilab = html[html.index('id="outlet-inqilab"') : html.index('id="outlet-sunnews"')]
    cells = re.findall(r'<rect class="cell (\w+)"[^>]*fill="(#\w+)"', inqilab)
    assert cells == [("unhealthy", "#d55e00"), ("locked", "#bbbbbb"), ("running", "#f0e442")]
    assert inqilab.count('<rect class="bar"') == 1  # only the run that crawled has figures


def test_a_folder_is_not_a_report(crawled, tmp_path):
    with Store(crawled, create=False) as store, pytest.raises(ReportError, match="a folder"):
        write_report(store, tmp_path)


# -- in a real browser -----------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
]  # fmt: skip


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium when apt works)")
    return found


def browse(page_path: Path, *args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    profile.mkdir()
    return subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page_path.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def png_colors(data: bytes) -> tuple[int, int, Counter[bytes]]:
    """(width, height, pixels per RGB colour) of an 8-bit RGB(A) PNG, read with zlib alone."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data[pos + 8 : pos + 8 + length])
        elif kind == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0
    size = 3 if color == 2 else 4
    raw, stride = zlib.decompress(b"".join(chunks)), width * size
    colors: Counter[bytes] = Counter()
    prior = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        unfilter(kind, line, prior, size)
        colors.update(bytes(line[x : x + 3]) for x in range(0, stride, size))
        prior = line
    return width, height, colors


def unfilter(kind: int, line: bytearray, prior: bytearray, size: int) -> None:
    """Undo one PNG row filter in place (PNG specification, section 9)."""
    if kind == 2:
        line[:] = bytes((a + b) & 255 for a, b in zip(line, prior, strict=True))
        return
    for x in range(len(line)):
        left = line[x - size] if x >= size else 0
        if kind == 1:
            line[x] = (line[x] + left) & 255
        elif kind == 3:
            line[x] = (line[x] + (left + prior[x]) // 2) & 255
        elif kind == 4:
            up, corner = prior[x], prior[x - size] if x >= size else 0
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            line[x] = (
                line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
            ) & 255


LAYER_RGB = {name: bytes.fromhex(color[1:]) for name, color in page.LAYER_COLORS.items()}


def test_the_page_draws_in_chromium(crawled, tmp_path):
    report = tmp_path / "report.html"
    with Store(crawled, create=False) as store:
        write_report(store, report)
    dom = browse(report, "--dump-dom", tmp=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    # The page has no script, so the DOM after loading is the page as written: what this proves
    # is that Chromium parsed every chart (a malformed SVG would end the document early).
    assert dom.stdout.count("<svg") == report.read_text("utf-8").count("<svg") > 2 * 8
    for outlet in ("inqilab", "sunnews"):
        section = dom.stdout[dom.stdout.index(f'id="outlet-{outlet}"') :]
        assert section.count('<rect class="bar"') > 100
    assert "ক্রিকেটে বাংলাদেশের জয় (3)" in dom.stdout
    assert console_messages(dom.stderr) == []

    shot = tmp_path / "report.png"
    drawn = browse(report, f"--screenshot={shot}", "--window-size=1380,1500", tmp=tmp_path)
    assert drawn.returncode == 0 and shot.exists(), drawn.stderr[-2000:]
    assert console_messages(drawn.stderr) == []
    width, height, colors = png_colors(shot.read_bytes())
    assert (width, height) == (1380, 1500)
    white = colors[b"\xff\xff\xff"]
    assert white < 0.9 * width * height  # not a blank page
    # Bars in the colour of every extraction layer were painted (more than their legend keys).
    for name, rgb in LAYER_RGB.items():
        assert colors[rgb] > 2000, f"no {name} bar painted"


def test_the_console_check_sees_an_error(tmp_path):
    """The check above would see a page's console error (it is not vacuous)."""
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><script>console.error('chart failed')</script>")
    result = browse(broken, "--dump-dom", tmp=tmp_path)
    assert any("chart failed" in line for line in console_messages(result.stderr))


def test_the_unhealthy_runs_query_leaves_out_locked_runs_an_older_version_judged(tmp_path):
    metadata = json.loads((PROJECT / "deploy" / "datasette-metadata.json").read_text("utf-8"))
    sql = metadata["databases"]["newscrawl"]["queries"]["unhealthy_runs"]["sql"]
    with Store(tmp_path / "n.db") as store:
        store.conn.executemany(
            "INSERT INTO runs (run_id, spider, started_at, status, outcome, problems)"
            " VALUES (?, 'inqilab', ?, ?, 'unhealthy', ?)",
            [("broken", "2024-12-01T10:00:00", "finished", "generic fallback"),
             ("locked", "2024-12-01T11:00:00", "locked", "Finish Reason Monitor")],
        )  # fmt: skip
        rows = run_query(store.conn, sql, {})
    assert [(r["status"], r["problems"]) for r in rows] == [("finished", "generic fallback")]
