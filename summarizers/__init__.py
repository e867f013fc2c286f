"""Extractive summaries and attributed quotes. Knows nothing about feeds or chat."""

from summarizers.base import SummarizerError, Summary, UnknownMethodError, UnsupportedLanguageError
from summarizers.quotes import Quote, extract_quotes, key_quotes
from summarizers.summarize import AVAILABLE_METHODS, DEFAULT_METHOD, summarize

__all__ = [
    "AVAILABLE_METHODS",
    "DEFAULT_METHOD",
    "Quote",
    "Summary",
    "SummarizerError",
    "UnknownMethodError",
    "UnsupportedLanguageError",
    "extract_quotes",
    "key_quotes",
    "summarize",
]
