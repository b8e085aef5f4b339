"""The reactor of in-process tests that drive a real crawler (its engine, download slots, the
store pipeline's timers): Scrapy's asyncio reactor, installed once per test process.

A test module imports the fixture to use it: it applies to every test of that module.
"""

from __future__ import annotations

import pytest
from scrapy.utils.reactor import install_reactor, is_reactor_installed

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


@pytest.fixture(scope="module", autouse=True)
def asyncio_reactor() -> None:
    if not is_reactor_installed():
        install_reactor(ASYNCIO_REACTOR)
