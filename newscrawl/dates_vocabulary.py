"""The words and patterns of the dates Bengali news outlets print: what ``newscrawl.dates`` reads.

Tables (Bengali digits, Gregorian and Bangla-calendar month names, weekdays, day parts, zone
abbreviations) and the regular expressions built from them, compiled once at import. The rules
that turn a match into a datetime live in ``newscrawl.dates``, which re-exports the public names
here (``DHAKA``, ``normalize_digits``, ``MONTH_OR_WEEKDAY``).
"""

import re
import unicodedata
from datetime import UTC, timedelta, timezone, tzinfo

# Bangladesh keeps UTC+6 all year (its only DST was a trial in the second half of 2009), so a
# fixed offset is right for practically every article we crawl.
DHAKA = timezone(timedelta(hours=6), "Asia/Dhaka")

MIN_YEAR = 1900
MAX_YEAR = 2100

_BENGALI_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def normalize_digits(text: str) -> str:
    """Replace Bengali digits ০-৯ (U+09E6..U+09EF) with ASCII digits; leave the rest alone."""
    return text.translate(_BENGALI_DIGITS)


def nfc(text: str) -> str:
    # Pages mix U+09DF and U+09AF U+09BC for "য়" (likewise ড়/ঢ়). NFC maps both to the
    # two-code-point form because the precomposed letters are composition exclusions, so
    # normalising the input *and* every table entry makes either spelling match.
    return unicodedata.normalize("NFC", text)


def _alternation(words: list[str]) -> str:
    # Longest first so that e.g. "January" wins over "Jan" inside one alternation.
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# --- month tables -------------------------------------------------------------------------

_MONTH_SPELLINGS: dict[int, tuple[str, ...]] = {
    1: ("জানুয়ারি", "জানুয়ারী", "জানুআরি", "january", "jan"),
    2: ("ফেব্রুয়ারি", "ফেব্রুয়ারী", "ফেব্রুআরি", "february", "feb"),
    3: ("মার্চ", "march", "mar"),
    4: ("এপ্রিল", "april", "apr"),
    5: ("মে", "may"),
    6: ("জুন", "june", "jun"),
    7: ("জুলাই", "july", "jul"),
    8: ("আগস্ট", "আগষ্ট", "অগাস্ট", "অগস্ট", "আগাস্ট", "অগাষ্ট", "august", "aug"),
    9: ("সেপ্টেম্বর", "সেপ্টেম্বার", "সেপ্টেমবর", "september", "sept", "sep"),
    10: ("অক্টোবর", "অক্টোবার", "october", "oct"),
    11: ("নভেম্বর", "নভেম্বার", "november", "nov"),
    12: ("ডিসেম্বর", "ডিসেম্বার", "december", "dec"),
}

MONTHS: dict[str, int] = {
    nfc(name): number for number, names in _MONTH_SPELLINGS.items() for name in names
}

# Months of the Bangla calendar: Daily Inqilab's page header prints today's date with them.
_BANGLA_CALENDAR_MONTHS = [
    nfc(m)
    for m in (
        "বৈশাখ",
        "জ্যৈষ্ঠ",
        "জৈষ্ঠ",
        "আষাঢ়",
        "শ্রাবণ",
        "ভাদ্র",
        "আশ্বিন",
        "কার্তিক",
        "কার্ত্তিক",
        "অগ্রহায়ণ",
        "পৌষ",
        "মাঘ",
        "ফাল্গুন",
        "চৈত্র",
    )
]

# --- regular expressions ------------------------------------------------------------------

_BENGALI_BLOCK = "\u0980-\u09ff"
_NOT_LETTER_BEFORE = rf"(?<![A-Za-z{_BENGALI_BLOCK}])"
_NOT_LETTER_AFTER = rf"(?![A-Za-z{_BENGALI_BLOCK}])"

# Whole words only: "মে" (May) must not match inside "মেয়র", nor "Mar" inside "Summary".
_MONTH_RE = rf"{_NOT_LETTER_BEFORE}(?:{_alternation(list(MONTHS))}){_NOT_LETTER_AFTER}\.?"


def _day_re(group: str) -> str:
    # Ordinal endings: ১লা, ২রা, ৪ঠা, ৫ই, ২১শে / 1st, 2nd, 16th.
    return rf"(?<![\d:])(?P<{group}>\d{{1,2}})(?:ই|লা|রা|ঠা|শে|st|nd|rd|th)?"


_YEAR_RE = r"\d{4}(?!\d)"

# The date itself, day-month-year or month-day-year; a year is always required.
CORE_RE = re.compile(
    rf"""
    {_day_re("dmy_day")}[\s.\-/]*(?P<dmy_month>{_MONTH_RE})[\s,.\-/]*(?P<dmy_year>{_YEAR_RE})
    |
    (?P<mdy_month>{_MONTH_RE})[\s\-/]*{_day_re("mdy_day")}(?!\d)[\s,.\-/]*(?P<mdy_year>{_YEAR_RE})
    """,
    re.IGNORECASE | re.VERBOSE,
)

DAY_PART_TO_KEY = {
    nfc("সকাল"): "morning",
    nfc("ভোর"): "morning",
    nfc("দুপুর"): "noon",
    nfc("বিকাল"): "afternoon",
    nfc("বিকেল"): "afternoon",
    nfc("সন্ধ্যা"): "evening",
    nfc("সন্ধা"): "evening",
    nfc("রাত"): "night",
}

# Weekday names sit between a leading time and the date ("১৪:৩৯, শনিবার, ১৬ আগস্ট ২০২৩"), so
# they are dropped before matching.
_WEEKDAYS = ("শনিবার", "রোববার", "রবিবার", "সোমবার", "মঙ্গলবার", "বুধবার", "বৃহস্পতিবার", "শুক্রবার")
# Any month name or weekday a date line may hold, longest first: for rules that tell a line or a
# byline's tail that is only a date from one that says more.
MONTH_OR_WEEKDAY = "|".join(
    [*(re.escape(m) for m in sorted(MONTHS, key=len, reverse=True)), *_WEEKDAYS]
)
WEEKDAY_RE = re.compile(rf"(?:{_alternation([nfc(w) for w in _WEEKDAYS])})\s*,?")

TIME_RE = nfc(
    rf"""
    (?:(?P<part>{_alternation(list(DAY_PART_TO_KEY))})(?:ে|য়)?\s*)?
    (?<![\d:])(?P<hour>\d{{1,2}})
    (?:
        \s*:\s*(?P<minute>\d{{2}})(?:\s*:\s*(?P<second>\d{{2}})(?:[.,]\d+)?)?
      | \s*টা(?:য়)?(?:\s*(?P<word_minute>\d{{1,2}})\s*মিনিট(?:ে)?)?
    )?
    (?!\d)
    (?:\s*(?P<ampm>এ\.?\s?এম|পি\.?\s?এম|[ap]\.?m)\.?{_NOT_LETTER_AFTER})?
    """
)
# A time printed before the date ("১৪:৩৯, আগস্ট ১৬, ২০২৩"): it must end right before it.
LEADING_TIME_RE = re.compile(rf"{TIME_RE}\s*,?\s*$", re.IGNORECASE | re.VERBOSE)
# A zone printed after a time, perhaps in parentheses. Case-sensitive, or every English word
# ending in "t" would look like a zone abbreviation. After UTC/GMT everything up to the next space
# is taken ("GMT+530", "UTC+6", "GMT +05:30", "GMT+ab"), so that OFFSET_RE can refuse what is
# not an offset rather than leave it unread and the time read in the default zone.
_ZONE_RE = r"""
    (?-i:\(?(?P<zone>
        (?:UTC|GMT)(?:\s?[+-]\s?[0-9A-Za-z:.]*)?
      | [+-](?:\d{1,2}:\d{2}|\d{3,4}|\d{2})(?![\d:])
      | Z | UT | [A-Z][A-Za-z]{1,3}T
    )(?![A-Za-z])\)?)
"""
# The offset of a zone, once "UTC"/"GMT" is taken off: +6, +06, +530, +0530, +5:30, +05:30, -3.
OFFSET_RE = re.compile(r"(?P<sign>[+-])\s?(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?")
# Clocks on Earth run from UTC-12 to UTC+14; an offset beyond that is a typo or garbage.
MAX_OFFSET = timedelta(hours=14)
# A time printed after the date; one comma or pipe may sit in between ("২০২৩ | ০৮:৩৯").
TRAILING_TIME_RE = re.compile(
    rf"\s*[,|]?\s*(?:at\s+)?{TIME_RE}(?:\s*{_ZONE_RE})?", re.IGNORECASE | re.VERBOSE
)

ISO_RE = re.compile(
    rf"""
    (?<!\d)(?P<year>\d{{4}})-(?P<month>\d{{2}})-(?P<day>\d{{2}})
    (?:[T\s](?P<hour>\d{{2}}):(?P<minute>\d{{2}})(?::(?P<second>\d{{2}})(?:[.,](?P<fraction>\d+))?)?
       (?:\s*{_ZONE_RE})?
    )?
    (?![\d:])
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Only strings that look exactly like an RSS pubDate go to email.utils. It returns an unknown
# zone name as a naive datetime that would pass for Dhaka time, so the names allowed here are
# the ones it understands; other zones take the textual path, which refuses unknown ones.
RFC822_RE = re.compile(
    r"""
    ^(?:[a-z]{3},?\s*)?\d{1,2}\s+[a-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?
    (?:\s+(?P<zone>[+-]\d{4}|GMT|UTC?|Z|[ECMP][SD]T))?\s*$
    """,
    re.IGNORECASE | re.VERBOSE,
)

HEADER_MONTH_RE = re.compile(_alternation(_BANGLA_CALENDAR_MONTHS))
HEADER_YEAR_RE = re.compile(r"(?<!\d)1[34]\d{2}(?!\d)")

UPDATE_LABEL_RE = re.compile(nfc(r"আপডেট|হালনাগাদ|updated?"), re.IGNORECASE)

# Zero-width (non-)joiners and BOMs are invisible noise inside scraped dates.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


# Abbreviations Bengali outlets print. On a Bangladeshi page "BST" is Bangladesh Standard Time
# (bdnews24 writes "BdST"); Indian outlets print IST. Anything else is refused, not guessed.
NAMED_ZONES: dict[str, tzinfo] = {
    "Z": UTC,
    "UT": UTC,
    "UTC": UTC,
    "GMT": UTC,
    "BST": DHAKA,
    "BDST": DHAKA,
    "BDT": DHAKA,
    "IST": timezone(timedelta(hours=5, minutes=30), "Asia/Kolkata"),
}
