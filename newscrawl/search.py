"""Full-text search over stored articles, with Bengali words kept whole: the library under
``scrapy search``.

The query is an SQLite FTS5 query: words (all must occur), ``"a phrase"``, ``prefix*``,
``OR``/``NOT``, ``title: word``. The index (``articles_fts``, see ``store.FTS_TOKENIZE``) counts
vowel signs as part of a word, so ``কিম`` finds the word কিম and not কাম or কিমের. The query is
cleaned as stored text is (``text.clean_line``), so a য় typed as one code point finds the stored
two-point form. Everything a hit prints is safe for a terminal: no control character goes out raw.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from newscrawl import text
from newscrawl.store import ArticleQuery, Store

DEFAULT_LIMIT = 20
PLAIN_MARKS = ("[", "]")
# What SQLite wraps matched words in, until the snippet is escaped: private-use characters, so
# that the real marks (terminal bold) are put in after escaping and are the only codes sent.
_MARKS = ("\ue000", "\ue001")

# What SQLite says when FTS5 cannot parse a query, as opposed to a failing database.
_QUERY_ERRORS = ("fts5:", "no such column", "unterminated string", "unknown special query")


class SearchError(Exception):
    """A search a person can correct; the message is one line."""


@dataclass(frozen=True)
class Hit:
    published_at: str | None
    outlet: str
    title: str
    url: str
    content_hash: str
    snippet: str

    def block(self) -> str:
        """Date, outlet and title on one line; the snippet and the URL indented below."""
        day, outlet, title, url = map(
            text.for_terminal, ((self.published_at or "")[:10], self.outlet, self.title, self.url)
        )
        return f"{day or 'no date'}  {outlet}  {title}\n    {self.snippet}\n    {url}"


def _snippet(raw: str | None, marks: tuple[str, str]) -> str:
    """A body's paragraph breaks on one line, control characters escaped, matches marked."""
    safe = text.for_terminal(" ".join((raw or "").split()))
    return safe.replace(_MARKS[0], marks[0]).replace(_MARKS[1], marks[1])


def search(
    store: Store,
    words: str,
    *,
    outlets: Sequence[str] = (),
    limit: int = DEFAULT_LIMIT,
    all_revisions: bool = False,
    marks: tuple[str, str] = PLAIN_MARKS,
    newest: bool = False,
    since: date | None = None,
    until: date | None = None,
) -> list[Hit]:
    """The best ``limit`` matches for an FTS5 query, best first, or with ``newest`` the
    ``limit`` stored last, newest first (fast for any word); ``marks`` wrap matched words;
    ``since``/``until`` keep articles published on or after / on or before those days."""
    words = text.clean_line(words)
    if not words:
        raise SearchError('nothing to search for: give words, e.g. scrapy search "কিম জং উন"')
    if limit < 1:
        raise SearchError(f"--limit must be 1 or more, not {limit}")
    store.require_outlets(outlets)
    query = ArticleQuery(
        outlets=tuple(outlets), since=since, until=until, latest_only=not all_revisions
    )
    try:
        rows = store.search(words, query, limit=limit, marks=_MARKS, newest=newest)
    except sqlite3.OperationalError as exc:
        if not str(exc).startswith(_QUERY_ERRORS):
            raise
        raise SearchError(
            f"cannot search for {words!r} ({exc}): put words that hold punctuation in double"
            """ quotes, e.g. '"পুতিন-কিমের"'"""
        ) from None
    return [Hit(**{**row, "snippet": _snippet(row["snippet"], marks)}) for row in rows]
