"""Bengali text cleaning and the content hash.

Pure functions: no Scrapy, no database. The cleaning rules are the ones the content hash is
defined over (see ``tests/test_text.py`` and the shared hash vectors), so any change here changes
every hash in every store: treat them as a file format.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

# Invisible characters that carry no meaning in running text. ZWJ (U+200D) and ZWNJ (U+200C) are
# deliberately absent: they select conjunct forms in Bengali script and change how a word reads.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\ufeff\u00ad"))
_NBSP = {0x00A0: " "}
_SPACE_RUN = re.compile(r"\s+")

BENGALI_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def nfc(text: str) -> str:
    """NFC form; both spellings of য় (U+09DF and U+09AF U+09BC) end up as the two-point one."""
    return unicodedata.normalize("NFC", text)


def clean_line(text: str | None) -> str:
    """One paragraph or field: NFC, invisible characters gone, white space collapsed."""
    if not text:
        return ""
    text = nfc(text).translate(_INVISIBLE).translate(_NBSP)
    return _SPACE_RUN.sub(" ", text).strip()


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
    return join_paragraphs(re.split(r"\n\s*\n", nfc(body)))


def canonical_text(title: str, body: str) -> str:
    """The text the content hash is taken over: title, a blank line, the body."""
    return f"{clean_line(title)}\n\n{clean_body(body)}"


def content_hash(title: str, body: str) -> str:
    """First 64 bits of SHA-256 over the canonical text, as 16 lowercase hex digits."""
    digest = hashlib.sha256(canonical_text(title, body).encode("utf-8")).hexdigest()
    return digest[:16]


def to_ascii_digits(text: str) -> str:
    return text.translate(BENGALI_DIGITS)
