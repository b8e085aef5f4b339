"""Bengali text cleaning and the content hash.

Pure functions: no Scrapy, no database. The cleaning rules are the ones the content hash is
defined over (see ``tests/test_text.py`` and the shared hash vectors), so any change here changes
every hash in every store: treat them as a file format.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable

# Invisible characters that carry no meaning in running text. ZWJ (U+200D) and ZWNJ (U+200C) are
# deliberately absent: they select conjunct forms in Bengali script and change how a word reads.
_INVISIBLE = ("\u200b", "\ufeff", "\u00ad")

# Control characters that are not white space (white space ones, \t \n \r \v \f \x1c-\x1f and
# NEL, collapse like any space): C0, DEL and C1. A page can carry them, and a terminal obeys them:
# \x1b[2J clears the screen, an OSC sequence retitles the window, NUL cuts FTS5 snippets short.
_CONTROL = "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"
_HAS_CONTROL = re.compile(f"[{_CONTROL}\ud800-\udfff]")
# ECMA-48 sequences, removed whole so that no "[2J" is left behind: strings (OSC, DCS, APC, PM,
# SOS) up to their terminator, CSI with its parameters, then any other escape; then lone controls.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b[P\]X^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b[ -/]*[0-~]"
    f"|[{_CONTROL}]"
)
# Half a surrogate pair (from a JSON "\ud800" escape) cannot be written as UTF-8 at all.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# What for_terminal() shows escaped: every control character, white space ones included.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
REPLACEMENT = "\ufffd"

BENGALI_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


# The only Bengali characters NFC may compose with what precedes them: া (U+09BE) and ৗ (U+09D7),
# each with a ে (U+09C7) right before it (ো, ৌ). Nearly every Bengali paragraph holds া, so
# Python's quick check answers "maybe" and normalises the whole text (~0.1 µs a character, the
# largest part of cleaning). With ক (U+0995, which composes with nothing) standing in for them,
# the quick check is decisive again: when that text is NFC and no ে stands before them, they
# compose with nothing either, and the text is NFC as it is.
_BENGALI_MAYBE = ("\u09be", "\u09d7")
_BENGALI_PAIRS = ("\u09c7\u09be", "\u09c7\u09d7")


def nfc(text: str) -> str:
    """NFC form; both spellings of য় (U+09DF and U+09AF U+09BC) end up as the two-point one."""
    if any(c in text for c in _BENGALI_MAYBE) and not any(p in text for p in _BENGALI_PAIRS):
        probe = text.replace("\u09be", "\u0995").replace("\u09d7", "\u0995")
        if unicodedata.is_normalized("NFC", probe):
            return text
    return unicodedata.normalize("NFC", text)


def strip_controls(text: str) -> str:
    """``text`` without control characters or terminal escape sequences (white space stays).

    Half a surrogate pair becomes U+FFFD, as an invalid UTF-8 byte does when a page is decoded.
    """
    if not _HAS_CONTROL.search(text):
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _LONE_SURROGATE.sub(REPLACEMENT, text)


def replaced_characters(text: str | None) -> int:
    """How many U+FFFD a text holds: bytes that could not be decoded, and replaced."""
    return text.count(REPLACEMENT) if text else 0


def for_terminal(text: str | None) -> str:
    """``text`` safe to print: control characters shown as escapes (``\\x1b``), never sent raw.

    For output of rows stored before cleaning removed control characters, or of any other text
    that did not pass through it.
    """
    if not text:
        return text or ""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# Texts clean_line gave that it gives back unchanged, newest last, up to _CLEAN_CHARS characters
# in all: a crawl cleans each paragraph several times on its way to the store (extraction, the
# body rules, CleanPipeline), and NFC of Bengali text is the costly part of cleaning (its vowel
# signs make Python's quick check answer "maybe", so each pass normalises the whole text).
_CLEAN: OrderedDict[str, None] = OrderedDict()
_CLEAN_CHARS = 1 << 20
_clean_chars = 0


def clean_line(text: str | None) -> str:
    """One paragraph or field: NFC, control characters and invisible characters gone, white
    space collapsed. Search queries go through it too, so that they match the stored text."""
    if not text:
        return ""
    if text in _CLEAN:
        return text
    text = nfc(strip_controls(text))
    # str.replace, not str.translate: on Bengali text (non-Latin-1) translate takes the slow
    # path, measured 2.4 times slower. U+00A0 needs no replacing: it is white space below.
    removed = False
    for invisible in _INVISIBLE:
        if invisible in text:
            text = text.replace(invisible, "")
            removed = True
    # White space runs to one space, none at the ends: what re.sub(r"\s+", " ", text).strip()
    # gives (\s is str.isspace), without a substitution for every space between two words.
    text = " ".join(text.split())
    # Removing an invisible character can join two that NFC composes ("ে", U+200B, "া"), so
    # only a text that lost none is known to come back unchanged.
    if not removed:
        _remember_clean(text)
    return text


def _remember_clean(text: str) -> None:
    global _clean_chars
    if text in _CLEAN or len(text) > _CLEAN_CHARS // 4:
        return
    _CLEAN[text] = None
    _clean_chars += len(text)
    while _clean_chars > _CLEAN_CHARS:
        _clean_chars -= len(_CLEAN.popitem(last=False)[0])


def forget_clean_texts() -> None:
    """Forget the texts clean_line remembers (for timing cleaning as on pages never seen)."""
    global _clean_chars
    _CLEAN.clear()
    _clean_chars = 0


def clean_paragraphs(paragraphs: Iterable[str | None]) -> list[str]:
    """Clean each paragraph and drop the ones that end up empty."""
    return [p for p in map(clean_line, paragraphs) if p]


def join_paragraphs(paragraphs: Iterable[str | None]) -> str:
    """The body form: clean paragraphs joined by one blank line."""
    return "\n\n".join(clean_paragraphs(paragraphs))


def clean_body(body: str | None) -> str:
    """Re-clean a body that is already a string (paragraphs separated by blank lines)."""
    if not body:
        return ""
    # clean_line normalises each paragraph; NFC never touches the white space split on here.
    return join_paragraphs(re.split(r"\n\s*\n", body))


def canonical_text(title: str, body: str) -> str:
    """The text the content hash is taken over: title, a blank line, the body."""
    return f"{clean_line(title)}\n\n{clean_body(body)}"


def content_hash(title: str, body: str, *, cleaned: bool = False) -> str:
    """First 64 bits of SHA-256 over the canonical text, as 16 lowercase hex digits.

    ``cleaned=True`` says title and body are clean already (cleaning is idempotent), so the
    pipelines need not clean a body a second time just to hash it.
    """
    canonical = f"{title}\n\n{body}" if cleaned else canonical_text(title, body)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


_BENGALI_DIGIT_PAIRS = tuple(zip("০১২৩৪৫৬৭৮৯", "0123456789", strict=True))


def to_ascii_digits(text: str) -> str:
    # str.replace of the digits present, not str.translate: translate looks up every character
    # of non-Latin-1 text in a dict (measured 90 µs on a 1.6 KB Bengali body, str.replace 10).
    for bengali, ascii_digit in _BENGALI_DIGIT_PAIRS:
        if bengali in text:
            text = text.replace(bengali, ascii_digit)
    return text
