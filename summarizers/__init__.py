"""Extractive summaries and attributed quotes. Knows nothing about feeds or chat."""

from summarizers.base import SummarizerError, Summary, UnsupportedLanguageError
from summarizers.quotes import Quote, extract_quotes, key_quotes
from summarizers.summarize import AVAILABLE_METHODS, summarize

__all__ = [
    "AVAILABLE_METHODS",
    "Quote",
    "Summary",
    "SummarizerError",
    "UnsupportedLanguageError",
    "extract_quotes",
    "key_quotes",
    "summarize",
]
