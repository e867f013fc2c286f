"""How articles are summarized: the `[summary]` settings, as the analysis workers receive them.

A module of its own, free of heavy imports, so that both the config and the worker processes
can use it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    sentences: int = 3
    method: str | None = None  # None: the project's own default method
    max_chars: int | None = 700  # None: no budget
    quotes: int = 1
    language: str = "english"
    # Only this many characters of an article's clean text are analysed and stored (cut where a
    # sentence ends): the ranking methods grow faster than linearly with an article's length.
    max_text_chars: int = 100_000
