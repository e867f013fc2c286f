"""Offline, news-aware sentence splitting and word tokenization (no NLTK data, no download).

Text is cut into *blocks* (paragraphs: non-empty lines; a hard-wrapped line that continues in
lower case is joined to the previous one), and each block into sentences. Every sentence keeps
its character offsets into the text it came from: ``text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache
from typing import NamedTuple

from summarizers.languages import UNSPACED_LANGUAGES, normalize_language, stop_words


def _wordlist(words: str) -> list[str]:
    """A word list written as one whitespace-separated string."""
    return words.split()


class Sentence(NamedTuple):
    """One sentence and its character offsets in the source text."""

    text: str
    start: int
    end: int


# --- abbreviations ---------------------------------------------------------------------------
# Titles stand before a name: a period after them never ends a sentence.
_TITLES = frozenset(
    _wordlist(
        """
    mr mrs ms messrs mmes dr drs prof gov govs sen sens rep reps gen lt col maj capt cpt sgt
        cmdr adm rev hon pres supt insp det cpl pvt amb atty sr sra srta dra lic ing dña mme
        mlle mgr hr fr frl mudr judr phdr rndr bc doc inż ks dott avv sig sigg
"""
    )
)
# Other abbreviations may end a sentence; we split after them only when the next word is a
# capitalised stop word ("... Acme Inc. The firm ..."), never before a name or a number.
_ABBREVIATIONS = frozenset(
    _wordlist(
        """
    inc ltd co corp plc llc bros jr no nos nr vs v etc al approx appx dept est fig figs vol
        jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat
        sun st ave blvd rd mt ft ca cca bzw usw vgl evtl ggf inkl tel str abs abt např tzv atd
        mj tj resp tzn popř příp ul pl tys mln mld pág núm aprox ej av avda dpto tfno vda cia
        env cf éd hab art ch coll ecc pag tab kr
"""
    )
)
_ORDINAL_DOT_LANGUAGES = frozenset({"german", "czech", "slovak", "polish"})
_ACRONYM = re.compile(r"^(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}$")  # U.S, e.g, EE.UU, a.m, J.-C
_INITIAL = re.compile(r"^[^\W\d_]$")

# --- quotation marks -------------------------------------------------------------------------
_DOUBLE_QUOTES = '"“”„«»‹›'
_QUOTE_MARK = re.compile(f"[{_DOUBLE_QUOTES}]")
_OPEN_BY_GLYPH = "“„«‹"
_CLOSE_BY_GLYPH = "”»›"
_OPENERS = "\"'“‘„«‹([{¿¡"
_CLOSERS = "\"'”’“»›)]}"
_BEFORE_OPEN = "([{—–-/"
_AFTER_CLOSE = ".,;:!?)]}…—–-"


@cache
def _end_pattern(language: str) -> re.Pattern[str]:
    """Sentence-final punctuation, with the closing quotes/brackets that belong to it."""
    marks = ".!?…。！？؟"
    if language == "greek":
        marks += ";;"
    if language in UNSPACED_LANGUAGES:
        # Full-width stops need no space after them.
        return re.compile(rf"[{re.escape(marks)}]+[{re.escape(_CLOSERS)}」』）]*")
    # French spacing puts a (narrow) no-break space before a closing guillemet: "gagner. »"
    return re.compile(
        rf"[{re.escape(marks)}]+(?:[ \u00a0\u202f][»›])?[{re.escape(_CLOSERS)}]*(?=\s|$)"
    )


def blocks(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph-like block of ``text``, stripped of spaces.

    Each non-empty line is a block; a line that starts in lower case right after a line with no
    sentence-final punctuation is a hard wrap and joins the previous block.
    """
    out: list[tuple[int, int]] = []
    prev_line_end = -10
    for m in re.finditer(r"[^\r\n]+", text):
        line = m.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = m.start() + (len(line) - len(line.lstrip()))
        end = start + len(stripped)
        gap = text[prev_line_end:start]
        if (
            out
            and gap.count("\n") <= 1
            and stripped[0].islower()
            and text[out[-1][1] - 1] not in ".!?…:;\"”»'’)"
        ):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
        prev_line_end = m.end()
    return out


def _classify_quote(text: str, i: int, lo: int, hi: int) -> str:
    """'open', 'close' or 'either' for the quotation mark at ``text[i]``, from its context."""
    prev = text[i - 1] if i > lo else " "
    nxt = text[i + 1] if i + 1 < hi else " "
    if (prev.isspace() or prev in _BEFORE_OPEN or prev in _OPENERS) and not nxt.isspace():
        return "open"
    if not prev.isspace() and (nxt.isspace() or nxt in _AFTER_CLOSE or nxt in _CLOSERS):
        return "close"
    ch = text[i]
    if ch in _OPEN_BY_GLYPH:
        return "open"
    if ch in _CLOSE_BY_GLYPH:
        return "close"
    return "either"


def _quotations(text: str, lo: int, hi: int) -> list[tuple[int, int | None]]:
    """``(open, close)`` positions of double quotations in ``text[lo:hi]``; ``None`` = unclosed.

    Each block starts outside any quotation: in a quotation that runs over paragraphs, the next
    paragraph opens again with a quotation mark, and that mark must not be read as a closing one.
    """
    pairs: list[tuple[int, int | None]] = []
    open_at: int | None = None
    for m in _QUOTE_MARK.finditer(text, lo, hi):
        i = m.start()
        kind = _classify_quote(text, i, lo, hi)
        if open_at is None:
            if kind != "close":
                open_at = i
        elif kind == "open":
            pairs.append((open_at, None))
            open_at = i
        else:
            pairs.append((open_at, i))
            open_at = None
    if open_at is not None:
        pairs.append((open_at, None))
    return pairs


class Quotation(NamedTuple):
    """A double quotation of a block: ``text[start:end]``, its marks included."""

    start: int
    end: int
    balanced: bool  # False: never closed, or closed with no opening mark in the block


def quotation_spans(text: str, lo: int, hi: int) -> list[Quotation]:
    """The double quotations of the block ``text[lo:hi]`` in order, not overlapping.

    One never closed runs to the next opening mark or to the block's end; a closing mark with
    no opening one ends a quotation that began before it (at the end of the previous
    quotation, or at the block's start). Neither is ``balanced``.
    """
    spans: list[Quotation] = []
    open_at: int | None = None
    for m in _QUOTE_MARK.finditer(text, lo, hi):
        i = m.start()
        kind = _classify_quote(text, i, lo, hi)
        if open_at is None:
            if kind == "close":
                spans.append(Quotation(spans[-1].end if spans else lo, i + 1, False))
            else:
                open_at = i
        elif kind == "open":
            spans.append(Quotation(open_at, i, False))
            open_at = i
        else:
            spans.append(Quotation(open_at, i + 1, True))
            open_at = None
    if open_at is not None:
        spans.append(Quotation(open_at, hi, False))
    return spans


_WORD_START = re.compile(r"[\w.'’-]*")
# The words a boundary check looks at (titles, abbreviations, initials, acronyms, stop words)
# are short: looking further than this around a candidate end would only make splitting
# quadratic on a long run of text without spaces.
_WORD_LOOK = 64


def _first_letter(text: str, i: int, hi: int) -> tuple[int, str]:
    """Position and first word of the sentence that would start at ``i`` (openers skipped)."""
    while i < hi and (text[i] in _OPENERS or text[i].isspace()):
        i += 1
    m = _WORD_START.match(text, i, min(hi, i + _WORD_LOOK))
    return i, (m.group() if m else "")


def _word_before(text: str, i: int, lo: int) -> str:
    """The run of non-space characters ending at ``i`` (at most ``_WORD_LOOK`` long: a longer
    one is no title or abbreviation, and reads as "")."""
    from_ = max(lo, i - _WORD_LOOK - 1)
    chunk = text[from_:i]
    if not chunk or chunk[-1].isspace():
        return ""
    word = chunk.rsplit(None, 1)[-1]
    return "" if len(word) == len(chunk) and from_ > lo else word


def _is_boundary(
    text: str,
    m: re.Match[str],
    lo: int,
    hi: int,
    language: str,
    continuing: _ContinuingQuotes,
) -> bool:
    end = m.end()
    nxt_pos, nxt_word = _first_letter(text, end, hi)
    if nxt_pos >= hi:
        return True
    first = text[nxt_pos]
    if first.islower() or first in ",;:)":
        return False  # "?" she asked / ... and then / e.g. lower-case continuation
    stops = stop_words(language)
    bare = nxt_word.rstrip(".")
    next_is_stop = len(bare) > 1 and bare.lower() in stops and first.isupper()
    punct = m.group().rstrip(_CLOSERS)
    if punct == "." and m.group() == ".":
        word = _word_before(text, m.start(), lo).lstrip(_OPENERS)
        low = word.lower()
        if low in _TITLES:
            return False
        is_abbreviation = _INITIAL.match(word) or _ACRONYM.match(word) or low in _ABBREVIATIONS
        if is_abbreviation and not next_is_stop:
            return False
        if (
            language in _ORDINAL_DOT_LANGUAGES
            and re.fullmatch(r"\d{1,3}", word)
            and not next_is_stop
        ):
            return False  # "am 3. Oktober", "28. Listopadu"
    # Inside a quotation that closes later in this block and is then attributed
    # ('"We won. We will win again," she said.'), the quotation clearly continues.
    return not continuing.covers(m.start(), end)


_NEXT_VISIBLE = re.compile(r"\s*(\S)")


def _attributed_close(text: str, close_at: int, hi: int) -> bool:
    """True when the quotation closing at ``close_at`` flows on into the same sentence."""
    before = text[close_at - 1] if close_at > 0 else ""
    m = _NEXT_VISIBLE.match(text, close_at + 1, hi)
    after = m.group(1) if m else ""
    if before == ",":
        return True
    if before in "!?…" and after.islower():
        return True
    return bool(after and (after in ",;" or after.islower()))


class _ContinuingQuotes:
    """The closed quotations of a block that flow on into an attribution, for quick lookup.

    Quotations do not overlap, so the only one that can hold a position is the last one that
    opens before it (found by bisection: splitting stays linear in the block's length).
    """

    def __init__(self, text: str, quotes: list[tuple[int, int | None]], hi: int) -> None:
        spans = [
            (open_at, close_at)
            for open_at, close_at in quotes
            if close_at is not None and _attributed_close(text, close_at, hi)
        ]
        self._opens = [open_at for open_at, _ in spans]
        self._closes = [close_at for _, close_at in spans]

    def covers(self, start: int, end: int) -> bool:
        """True when such a quotation opens before ``start`` and closes at or after ``end``."""
        k = bisect_left(self._opens, start) - 1
        return k >= 0 and self._closes[k] >= end


def split_block(text: str, lo: int, hi: int, language: str) -> list[Sentence]:
    """Sentences of ``text[lo:hi]`` (one block) with offsets into ``text``."""
    continuing = _ContinuingQuotes(text, _quotations(text, lo, hi), hi)
    out: list[Sentence] = []
    start = lo
    for m in _end_pattern(language).finditer(text, lo, hi):
        if m.end() <= start:
            continue
        if not _is_boundary(text, m, lo, hi, language, continuing):
            continue
        _append(out, text, start, m.end())
        start = m.end()
    _append(out, text, start, hi)
    return out


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    s = start + (len(chunk) - len(chunk.lstrip()))
    out.append(Sentence(stripped, s, s + len(stripped)))


def split_sentences(text: str, language: str = "english") -> list[Sentence]:
    """Every sentence of ``text`` in order, each with offsets into ``text``.

    Needs no download. Knows news conventions: abbreviations and titles (U.S., Gov., Mr., Jan.),
    initials, decimals and money ($10.9bn, 3.5%), and quotations over several sentences or
    paragraphs (a closing quotation mark belongs to its sentence).
    """
    language = normalize_language(language)
    out: list[Sentence] = []
    for lo, hi in blocks(text):
        out.extend(split_block(text, lo, hi, language))
    return out


_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_UNSPACED_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[A-Za-z\u00c0-\u024f]+"
)


def tokenize_words(sentence: str, language: str = "english") -> list[str]:
    """The words of ``sentence`` (letters only; numbers and punctuation dropped)."""
    language = normalize_language(language)
    pattern = _UNSPACED_WORD if language in UNSPACED_LANGUAGES else _WORD
    return pattern.findall(sentence)


class OfflineTokenizer:
    """A drop-in for ``sumy.nlp.tokenizers.Tokenizer`` that needs no NLTK data.

    sumy's parsers and summarizers only call ``language``, ``to_sentences`` and ``to_words``.
    """

    def __init__(self, language: str = "english") -> None:
        self._language = normalize_language(language)
        self._pattern = _UNSPACED_WORD if self._language in UNSPACED_LANGUAGES else _WORD

    @property
    def language(self) -> str:
        return self._language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(s.text for s in split_sentences(paragraph, self._language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(self._pattern.findall(str(sentence)))


_SPACES = re.compile(r"\s*")
_CUT_CONTEXT = 200


def cut_text(text: str, max_chars: int, language: str = "english") -> str:
    """``text`` itself when it has at most ``max_chars`` characters; else its longest head of at
    most ``max_chars`` characters that ends where a paragraph or a sentence ends.

    A head with no sentence end in it is cut after its last whole word; only a single "word"
    longer than ``max_chars`` (no space in it at all) is cut inside it.
    """
    if len(text) <= max_chars:
        return text
    language = normalize_language(language)
    head = text[:max_chars]
    spans = blocks(head)
    if not spans:
        return ""
    lo, hi = spans[-1]
    # The last block and a little of the text after the cut: the splitter must see the word
    # after each sentence end ("Mr. | Lee" is no end), and the line after a line end.
    window = text[: max_chars + _CUT_CONTEXT]
    block_end = next((e for s, e in blocks(window) if s == lo), hi)
    gap_end = _SPACES.match(text, hi).end()
    if block_end == hi and ("\n" in text[hi:gap_end] or gap_end == len(text)):
        return head[:hi]  # the head ends with a whole paragraph
    ends = [s.end for s in split_block(window, lo, block_end, language) if s.end <= max_chars]
    if ends and ends[-1] < block_end:
        return head[: ends[-1]]
    if len(spans) >= 2:
        return head[: spans[-2][1]]
    if hi < max_chars or text[max_chars].isspace():
        return head[:hi]  # no sentence end, but the last word is whole
    word_start = hi
    while word_start > 0 and not head[word_start - 1].isspace():
        word_start -= 1  # back over the word the cut falls in
    return head[:word_start].rstrip() if word_start else head
