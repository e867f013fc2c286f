"""Text from feeds and pages made safe to display: no terminal or bidi control characters.

A feed title carrying ``ESC ]0;... BEL`` retitles the terminal it is printed on, and bidi
overrides make a link or a name read differently from what it is. Every displayed field passes
through :func:`display_safe`: the neutral values (`bot.models`) apply it when they are made, so
every platform renders clean text, and the CLI applies it to what it prints directly.
"""

from __future__ import annotations

import re

#: C0 controls except tab and line feed, DEL, C1 controls, and the bidi embeddings, overrides
#: and isolates (U+202A-U+202E, U+2066-U+2069).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def display_safe(text: str) -> str:
    """`text` without control characters and bidi overrides (tab and newline kept)."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def display_safe_or_none(text: str | None) -> str | None:
    return None if text is None else display_safe(text)
