"""Date rules at their edges, each a case mutation testing found no test for: clock words,
zone offsets, fractions of a second, and which of several dates on a line is which."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newscrawl import dates
from newscrawl.dates_vocabulary import _alternation

DAY = "১৬ আগস্ট ২০২৩"


def hour_of(written: str) -> int | None:
    parsed = dates.parse_date(f"{DAY}, {written}")
    return None if parsed is None else parsed.hour


@pytest.mark.parametrize(
    ("written", "hour"),
    [
        ("০৮:৩৯ পি এম", 20), ("০৮:৩৯ পি. এম.", 20), ("০৮:৩৯ এ এম", 8), ("08:39 p.m.", 20),
        ("13:05 PM", 13), ("23:10 PM", 23), ("13:05 AM", None), ("24:00 PM", None),
    ],
)  # fmt: skip
def test_am_and_pm_however_spaced_and_a_24_hour_reading_marked_pm(written, hour):
    assert hour_of(written) == hour


@pytest.mark.parametrize(
    ("written", "hour"),
    [
        # Noon: one to six in the afternoon; anything else is read as written.
        ("দুপুর ৬টা", 18), ("দুপুর ৭টা", 7), ("দুপুর ১৩টা", 13),
        # Afternoon and evening: twelve stays noon, never becomes a 24th hour.
        ("বিকাল ১২টা", 12), ("সন্ধ্যা ১১টা", 23), ("বিকাল ১৫টা", 15),
        # Night: six to eleven are evening hours, five is before dawn.
        ("রাত ৫টা", 5), ("রাত ৬টা", 18), ("রাত ১১টা", 23), ("রাত ১২:৩০", 0),
    ],
)  # fmt: skip
def test_day_part_words_at_the_edges_of_their_hours(written, hour):
    assert hour_of(written) == hour


def offset_of(text: str) -> timedelta | None:
    parsed = dates.parse_date(text)
    return None if parsed is None else parsed.utcoffset()


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2023-08-16T08:39:00-05:00", timedelta(hours=-5)),
        ("2023-08-16T08:39:00-0530", -timedelta(hours=5, minutes=30)),
        ("2023-08-16T08:39+06", timedelta(hours=6)),
        ("2023-08-16T08:39:00+14:00", timedelta(hours=14)),  # the furthest east a clock runs
        ("2023-08-16T08:39:00+14:01", None),
        ("2023-08-16T08:39:00+24:00", None),
        ("2023-08-16T08:39:00+05:60", None),
        ("16 Aug 2023 08:39 UTC+6", timedelta(hours=6)),
        ("16 Aug 2023 08:39 GMT+0530", timedelta(hours=5, minutes=30)),
        ("16 Aug 2023 08:39 GMT-3", timedelta(hours=-3)),
        # An abbreviation nobody listed is refused, whatever letter it starts with.
        ("16 Aug 2023 08:39 XST", None),
        ("16 Aug 2023 08:39 AEST", None),
    ],
)
def test_zone_offsets_east_and_west_and_the_impossible_ones(text, offset):
    assert offset_of(text) == offset


@pytest.mark.parametrize(
    ("text", "microsecond"),
    [
        ("2023-08-16T08:39:00.5+06:00", 500_000),
        ("2023-08-16T08:39:00.000250+06:00", 250),
        ("2023-08-16T08:39:00.1234567+06:00", 123_456),  # beyond microseconds: cut, not refused
    ],
)
def test_fractions_of_a_second_are_kept(text, microsecond):
    parsed = dates.parse_date(text)
    assert parsed is not None
    assert parsed.microsecond == microsecond
    assert parsed.second == 0


def test_a_later_date_on_the_line_never_lends_its_label_to_an_earlier_one():
    published, updated = dates.parse_dates("১ জানুয়ারি ২০২৩ | আপডেট: ২ জানুয়ারি ২০২৩ | ৩ জানুয়ারি ২০২৩")
    assert (published.day, updated.day) == (1, 2)


def test_each_date_takes_the_time_printed_after_it_not_another_dates():
    published, updated = dates.parse_dates(
        "আপডেট: ১ জানুয়ারি ২০২৩, ০৭:০০ | ২ জানুয়ারি ২০২৩, ০৯:১৫ | ৩ জানুয়ারি ২০২৩, ১১:০০"
    )
    assert (published.day, published.hour, published.minute) == (2, 9, 15)
    assert (updated.day, updated.hour) == (1, 7)


def test_a_time_never_reads_its_zone_out_of_the_next_date():
    # "SEPT" looks like a zone abbreviation (…T); it is the next date's month.
    published, updated = dates.parse_dates("16 AUG 2023, 08:39 SEPT 5, 2023")
    assert published == datetime(2023, 8, 16, 8, 39, tzinfo=dates.DHAKA)
    assert updated == datetime(2023, 9, 5, tzinfo=dates.DHAKA)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 16 Aug 2023 08:39:00", datetime(2023, 8, 16, 8, 39, tzinfo=UTC)),
        ("2023-08-16T08:39", datetime(2023, 8, 16, 8, 39, tzinfo=UTC)),
    ],
)
def test_parse_dates_reads_text_without_a_zone_in_the_zone_it_is_given(text, expected):
    published, updated = dates.parse_dates(text, default_tz=UTC)
    assert published == expected
    assert published.utcoffset() == timedelta(0)
    assert updated is None
    assert dates.parse_dates(text)[0].utcoffset() == timedelta(hours=6)


def test_alternatives_are_whole_escaped_words_longest_first():
    pattern = _alternation(["jan", "january", "a.m", "jan"])
    words = pattern.split("|")
    assert words[0] == "january"
    assert sorted(words[1:]) == ["a\\.m", "jan"]
    assert re.match(pattern, "january").group() == "january"
    assert re.fullmatch(pattern, "axm") is None
    assert dates.parse_date("16 January 2023") == datetime(2023, 1, 16, tzinfo=dates.DHAKA)


def test_a_given_offset_is_kept_not_converted():
    parsed = dates.parse_date("2023-08-16T08:39:00-05:00")
    assert parsed.tzinfo == timezone(timedelta(hours=-5))
    assert dates.to_iso(parsed) == "2023-08-16T08:39:00-05:00"
