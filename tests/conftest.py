"""Shared fixtures. Every test runs with a scrubbed environment (model: httpx's clean_environ):
no real tokens, and the user data folder points into the test's temporary directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pgserver
import pytest
from conftest_http import http_server  # noqa: F401  (re-exported fixture)
from stores import BACKENDS, Opener, StoreBackend

from bot.store import Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SECRET_PREFIXES = ("SLACK_", "DISCORD_", "NEWSBRIEF_")


@pytest.fixture(autouse=True)
def clean_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(SECRET_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    yield


@pytest.fixture
def shared_dir() -> Path:
    """../shared (evaluation data and examples); tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared evaluation data is not on this machine")
    return SHARED


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pgserver.PgServer]:
    """A Postgres server for the session (tests/pgserver.py), or a skip that says why."""
    try:
        server = pgserver.start_server()
    except pgserver.Unavailable as exc:
        if pgserver.REQUIRED:
            pytest.fail(f"NEWSBRIEF_TEST_PG_REQUIRED=1 but {exc}")
        pytest.skip(f"Postgres tests skipped: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL to an empty schema of its own on the test server, dropped after the test."""
    server: pgserver.PgServer = request.getfixturevalue("pg_server")
    schema = server.new_schema()
    yield server.url(schema)
    server.drop_schema(schema)


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> StoreBackend:
    """An empty database of each kind (the contract tests run once per store)."""
    if request.param == "postgres":
        return StoreBackend("postgres", url=request.getfixturevalue("pg_url"))
    return StoreBackend("sqlite", path=tmp_path / "db" / "news.db")


@pytest.fixture
def open_store(store_backend: StoreBackend) -> Iterator[Opener]:
    """Opens the test's database, again for each call (as another process would); closes all."""
    opened: list[Store] = []

    def open_() -> Store:
        opened.append(store_backend.open())
        return opened[-1]

    yield open_
    for store in opened:
        store.close()
