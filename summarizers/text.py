"""Text handling for summarizers: sentences, words and article cleaning, all offline."""

from summarizers.cleaning import Removal, clean_article_text, removable_lines
from summarizers.languages import SUPPORTED_LANGUAGES, normalize_language
from summarizers.splitting import (
    OfflineTokenizer,
    Sentence,
    blocks,
    cut_text,
    split_sentences,
    tokenize_words,
)

__all__ = [
    "SUPPORTED_LANGUAGES",
    "OfflineTokenizer",
    "Removal",
    "Sentence",
    "blocks",
    "clean_article_text",
    "cut_text",
    "normalize_language",
    "removable_lines",
    "split_sentences",
    "tokenize_words",
]
