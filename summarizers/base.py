"""Value types and errors shared by every summarization method."""

from __future__ import annotations

from dataclasses import dataclass, field


class SummarizerError(Exception):
    """Base class of every error raised by :mod:`summarizers`; its message is fit for a user."""


class UnsupportedLanguageError(SummarizerError, ValueError):
    """The language has no stop words or stemmer (or no offline tokenizer) here."""

    def __init__(self, language: str, supported: tuple[str, ...]) -> None:
        self.language = language
        self.supported = supported
        super().__init__(
            f"unsupported language {language!r}; choose one of: {', '.join(supported)}"
        )


class UnknownMethodError(SummarizerError, ValueError):
    """No summarization method is registered under that name."""

    def __init__(self, method: str, available: tuple[str, ...]) -> None:
        self.method = method
        self.available = available
        super().__init__(
            f"unknown summarization method {method!r}; choose one of: {', '.join(available)}"
        )


@dataclass(frozen=True)
class Summary:
    """An extractive summary: sentences of the source text, in document order.

    ``spans[i]`` holds the character offsets of ``sentences[i]`` in the text given to
    :func:`summarizers.summarize`, so ``text[start:end] == sentences[i]``.
    """

    sentences: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    method: str = ""
    language: str = "english"

    @property
    def text(self) -> str:
        """The summary as one string, sentences joined by a space."""
        return " ".join(self.sentences)

    def __len__(self) -> int:
        return len(self.sentences)

    def __bool__(self) -> bool:
        return bool(self.sentences)
