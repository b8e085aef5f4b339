"""UTC offsets as South Asian news sites print them after a time, and the ones refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from newscrawl import dates

IST = timezone(timedelta(hours=5, minutes=30))
BDT = timezone(timedelta(hours=6))
NPT = timezone(timedelta(hours=5, minutes=45))


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("16 Aug 2023 08:39 GMT+530", IST),
        ("16 Aug 2023 08:39 GMT+5:30", IST),
        ("16 Aug 2023 08:39 GMT+05:30", IST),
        ("16 Aug 2023 08:39 GMT+0530", IST),
        ("16 Aug 2023 08:39 GMT +0530", IST),
        ("16 Aug 2023 08:39 GMT + 5:30", IST),
        ("16 Aug 2023 08:39 UTC+6", BDT),
        ("16 Aug 2023 08:39 UTC+06", BDT),
        ("16 Aug 2023 08:39 GMT+06:00", BDT),
        ("16 Aug 2023 08:39 UTC +06:00", BDT),
        ("16 Aug 2023 08:39 GMT+545", NPT),
        ("16 Aug 2023 08:39 GMT+6.", BDT),  # the end of a sentence
        ("16 Aug 2023 08:39 (GMT+06:00)", BDT),
        ("16 Aug 2023 08:39 +530", IST),
        ("16 Aug 2023 08:39 -0330", timezone(-timedelta(hours=3, minutes=30))),
        ("16 Aug 2023 08:39 GMT-12", timezone(-timedelta(hours=12))),
        ("16 Aug 2023 08:39 GMT+14", timezone(timedelta(hours=14))),
        ("১৬ আগস্ট ২০২৩, ০৮:৩৯ এএম GMT+৫৩০", IST),  # Bengali digits
        ("১৬ আগস্ট ২০২৩, ০৮:৩৯ এএম (GMT +৫:৩০)", IST),
        ("2023-08-16T08:39:00 GMT+530", IST),
        ("2023-08-16 08:39 UTC+6", BDT),
        ("Wed, 16 Aug 2023 08:39:00 GMT+0530", IST),
    ],
)
def test_the_offsets_south_asian_sites_print_are_read(text, zone):
    assert dates.parse_date(text) == datetime(2023, 8, 16, 8, 39, tzinfo=zone)
    assert dates.parse_date(text).utcoffset() == zone.utcoffset(None)


def test_an_offset_in_parentheses_after_pm_is_not_left_for_the_default_zone():
    parsed = dates.parse_date("Aug 16, 2023 8:39 PM (GMT+5:30)")
    assert parsed == datetime(2023, 8, 16, 20, 39, tzinfo=IST)
    assert parsed.utcoffset() == timedelta(hours=5, minutes=30)  # not Dhaka's +06:00


def test_both_dates_of_a_line_keep_their_offsets():
    published, updated = dates.parse_dates(
        "প্রকাশ: ১৬ আগস্ট ২০২৩, ০৮:৩৯ GMT+530 | আপডেট: ১৬ আগস্ট ২০২৩, ১০:০০ GMT+5:30"
    )
    assert published == datetime(2023, 8, 16, 8, 39, tzinfo=IST)
    assert updated == datetime(2023, 8, 16, 10, 0, tzinfo=IST)


@pytest.mark.parametrize(
    "text",
    [
        # beyond ±14 h: no clock on Earth
        "16 Aug 2023 08:39 GMT+15",
        "16 Aug 2023 08:39 GMT+1430",
        "16 Aug 2023 08:39 UTC-14:30",
        "16 Aug 2023 08:39 +1500",
        "2023-08-16T08:39:00+14:01",
        "2023-08-16T08:39:00 GMT+24",
        "Wed, 16 Aug 2023 08:39:00 +1500",
        # garbage where the offset should be: refused, not read as GMT or as Dhaka time
        "16 Aug 2023 08:39 GMT+ab",
        "16 Aug 2023 08:39 GMT+",
        "16 Aug 2023 08:39 UTC-",
        "16 Aug 2023 08:39 GMT+5:3",
        "16 Aug 2023 08:39 GMT+6:30:00",
        "16 Aug 2023 08:39 GMT+05:60",
        "16 Aug 2023 08:39 GMT+12345",
        "16 Aug 2023 08:39 GMT+6x",
    ],
)
def test_offsets_beyond_14_hours_or_garbage_give_no_date(text):
    assert dates.parse_date(text) is None


def test_a_bare_sign_and_one_digit_is_not_taken_for_an_offset():
    # "+1" after a time is more likely a count than a zone: the time stays in the default zone
    assert dates.parse_date("16 Aug 2023 08:39 +1") == datetime(2023, 8, 16, 8, 39, tzinfo=BDT)
