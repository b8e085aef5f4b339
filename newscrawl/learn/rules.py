"""The text rules a learned spider declares: the ones the generic outlet applies to any page.

An outlet that declares selectors no longer gets the generic outlet's paragraph rules, so a
learned spider names them itself (it can narrow them later): a desk or reporter lead-in is the
byline, a desk's initials closing the story are a sign-off, "read more", caption, share and
copyright lines, and a paragraph that is only a desk's name, are never article text.
"""

from __future__ import annotations

import re

from newscrawl.extraction.body import DESK_LEAD_IN, DESK_LINE, PAGE_LINES, SIGN_OFF

BYLINE_LEAD_IN = DESK_LEAD_IN
# PAGE_LINES, as a boilerplate pattern (searched): the whole paragraph, at most 200 characters;
# or a paragraph that is only a desk or reporter line ("নিজস্ব প্রতিবেদক").
PAGE_LINE = re.compile(
    rf"^(?=.{{0,200}}$)(?:{PAGE_LINES.pattern})$|^(?:{DESK_LINE.pattern})$", re.I | re.S
)

__all__ = ["BYLINE_LEAD_IN", "PAGE_LINE", "SIGN_OFF"]
