"""One store contract, every implementation (model: APScheduler 3.x tests/test_jobstores.py).

`store_backend` (tests/conftest.py) is parametrized over SQLite and Postgres: each test gets an
empty database of that kind, which `open()` opens (again, as another process would) and
`storage_config()` names in a config's [storage] table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.store import SqliteStore, Store

BACKENDS = ("sqlite", "postgres")
Opener = Callable[[], Store]  # the `open_store` fixture: opens the test's database again


@dataclass(frozen=True)
class StoreBackend:
    name: str
    path: Path | None = None
    url: str | None = None

    def open(self) -> Store:
        if self.url is not None:
            from bot.store.postgres import PostgresStore

            return PostgresStore(self.url)
        assert self.path is not None
        return SqliteStore(self.path)

    def storage_config(self) -> dict[str, str]:
        return {"url": self.url} if self.url is not None else {"path": str(self.path)}

    @property
    def integrity_errors(self) -> tuple[type[Exception], ...]:
        """What a write that breaks a constraint raises."""
        import sqlite3

        if self.name == "postgres":
            import psycopg

            return (psycopg.IntegrityError,)
        return (sqlite3.IntegrityError,)
