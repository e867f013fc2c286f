"""How articles are summarized: the `[summary]` settings, as the analysis workers receive them.

A module of its own, free of heavy imports, so that both the config and the worker processes
can use it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: The project's own summary method: one name in the config, the CLI, the docs and the
#: summarizers registry (`summarizers.methods.DEFAULT_METHOD`; a test keeps them equal).
DEFAULT_METHOD = "lederank"
#: Old spellings still accepted, each with a note saying the name to use.
METHOD_ALIASES = {"default": DEFAULT_METHOD}


def method_name(name: str, *, where: str) -> str:
    """`name` as the registry knows it; an old alias is accepted with a note naming `where`."""
    cleaned = name.strip().lower()
    if cleaned in METHOD_ALIASES:
        log.warning(
            "%s: %r is an old name for the default summary method, now called %r: write that",
            where,
            name,
            METHOD_ALIASES[cleaned],
        )
        return METHOD_ALIASES[cleaned]
    return cleaned


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    sentences: int = 3
    method: str | None = None  # None: DEFAULT_METHOD
    max_chars: int | None = 700  # None: no budget
    quotes: int = 1
    language: str = "english"
    # Only this many characters of an article's clean text are analysed and stored (cut where a
    # sentence ends): the ranking methods grow faster than linearly with an article's length.
    max_text_chars: int = 100_000
