"""Per-run health checks, as Spidermon monitors run when each outlet's crawl closes.

Spidermon supplies the field coverage stats and the error, finish-reason and coverage monitors;
newscrawl adds one monitor (most pages fell to the generic fallback: the layout changed) and an
action that leaves the failures in the crawl stats, where the store records them with the run
and ``scrapy crawlall`` turns them into its exit status.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy import Item
from scrapy.statscollectors import StatsCollector
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.extensions import Spidermon
from spidermon.contrib.scrapy.monitors import (
    ErrorCountMonitor,
    FieldCoverageMonitor,
    FinishReasonMonitor,
)
from spidermon.core.actions import Action

from newscrawl.health import FINISH_REASON_CHECK, NO_VERDICT_REASONS, PROBLEMS_STAT, STOPPED

ITEM_COUNT = "spidermon_item_scraped_count"


class Monitoring(Spidermon):
    """Spidermon, with the per-item counting its field coverage needs done in one quick pass.

    Spidermon counts every filled field of every item (``spidermon_item_scraped_count/Article/
    title``, nested dicts too) and reads its six coverage settings again for each item, each
    count a call through the stats collector's wrappers: ~0.1 ms an article, more than SQLite
    needs to store it. This gives the same counts, in the same order, reading the settings
    once. Settings this pass does not know (list items counted, nesting levels per field or
    bounded) leave the counting to Spidermon.
    """

    _rules: tuple[bool, bool, dict[type, Any]] | None = None
    _plain = False

    def spider_closed(self, spider, reason: str | None = None):
        """Judge the run, unless it did nothing (it found its outlet locked): no verdict then."""
        if reason not in NO_VERDICT_REASONS:
            return super().spider_closed(spider)
        for task in self.periodic_tasks.get(spider, ()):
            task.stop()
        return None

    def item_scraped(self, item, response, spider):
        if self._rules is None and not self._read_rules():
            return super().item_scraped(item, response, spider)
        keys = [ITEM_COUNT, f"{ITEM_COUNT}/{type(item).__name__}"]
        self._field_keys(item, keys[1], keys)
        stats = self.crawler.stats
        if not self._plain:
            for key in keys:
                stats.inc_value(key)
            return None
        counts = stats.get_stats()  # the collector's own dict: Spidermon writes to it too
        for key in keys:
            counts[key] = counts.setdefault(key, 0) + 1
        return None

    def _read_rules(self) -> bool:
        settings = self.crawler.settings
        if settings.getint("SPIDERMON_LIST_FIELDS_COVERAGE_LEVELS", 0) > 0:
            return False
        levels = settings.get("SPIDERMON_DICT_FIELDS_COVERAGE_LEVELS", -1)
        if isinstance(levels, dict) or int(levels) != -1:
            return False
        skip: dict[type, Any] = {}
        for value in self._get_skip_values_list(settings):
            skip.setdefault(type(value), []).append(value)
        if str in skip:  # "" "N/A" "-": equal strings hash alike, a set answers at once
            skip[str] = frozenset(skip[str])
        self._rules = (
            settings.getbool("SPIDERMON_FIELD_COVERAGE_SKIP_NONE", False),
            settings.getbool("SPIDERMON_FIELD_COVERAGE_SKIP_FALSY", True),
            skip,
        )
        # The stock collectors keep their counts in the dict get_stats() returns, and count
        # with nothing else to do: add to it at once, past the wrappers of each call.
        stats_class = type(self.crawler.stats)
        self._plain = (
            stats_class.inc_value is StatsCollector.inc_value
            and stats_class.get_stats is StatsCollector.get_stats
        )
        return True

    def _field_keys(self, item: Any, prefix: str, keys: list[str]) -> None:
        """Spidermon's ``_count_item`` with every dict level counted and no list items."""
        skip_none, skip_falsy, skip = self._rules
        # A dict or a Scrapy Item is what ItemAdapter reads by iterating it: read at once.
        plain = type(item) is dict or isinstance(item, Item)
        for name, value in item.items() if plain else ItemAdapter(item).items():
            if value is None:
                if skip_none:
                    continue
            elif skip_falsy and not value:
                continue
            same_type = skip.get(type(value))
            if same_type is None:
                pass
            elif type(same_type) is frozenset:
                if value in same_type:
                    continue
            elif any(value == candidate for candidate in same_type):
                continue
            key = f"{prefix}/{name}"
            keys.append(key)
            if isinstance(value, dict):
                self._field_keys(value, key, keys)


@monitors.name("Extraction layers")
class FallbackShareMonitor(Monitor):
    longMessage = False  # the message below says it all

    @monitors.name("Most article bodies did not come from the generic fallback")
    def test_fallback_share(self):
        stats = self.data.stats
        articles = sum(v for k, v in stats.items() if k.startswith("newscrawl/extraction/body/"))
        fallback = stats.get("newscrawl/extraction/body/fallback", 0)
        limit = self.data.crawler.settings.getfloat("NEWSCRAWL_MAX_FALLBACK_SHARE", 0.5)
        share = fallback / articles if articles else 0.0
        self.assertLessEqual(
            share, limit, f"{share:.0%} of article bodies came from the generic fallback"
        )


@monitors.name(FINISH_REASON_CHECK)
class StoppedOrFinishedMonitor(FinishReasonMonitor):
    """Spidermon's finish-reason check, saying plainly when a signal stopped the run."""

    longMessage = False

    @monitors.name("Should have the expected finished reason(s)")
    def test_should_finish_with_expected_reason(self):
        if self.stats.get("finish_reason") == "shutdown":
            self.fail(STOPPED)
        super().test_should_finish_with_expected_reason()


@monitors.name("Spider code")
class SpiderExceptionMonitor(Monitor):
    longMessage = False

    @monitors.name("No exception was raised in the spider's code")
    def test_no_spider_exceptions(self):
        raised = {k.split("/", 1)[1]: v for k, v in self.data.stats.items()
                  if k.startswith("spider_exceptions/")}  # fmt: skip
        self.assertFalse(raised, f"spider exceptions: {raised}")


class RecordProblems(Action):
    """Leave one line per failed check in the stats (``newscrawl/health/problems``)."""

    def run_action(self):
        problems = [
            f"{result.item.monitor_name}: {_first_line(result.reason)}"
            for result in self.result.monitors_failed_results
        ]
        self.data.crawler.stats.set_value(PROBLEMS_STAT, problems)


def _first_line(reason: object) -> str:
    text = str(reason or "failed").strip()
    return text.splitlines()[-1] if text else "failed"


class RunHealth(MonitorSuite):
    monitors = [  # noqa: RUF012 - Spidermon's declared API
        ErrorCountMonitor,
        StoppedOrFinishedMonitor,
        FieldCoverageMonitor,
        FallbackShareMonitor,
        SpiderExceptionMonitor,
    ]
    monitors_finished_actions = [RecordProblems]  # noqa: RUF012
