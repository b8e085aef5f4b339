"""Run health as pure functions of the stats, and the fallback-share monitor run by Spidermon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler
from spidermon.contrib.scrapy.runners import SpiderMonitorRunner

from newscrawl import health
from newscrawl import settings as project
from newscrawl.monitors import RunHealth


@pytest.mark.parametrize(
    ("new", "earlier", "stale"),
    [
        (0, [0, 0, 0, 0, 0], True),  # six empty runs in a row
        (0, [0, 0, 0, 0], False),  # only five runs so far: too early to say
        (0, [0, 0, 0, 0, 0, 7], True),  # the seventh run back is not looked at
        (0, [0, 0, 0, 0, 1], False),
        (0, [1, 0, 0, 0, 0], False),
        (2, [0, 0, 0, 0, 0], False),
    ],
)
def test_staleness_needs_exactly_the_configured_runs(new, earlier, stale):
    problem = health.stale_problem(new, earlier, 6)
    assert (problem == "no new articles in 6 consecutive runs") is stale
    assert (problem is None) is not stale


def test_staleness_is_off_when_no_runs_are_configured():
    assert health.stale_problem(0, [0] * 10, 0) is None
    assert health.stale_problem(0, [], 1) == "no new articles in 1 consecutive runs"


def test_summary_reads_the_run_columns_from_the_stats():
    stats = {
        "response_received_count": 9, "newscrawl/articles/new": 4, "newscrawl/duplicates": 2,
        "newscrawl/articles/revision": 1, "newscrawl/near_duplicates": 3,
        "newscrawl/skipped/challenge": 1, "newscrawl/dropped/missing_body": 2,
        "newscrawl/failed/http_404": 5, "downloader/response_status_count/200": 9,
        "newscrawl/extraction/body/selectors": 3, "newscrawl/extraction/body/fallback": 1,
        "spidermon_item_scraped_count/Article": 4,
        "spidermon_field_coverage/Article/title": 1.0,
        "spidermon_field_coverage/Article/body": 0.75,
        "elapsed_time_seconds": 12.3456,
    }  # fmt: skip
    summary = health.summarize(stats)
    assert summary == {
        "pages_fetched": 9, "new_articles": 4, "duplicates": 2, "revisions": 1,
        "near_duplicates": 3, "skipped": {"challenge": 1}, "dropped": {"missing_body": 2},
        "failed": {"http_404": 5}, "http_status": {"200": 9},
        "fill_rates": {"title": 1.0, "body": 0.75, "published_at": 0.0, "author": 0.0,
                       "category": 0.0},
        "layers": {"body": {"fallback": 1, "selectors": 3}}, "duration_s": 12.346,
    }  # fmt: skip
    assert health.fill_rates({}) == {}


def test_lost_articles_are_counted_with_their_cause():
    stats = {health.SCRAPED_STAT: 10, "newscrawl/dropped/missing_title": 1,
             "newscrawl/articles/new": 6, "newscrawl/articles/duplicate": 1}  # fmt: skip
    assert health.lost_problem(stats) == (
        "2 of 10 scraped articles were not stored (an item pipeline failed; see the log)"
    )
    stats["newscrawl/articles/revision"] = 2
    assert health.lost_problem(stats) is None
    stats.update({"newscrawl/store_failed/disk_full": 2, health.STORE_ERROR_STAT: "disk full"})
    assert health.lost_problem(stats) == (
        "0 of 10 scraped articles were not stored (disk full; 2 write(s) failed)"
    )


def test_an_unreachable_site_is_said_once_instead_of_its_symptoms():
    stats = {
        "downloader/request_count": 4,
        "downloader/exception_type_count/twisted.internet.error.ConnectionRefusedError": 3,
        "downloader/exception_type_count/builtins.TimeoutError": 1,
        health.PROBLEMS_STAT: ["Error Count Monitor: 4 errors", "Field Coverage: title 0%"],
    }
    outcome, problems = health.verdict(stats, None)
    assert outcome == "unhealthy"
    assert problems == [
        "site unreachable: ConnectionRefusedError (4 requests)", "Field Coverage: title 0%",
    ]  # fmt: skip
    assert health.unreachable_problem({**stats, "response_received_count": 1}) is None


def test_discovery_that_found_nothing_is_a_problem_only_when_documents_failed():
    assert health.discovery_problem({"newscrawl/discovery_failed/feed": 1}) == (
        "no article found: the discovery documents failed or were unreadable (1 failed)"
    )
    assert health.discovery_problem({"newscrawl/discovery_failed/feed": 1,
                                     "newscrawl/discovered/feed": 3}) is None  # fmt: skip
    assert health.discovery_problem({}) is None


def test_a_healthy_run_and_a_stale_one():
    assert health.verdict({}, None) == ("healthy", [])
    assert health.verdict({}, "no new articles in 6 consecutive runs") == (
        "unhealthy", ["no new articles in 6 consecutive runs"],
    )  # fmt: skip


# -- the fallback-share monitor, as Spidermon runs it at the end of a crawl ------------------


class Outlet(Spider):
    name = "inqilab"


def monitor_problems(stats: dict, share: float = 0.5) -> list[str]:
    spidermon = {k: v for k, v in vars(project).items() if k.startswith("SPIDERMON_")}
    crawler = get_crawler(Outlet, {**spidermon, "NEWSCRAWL_MAX_FALLBACK_SHARE": share})
    spider = crawler._create_spider()
    crawler.stats.set_value("finish_reason", "finished")
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    SpiderMonitorRunner(spider=spider).run(
        RunHealth(crawler=crawler), stats=crawler.stats.get_stats(), stats_history=[],
        crawler=crawler, spider=spider, job=None,
    )  # fmt: skip
    return [p for p in crawler.stats.get_value(health.PROBLEMS_STAT) if "fallback" in p]


def test_half_the_bodies_from_the_fallback_is_still_healthy():
    stats = {"newscrawl/extraction/body/fallback": 2, "newscrawl/extraction/body/selectors": 2}
    assert monitor_problems(stats) == []


def test_more_than_half_from_the_fallback_is_a_problem():
    stats = {"newscrawl/extraction/body/fallback": 3, "newscrawl/extraction/body/selectors": 2}
    (problem,) = monitor_problems(stats)
    assert problem.endswith("60% of article bodies came from the generic fallback")


def test_a_run_with_one_new_article_is_not_stale():
    assert health.stale_problem(1, [0] * 5, 6) is None


def test_summary_of_empty_stats_is_zeros_and_no_duration():
    summary = health.summarize({})
    assert {k: summary[k] for k in ("pages_fetched", "new_articles", "duplicates", "revisions",
                                    "near_duplicates")} == dict.fromkeys(
        ("pages_fetched", "new_articles", "duplicates", "revisions", "near_duplicates"), 0
    )  # fmt: skip
    assert summary["duration_s"] is None and summary["fill_rates"] == {}


def test_duration_comes_from_start_and_finish_when_not_given():
    start = datetime(2024, 1, 1, 10, 0, 0, tzinfo=UTC)
    finish = start + timedelta(seconds=90.5)
    assert health.summarize({"start_time": start, "finish_time": finish})["duration_s"] == 90.5
    assert health.summarize({"start_time": start})["duration_s"] is None
    assert health.summarize({"finish_time": finish})["duration_s"] is None
    given = {"start_time": start, "finish_time": finish, "elapsed_time_seconds": 3}
    assert health.summarize(given)["duration_s"] == 3


def test_fill_rates_keep_four_decimals():
    stats = {"spidermon_item_scraped_count/Article": 3,
             "spidermon_field_coverage/Article/title": 0.123456}  # fmt: skip
    assert health.fill_rates(stats)["title"] == 0.1235


def test_the_commonest_download_error_names_an_unreachable_site():
    stats = {
        "downloader/request_count": 5,
        "downloader/exception_type_count/builtins.TimeoutError": 4,
        "downloader/exception_type_count/twisted.internet.error.DNSLookupError": 1,
    }
    assert health.unreachable_problem(stats) == "site unreachable: TimeoutError (5 requests)"
    undotted = {"downloader/request_count": 1, "downloader/exception_type_count/Timeout": 1}
    assert health.unreachable_problem(undotted) == "site unreachable: Timeout (1 requests)"
    assert health.unreachable_problem({"downloader/exception_type_count/Timeout": 1}) is None
    assert health.unreachable_problem({"downloader/request_count": 2}) is None


def test_discovery_problems_name_each_kind():
    stats = {"newscrawl/discovery_malformed/feed": 1, "newscrawl/discovery_empty/sitemap": 2,
             "newscrawl/discovery_empty/listing": 1}  # fmt: skip
    assert health.discovery_problem(stats) == (
        "no article found: the discovery documents failed or were unreadable (1 malformed, 3 empty)"
    )
    assert health.discovery_problem({**stats, "item_scraped_count": 1}) is None


def test_a_store_failure_replaces_the_finish_reason_line_only():
    stats = {
        "finish_reason": "store_failed",
        health.PROBLEMS_STAT: ["Finish Reason Monitor: store_failed", "Error Count Monitor: 12"],
        health.SCRAPED_STAT: 2, "newscrawl/store_failed/disk_full": 1,
        health.STORE_ERROR_STAT: "database or disk is full",
        health.LOG_FAILURE_STAT: "log file: No space left on device",
    }  # fmt: skip
    assert health.verdict(stats, None) == ("unhealthy", [
        "Error Count Monitor: 12",
        "2 of 2 scraped articles were not stored (database or disk is full; 1 write(s) failed)",
        "log file: No space left on device",
    ])  # fmt: skip
    finished = {**stats, "finish_reason": "finished"}
    assert health.verdict(finished, None)[1][:2] == stats[health.PROBLEMS_STAT]


def test_a_run_that_found_its_outlet_locked_has_no_verdict():
    stats = {
        "finish_reason": "locked",
        health.PROBLEMS_STAT: ['Finish Reason Monitor: Finished with "locked" the expected ...'],
        health.LOG_FAILURE_STAT: "log file: No space left on device",
    }
    assert health.verdict(stats, "no new articles in 6 consecutive runs") == (None, [])
    assert health.verdict({**stats, "finish_reason": "finished"}, None)[0] == "unhealthy"


def test_a_run_stopped_by_a_signal_says_so_instead_of_its_finish_reason():
    monitor = 'Finish Reason Monitor: Finished with "shutdown" the expected reasons are [...]'
    stats = {
        "finish_reason": "shutdown",
        health.PROBLEMS_STAT: [monitor, "Error Count Monitor: 12"],
        "newscrawl/discovery_failed/listing/http_404": 2,  # nothing discovered yet: stopped
    }
    assert health.verdict(stats, None) == (
        "unhealthy", [health.STOPPED, "Error Count Monitor: 12"]
    )  # fmt: skip
    assert health.verdict({"finish_reason": "shutdown"}, None) == ("unhealthy", [health.STOPPED])
    unreachable = {
        **stats, "downloader/request_count": 3,
        "downloader/exception_type_count/twisted.internet.error.DNSLookupError": 3,
    }  # fmt: skip
    assert health.verdict(unreachable, None)[1] == [
        health.STOPPED, "site unreachable: DNSLookupError (3 requests)"
    ]  # fmt: skip


def test_storage_problem_is_the_lost_articles_or_a_failed_record():
    lost = {health.SCRAPED_STAT: 1}
    assert health.storage_problem(lost).startswith("1 of 1 scraped articles were not stored")
    failed = f"{health.RECORD_FAILED} in /x.db (disk I/O error)"
    assert health.storage_problem({health.PROBLEMS_STAT: ["other", failed]}) == failed
    assert health.storage_problem({health.PROBLEMS_STAT: ["other"]}) is None
    assert health.storage_problem({}) is None
