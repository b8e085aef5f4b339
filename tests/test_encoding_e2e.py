"""Broken UTF-8 through the real engine: a few broken bytes are stored (and counted), garbage is
skipped as ``bad_encoding``, whether the page names its charset or not."""

from __future__ import annotations

from tests.support.hostile import HostileInqilab, good_page
from tests.support.replica import Page
from tests.support.sites import inqilab_article
from tests.test_hostile import crawl, prefixed, stored

TITLE = "নদীভাঙনে ঘর হারাল শতাধিক পরিবার"
SENTENCES = (
    "পদ্মার ভাঙনে গত এক সপ্তাহে শতাধিক পরিবার ঘর হারিয়েছে।",
    "স্থানীয় প্রশাসন জানিয়েছে, ক্ষতিগ্রস্তদের তালিকা করা হচ্ছে।",
    "বাঁধ মেরামতের কাজ আগামী মাসে শুরু হওয়ার কথা রয়েছে।",
)
PARAGRAPHS = [f"{s} ({n})" for n in range(6) for s in SENTENCES]
VOWEL_A, VOWEL_E = "া".encode(), "ে".encode()


def page(number: int, charset: bool) -> bytes:
    html = inqilab_article(f"{TITLE} {number}", PARAGRAPHS, (2024, 12, 1, 10, 0))
    if not charset:
        html = html.replace('<meta charset="utf-8">', "")
    return html.encode()


def cut(data: bytes, sequences: int) -> bytes:
    """The first ``sequences`` ``া`` of the body lose their last byte."""
    for _ in range(sequences):
        at = data.index(VOWEL_A, data.index(b'class="description"'))
        data = data[: at + 2] + data[at + 3 :]
    return data


def garbage(data: bytes) -> bytes:
    """Every ``া`` and ``ে`` cut short: more than one character in 20 is U+FFFD."""
    return data.replace(VOWEL_A, VOWEL_A[:2]).replace(VOWEL_E, VOWEL_E[:2])


def test_broken_utf8_is_stored_when_a_few_bytes_and_skipped_when_garbage(replica, db_path):
    site = HostileInqilab(replica)
    site.add("good", good_page(1), 1)
    no_charset = "text/html"  # and no <meta charset>: Scrapy guesses ASCII, all U+FFFD
    site.add("no charset, 6 broken", Page(cut(page(2, False), 6), content_type=no_charset), 2)
    site.add("no charset, garbage", Page(garbage(page(3, False)), content_type=no_charset), 3)
    site.add("utf-8, 6 broken", Page(cut(page(4, True), 6)), 4)
    site.add("utf-8, garbage", Page(garbage(page(5, True))), 5)

    stats = crawl(replica, db_path)

    articles = stored(db_path)
    assert set(articles) == {"খবর নম্বর 1: শহরে নতুন উদ্যোগ", f"{TITLE} 2", f"{TITLE} 4"}
    for number in (2, 4):
        body = articles[f"{TITLE} {number}"]["body"]
        assert body.count("\ufffd") == 6  # Bengali, six characters replaced, nothing else lost
        assert body.replace("\ufffd", "া") == "\n\n".join(PARAGRAPHS)
        assert articles[f"{TITLE} {number}"]["url"].endswith(f"/{900000 + number}")
    assert stats["newscrawl/encoding/invalid_bytes"] == 12
    assert stats["newscrawl/encoding/utf8_broken_sequence"] == 1  # page 2, read as UTF-8
    assert prefixed(stats, "newscrawl/skipped/") == {"bad_encoding": 2}
