"""Per-run health checks, as Spidermon monitors run when each outlet's crawl closes.

Spidermon supplies the field coverage stats and the error, finish-reason and coverage monitors;
newscrawl adds one monitor (most pages fell to the generic fallback: the layout changed) and an
action that leaves the failures in the crawl stats, where the store records them with the run
and ``scrapy crawlall`` turns them into its exit status.
"""

from __future__ import annotations

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import (
    ErrorCountMonitor,
    FieldCoverageMonitor,
    FinishReasonMonitor,
)
from spidermon.core.actions import Action

from newscrawl.health import PROBLEMS_STAT


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
        FinishReasonMonitor,
        FieldCoverageMonitor,
        FallbackShareMonitor,
        SpiderExceptionMonitor,
    ]
    monitors_finished_actions = [RecordProblems]  # noqa: RUF012
