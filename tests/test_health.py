"""Run health as pure functions of the stats, and the fallback-share monitor run by Spidermon."""

from __future__ import annotations

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
