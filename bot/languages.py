"""The languages the summarizers support, by name and alias, without loading them.

The bot's main process checks the config's `language` settings but runs no analysis, and
`summarizers` brings sumy, NLTK and numpy (~45 MB) with it. So this is a copy of
`summarizers.languages`' table; tests/test_imports.py checks that the two agree.
"""

from __future__ import annotations

SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "arabic",
    "chinese",
    "czech",
    "english",
    "french",
    "german",
    "greek",
    "hebrew",
    "italian",
    "japanese",
    "korean",
    "polish",
    "portuguese",
    "slovak",
    "spanish",
    "swedish",
    "ukrainian",
)

_ALIASES = {
    "ar": "arabic",
    "ara": "arabic",
    "zh": "chinese",
    "zho": "chinese",
    "chi": "chinese",
    "cs": "czech",
    "ces": "czech",
    "cze": "czech",
    "en": "english",
    "eng": "english",
    "fr": "french",
    "fra": "french",
    "fre": "french",
    "de": "german",
    "deu": "german",
    "ger": "german",
    "el": "greek",
    "ell": "greek",
    "gre": "greek",
    "he": "hebrew",
    "heb": "hebrew",
    "it": "italian",
    "ita": "italian",
    "ja": "japanese",
    "jpn": "japanese",
    "ko": "korean",
    "kor": "korean",
    "pl": "polish",
    "pol": "polish",
    "pt": "portuguese",
    "por": "portuguese",
    "sk": "slovak",
    "slk": "slovak",
    "slo": "slovak",
    "es": "spanish",
    "spa": "spanish",
    "sv": "swedish",
    "swe": "swedish",
    "uk": "ukrainian",
    "ukr": "ukrainian",
}


def is_supported(language: str) -> bool:
    """What `summarizers.languages.normalize_language` accepts: "en", "ENG", "English", "pt-BR"."""
    key = language.strip().lower().replace("_", "-").split("-")[0]
    return _ALIASES.get(key, key) in SUPPORTED_LANGUAGES
