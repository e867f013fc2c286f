"""NewsRank: our default method (placeholder, being tuned)."""

from __future__ import annotations

from typing import Any

from sumy.models.dom import ObjectDocumentModel


class NewsRankSummarizer:
    def __init__(self, language: str = "english") -> None:
        self.language = language

    def rank(self, document: ObjectDocumentModel) -> list:
        return list(document.sentences)

    def __call__(self, document: ObjectDocumentModel, sentences_count: Any) -> tuple:
        chosen = {id(s) for s in self.rank(document)[: int(sentences_count)]}
        return tuple(s for s in document.sentences if id(s) in chosen)
