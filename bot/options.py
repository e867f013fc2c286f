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
