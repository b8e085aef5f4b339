"""Tests for newscrawl.dates: every date form Bengali outlets print, and the traps around them."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newscrawl.dates import (
    DHAKA,
    is_header_date_line,
    normalize_digits,
    parse_date,
    parse_dates,
    to_iso,
)

# "য়" is printed both ways, sometimes on one page.
Y_PRECOMPOSED = "\u09df"
Y_DECOMPOSED = "\u09af\u09bc"

INQILAB_SAME = "১৬ আগস্ট ২০২৩, ০৮:৩৯ এএম | আপডেট: ১৬ আগস্ট ২০২৩, ০৮:৩৯ এএম"
INQILAB_MIDNIGHT = "০১ সেপ্টেম্বর ২০২৩, ০৯:২১ পিএম | আপডেট: ০২ সেপ্টেম্বর ২০২৩, ১২:০১ এএম"
INQILAB_TWO_MONTHS = "১২ ফেব্রুয়ারি ২০২৩, ০৮:১৬ এএম | আপডেট: ৩০ এপ্রিল ২০২৩, ১০:৫৫ পিএম"
HEADER_LINES = [
    "শুক্রবার, ২২ নভেম্বর ২০২৪ | ৮ অগ্রহায়ণ ১৪৩১",
    "ঢাকা   মঙ্গলবার, ২১ জানুয়ারি ২০২৫ | ৭ মাঘ ১৪৩১",
    "ঢাকা বুধবার, ১৪ এপ্রিল ২০২১ | ১ বৈশাখ ১৪২৮",
    "২২ নভেম্বর ২০২৪ | ৮ অগ্রহায়ণ ১৪৩১ | ১৯ জমাদিউল আউয়াল ১৪৪৬",
]


def dhaka(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DHAKA)


def assert_same(actual: datetime | None, expected: datetime | None) -> None:
    """Same instant *and* same UTC offset: a converted datetime would compare equal otherwise."""
    assert actual == expected
    if expected is not None:
        assert actual is not None
        assert actual.utcoffset() == expected.utcoffset()


# --- normalize_digits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("০১২৩৪৫৬৭৮৯", "0123456789"),
        ("১৬ আগস্ট ২০২৩", "16 আগস্ট 2023"),
        ("০৮:৩৯ এএম", "08:39 এএম"),
        ("already 2023", "already 2023"),
        ("", ""),
    ],
)
def test_normalize_digits(text: str, expected: str) -> None:
    assert normalize_digits(text) == expected


# --- Bengali and English text forms ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Daily Inqilab, current layout
        ("১৬ আগস্ট ২০২৩, ০৮:৩৯ এএম", dhaka(2023, 8, 16, 8, 39)),
        ("৩০ নভেম্বর ২০২৪, ০৭:৩৫ পিএম", dhaka(2024, 11, 30, 19, 35)),
        ("০১ সেপ্টেম্বর ২০২৩, ০৯:২১ পিএম", dhaka(2023, 9, 1, 21, 21)),
        (INQILAB_SAME, dhaka(2023, 8, 16, 8, 39)),
        (INQILAB_TWO_MONTHS, dhaka(2023, 2, 12, 8, 16)),
        # Daily Inqilab, old layout: label in front, comma after the month
        ("প্রকাশের সময় : ২৭ জুন, ২০১৯, ১২:৩৭ এএম", dhaka(2019, 6, 27, 0, 37)),
        # the date inside surrounding text
        ("Daily Inqilab অনলাইন ডেস্ক ১৬ আগস্ট ২০২৩, ০৮:৩৯ এএম", dhaka(2023, 8, 16, 8, 39)),
        ("ঢাকা, ১৬ আগস্ট ২০২৩ (বাসস) : প্রধানমন্ত্রী বলেছেন", dhaka(2023, 8, 16)),
        # a date without a time is midnight in Dhaka
        ("১৬ আগস্ট ২০২৩", dhaka(2023, 8, 16)),
        # a bare number after the date is not a time
        ("১৬ আগস্ট ২০২৩ ১০ জন নিহত", dhaka(2023, 8, 16)),
        # ASCII digits, mixed digits, no spaces, seconds, a space after the colon
        ("16 আগস্ট 2023, 08:39 পিএম", dhaka(2023, 8, 16, 20, 39)),
        ("১৬আগস্ট২০২৩", dhaka(2023, 8, 16)),
        ("১৬ আগস্ট ২০২৩, ২০:৩৯:৫৯", datetime(2023, 8, 16, 20, 39, 59, tzinfo=DHAKA)),
        ("১৬ আগস্ট ২০২৩, ২০: ৩৯", dhaka(2023, 8, 16, 20, 39)),
        # the time printed before the date (Bangla Tribune)
        ("প্রকাশিত: ১৪:৩৯, আগস্ট ১৬, ২০২৩", dhaka(2023, 8, 16, 14, 39)),
        ("০৮:৩৯ পিএম, ১৬ আগস্ট ২০২৩", dhaka(2023, 8, 16, 20, 39)),
        ("১৪:৩৯, শনিবার, ১৬ আগস্ট ২০২৩", dhaka(2023, 8, 16, 14, 39)),
        # a pipe between the date and the time (Samakal)
        ("প্রকাশ: ১৬ আগস্ট ২০২৩ | ০৮:৩৯ পিএম", dhaka(2023, 8, 16, 20, 39)),
        # visarga typed for a colon
        ("প্রকাশঃ ১৬ আগস্ট ২০২৩, ০৮ঃ৩৯", dhaka(2023, 8, 16, 8, 39)),
        # ordinal day endings
        ("২১শে ফেব্রুয়ারি ২০২৪", dhaka(2024, 2, 21)),
        ("১লা বৈশাখের আগে ১লা মে ২০২৪", dhaka(2024, 5, 1)),
        ("16th August 2023", dhaka(2023, 8, 16)),
        # English month names, day-month and month-day
        ("16 August 2023, 08:39 PM", dhaka(2023, 8, 16, 20, 39)),
        ("Aug 16, 2023 8:39 p.m.", dhaka(2023, 8, 16, 20, 39)),
        ("Sept. 5, 2023", dhaka(2023, 9, 5)),
        ("16-Aug-2023", dhaka(2023, 8, 16)),
        ("jan 5 2024 10:15 am", dhaka(2024, 1, 5, 10, 15)),
    ],
)
def test_parse_date_text_forms(text: str, expected: datetime) -> None:
    assert_same(parse_date(text), expected)


@pytest.mark.parametrize(
    "label",
    [
        "আপডেট:",
        "আপডেট :",
        "প্রকাশ:",
        "প্রকাশ :",
        "প্রকাশিত:",
        "প্রকাশিত :",
        "প্রকাশের সময় :",
        "হালনাগাদ:",
    ],
)
def test_parse_date_ignores_labels(label: str) -> None:
    assert_same(parse_date(f"{label} ১৬ আগস্ট ২০২৩, ০৮:৩৯ পিএম"), dhaka(2023, 8, 16, 20, 39))


@pytest.mark.parametrize(
    "weekday",
    ["শনিবার", "রোববার", "রবিবার", "সোমবার", "মঙ্গলবার", "বুধবার", "বৃহস্পতিবার", "শুক্রবার"],
)
@pytest.mark.parametrize("separator", [", ", " "])
def test_parse_date_ignores_weekday(weekday: str, separator: str) -> None:
    text = f"{weekday}{separator}১৬ আগস্ট ২০২৩, ১০:৫৫ এএম"
    assert_same(parse_date(text), dhaka(2023, 8, 16, 10, 55))


@pytest.mark.parametrize(
    ("month_name", "month"),
    [
        ("জানুয়ারি", 1),
        ("জানুয়ারী", 1),
        ("ফেব্রুয়ারি", 2),
        ("ফেব্রুয়ারী", 2),
        ("মার্চ", 3),
        ("এপ্রিল", 4),
        ("মে", 5),
        ("জুন", 6),
        ("জুলাই", 7),
        ("আগস্ট", 8),
        ("আগষ্ট", 8),
        ("অগাস্ট", 8),
        ("অগস্ট", 8),
        ("সেপ্টেম্বর", 9),
        ("সেপ্টেম্বার", 9),
        ("অক্টোবর", 10),
        ("নভেম্বর", 11),
        ("ডিসেম্বর", 12),
        ("ডিসেম্বার", 12),
        ("January", 1),
        ("Jan", 1),
        ("february", 2),
        ("MAR", 3),
        ("May", 5),
        ("Sep", 9),
        ("December", 12),
    ],
)
def test_parse_date_month_names(month_name: str, month: int) -> None:
    assert_same(parse_date(f"১১ {month_name} ২০২২"), dhaka(2022, month, 11))


@pytest.mark.parametrize("ya", [Y_PRECOMPOSED, Y_DECOMPOSED])
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("২৮ জানু{ya}ারি ২০২৪", dhaka(2024, 1, 28)),
        ("২৮ ফেব্রু{ya}ারী ২০২৪", dhaka(2024, 2, 28)),
        ("প্রকাশের সম{ya} : ২৭ জুন, ২০১৯, ১২:৩৭ এএম", dhaka(2019, 6, 27, 0, 37)),
        ("সন্ধ্যা{ya} ৭টা, ১৬ আগস্ট ২০২৩", dhaka(2023, 8, 16, 19, 0)),
    ],
)
def test_both_encodings_of_ya(ya: str, template: str, expected: datetime) -> None:
    text = template.format(ya=ya)
    assert ya in text
    assert_same(parse_date(text), expected)


def test_precomposed_ya_string_really_differs() -> None:
    # Guards the test above: the two spellings must not be the same code points.
    assert f"জানু{Y_PRECOMPOSED}ারি" != f"জানু{Y_DECOMPOSED}ারি"
    assert "\u09df" in f"জানু{Y_PRECOMPOSED}ারি"


@pytest.mark.parametrize(
    ("time_text", "hour", "minute"),
    [
        ("১২:০১ এএম", 0, 1),
        ("১২:০০ এএম", 0, 0),
        ("১২:৩৭ এএম", 0, 37),
        ("১২:০০ পিএম", 12, 0),
        ("১২:৩০ পিএম", 12, 30),
        ("১১:৫৯ পিএম", 23, 59),
        ("০১:০০ এএম", 1, 0),
        ("০১:০০ পিএম", 13, 0),
        ("12:01 AM", 0, 1),
        ("12:01 PM", 12, 1),
        ("12:01 am", 0, 1),
        ("12:01 pm", 12, 1),
        ("১২:০১ এ.এম.", 0, 1),
        # a 24-hour reading with a stray PM or AM
        ("২০:৩৯ পিএম", 20, 39),
        ("০০:৩০ এএম", 0, 30),
    ],
)
def test_twelve_hour_clock(time_text: str, hour: int, minute: int) -> None:
    assert_same(parse_date(f"১৬ আগস্ট ২০২৩, {time_text}"), dhaka(2023, 8, 16, hour, minute))


@pytest.mark.parametrize(
    ("time_text", "hour", "minute"),
    [
        ("সকাল ৯:১৫", 9, 15),
        ("সকাল ১১টা", 11, 0),
        ("ভোর ৫টা", 5, 0),
        ("দুপুর ১২টা", 12, 0),
        ("দুপুর ১:৩০", 13, 30),
        ("দুপুর ৩টা", 15, 0),
        ("বিকাল ৩টা ২০ মিনিট", 15, 20),
        ("বিকেল ৪:০৫", 16, 5),
        ("বিকাল ৩টা", 15, 0),
        ("সন্ধ্যা ৭টা", 19, 0),
        ("সন্ধ্যা ৬:৪৫", 18, 45),
        ("রাত ১০:৩০", 22, 30),
        ("রাত ৮টা", 20, 0),
        ("রাত ১২টা", 0, 0),
        ("রাত ১২:১৫", 0, 15),
        ("রাত ২টা", 2, 0),
        ("রাত ৪:১০", 4, 10),
        ("রাতে ৯টায়", 21, 0),
        # AM/PM wins over the day-part word
        ("রাত ১০:৩০ পিএম", 22, 30),
        # already a 24-hour reading
        ("রাত ২৩:১০", 23, 10),
    ],
)
def test_day_part_words(time_text: str, hour: int, minute: int) -> None:
    assert_same(parse_date(f"১৬ আগস্ট ২০২৩, {time_text}"), dhaka(2023, 8, 16, hour, minute))


def test_day_part_time_before_the_date() -> None:
    assert_same(parse_date("রাত ১০:৩০, ১৬ আগস্ট ২০২৩"), dhaka(2023, 8, 16, 22, 30))


# --- ISO 8601 and RFC 822 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected_iso"),
    [
        ("2023-08-16T08:39:00+06:00", "2023-08-16T08:39:00+06:00"),
        # a given offset is kept, not converted to Dhaka time
        ("2023-08-16T02:39:00Z", "2023-08-16T02:39:00+00:00"),
        ("2023-08-16T08:39:00+05:30", "2023-08-16T08:39:00+05:30"),
        ("2023-08-16T08:39:00+0600", "2023-08-16T08:39:00+06:00"),
        ("2023-08-16T08:39:00.123456+06:00", "2023-08-16T08:39:00+06:00"),
        ("2023-08-16 08:39:00 UTC", "2023-08-16T08:39:00+00:00"),
        # no offset: default_tz
        ("2023-08-16 08:39:00", "2023-08-16T08:39:00+06:00"),
        ("2023-08-16T08:39", "2023-08-16T08:39:00+06:00"),
        ("2023-08-16", "2023-08-16T00:00:00+06:00"),
        # Bengali digits and surrounding text
        ("প্রকাশিত: ২০২৩-০৮-১৬", "2023-08-16T00:00:00+06:00"),
        ('"datePublished": "2023-08-16T08:39:00+06:00"', "2023-08-16T08:39:00+06:00"),
    ],
)
def test_parse_date_iso_8601(text: str, expected_iso: str) -> None:
    assert to_iso(parse_date(text)) == expected_iso


def test_parse_date_iso_keeps_utc_offset() -> None:
    parsed = parse_date("2023-08-16T02:39:00Z")
    assert parsed == dhaka(2023, 8, 16, 8, 39)
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("text", "expected_iso"),
    [
        ("Wed, 16 Aug 2023 08:39:00 +0600", "2023-08-16T08:39:00+06:00"),
        ("Wed, 16 Aug 2023 02:39:00 GMT", "2023-08-16T02:39:00+00:00"),
        ("Wed, 16 Aug 2023 08:39:00 -0000", "2023-08-16T08:39:00+00:00"),
        ("Wed, 16 Aug 2023 08:39:00 EDT", "2023-08-16T08:39:00-04:00"),
        ("  Wed, 16 Aug 2023 08:39:00 +0600\n", "2023-08-16T08:39:00+06:00"),
        ("16 Aug 2023 08:39:00 +0600", "2023-08-16T08:39:00+06:00"),
        # no zone: default_tz
        ("Wed, 16 Aug 2023 08:39:00", "2023-08-16T08:39:00+06:00"),
    ],
)
def test_parse_date_rfc_822(text: str, expected_iso: str) -> None:
    assert to_iso(parse_date(text)) == expected_iso


@pytest.mark.parametrize(
    ("text", "expected_iso"),
    [
        ("16 Aug 2023 08:39 PM BdST", "2023-08-16T20:39:00+06:00"),
        ("16 Aug 2023 08:39 BST", "2023-08-16T08:39:00+06:00"),
        ("Aug 16, 2023 08:39 PM GMT+6", "2023-08-16T20:39:00+06:00"),
        ("১৬ আগস্ট ২০২৩, ০৮:৩৯ IST", "2023-08-16T08:39:00+05:30"),
        ("১৬ আগস্ট ২০২৩, ০৮:৩৯ +05:30", "2023-08-16T08:39:00+05:30"),
    ],
)
def test_parse_date_text_with_zone(text: str, expected_iso: str) -> None:
    assert to_iso(parse_date(text)) == expected_iso


def test_default_tz_applies_only_without_offset() -> None:
    assert_same(
        parse_date("১৬ আগস্ট ২০২৩, ০৮:৩৯ এএম", default_tz=UTC),
        datetime(2023, 8, 16, 8, 39, tzinfo=UTC),
    )
    assert_same(
        parse_date("2023-08-16 08:39:00", default_tz=UTC),
        datetime(2023, 8, 16, 8, 39, tzinfo=UTC),
    )
    assert to_iso(parse_date("2023-08-16T08:39:00+06:00", default_tz=UTC)) == (
        "2023-08-16T08:39:00+06:00"
    )


# --- None, never a wrong date ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "garbage",
        "কোনো তারিখ নেই",
        # weekday + day + month with no year: no year may be invented
        "সোমবার (১৫ অগাস্ট)",
        "১৫ অগাস্ট",
        "১৫ অগাস্ট সোমবার",
        "১৬ আগস্ট ২৩",
        # impossible dates and times
        "৩১ ফেব্রুয়ারি ২০২৩",
        "২৯ ফেব্রুয়ারি ২০২৩",
        "৩১ এপ্রিল ২০২৩, ১০:০০ এএম",
        "১৬ আগস্ট ২০২৩, ২৫:০০",
        "১৬ আগস্ট ২০২৩, ১০:৬১",
        "১৬ আগস্ট ২০২৩, ১৩:০০ এএম",
        "2023-02-30",
        "2023-13-01",
        "2023-08-16T25:39:00",
        "2023-08-16T08:39:00+25:00",
        "Wed, 31 Feb 2023 08:39:00 +0600",
        # years outside 1900..2100
        "১৬ আগস্ট ১৮৯৯",
        "১৬ আগস্ট ২১০১",
        "2101-01-01",
        "Wed, 16 Aug 1899 08:39:00 +0600",
        # a Bengali word that starts like a month ("মে") is not one
        "১৬ মেয়র ২০২৩",
        "১২ আমে ২০২৩",
        "Dismay 5, 2023",
        # a zone we do not know is refused rather than read as Dhaka time
        "16 Aug 2023 08:39 AEST",
        # the first date decides; an impossible one is not skipped for a later one
        "৩১ ফেব্রুয়ারি ২০২৩ | আপডেট: ১ মার্চ ২০২৩",
    ],
)
def test_parse_date_returns_none(text: str | None) -> None:
    assert parse_date(text) is None


def test_leap_day_is_valid_in_a_leap_year() -> None:
    assert_same(parse_date("২৯ ফেব্রুয়ারি ২০২৪"), dhaka(2024, 2, 29))


# --- the page-header trap -------------------------------------------------------------------


@pytest.mark.parametrize("text", HEADER_LINES)
def test_header_line_is_never_an_article_date(text: str) -> None:
    assert is_header_date_line(text) is True
    assert parse_date(text) is None
    assert parse_dates(text) == (None, None)


@pytest.mark.parametrize("ya", [Y_PRECOMPOSED, Y_DECOMPOSED])
def test_header_line_with_either_ya(ya: str) -> None:
    text = f"শুক্রবার, ২২ নভেম্বর ২০২৪ | ৮ অগ্রহা{ya}ণ ১৪৩১"
    assert is_header_date_line(text) is True
    assert parse_date(text) is None


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        INQILAB_SAME,
        "শুক্রবার, ২২ নভেম্বর ২০২৪",
        # a Bangla month without a 13xx/14xx year, and such a year without a Bangla month
        "মাঘ মাসের শীত, ১৬ আগস্ট ২০২৩",
        "১৪৩০ জন, ১৬ আগস্ট ২০২৩",
    ],
)
def test_not_a_header_line(text: str | None) -> None:
    assert is_header_date_line(text) is False


# --- parse_dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "updated"),
    [
        (INQILAB_SAME, dhaka(2023, 8, 16, 8, 39), dhaka(2023, 8, 16, 8, 39)),
        (INQILAB_MIDNIGHT, dhaka(2023, 9, 1, 21, 21), dhaka(2023, 9, 2, 0, 1)),
        (INQILAB_TWO_MONTHS, dhaka(2023, 2, 12, 8, 16), dhaka(2023, 4, 30, 22, 55)),
        (
            "প্রকাশ : ১৬ আগস্ট ২০২৩, ০৮:৩৯ পিএম | আপডেট : ১৭ আগস্ট ২০২৩, ০১:০৫ এএম",
            dhaka(2023, 8, 16, 20, 39),
            dhaka(2023, 8, 17, 1, 5),
        ),
        # no label: the part after the pipe is the updated date
        (
            "১৬ আগস্ট ২০২৩, ০৮:৩৯ পিএম | ১৭ আগস্ট ২০২৩, ০১:০৫ এএম",
            dhaka(2023, 8, 16, 20, 39),
            dhaka(2023, 8, 17, 1, 5),
        ),
        # labels decide when the updated date comes first
        (
            "হালনাগাদ: ১০ জানুয়ারি ২০২৩ | প্রকাশিত: ০৯ জানুয়ারি ২০২৩",
            dhaka(2023, 1, 9),
            dhaka(2023, 1, 10),
        ),
        # times before the dates (Bangla Tribune)
        (
            "প্রকাশিত: ১৪:৩৯, আগস্ট ১৬, ২০২৩ আপডেট: ১৫:০৫, আগস্ট ১৭, ২০২৩",
            dhaka(2023, 8, 16, 14, 39),
            dhaka(2023, 8, 17, 15, 5),
        ),
        # pipes between dates and times (Samakal)
        (
            "প্রকাশ: ১৬ আগস্ট ২০২৩ | ০৮:৩৯ | আপডেট: ১৬ আগস্ট ২০২৩ | ০৯:১০",
            dhaka(2023, 8, 16, 8, 39),
            dhaka(2023, 8, 16, 9, 10),
        ),
        # one date only
        ("৩০ নভেম্বর ২০২৪, ০৭:৩৫ পিএম", dhaka(2024, 11, 30, 19, 35), None),
        ("প্রকাশের সময় : ২৭ জুন, ২০১৯, ১২:৩৭ এএম", dhaka(2019, 6, 27, 0, 37), None),
        ("আপডেট: ১৬ আগস্ট ২০২৩, ০৮:৩৯ এএম", dhaka(2023, 8, 16, 8, 39), None),
        ("2023-08-16T08:39:00+06:00", dhaka(2023, 8, 16, 8, 39), None),
        ("Wed, 16 Aug 2023 02:39:00 GMT", datetime(2023, 8, 16, 2, 39, tzinfo=UTC), None),
        # an impossible updated date does not become the published one
        (
            "১৬ আগস্ট ২০২৩, ০৮:৩৯ এএম | আপডেট: ৩১ ফেব্রুয়ারি ২০২৩",
            dhaka(2023, 8, 16, 8, 39),
            None,
        ),
        (
            "৩১ ফেব্রুয়ারি ২০২৩ | আপডেট: ১৬ আগস্ট ২০২৩, ০৮:৩৯ এএম",
            None,
            dhaka(2023, 8, 16, 8, 39),
        ),
        # nothing to read
        (None, None, None),
        ("", None, None),
        ("সোমবার (১৫ অগাস্ট)", None, None),
    ],
)
def test_parse_dates(
    text: str | None, published: datetime | None, updated: datetime | None
) -> None:
    got_published, got_updated = parse_dates(text)
    assert_same(got_published, published)
    assert_same(got_updated, updated)


def test_parse_dates_keeps_rfc_offset() -> None:
    published, updated = parse_dates("Wed, 16 Aug 2023 02:39:00 GMT")
    assert to_iso(published) == "2023-08-16T02:39:00+00:00"
    assert updated is None


def test_parse_dates_default_tz() -> None:
    published, updated = parse_dates(INQILAB_MIDNIGHT, default_tz=UTC)
    assert_same(published, datetime(2023, 9, 1, 21, 21, tzinfo=UTC))
    assert_same(updated, datetime(2023, 9, 2, 0, 1, tzinfo=UTC))


# --- to_iso -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (dhaka(2023, 8, 16, 8, 39), "2023-08-16T08:39:00+06:00"),
        (datetime(2023, 8, 16, 8, 39, 5, 987654, tzinfo=DHAKA), "2023-08-16T08:39:05+06:00"),
        (datetime(2023, 8, 16, 2, 39, tzinfo=UTC), "2023-08-16T02:39:00+00:00"),
        (
            datetime(2023, 8, 16, 8, 39, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "2023-08-16T08:39:00+05:30",
        ),
    ],
)
def test_to_iso(value: datetime | None, expected: str | None) -> None:
    assert to_iso(value) == expected


def test_to_iso_rejects_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_iso(datetime(2023, 8, 16, 8, 39))


def test_to_iso_of_parsed_inqilab_line() -> None:
    published, updated = parse_dates(INQILAB_MIDNIGHT)
    assert (to_iso(published), to_iso(updated)) == (
        "2023-09-01T21:21:00+06:00",
        "2023-09-02T00:01:00+06:00",
    )


def test_dhaka_is_utc_plus_six() -> None:
    assert DHAKA.utcoffset(None) == timedelta(hours=6)
    assert DHAKA.tzname(None) == "Asia/Dhaka"
