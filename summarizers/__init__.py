"""Extractive summaries and attributed quotes. Knows nothing about feeds or chat.

The names below are loaded on first use (PEP 562): the ranking methods bring sumy, NLTK and
numpy (~45 MB), and a process that only needs the language table (the bot's main process
checking its config) should not pay for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizers.base import (
        SummarizerError,
        Summary,
        UnknownMethodError,
        UnsupportedLanguageError,
    )
    from summarizers.pipeline import AVAILABLE_METHODS, DEFAULT_METHOD, summarize
    from summarizers.quotes import Quote, extract_quotes, key_quotes

_HOMES = {
    "AVAILABLE_METHODS": "summarizers.pipeline",
    "DEFAULT_METHOD": "summarizers.pipeline",
    "summarize": "summarizers.pipeline",
    "Quote": "summarizers.quotes",
    "extract_quotes": "summarizers.quotes",
    "key_quotes": "summarizers.quotes",
    "Summary": "summarizers.base",
    "SummarizerError": "summarizers.base",
    "UnknownMethodError": "summarizers.base",
    "UnsupportedLanguageError": "summarizers.base",
}

__all__ = [
    "AVAILABLE_METHODS",
    "DEFAULT_METHOD",
    "Quote",
    "Summary",
    "SummarizerError",
    "UnknownMethodError",
    "UnsupportedLanguageError",
    "extract_quotes",
    "key_quotes",
    "summarize",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'summarizers' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
