"""The crawl's stats collector: Scrapy's MemoryStatsCollector, with plain method look-ups."""

from __future__ import annotations

import random
import warnings

import pytest
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.statscollectors import MemoryStatsCollector, StatsCollector
from scrapy.utils.test import get_crawler

from newscrawl.extensions import QuickStatsCollector
from newscrawl.monitors import Monitoring


class Spider:
    name = "inqilab"


def operations(seed: int) -> list[tuple[str, tuple, dict]]:
    rng = random.Random(seed)
    keys = ["a", "b/c", "newscrawl/extraction/title/meta", "d"]
    found = []
    for _ in range(300):
        key = rng.choice(keys)
        found.append(rng.choice([
            ("inc_value", (key,), {}),
            ("inc_value", (key, rng.randint(-3, 3)), {}),
            ("inc_value", (key,), {"count": 2, "start": 10}),
            ("set_value", (key, rng.randint(0, 9)), {}),
            ("max_value", (key, rng.randint(0, 20)), {}),
            ("min_value", (key, rng.randint(0, 20)), {}),
            ("get_value", (key,), {}),
            ("get_value", ("missing", "default"), {}),
        ]))  # fmt: skip
    return found


@pytest.mark.parametrize("seed", range(5))
def test_the_same_calls_give_the_same_stats_as_scrapys_collector(seed):
    collectors = []
    for cls in (MemoryStatsCollector, QuickStatsCollector):
        crawler = get_crawler(settings_dict={"STATS_DUMP": False})
        crawler.spider = Spider()
        stats = cls(crawler)
        stats.open_spider()
        answers = [getattr(stats, name)(*args, **kw) for name, args, kw in operations(seed)]
        snapshot = dict(stats.get_stats())
        stats.set_stats({"x": 1, **snapshot})
        stats.close_spider(reason="finished")
        collectors.append((answers, snapshot, stats.get_stats(), stats.spider_stats))
        stats.clear_stats()
        assert stats.get_stats() == {}
    assert collectors[0] == collectors[1]


@pytest.mark.parametrize(
    ("name", "args"),
    [("inc_value", ("k",)), ("get_value", ("k",)), ("set_value", ("k", 1)),
     ("max_value", ("k", 1)), ("min_value", ("k", 1)), ("get_stats", ())],
)  # fmt: skip
def test_a_spider_argument_still_warns_as_scrapy_warns(name, args):
    stats = QuickStatsCollector(get_crawler())
    with pytest.warns(ScrapyDeprecationWarning, match=f"{name}\\(\\) is deprecated"):
        getattr(stats, name)(*args, spider=Spider())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(stats, name)(*args)


def test_the_crawl_uses_it_with_plain_look_ups_and_monitoring_still_counts_at_once():
    from newscrawl import settings as project
    from newscrawl.spiders.inqilab import InqilabSpider

    crawler = get_crawler(InqilabSpider, {k: v for k, v in vars(project).items() if k.isupper()})
    stats = crawler.stats
    assert type(stats) is QuickStatsCollector
    # The speed path: no Python __getattribute__, the wrapped methods on the instance.
    assert type(stats).__getattribute__ is object.__getattribute__
    assert {"inc_value", "get_value", "get_stats"} <= vars(stats).keys()
    # Monitoring's one-pass counting writes into the collector's dict only for stock ones.
    assert type(stats).inc_value is StatsCollector.inc_value
    assert type(stats).get_stats is StatsCollector.get_stats
    monitoring = Monitoring.from_crawler(crawler)
    assert monitoring._read_rules() and monitoring._plain
