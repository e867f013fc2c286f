"""Languages we can summarize offline: sumy's stop words and stemmers, our own tokenizers."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources

from summarizers.base import UnsupportedLanguageError

# Every language for which sumy 0.13 ships stop words AND has a stemmer (NLTK Snowball or its own).
# Thai has stop words but no stemmer, so it is not here.
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

# Scripts written without spaces between words: tokenized per character.
UNSPACED_LANGUAGES = frozenset({"chinese", "japanese"})

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


def normalize_language(language: str) -> str:
    """``"en"``, ``"ENG"`` or ``"English"`` -> ``"english"``; raise for anything unsupported."""
    if not isinstance(language, str):
        raise UnsupportedLanguageError(repr(language), SUPPORTED_LANGUAGES)
    key = language.strip().lower().replace("_", "-").split("-")[0]
    name = _ALIASES.get(key, key)
    if name not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguageError(language, SUPPORTED_LANGUAGES)
    return name


@cache
def stop_words(language: str) -> frozenset[str]:
    """sumy's stop words for ``language`` (lower case), read from sumy's data file as
    ``sumy.utils.get_stop_words`` does; importing ``sumy.utils`` would load NLTK (~40 MB)."""
    name = normalize_language(language)
    try:
        data = (resources.files("sumy") / "data" / "stopwords" / f"{name}.txt").read_bytes()
    except OSError as exc:
        raise LookupError(f"Stop-words are not available for language {name}.") from exc
    return frozenset(w.rstrip().lower() for w in data.decode("utf-8").splitlines() if w)


@cache
def stemmer(language: str) -> Callable[[str], str]:
    """A cached stemmer: sumy's for ``language``, applied to lower-cased words.

    sumy's Greek and Polish stemmers import optional packages (``greek-stemmer-pos``,
    ``pystempel``); without them we fall back to lower-casing, so those languages still work,
    with coarser word matching.
    """
    from sumy.nlp.stemmers import Stemmer, null_stemmer

    stem: Callable[[str], str] = Stemmer(normalize_language(language))
    try:
        stem("probe")
    except (ImportError, ValueError):
        stem = null_stemmer

    @lru_cache(maxsize=200_000)
    def cached(word: str) -> str:
        return stem(word.lower())

    return cached
