"""Answer a question about stored articles from their own quotes and sentences.

Extractive on purpose: every answer is words the article printed, with its link. The sentence
splitter is imported on the first question: `summarizers` loads sumy, NLTK and numpy, which the
main process otherwise never needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Quote
from bot.store import ArticleRecord

_STOP = frozenset(
    (
        "a an the and or but of to in on at for with by from about as is are was were be been "
        "it its this that these those what which who whom whose when where why how did do "
        "does done say said says tell told me us you he she they them his her their i we our "
        "there here than then so if not no yes will would could should can may might have has "
        "had any some more most "
    ).split()
)
_SAY_WORDS = re.compile(r"\b(say|said|says|quote|quoted|told|tell|claim|claimed)\b", re.I)


@dataclass(frozen=True, slots=True)
class Answer:
    quotes: tuple[tuple[Quote, ArticleRecord], ...]
    sentences: tuple[tuple[str, ArticleRecord], ...]

    @property
    def empty(self) -> bool:
        return not self.quotes and not self.sentences


def terms(text: str) -> set[str]:
    """Content words, lower-cased, with a light plural/verb suffix strip."""
    words = re.findall(r"\w+", text.lower())
    return {_stem(w) for w in words if w not in _STOP and len(w) > 1}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def answer(
    question: str,
    articles: Sequence[ArticleRecord],
    *,
    max_quotes: int = 2,
    max_sentences: int = 2,
    language: str = "english",
) -> Answer:
    """Quotes first (when the question asks who said what), then the best matching sentences."""
    from summarizers.text import split_sentences

    wanted = terms(question)
    asks_for_words = bool(_SAY_WORDS.search(question))
    scored_quotes = []
    for article in articles:
        for position, quote in enumerate(article.quotes):
            overlap = len(wanted & terms(f"{quote.text} {quote.speaker or ''}"))
            speaker_hit = bool(quote.speaker) and bool(wanted & terms(quote.speaker or ""))
            value = overlap + (3 if speaker_hit else 0)
            if value > 0 or (asks_for_words and len(articles) == 1):
                scored_quotes.append((value, -position, quote, article))
    scored_quotes.sort(key=lambda t: (t[0], t[1]), reverse=True)
    scored_sentences = []
    for article in articles:
        for position, sentence in enumerate(split_sentences(article.text, language)):
            overlap = len(wanted & terms(sentence.text))
            if overlap:
                scored_sentences.append((overlap, -position, sentence.text, article))
    scored_sentences.sort(key=lambda t: (t[0], t[1]), reverse=True)
    quotes = tuple((q, a) for _, _, q, a in scored_quotes[:max_quotes])
    quoted = {q.text for q, _ in quotes}
    sentences = tuple((s, a) for _, _, s, a in scored_sentences if not any(q in s for q in quoted))[
        :max_sentences
    ]
    return Answer(quotes=quotes, sentences=sentences)
