"""Find the character spans of direct quotations (quotation marks only, no speakers).

Marks understood: straight ``"``, curly ``“ ”``, German ``„ “`` and French ``« »`` (also the
reversed ``» «``). Pairing is done per paragraph (a line of text). A quotation whose closing mark
is missing at the end of its paragraph runs to the paragraph's end; when the next paragraph opens
with a quotation mark, that piece is flagged as continuing it (the usual multi-paragraph style).
Unbalanced or stray marks never raise: a stray closing mark is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_MARKS = '"\u201c\u201d\u201e\u00ab\u00bb'
_MARK_RE = re.compile(f"[{_MARKS}]")

# Closing marks accepted for each opening mark (scraped text often mixes styles).
_CLOSERS = {
    '"': '"\u201d\u201c',
    "\u201c": '\u201d"\u201c',
    "\u201d": '\u201d"',
    "\u201e": '\u201c\u201d"',
    "\u00ab": "\u00bb",
    "\u00bb": "\u00ab",
}


@dataclass(frozen=True)
class Span:
    """The words between one pair of quotation marks (whitespace trimmed)."""

    start: int
    end: int
    open_mark: int  # offset of the opening mark
    close_mark: int | None  # offset of the closing mark, None when the paragraph ran out
    continues: bool = False  # the previous paragraph's quotation was left open and reopens here


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every non-blank line."""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            yield pos, end
        pos = end + 1


def _is_opener(text: str, i: int, para_start: int) -> bool:
    c = text[i]
    if c in "\u201c\u201e\u00ab":
        return True
    before = text[i - 1] if i > para_start else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if c == "\u00bb":  # reversed German style only when it clearly opens
        return not before.isalnum() and after.isalnum()
    if c == "\u201d":  # a right mark misused as an opener
        return (before.isspace() or before in "(\u2014-") and (
            after.isalnum() or after in "'\u2018"
        )
    # straight quote: opens unless glued to the preceding word
    return not (before.isalnum() or before in ".,;:!?\u2019'") or after.isalnum()


def _is_closer(text: str, i: int, opener: str, para_start: int) -> bool:
    c = text[i]
    if c not in _CLOSERS[opener]:
        return False
    if c == "\u201c" and opener != "\u201e":  # a left mark used as a closer
        before = text[i - 1] if i > para_start else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        return not before.isspace() and not after.isalnum()
    return True


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_spans(text: str) -> list[Span]:
    """Every quotation span in ``text``, in order, including scare quotes and titles."""
    spans: list[Span] = []
    left_open = False  # the previous paragraph ended inside a quotation
    for p_start, p_end in paragraphs(text):
        open_at: int | None = None
        first_in_para = True
        continues = False
        nested = False  # inside curly marks nested in a straight-quoted quotation
        for m in _MARK_RE.finditer(text, p_start, p_end):
            i = m.start()
            if nested:
                nested = False
                if text[i] != '"':
                    continue  # the inner closing mark (a straight mark closes both)
            if (
                open_at is not None
                and text[open_at] == '"'
                and text[i] == "\u201c"
                and text[i - 1].isspace()
                and _is_opener(text, i, p_start)
            ):
                nested = True  # "... isn't about “Equal Justice Under Law” anymore."
                continue
            if open_at is None:
                if _is_opener(text, i, p_start):
                    continues = left_open and first_in_para and not text[p_start:i].strip()
                    open_at = i
                first_in_para = False
                continue
            if _is_closer(text, i, text[open_at], p_start):
                s, e = _trim(text, open_at + 1, i)
                if e > s:
                    spans.append(Span(s, e, open_at, i, continues))
                open_at = None
                continues = False
            elif text[i] in "\u201c\u201e\u00ab" and text[open_at] == text[i]:
                open_at = i  # a new opener before any closer: the first mark was stray
                continues = False
        left_open = open_at is not None
        if open_at is not None:
            s, e = _trim(text, open_at + 1, p_end)
            if e > s:
                spans.append(Span(s, e, open_at, None, continues))
    return spans
