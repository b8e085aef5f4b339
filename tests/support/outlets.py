"""The outlet list as the commands print it, derived: adding an outlet changes no test."""

from __future__ import annotations

from scrapy.spiderloader import get_spider_loader

from tests.conftest import project_settings


def known_outlets() -> str:
    """``inqilab, sunnews, ...``: every spider of the checkout, as "(known: ...)" lists them."""
    return ", ".join(sorted(get_spider_loader(project_settings()).list()))
