"""The store pipeline's run around its batches, in process: what a run records, when a part-filled
batch is written, how a refused write closes the run, and the exact lines it logs."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from datetime import UTC, datetime

import pytest

from newscrawl import health, runlog
from newscrawl.pipelines import StorePipeline, new_run_id
from newscrawl.store import Store
from tests.support.reactor import asyncio_reactor  # noqa: F401 - autouse: every test here
from tests.test_pipelines import item, make_crawler, through


@pytest.fixture
def opened(db_path):
    crawler = make_crawler(db_path, NEWSCRAWL_BATCH_SIZE=3)
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    yield crawler, pipeline
    if pipeline.timer.running:
        pipeline.timer.stop()
    if pipeline.store is not None:
        pipeline.spider_closed(crawler.spider, "finished")


def messages(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_the_run_id_stamp_is_utc_whatever_the_machines_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Dhaka")
    time.tzset()
    try:
        before = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
        stamp = new_run_id("inqilab").split("-")[0]
        after = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert before <= datetime.strptime(stamp, "%Y%m%dT%H%M%SZ") <= after


def test_a_pipeline_whose_run_never_opened_records_nothing_and_closes_quietly(db_path):
    crawler = make_crawler(db_path)
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.process_item(through(crawler, item(1))[0])
    pipeline.flush()
    pipeline.close_spider()
    pipeline.spider_closed(crawler.spider, "finished")
    pipeline.killed(crawler.spider)
    assert len(pipeline.buffer) == 1  # kept, not thrown away, not written anywhere
    assert not db_path.exists()


def test_items_after_a_full_batch_wait_for_the_next_one(opened, db_path):
    crawler, pipeline = opened
    for done in through(crawler, *(item(n) for n in range(1, 5))):
        pipeline.process_item(done)
    assert len(pipeline.buffer) == 1
    with Store(db_path) as store:
        assert store.count() == 3


def test_an_item_arriving_after_the_run_was_recorded_is_not_written(opened, db_path):
    crawler, pipeline = opened
    pipeline.close_spider()
    pipeline.spider_closed(crawler.spider, "finished")
    pipeline.batch_seconds = 0
    pipeline.process_item(through(crawler, item(1))[0])
    assert len(pipeline.buffer) == 1
    with Store(db_path) as store:
        assert store.count() == 0


def test_a_timer_tick_writes_a_part_filled_batch_once_it_is_due(db_path):
    crawler = make_crawler(db_path, NEWSCRAWL_BATCH_SECONDS=0.3)
    [done] = through(crawler, item(1))
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    try:
        pipeline.flush()  # nothing to write; the clock starts now
        pipeline.process_item(done)
        assert len(pipeline.buffer) == 1
        time.sleep(0.31)
        pipeline.timer()  # what the reactor runs every NEWSCRAWL_BATCH_SECONDS
        assert pipeline.buffer == []
        with Store(db_path) as store:
            assert store.count() == 1
    finally:
        pipeline.timer.stop()
        pipeline.spider_closed(crawler.spider, "finished")


def test_a_forced_stop_is_hooked_until_the_run_is_recorded(opened):
    from twisted.internet import reactor

    crawler, pipeline = opened
    before = reactor._eventTriggers["shutdown"].before
    assert (pipeline.killed, (crawler.spider,), {}) in before
    pipeline.spider_closed(crawler.spider, "finished")
    assert (pipeline.killed, (crawler.spider,), {}) not in before
    assert pipeline.shutdown_trigger is None


def test_the_run_record_holds_the_crawls_final_stats(opened, db_path):
    crawler, pipeline = opened
    run_id = pipeline.run_id
    pipeline.process_item(through(crawler, item(1))[0])
    pipeline.close_spider()
    pipeline.spider_closed(crawler.spider, "finished")
    with Store(db_path) as store:
        [run] = store.runs()
    assert run["stats"]["newscrawl/run_id"] == run_id
    assert run["stats"]["newscrawl/articles/new"] == 1
    assert run["new_articles"] == 1


def test_a_run_log_that_could_not_be_written_makes_the_run_unhealthy(opened, monkeypatch):
    crawler, pipeline = opened
    monkeypatch.setattr(runlog, "_FAILURE", [])
    runlog.note_failure("the run log /x/run.log could not be written (disk full)")
    pipeline.close_spider()
    pipeline.spider_closed(crawler.spider, "finished")
    stats = crawler.stats.get_stats()
    assert (
        stats[health.LOG_FAILURE_STAT] == "the run log /x/run.log could not be written (disk full)"
    )
    assert "the run log /x/run.log could not be written (disk full)" in stats[health.PROBLEMS_STAT]


def test_when_earlier_runs_cannot_be_read_the_run_is_still_closed_and_judged(opened, db_path):
    crawler, pipeline = opened
    pipeline.close_spider()
    pipeline.store.conn.execute("ALTER TABLE runs RENAME COLUMN new_articles TO renamed")
    pipeline.spider_closed(crawler.spider, "finished")
    assert pipeline.store is None
    assert crawler.stats.get_value("newscrawl/health/outcome") == "unhealthy"
    [problem] = crawler.stats.get_value(health.PROBLEMS_STAT)
    assert problem.startswith(health.RECORD_FAILED)


# -- a write the database refuses closes the run --------------------------------------------------


class Engine:
    """Stands in for Scrapy's engine: records how it was asked to close the spider."""

    def __init__(self, fails: bool = False):
        self.reasons: list[str] = []
        self.fails = fails

    async def close_spider_async(self, *, reason: str) -> None:
        self.reasons.append(reason)
        if self.fails:
            raise RuntimeError("Spider not opened")


def run_scheduled_close(before: set) -> None:
    from twisted.internet import reactor

    [call] = [c for c in reactor.getDelayedCalls() if c not in before and c.active()]
    func, args, kw = call.func, call.args, call.kw
    call.cancel()
    # Under the asyncio reactor the close is a task on the reactor's loop, current in a crawl
    # (an earlier test may have left none current): make it so, run the call, let the task run.
    loop = getattr(reactor, "_asyncioEventloop", None)
    if loop is not None:
        asyncio.set_event_loop(loop)
    func(*args, **kw)  # what the reactor would run next
    for _ in range(3 if loop is not None else 0):
        loop.run_until_complete(asyncio.sleep(0))


def test_a_refused_write_asks_the_engine_to_close_with_reason_store_failed(opened, caplog):
    from twisted.internet import reactor

    crawler, pipeline = opened
    crawler.engine = Engine()
    before = set(reactor.getDelayedCalls())
    pipeline.store_failed(sqlite3.OperationalError("disk I/O error"), 2)
    run_scheduled_close(before)
    assert crawler.engine.reasons == ["store_failed"]
    assert messages(caplog)[-2:] == [
        f"could not store 2 article(s) in {pipeline.db_path}: disk I/O error",
        "closing the run: articles fetched now could not be stored",
    ]


def test_a_close_the_engine_refuses_is_logged_not_raised(opened, caplog):
    from twisted.internet import reactor

    caplog.set_level(logging.DEBUG, logger="newscrawl.pipelines")
    crawler, pipeline = opened
    crawler.engine = Engine(fails=True)
    before = set(reactor.getDelayedCalls())
    pipeline.store_failed(sqlite3.OperationalError("database or disk is full"), 1)
    run_scheduled_close(before)
    assert crawler.engine.reasons == ["store_failed"]
    assert messages(caplog)[-1] == "close after a store failure: Spider not opened"


def test_log_lines_word_for_word(opened, caplog):
    caplog.set_level(logging.DEBUG, logger="newscrawl.pipelines")
    crawler, pipeline = opened
    through(crawler, item(1, body="ভাঙা \ufffd লেখা"))
    pipeline.process_item(through(crawler, item(2))[0])
    pipeline.flush()
    run_id = pipeline.run_id
    pipeline.killed(crawler.spider)
    lines = messages(caplog)
    assert "http://x/national/news/1: 1 undecodable byte(s) replaced by U+FFFD" in lines
    assert "stored a batch of 1 articles" in lines
    assert "inqilab: stopped before the run could close; recording it as killed" in lines
    assert not any(re.search("XX|could not", line) for line in lines), run_id


def test_a_run_that_cannot_be_recorded_logs_exactly_why(opened, caplog):
    crawler, pipeline = opened
    run_id = pipeline.run_id
    pipeline.close_spider()
    pipeline.store.conn.execute("PRAGMA query_only = ON")
    pipeline.spider_closed(crawler.spider, "finished")
    assert messages(caplog)[-1] == (
        f"could not record run {run_id}: attempt to write a readonly database"
    )
