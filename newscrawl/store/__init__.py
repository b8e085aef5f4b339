"""The article store: every line of SQL in newscrawl lives in this package.

``database`` holds the Store (connection, schema upgrades, writing articles), assembled from the
read side (``reading``: queries for exports and search), the run log (``runs``) and the
near-duplicate index (``neardup``); ``schema`` is the layout and its migrations, ``rows`` what the
store hands out.
"""

from newscrawl.store.database import Store
from newscrawl.store.reading import ArticleQuery
from newscrawl.store.rows import Outcome, StoreError, utcnow
from newscrawl.store.schema import (
    ARTICLE_COLUMNS,
    FTS_TOKENIZE,
    JSON_COLUMNS,
    MIGRATIONS,
    SCHEMA_VERSION,
)

__all__ = [
    "ARTICLE_COLUMNS",
    "FTS_TOKENIZE",
    "JSON_COLUMNS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ArticleQuery",
    "Outcome",
    "Store",
    "StoreError",
    "utcnow",
]
