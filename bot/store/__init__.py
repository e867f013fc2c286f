"""Storage: one interface (`Store`), two databases.

SQLite (`SqliteStore`, one file, no server) is the default; Postgres (`PostgresStore`, in
`bot.store.postgres`, needs the `postgres` extra) lets several processes share one database.
`open_store` opens the one the config names.
"""

from bot.store.base import (
    MAX_BACKOFF,
    SEEN_GUIDS_KEPT,
    ArticleRecord,
    FeedRecord,
    NewArticle,
    QuoteHit,
    Store,
    StoreError,
    simhash_bands,
)
from bot.store.factory import open_store
from bot.store.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore, fts_query

__all__ = [
    "MAX_BACKOFF",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SEEN_GUIDS_KEPT",
    "ArticleRecord",
    "FeedRecord",
    "NewArticle",
    "QuoteHit",
    "SqliteStore",
    "Store",
    "StoreError",
    "fts_query",
    "open_store",
    "simhash_bands",
]
