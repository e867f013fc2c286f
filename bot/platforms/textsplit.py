"""Split long text for chat messages: at line breaks, else at spaces, else anywhere."""

from __future__ import annotations

import re


def split_text(text: str, limit: int, *, keep_whole: re.Pattern[str] | None = None) -> list[str]:
    """Pieces of at most `limit` characters. A cut never falls inside a match of `keep_whole`
    found at the end of a piece (e.g. a partial HTML entity such as `&am`)."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        if keep_whole is not None and (partial := keep_whole.search(rest[:cut])):
            cut = partial.start()
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
