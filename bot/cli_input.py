"""What `newsbrief summarize` reads: a URL, or a file or stdin within the size cap, as text."""

from __future__ import annotations

import codecs
import re
import sys
from pathlib import Path
from typing import BinaryIO

from bot.errors import ReasonError

_URL = re.compile(r"https?://", re.IGNORECASE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class InputError(ReasonError):
    """The file or stdin cannot be summarized: too large, empty, binary or not UTF-8."""


def is_url(source: str) -> bool:
    """An http(s) URL, whatever the case of its scheme ("HTTP://", "Https://")."""
    return bool(_URL.match(source.strip()))


def source_name(source: str) -> str:
    return "stdin" if source == "-" else source


def read_input(source: str, max_bytes: int, stdin: BinaryIO | None = None) -> bytes:
    """The bytes of a file (or of stdin for ``-``), reading at most ``max_bytes`` + 1.

    Raises :class:`InputError` when there are more than ``max_bytes`` (the cap pages and feeds
    get too) or nothing but white space; ``OSError`` when the file cannot be read.
    """
    name = source_name(source)
    if source == "-":
        raw = (stdin or sys.stdin.buffer).read(max_bytes + 1)
    else:
        with Path(source).open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise InputError(
            f"{name} is larger than {_human_bytes(max_bytes)}, "
            "the limit for pages and feeds too ([fetch] max_bytes)"
        )
    if not raw.strip():
        raise InputError(f"{name} is empty: give the text or HTML of an article")
    if b"\x00" in raw and not raw.startswith(_UTF16_BOMS):
        raise InputError(f"{name} is a binary file, not text or HTML")
    return raw


def looks_like_html(raw: bytes) -> bool:
    return raw.lstrip()[:1] == b"<"


def as_text(raw: bytes, name: str) -> str:
    """``raw`` decoded: UTF-8 (a UTF-8 or UTF-16 byte order mark is honoured), else an error."""
    codec = "utf-16" if raw.startswith(_UTF16_BOMS) else "utf-8-sig"
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 text (undecodable byte at offset {exc.start}); "
            "convert it first, e.g. with iconv -t UTF-8"
        ) from None
    if not text.strip():
        raise InputError(f"{name} is empty: give the text or HTML of an article")
    return text


def _human_bytes(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n:,} bytes"
