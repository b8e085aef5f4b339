"""The item pipelines in process: real Scrapy crawler, settings and stats, a real store on disk."""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import datetime

import pytest
from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl import health, text
from newscrawl.items import Article
from newscrawl.pipelines import (
    INVALID_BYTES_STAT,
    CleanPipeline,
    HashPipeline,
    StorePipeline,
    clean_article,
    store_failure_reason,
)
from newscrawl.store import Store
from tests.support.reactor import asyncio_reactor  # noqa: F401 - autouse: every test here

KIM = "কিম জং উন পুতিনকে চিঠি পাঠিয়েছেন। " * 3 + " ".join(f"শব্দ{n}" for n in range(120))


class Outlet(Spider):
    name = "inqilab"


def make_crawler(db_path, **settings):
    crawler = get_crawler(Outlet, {
        "NEWSCRAWL_DB": str(db_path), "NEWSCRAWL_BATCH_SECONDS": 1000, "NEWSCRAWL_STALE_RUNS": 3,
        **settings,
    })  # fmt: skip
    crawler.spider = crawler._create_spider()
    return crawler


def item(n: int = 1, body: str = KIM, **fields) -> Article:
    fields.setdefault("title", f"শিরোনাম {n}")
    return Article(url=f"http://x/national/news/{n}", outlet="inqilab", article_id=str(n),
                   body=body, **fields)  # fmt: skip


def through(crawler, *items):
    """Items through Clean and Hash, as the settings order them."""
    clean, hashing = CleanPipeline.from_crawler(crawler), HashPipeline()
    return [hashing.process_item(clean.process_item(i)) for i in items]


@pytest.fixture
def pipeline(db_path):
    crawler = make_crawler(db_path, NEWSCRAWL_BATCH_SIZE=3)
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    yield crawler, store
    if store.store is not None:
        store.close_spider()
        store.spider_closed(crawler.spider, "finished")


def stored(db_path) -> int:
    with Store(db_path) as store:
        return store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]


# -- CleanPipeline ---------------------------------------------------------------------------


def test_list_fields_are_cleaned_and_deduplicated_in_order():
    adapter = ItemAdapter(item(tags=["খেলা", " খেলা ", "", "রাজনীতি", "খেলা"],
                               image_urls=["http://i/1.jpg", "http://i/1.jpg"]))  # fmt: skip
    assert clean_article(adapter) is None
    assert adapter["tags"] == ["খেলা", "রাজনীতি"]
    assert adapter["image_urls"] == ["http://i/1.jpg"]


def test_text_fields_are_cleaned_and_empty_ones_become_none():
    adapter = ItemAdapter(item(author="  \u200b ", subtitle="  উপ\u00adশিরোনাম  ",
                               published_raw="১ মে\x1b[2J ২০২৩"))  # fmt: skip
    assert clean_article(adapter) is None
    assert adapter["author"] is None
    assert adapter["subtitle"] == "উপশিরোনাম"
    assert adapter["published_raw"] == "১ মে ২০২৩"


def test_articles_without_title_or_body_are_dropped_and_counted(db_path):
    crawler = make_crawler(db_path)
    clean = CleanPipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match="missing_title"):
        clean.process_item(item(title=" \u200b "))
    with pytest.raises(DropItem, match="missing_body"):
        clean.process_item(item(body="\n\n \n"))
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/dropped/missing_title"] == 1
    assert stats["newscrawl/dropped/missing_body"] == 1
    assert stats[health.SCRAPED_STAT] == 2


def test_replacement_characters_are_counted(db_path):
    crawler = make_crawler(db_path)
    through(crawler, item(body="ভাঙা \ufffd\ufffd লেখা", tags=["\ufffd"]))
    assert crawler.stats.get_value(INVALID_BYTES_STAT) == 3


def test_the_hash_is_taken_over_the_clean_title_and_body(db_path):
    (done,) = through(make_crawler(db_path), item(title=" শিরোনাম  ১ ", body="এক\n \nদুই"))
    assert done["body"] == "এক\n\nদুই"
    assert done["content_hash"] == text.content_hash("শিরোনাম ১", "এক\n\nদুই")


# -- StorePipeline ---------------------------------------------------------------------------


def test_a_batch_is_written_when_it_reaches_the_batch_size(pipeline, db_path):
    crawler, store = pipeline
    for n in (1, 2):
        store.process_item(through(crawler, item(n, body=f"{KIM} {n}"))[0])
    assert stored(db_path) == 0 and len(store.buffer) == 2
    store.process_item(through(crawler, item(3, body=f"{KIM} 3"))[0])
    assert stored(db_path) == 3 and store.buffer == []


def test_write_outcomes_are_counted(pipeline, db_path):
    crawler, store = pipeline
    first, near, again = through(
        crawler, item(1), item(2, body=KIM.replace("শব্দ1 ", "অন্য ")), item(3, title="শিরোনাম 1")
    )
    for done in (first, near, again):
        store.process_item(done)
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/articles/new"] == 2
    assert stats["newscrawl/articles/duplicate"] == 1
    assert stats["newscrawl/duplicates"] == 1
    assert stats["newscrawl/near_duplicates"] == 1


def test_closing_flushes_and_records_the_run(pipeline, db_path):
    crawler, store = pipeline
    store.process_item(through(crawler, item(1))[0])
    assert stored(db_path) == 0
    store.close_spider()
    assert stored(db_path) == 1
    crawler.stats.set_value("finish_reason", "finished")
    store.spider_closed(crawler.spider, "finished")
    with Store(db_path) as db:
        (run,) = db.runs()
    assert run["status"] == "finished"
    assert run["new_articles"] == 1
    assert run["spider"] == "inqilab"
    assert run["run_id"] == crawler.stats.get_value("newscrawl/run_id")


def test_a_run_after_enough_empty_ones_is_stale(db_path):
    for new in (0, 0, 0):  # NEWSCRAWL_STALE_RUNS is 3 here
        crawler = make_crawler(db_path)
        store = StorePipeline.from_crawler(crawler)
        store.open_spider()
        crawler.stats.set_value("newscrawl/articles/new", new)
        crawler.stats.set_value("finish_reason", "finished")
        store.spider_closed(crawler.spider, "finished")
        outcome = crawler.stats.get_value("newscrawl/health/outcome")
    assert crawler.stats.get_value(health.PROBLEMS_STAT) == [
        "no new articles in 3 consecutive runs"
    ]
    assert outcome == "unhealthy"


def test_two_empty_runs_after_a_productive_one_are_not_stale(db_path):
    problems = []
    for new in (4, 0, 0):
        crawler = make_crawler(db_path)
        store = StorePipeline.from_crawler(crawler)
        store.open_spider()
        crawler.stats.set_value("newscrawl/articles/new", new)
        store.spider_closed(crawler.spider, "finished")
        problems.append(crawler.stats.get_value(health.PROBLEMS_STAT))
    assert not any("consecutive" in p for run in problems for p in run)


def test_a_failed_write_is_counted_and_the_batch_is_not_lost_silently(pipeline, db_path):
    crawler, store = pipeline
    store.closing = True  # no engine to close here: that part is the end-to-end tests'
    store.store.conn.execute("PRAGMA query_only = ON")  # the database now refuses writes
    store.process_item(through(crawler, item(1))[0])
    store.flush()
    store.store.conn.execute("PRAGMA query_only = OFF")
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/store_failed/read_only"] == 1
    assert "readonly" in stats[health.STORE_ERROR_STAT]
    assert store.buffer == [] and stored(db_path) == 0
    assert "1 of 1 scraped articles were not stored" in health.lost_problem(stats)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("database or disk is full", "disk_full"),
        ("disk I/O error", "io_error"),
        ("attempt to write a readonly database", "read_only"),
        ("database is locked", "locked"),
        ("[Errno 28] No space left on device", "disk_full"),
        ("something else", "OperationalError"),
    ],
)
def test_store_failures_are_named(message, reason):
    assert store_failure_reason(sqlite3.OperationalError(message)) == reason


def test_outcomes_and_problems_are_recorded_with_the_run(pipeline, db_path):
    crawler, store = pipeline
    crawler.stats.set_value(health.PROBLEMS_STAT, ["Error Count Monitor: 11 errors"])
    store.close_spider()
    store.spider_closed(crawler.spider, "finished")
    with Store(db_path) as db:
        (run,) = db.runs()
    assert run["outcome"] == "unhealthy"
    assert run["problems"] == ["Error Count Monitor: 11 errors"]
    assert crawler.stats.get_value("newscrawl/health/outcome") == "unhealthy"


def test_a_run_that_found_the_outlet_locked_says_nothing_of_staleness(db_path):
    for reason in ("finished", "finished", "locked"):  # NEWSCRAWL_STALE_RUNS is 3 here
        crawler = make_crawler(db_path)
        store = StorePipeline.from_crawler(crawler)
        store.open_spider()
        store.spider_closed(crawler.spider, reason)
    assert crawler.stats.get_value(health.PROBLEMS_STAT) == []


def test_a_killed_run_is_recorded_as_killed_with_its_articles(pipeline, db_path):
    crawler, store = pipeline
    store.process_item(through(crawler, item(1))[0])
    store.killed(crawler.spider)
    assert store.store is None and store.shutdown_trigger is None and not store.timer.running
    with Store(db_path) as db:
        (run,) = db.runs()
        assert db.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert run["status"] == "killed" and run["outcome"] == "unhealthy"
    assert run["problems"][0] == "the process was stopped before the run could close"
    store.killed(crawler.spider)  # a second call, the store gone: nothing to do


def test_a_run_that_cannot_be_recorded_is_unhealthy_and_says_why(pipeline, db_path, caplog):
    crawler, store = pipeline
    run_id = store.run_id
    store.close_spider()
    store.store.conn.execute("PRAGMA query_only = ON")
    store.spider_closed(crawler.spider, "finished")
    assert crawler.stats.get_value("newscrawl/health/outcome") == "unhealthy"
    (problem,) = crawler.stats.get_value(health.PROBLEMS_STAT)
    assert problem.startswith(f"{health.RECORD_FAILED} in {db_path} (")
    assert f"could not record run {run_id}: attempt to write a readonly database" in caplog.text
    assert store.store is None


def test_an_article_near_two_stored_ones_counts_both(pipeline):
    crawler, store = pipeline
    words = KIM.split()
    edited = [" ".join([*words[:k], "অন্য", *words[k + 1 :]]) for k in (20, 40)]
    items = through(crawler, item(1), item(2, body=edited[0]), item(3, body=edited[1]))
    for done in items:
        store.process_item(done)
    assert crawler.stats.get_value("newscrawl/near_duplicates") == 3  # 0 + 1 + 2


def test_the_near_distance_setting_reaches_the_store(db_path):
    crawler = make_crawler(db_path, NEWSCRAWL_NEAR_DISTANCE=0)
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    assert store.store.near_distance == 0
    store.close_spider()
    store.spider_closed(crawler.spider, "finished")


def test_each_article_gets_the_run_id_and_a_crawl_time(pipeline, db_path):
    crawler, store = pipeline
    (done,) = through(crawler, item(1))
    assert datetime.fromisoformat(done["crawled_at"]).tzinfo is not None
    store.process_item(done)
    assert store.buffer[0]["run_id"] == store.run_id


def test_failures_and_replacements_are_logged(pipeline, db_path, caplog):
    crawler, store = pipeline
    through(crawler, item(1, body="ভাঙা \ufffd লেখা"))
    assert "http://x/national/news/1: 1 undecodable byte(s) replaced by U+FFFD" in caplog.text
    store.closing = True
    store.store_failed(sqlite3.OperationalError("disk I/O error"), 4)
    assert f"could not store 4 article(s) in {db_path}: disk I/O error" in caplog.text
    assert crawler.stats.get_value(health.STORE_ERROR_STAT) == "disk I/O error"
    store.store_failed(sqlite3.OperationalError("database or disk is full"), 1)
    assert crawler.stats.get_value(health.STORE_ERROR_STAT) == "disk I/O error"  # the first


def test_a_failed_write_closes_the_run_once(pipeline, db_path, caplog):
    crawler, store = pipeline
    crawler.engine = crawler._create_engine()
    from twisted.internet import reactor

    before = set(reactor.getDelayedCalls())
    store.store_failed(sqlite3.OperationalError("disk I/O error"), 1)
    store.store_failed(sqlite3.OperationalError("disk I/O error"), 1)
    scheduled = [c for c in reactor.getDelayedCalls() if c not in before and c.active()]
    assert store.closing is True and len(scheduled) == 1
    assert scheduled[0].getTime() - reactor.seconds() <= 0.01  # at once
    assert "closing the run: articles fetched now could not be stored" in caplog.text
    scheduled[0].cancel()


def test_settings_and_their_defaults(db_path):
    default = StorePipeline.from_crawler(make_crawler(db_path, NEWSCRAWL_BATCH_SECONDS=None))
    assert (default.batch_size, default.batch_seconds) == (100, 5.0)
    given = StorePipeline.from_crawler(make_crawler(db_path, NEWSCRAWL_BATCH_SIZE=7))
    assert (given.batch_size, given.batch_seconds) == (7, 1000.0)


def test_the_run_is_named_and_its_database_said(pipeline, db_path):
    crawler, store = pipeline
    assert re.fullmatch(r"[0-9]{8}T[0-9]{6}Z-inqilab-[0-9a-f]{6}", store.run_id)
    assert crawler.stats.get_value("newscrawl/run_id") == store.run_id
    assert crawler.stats.get_value("newscrawl/db") == str(db_path)
    assert store.timer.running and store.timer.interval == 1000


def test_a_drop_names_its_reason_and_url(db_path):
    clean = CleanPipeline.from_crawler(make_crawler(db_path))
    with pytest.raises(DropItem) as dropped:
        clean.process_item(item(4, body=""))
    assert str(dropped.value) == "missing_body: http://x/national/news/4"


def test_batches_and_kills_are_logged(pipeline, caplog):
    crawler, store = pipeline
    caplog.set_level(logging.DEBUG, logger="newscrawl.pipelines")
    store.process_item(through(crawler, item(1))[0])
    store.flush()
    assert "stored a batch of 1 articles" in caplog.text
    store.killed(crawler.spider)
    assert "inqilab: stopped before the run could close; recording it as killed" in caplog.text


def test_a_buffered_article_is_its_fields_and_stores_its_lists_as_json(pipeline, db_path):
    crawler, store = pipeline
    done = through(crawler, item(1, tags=["খ", "ক"], image_urls=["http://x/i.jpg"]))[0]
    done["extraction"] = {"title": "meta", "body": "selectors"}
    store.process_item(done)
    assert store.buffer == [{**dict(done), "run_id": store.run_id}]
    store.flush()
    with Store(db_path) as db:
        row = db.conn.execute("SELECT tags, image_urls, extraction FROM articles").fetchone()
    assert row == ('["খ", "ক"]', '["http://x/i.jpg"]', '{"body": "selectors", "title": "meta"}')
