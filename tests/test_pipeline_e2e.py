"""The foundation end to end: the real Scrapy engine, a loopback site, a fresh database."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

from newscrawl.store import Store
from tests.conftest import PROJECT, run_scrapy, scrapy_args, scrapy_env

SPIDER = "tests/support/pages_spider.py"


def page(title: str, *paragraphs: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>x</title></head><body><h1>{title}</h1>{body}</body></html>"


def serve_site(replica, n_links: dict[str, str]) -> None:
    links = "".join(f'<a class="article" href="{path}">{path}</a>' for path in n_links)
    replica.add("/", f"<html><body>{links}</body></html>")
    replica.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
    for path, html in n_links.items():
        replica.add(path, html)


def crawl(replica, db_path):
    result = run_scrapy(
        "runspider",
        SPIDER,
        "-a",
        f"base_url={replica.url}",
        settings={"NEWSCRAWL_DB": str(db_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_crawl_stores_each_article_once_and_records_the_run(replica, db_path):
    story = ("ঢাকায় আজ বৃষ্টি হয়েছে।", "আবহাওয়া অফিস জানিয়েছে।")
    serve_site(
        replica,
        {
            "/news/1": page("বৃষ্টির খবর", *story),
            "/news/2": page(" বৃষ্টির\u00a0খবর ", *story),  # same text, other URL, other spacing
            "/news/3": page("অন্য খবর", "অন্য কিছু ঘটেছে।"),
            "/news/4": page("শুধু শিরোনাম"),  # no body: dropped
        },
    )
    crawl(replica, db_path)

    with Store(db_path) as store:
        rows = list(store.articles())
        assert sorted(r["title"] for r in rows) == ["অন্য খবর", "বৃষ্টির খবর"]
        assert all(len(r["content_hash"]) == 16 for r in rows)
        urls = dict(store.db.execute("SELECT url, content_hash FROM article_urls").fetchall())
        assert len(urls) == 3
        assert urls[f"{replica.url}/news/1"] == urls[f"{replica.url}/news/2"]
        [run] = store.runs()
        assert run["spider"] == "pages" and run["status"] == "finished"
        stats = run["stats"]
        assert stats["newscrawl/articles/new"] == 2
        assert stats["newscrawl/duplicates"] == 1
        assert stats["newscrawl/dropped/missing_body"] == 1
        assert all(r["run_id"] == run["run_id"] for r in rows)

    # An edit to one article, crawled again: a linked revision; the rest are duplicates.
    replica.add("/news/3", page("অন্য খবর", "অন্য কিছু ঘটেছে।", "পরে যোগ করা হয়েছে।"))
    crawl(replica, db_path)
    with Store(db_path) as store:
        assert store.count("articles") == 3
        latest = {r["article_id"]: r for r in store.articles(latest_only=True)}
        assert latest["3"]["revision"] == 2 and latest["3"]["previous_hash"]
        assert store.article(latest["3"]["previous_hash"])["body"] == "অন্য কিছু ঘটেছে।"
        second = store.runs()[-1]["stats"]
        assert second["newscrawl/articles/revision"] == 1
        assert second["newscrawl/duplicates"] == 2


def test_sigkill_mid_crawl_leaves_an_intact_database(replica, db_path):
    # Slow pages make the crawl last long enough to be killed between committed batches.
    pages = {f"/news/{i}": page(f"খবর {i}", f"অনুচ্ছেদ {i} " * 50) for i in range(200)}
    serve_site(replica, pages)
    for path in pages:
        replica.routes[path].delay = 0.05
    cmd = [
        sys.executable, "-m", "scrapy", "runspider", SPIDER, "-a", f"base_url={replica.url}",
        *scrapy_args({"NEWSCRAWL_DB": str(db_path), "NEWSCRAWL_BATCH_SIZE": "7",
                      "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}),
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=PROJECT, env=scrapy_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        committed = 0
        while time.monotonic() < deadline and committed < 20:
            time.sleep(0.1)
            if db_path.exists():
                try:
                    conn = sqlite3.connect(db_path, timeout=5)
                    committed = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                    conn.close()
                except sqlite3.OperationalError:
                    committed = 0  # schema not created yet
        assert committed >= 20, "the crawl never got going"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)

    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count, complete = conn.execute(
        "SELECT count(*), sum(length(body) > 100 AND title LIKE 'খবর %') FROM articles"
    ).fetchone()
    assert count >= committed and count == complete
    # Every stored article has its URL row, written in the same transaction.
    orphans = conn.execute(
        "SELECT count(*) FROM articles a WHERE NOT EXISTS"
        " (SELECT 1 FROM article_urls u WHERE u.content_hash = a.content_hash)"
    ).fetchone()[0]
    assert orphans == 0
    status = conn.execute("SELECT status FROM runs").fetchone()[0]
    assert status == "running"  # a killed run is visibly unfinished
    conn.close()
    # The next run picks up where it stopped and stores the rest exactly once.
    for path in pages:
        replica.routes[path].delay = 0
    crawl(replica, db_path)
    with Store(db_path) as store:
        assert store.count("articles") == 200
        assert store.runs()[-1]["status"] == "finished"
