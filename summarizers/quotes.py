"""Direct quotations and their speakers (minimal first version; see issue 3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTE_RE = re.compile(r'"([^"\n]{20,})"|\u201c([^\u201d\n]{20,})\u201d')


@dataclass(frozen=True)
class Quote:
    """One direct quotation; ``text[start:end] == quote.text`` in the source text."""

    text: str
    start: int
    end: int
    speaker: str | None = None
    speaker_title: str | None = None


def extract_quotes(text: str, language: str = "english") -> list[Quote]:
    """Every direct quotation in ``text``, in document order."""
    out: list[Quote] = []
    for m in _QUOTE_RE.finditer(text):
        group = 1 if m.group(1) is not None else 2
        out.append(Quote(m.group(group), m.start(group), m.end(group)))
    return out


def key_quotes(text: str, k: int = 2, language: str = "english") -> list[Quote]:
    """The ``k`` quotes most worth showing, best first."""
    return extract_quotes(text, language)[:k]
