"""Shared fixtures. Every test runs with a scrubbed environment (model: httpx's clean_environ):
no real tokens, and the user data folder points into the test's temporary directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_http import http_server  # noqa: F401  (re-exported fixture)

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
