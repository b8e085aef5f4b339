"""Cleaning and date rules pinned at their edges; a date and its Bengali-digit form agree."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl import dates, text

ASCII_TO_BENGALI = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


@pytest.mark.parametrize(
    "body",
    ["এক\n\nদুই", "এক\n \nদুই", "এক\r\n\r\nদুই", "এক\n\t\u00a0\nদুই", "এক\n\n\n\nদুই", "এক\n \n \nদুই"],
)
def test_paragraphs_split_at_any_blank_line(body):
    assert text.clean_body(body) == "এক\n\nদুই"


def test_a_single_line_break_is_not_a_paragraph_break():
    assert text.clean_body("এক\nদুই") == "এক দুই"


@pytest.mark.parametrize(
    ("written", "hour"),
    [
        ("দুপুর ১টা", 13), ("দুপুর ৬টা", 18), ("দুপুর ১২টা", 12), ("দুপুর ১১টা", 11),
        ("বিকাল ৩টা", 15), ("সন্ধ্যা ৭টা", 19), ("রাত ১০টা", 22), ("রাত ১২টা", 0),
        ("রাত ২টা", 2), ("সকাল ৯টা", 9),
    ],
)  # fmt: skip
def test_day_parts_set_the_hour(written, hour):
    parsed = dates.parse_date(f"১৬ আগস্ট ২০২৩, {written}")
    assert parsed is not None and parsed.hour == hour


@pytest.mark.parametrize(("year", "ok"), [(1899, False), (1900, True), (2100, True), (2101, False)])
def test_years_are_read_from_1900_to_2100_inclusive(year, ok):
    for written in (f"১ জানুয়ারি {year}", f"{year}-01-01T00:00:00+06:00",
                    f"Mon, 01 Jan {year} 00:00:00 +0600"):  # fmt: skip
        parsed = dates.parse_date(written.translate(ASCII_TO_BENGALI) if "জ" in written
                                  else written)  # fmt: skip
        assert (parsed is not None and parsed.year == year) is ok, written


def test_a_line_whose_dates_are_all_labelled_reads_them_in_order():
    published, updated = dates.parse_dates(
        "আপডেট: ১২ ফেব্রুয়ারি ২০২৩, ০৮:১৬ | আপডেট: ৩০ এপ্রিল ২০২৩, ২২:৫৫"
    )
    assert (published.month, updated.month) == (2, 4)


def test_a_labelled_update_before_the_published_date_is_still_the_update():
    published, updated = dates.parse_dates(
        "আপডেট: ৩০ এপ্রিল ২০২৩, ২২:৫৫ | প্রকাশ: ১২ ফেব্রুয়ারি ২০২৩, ০৮:১৬"
    )
    assert (published.month, updated.month) == (2, 4)


MONTHS = ["জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট",
          "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(datetime(1900, 1, 1), datetime(2100, 12, 31)),
       form=st.sampled_from(["text", "iso", "clock"]))  # fmt: skip
def test_a_date_and_its_bengali_digit_form_parse_the_same(moment, form):
    if form == "text":
        written = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    elif form == "iso":
        written = moment.strftime("%Y-%m-%dT%H:%M:%S+06:00")
    else:
        written = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"
    ascii_parsed = dates.parse_date(written)
    assert ascii_parsed is not None
    assert dates.parse_date(written.translate(ASCII_TO_BENGALI)) == ascii_parsed
    assert (ascii_parsed.year, ascii_parsed.month, ascii_parsed.day) == (
        moment.year, moment.month, moment.day,
    )  # fmt: skip


def test_nothing_cleans_to_nothing():
    assert text.clean_body("") == text.clean_body(None) == ""
    assert text.clean_line(None) == ""


def test_hashing_text_said_to_be_clean_does_not_clean_it():
    assert text.content_hash(" শিরোনাম ", "দেহ", cleaned=True) != text.content_hash(
        " শিরোনাম ", "দেহ"
    )
    assert text.content_hash("শিরোনাম", "দেহ", cleaned=True) == text.content_hash(" শিরোনাম ", "দেহ")


def test_for_terminal_shows_control_characters_as_escapes():
    assert text.for_terminal(None) == ""
    assert text.for_terminal("") == ""
    assert text.for_terminal("কিম\x1b[2J\n\x9b\x00") == "কিম\\x1b[2J\\n\\x9b\\x00"
    assert text.for_terminal("কিম জং উন") == "কিম জং উন"


def test_replaced_characters_are_counted():
    assert text.replaced_characters(None) == 0
    assert text.replaced_characters("") == 0
    assert text.replaced_characters("ক\ufffdখ\ufffd") == 2
