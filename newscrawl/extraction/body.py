"""The body's paragraph rules, applied to body paragraphs from any layer.

The outlet's own rules (body end, boilerplate, sign-off, byline lead-in) first; for an outlet
that declares no selectors, the lines every Bengali news page prints around an article too.
"""

from __future__ import annotations

import re

from newscrawl import dates, text
from newscrawl.extraction import generic
from newscrawl.extraction.core import Extracted, Outlet
from newscrawl.extraction.markup import plain_text

# Labels a page prints beside the article, never in it.
EDITION_LABEL = re.compile(
    r"(?:প্রিন্ট|অনলাইন|ছাপা|মুদ্রিত|ই-?পেপার)\s*(?:সংস্করণ|ভার্সন)|(?:print|online|e-?paper)\s+"
    r"(?:edition|version)",
    re.I,
)
# A desk's initials closing a Bengali news story ("জেডএস/এমআর", "বিডি প্রতিদিন/এমজেড").
SIGN_OFF = re.compile(r"[\w\u0980-\u09ff ]{0,30}/\s*[\w\u0980-\u09ff]{1,12}(?:\s*/\s*\S{1,12})?")
# Lines around an article: "read more" lead-ins, captions, ad labels, share and tag lines.
PAGE_LINES = re.compile(
    r"(?:আরও|আরো)\s*(?:পড়ুন|পড়ুন|দেখুন)\b[^।]*|(?:ছবি|ফাইল ছবি|ভিডিও|সূত্র ছবি)\s*[:ঃ].{0,120}"
    r"|বিজ্ঞাপন|advertisement"
    r"|(?:শেয়ার|শেয়ার)\s*করুন.{0,40}|share(?:\s+(?:this|on)\b.{0,40})?"
    r"|(?:ট্যাগ|ট্যাগ|tags?)\s*[:ঃ].{0,150}",
    re.I,
)
# Lines a page prints before or after the article ("more news", "follow us", copyright): only
# in its first or last two paragraphs, where a real sentence using the words is rare.
EDGE_LINES = re.compile(
    r"(?:আরও|আরো)\s*খবর\b[^।]*|.{0,100}(?:গুগল নিউজ|google news|ফলো করুন).{0,100}"
    r"|(?:copyright|কপিরাইট|স্বত্ব)\b.{0,100}|©.{0,100}",
    re.I,
)
# What a date line holds besides the date: labels, weekday, time of day, punctuation.
_DATE_WORDS = re.compile(
    "|".join(
        [
            r"\d+(?:ই|লা|রা|ঠা|শে|st|nd|rd|th)?",
            dates.MONTH_OR_WEEKDAY,
            r"প্রকাশ(?:িত|ের সময়|ের সময়)?|আপডেট|হালনাগাদ|সর্বশেষ|সময়|সময়|তারিখ|ইং(?:রেজি)?|খ্রি\S*",
            r"সকাল|ভোর|দুপুর|বিকাল|বিকেল|সন্ধ্যা|সন্ধা|রাত|টা|মিনিট|এ\.?\s?এম|পি\.?\s?এম",
            r"published|updated?|posted|last|on|at|[ap]\.?m\.?|gmt|bst|utc|date|time",
        ]
    ),
    re.I,
)
# "নিজস্ব প্রতিবেদক: ...", "কুড়িগ্রাম প্রতিনিধি: ...": a desk or reporter opening the story.
DESK_LEAD_IN = re.compile(
    r"^(?P<author>(?:\S+\s){0,3}?\S*(?:ডেস্ক|প্রতিবেদক|প্রতিনিধি|সংবাদদাতা|রিপোর্টার))\s*[:ঃ]\s*"
)
DESK_LINE = re.compile(r"(?:\S+\s){0,3}?\S*(?:ডেস্ক|প্রতিবেদক|প্রতিনিধি|সংবাদদাতা|রিপোর্টার)")


def clean_body(paragraphs: list[str], out: Extracted, outlet: Outlet) -> list[str]:
    """Outlet rules applied to body paragraphs from any layer; may set the author from a lead-in."""
    result: list[str] = []
    # The headline, sub-heading and byline line may reappear among paragraphs the fallback found.
    repeated = {text.clean_line(out.values.get(k)) for k in ("title", "subtitle", "author")}
    repeated |= out.not_body
    author = text.clean_line(out.values.get("author")) if not outlet.selectors else ""
    lines = [p for p in (plain_text(raw) if raw else "" for raw in paragraphs) if p]
    for index, para in enumerate(lines):
        edge = min(index, len(lines) - 1 - index)
        if any(pattern.search(para) for pattern in outlet.body_end_patterns):
            break
        if para in repeated or is_date_line(para) or EDITION_LABEL.fullmatch(para):
            continue
        if author and edge == 0 and _is_byline_line(para, author):
            continue  # the byline with a place or title after it: "রহিম উদ্দিন, চাঁদপুর"
        if any(pattern.search(para) for pattern in outlet.boilerplate_patterns):
            continue
        if outlet.sign_off and outlet.sign_off.fullmatch(para):
            continue
        if not outlet.selectors and _generic_boilerplate(para, outlet, edge < 2):
            continue
        result.append(para)
    lead_in = outlet.byline_lead_in or (None if outlet.selectors else DESK_LEAD_IN)
    if len(result) > 1 and not outlet.selectors and DESK_LINE.fullmatch(result[0]):
        # A desk or reporter line opening the body ("নিজস্ব প্রতিবেদক") is the byline.
        out.offer("author", result.pop(0), "body-lead-in")
    if result and lead_in:
        match = lead_in.match(result[0])
        if match and len(result[0]) - match.end() >= 40:
            out.offer("author", text.clean_line(match.group("author")), "body-lead-in")
            result[0] = result[0][match.end() :].strip()
    return generic.collapse_repeats(p for p in result if p)


def _generic_boilerplate(para: str, outlet: Outlet, edge: bool) -> bool:
    """Lines every Bengali news page prints around an article (for outlets with no rules)."""
    if len(para) > 200:
        return False
    if not outlet.sign_off and SIGN_OFF.fullmatch(para):
        return True
    return bool(PAGE_LINES.fullmatch(para) or (edge and EDGE_LINES.fullmatch(para)))


def _is_byline_line(para: str, author: str) -> bool:
    """The author's name with a place or designation after it ("রহিম উদ্দিন, চাঁদপুর"), not a
    sentence opening with the name ("বাসস জানায়, …।")."""
    rest = para[len(author) :] if para.startswith(author) else None
    return rest is not None and len(rest) <= 40 and "।" not in rest


def is_date_line(line: str) -> bool:
    """A line that is a date and little else: labels, weekday, time ("প্রকাশ: ১৫ জানুয়ারি
    ২০২৫, ১০:৩০"), at most a short place ("ঢাকা"); a sentence holding a date is not one."""
    if len(line) >= 100 or "।" in line or dates.parse_dates(line)[0] is None:
        return False
    rest = _DATE_WORDS.sub(" ", dates.normalize_digits(line))
    return len(re.sub(r"[^\w\u0980-\u09ff]+", " ", rest).split()) <= 1
