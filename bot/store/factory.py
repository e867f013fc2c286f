"""Open the store the config names: SQLite at `[storage] path` (the default) or Postgres at
`[storage] url`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store.base import Store
from bot.store.sqlite import SqliteStore

if TYPE_CHECKING:
    from bot.config import StorageSettings


def open_store(storage: StorageSettings, *, dry_run: bool = False) -> Store:
    """The configured store. `dry_run`: a store whose writes are never kept (SQLite: a copy in
    memory; Postgres: one transaction rolled back when the store is closed)."""
    if storage.url is not None:
        from bot.config import secret
        from bot.store.postgres import PostgresStore

        password = secret(storage.password_env) if storage.password_env else None
        return PostgresStore(storage.url, password=password, dry_run=dry_run)
    assert storage.path is not None
    if dry_run:
        return SqliteStore.in_memory_copy(storage.path)
    return SqliteStore(storage.path)
