"""Pytest fixture for the local test HTTP server (see httpserver.py).

Not a conftest by itself: register it from tests/conftest.py with
``pytest_plugins = ["conftest_http"]`` or import ``http_server`` into a test module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from httpserver import LocalServer


@pytest.fixture
async def http_server() -> AsyncIterator[LocalServer]:
    """A running :class:`LocalServer` on 127.0.0.1, closed after the test."""
    async with LocalServer() as server:
        yield server
