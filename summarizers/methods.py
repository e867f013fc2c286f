"""The registry of ranking methods: sumy's algorithms, Lead-k and our own (LedeRank, NewsRank).

A method is a factory ``(language) -> summarizer``; a summarizer follows sumy's plug-in shape
``summarizer(document, count) -> sentences in document order`` and may also offer
``rank(document) -> sentences best first`` (used for the ``max_chars`` budget).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sumy.models.dom import ObjectDocumentModel
from sumy.models.dom import Sentence as SumySentence
from sumy.summarizers._summarizer import AbstractSummarizer
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from summarizers.languages import stemmer, stop_words
from summarizers.lederank import LedeRankSummarizer
from summarizers.newsrank import NewsRankSummarizer


class Summarizer(Protocol):
    def __call__(
        self, document: ObjectDocumentModel, sentences_count: Any
    ) -> Sequence[SumySentence]: ...


MethodFactory = Callable[[str], Summarizer]


class LeadSummarizer(AbstractSummarizer):
    """Lead-k: the first k sentences. The classic news baseline."""

    def __call__(
        self, document: ObjectDocumentModel, sentences_count: Any
    ) -> tuple[SumySentence, ...]:
        return tuple(document.sentences[: int(sentences_count)])

    def rank(self, document: ObjectDocumentModel) -> list[SumySentence]:
        return list(document.sentences)


def _sumy(cls: type[AbstractSummarizer]) -> MethodFactory:
    def build(language: str) -> Summarizer:
        summarizer = cls(stemmer(language))
        summarizer.stop_words = stop_words(language)
        return summarizer

    build.__name__ = f"build_{cls.__name__}"
    return build


def _edmundson(language: str) -> Summarizer:
    # sumy's cue and key methods need hand-made bonus/stigma word lists, which sumy ships for
    # no language; like its CLI we run title + location (a plain-text document has no title).
    summarizer = EdmundsonSummarizer(stemmer(language), cue_weight=0.0, key_weight=0.0)
    summarizer.null_words = stop_words(language)
    summarizer.bonus_words = ()
    summarizer.stigma_words = ()
    return summarizer


def _lead(language: str) -> Summarizer:
    return LeadSummarizer(stemmer(language))


def _newsrank(language: str) -> Summarizer:
    return NewsRankSummarizer(language)


def _lederank(language: str) -> Summarizer:
    return LedeRankSummarizer(language)


# LedeRank is the default: it matches or beats Lead-3 against people-written headlines, which
# NewsRank (best at picking BBC reference sentences) does not (benchmarks/README.md).
DEFAULT_METHOD = "lederank"

AVAILABLE_METHODS: dict[str, MethodFactory] = {
    DEFAULT_METHOD: _lederank,
    "newsrank": _newsrank,
    "lead": _lead,
    "lexrank": _sumy(LexRankSummarizer),
    "lsa": _sumy(LsaSummarizer),
    "textrank": _sumy(TextRankSummarizer),
    "luhn": _sumy(LuhnSummarizer),
    "edmundson": _edmundson,
    "kl": _sumy(KLSummarizer),
    "sumbasic": _sumy(SumBasicSummarizer),
    "reduction": _sumy(ReductionSummarizer),
}
