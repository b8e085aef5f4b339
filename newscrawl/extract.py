"""Layered article extraction: see ``newscrawl.extraction`` (this name stays for its users)."""

from newscrawl.extraction import *  # noqa: F403
from newscrawl.extraction import __all__  # noqa: F401
