"""``summarize()``: text in, an extractive summary with offsets out."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.summarizers._summarizer import AbstractSummarizer

from summarizers.base import Summary, UnknownMethodError
from summarizers.cleaning import (
    dateline_length,
    is_fragment,
    is_non_prose_sentence,
    removable_lines,
)
from summarizers.languages import UNSPACED_LANGUAGES, normalize_language, stemmer, stop_words
from summarizers.methods import AVAILABLE_METHODS, DEFAULT_METHOD, Summarizer
from summarizers.splitting import (
    OfflineTokenizer,
    Sentence,
    blocks,
    quotation_spans,
    split_block,
)

__all__ = ["AVAILABLE_METHODS", "DEFAULT_METHOD", "build_document", "resolve_method", "summarize"]

_FINAL = ".!?…。！？؟\"”»’')"
# A sentence is a repeat of a text shown next to the summary (the headline, a key quote and its
# attribution) when at least this share of its content words is in that text.
REPEAT_SHARE = 0.7
_NOT_LETTER = re.compile(r"[^\w\s]|[\d_]")


def resolve_method(method: str | None) -> str:
    """The registry name for ``method`` (``None`` -> our default); raise if there is none."""
    name = DEFAULT_METHOD if method is None else str(method).strip().lower().replace("-", "")
    if name not in AVAILABLE_METHODS:
        raise UnknownMethodError(str(method), tuple(AVAILABLE_METHODS))
    return name


def _is_prose(sentence: Sentence, block: str, tokenizer: OfflineTokenizer) -> bool:
    """False for lines that are not prose sentences: crossheads, labels, lists of figures."""
    words = tokenizer.to_words(sentence.text)
    min_words = 6 if tokenizer.language in UNSPACED_LANGUAGES else 4
    if len(words) < min_words or is_non_prose_sentence(sentence.text):
        return False
    if sentence.text == block and block[-1] not in _FINAL and len(words) < 10:
        return False  # a crosshead or a label, not a sentence
    text = sentence.text
    not_letters = len(_NOT_LETTER.findall(text))
    if not_letters > 0.5 * len(text.replace(" ", "")):
        return False  # figures, tables, handles
    if len(words) <= 15:
        cased = "".join(words)
        upper = sum(w.isupper() for w in words)
        if cased.upper() == cased and cased.lower() != cased or upper >= 0.8 * len(words):
            return False  # AN ALL-CAPS CROSSHEAD
    capitalised = sum(w[:1].isupper() for w in words)
    return not (len(words) <= 12 and capitalised >= 0.8 * len(words))  # A Title-Case Heading


def _without_dateline(text: str, sentences: list[Sentence]) -> list[Sentence]:
    """The block's sentences with a leading "CITY (Agency) -" dateline cut off the first one.

    A dateline with a state's abbreviation ("RENO, Nev. (AP) — Trump said ...") was split
    after the abbreviation; its two pieces are the lead sentence, so they are joined again.
    """
    if not sentences:
        return sentences
    first = sentences[0]
    if len(sentences) > 1:
        joined = text[first.start : sentences[1].end]
        cut = dateline_length(joined)
        if cut > len(first.text):
            start, end = first.start + cut, sentences[1].end
            return [Sentence(text[start:end], start, end), *sentences[2:]]
    if cut := dateline_length(first.text):
        sentences = [Sentence(first.text[cut:], first.start + cut, first.end), *sentences[1:]]
    return sentences


def _whole_quotations(text: str, lo: int, hi: int, sentences: list[Sentence]) -> list[bool]:
    """For each sentence of the block ``text[lo:hi]``: does it hold its quotations whole, and
    something besides them (a speaker, a verb)?

    False for a sentence that opens a quotation it does not close ('Moorcroft said: "The
    Athens experience was hard.' when the quotation runs on), closes one it did not open,
    lies inside one, or is nothing but a quotation ('"We will win."': said by whom?).
    """
    spans = quotation_spans(text, lo, hi)
    out: list[bool] = []
    k = 0
    for s in sentences:
        while k < len(spans) and spans[k].end <= s.start:
            k += 1
        ok = True
        outside = []
        pos = s.start
        j = k
        while j < len(spans) and spans[j].start < s.end:
            start, end, balanced = spans[j]
            if start < s.start or end > s.end or not balanced:
                ok = False
                break
            outside.append(text[pos:start])
            pos = end
            j += 1
        outside.append(text[pos : s.end])
        out.append(ok and any(ch.isalnum() for part in outside for ch in part))
    return out


def build_document(
    text: str, language: str = "english", title: str | None = None
) -> tuple[ObjectDocumentModel, dict[int, Sentence]]:
    """A sumy document of the prose sentences of ``text`` and a map ``id(sumy sentence) -> span``.

    Non-prose lines (repeated headline, bylines, share lines, credits, date trailers) are left
    out, and so are pieces that are not whole sentences (a list item, one that ends in a comma
    or a colon, a quotation left open or with no speaker): no method can pick them.
    """
    tokenizer = OfflineTokenizer(language)
    removed = {(r.start, r.end) for r in removable_lines(text, title, tokenizer.language)}
    kept: list[tuple[str, list[Sentence]]] = []
    for lo, hi in blocks(text):
        if (lo, hi) in removed:
            continue
        sentences = _without_dateline(text, split_block(text, lo, hi, tokenizer.language))
        quotes_whole = _whole_quotations(text, lo, hi, sentences)
        whole = [
            s
            for s, ok in zip(sentences, quotes_whole, strict=True)
            if ok and not is_fragment(s.text, tokenizer.language)
        ]
        kept.append((text[lo:hi], whole))
    prose = [[s for s in sents if _is_prose(s, block, tokenizer)] for block, sents in kept]
    if not any(prose):  # nothing reads as prose: fall back to every whole sentence
        prose = [[s for s in sents if len(tokenizer.to_words(s.text)) >= 2] for _, sents in kept]
    spans: dict[int, Sentence] = {}
    paragraphs = []
    for sents in prose:
        if not sents:
            continue
        objs = []
        for s in sents:
            obj = SumySentence(s.text, tokenizer)
            spans[id(obj)] = s
            objs.append(obj)
        paragraphs.append(Paragraph(objs))
    return ObjectDocumentModel(paragraphs), spans


def without_repeats(
    document: ObjectDocumentModel, shown: Sequence[str], language: str
) -> ObjectDocumentModel:
    """``document`` without the sentences that say again what ``shown`` already tells the reader.

    A sentence repeats a shown text when at least :data:`REPEAT_SHARE` of its content words
    (stemmed, stop words left out) are in it. A lede that adds facts to the headline stays; a
    standfirst that restates the headline, or a sentence that is the key quote plus "said X",
    goes. If every sentence would go, the document is returned unchanged.
    """
    if not shown:
        return document
    tokenizer = OfflineTokenizer(language)
    stem, stops = stemmer(language), stop_words(language)

    def content(words: Sequence[str]) -> set[str]:
        return {stem(w.lower()) for w in words if w.lower() not in stops and w.isalnum()}

    known = [content(tokenizer.to_words(t)) for t in shown]

    def repeats(sentence: SumySentence) -> bool:
        words = content(sentence.words)
        return any(words and len(words & k) >= REPEAT_SHARE * len(words) for k in known)

    paragraphs = [[s for s in p.sentences if not repeats(s)] for p in document.paragraphs]
    kept = sum(map(len, paragraphs))
    if kept in (0, len(document.sentences)):
        return document
    return ObjectDocumentModel([Paragraph(p) for p in paragraphs if p])


def _ranked(summarizer: Summarizer, document: ObjectDocumentModel) -> Iterator[SumySentence]:
    """Sentences best first: from ``rank()``, from the ratings of a sumy summarizer, or else by
    asking for one sentence more each time."""
    rank = getattr(summarizer, "rank", None)
    if rank is not None:
        yield from rank(document)
        return
    ranking = _sumy_ranking(summarizer, document)
    if ranking is not None:
        yield from ranking
        return
    seen: set[int] = set()
    for k in range(1, len(document.sentences) + 1):
        for s in summarizer(document, k):
            if id(s) not in seen:
                seen.add(id(s))
                yield s


def summarize(
    text: str,
    sentences: int = 3,
    language: str = "english",
    method: str | None = None,
    max_chars: int | None = None,
    title: str | None = None,
    shown: Sequence[str] = (),
) -> Summary:
    """Pick the ``sentences`` most important sentences of ``text``, kept in document order.

    ``method`` is a name from :data:`AVAILABLE_METHODS` (``None``: our default, ``lederank``).
    ``max_chars`` caps ``Summary.text`` (sentences joined by one space): sentences are never cut;
    lower-ranked ones are dropped instead, and a sentence too long for the budget is skipped for
    the next best that fits. If no sentence fits, the summary is empty.
    ``title``, when known, is the headline: its repeats in the body are never picked (without
    it, a first line that looks like a headline is taken as one). A sentence that repeats the
    title or one of the ``shown`` texts (e.g. the key quote displayed under the summary, with
    its attribution) is skipped: see :func:`without_repeats`.
    Raises :class:`UnknownMethodError` / :class:`UnsupportedLanguageError` (both
    :class:`SummarizerError`) naming the valid choices.
    """
    name = resolve_method(method)
    language = normalize_language(language)
    if sentences <= 0 or not text or not text.strip():
        return Summary([], [], name, language)
    document, spans = build_document(text, language, title)
    document = without_repeats(document, [t for t in (title, *shown) if t], language)
    if not document.sentences:
        return Summary([], [], name, language)
    summarizer = AVAILABLE_METHODS[name](language)
    picked = list(summarizer(document, sentences))
    if max_chars is not None and _length(picked) > max_chars:
        picked = _fit(_ranked(summarizer, document), sentences, max_chars)
    chosen = sorted((spans[id(s)] for s in picked), key=lambda s: s.start)
    return Summary([s.text for s in chosen], [(s.start, s.end) for s in chosen], name, language)


def _length(sentences: list[SumySentence]) -> int:
    return sum(len(str(s)) for s in sentences) + max(len(sentences) - 1, 0)


def _fit(ranked: Iterator[SumySentence], count: int, max_chars: int) -> list[SumySentence]:
    """Best-first greedy: take each sentence that still fits, until ``count`` are taken."""
    out: list[SumySentence] = []
    for s in ranked:
        if len(out) == count:
            break
        if _length([*out, s]) <= max_chars:
            out.append(s)
    return out


def _sumy_ranking(
    summarizer: Summarizer, document: ObjectDocumentModel
) -> list[SumySentence] | None:
    """Every sentence best first, from one run of a sumy summarizer: each of them rates every
    sentence and then keeps the best ``count`` (``AbstractSummarizer._get_best_sentences``), so
    the ratings it passes there rank them all. Sorted as sumy sorts (stable, best first), this
    is the order in which asking for one sentence more each time adds them, at the cost of one
    run instead of one per sentence (seconds on a long article under ``max_chars``). None when
    the summarizer does not rate that way."""
    if not isinstance(summarizer, AbstractSummarizer):
        return None
    rated: list[list[tuple[SumySentence, Any]]] = []

    def capture(sentences: Any, count: Any, rating: Any, *args: Any, **kwargs: Any) -> Any:
        # Rated once each, in document order, as sumy does (LSA's rating reads an iterator).
        if isinstance(rating, dict):
            rated.append([(s, rating[s]) for s in sentences])
        else:
            rated.append([(s, rating(s, *args, **kwargs)) for s in sentences])
        return ()

    summarizer._get_best_sentences = capture  # type: ignore[method-assign]
    try:
        summarizer(document, len(document.sentences))
    finally:
        del summarizer._get_best_sentences
    if len(rated) != 1:
        return None
    return [s for s, _ in sorted(rated[0], key=lambda pair: pair[1], reverse=True)]
