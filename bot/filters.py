"""A channel's include/exclude filters: whole-word phrases and `re:` regular expressions.

A phrase matches whole words, case-insensitively, with any whitespace between its words. A
`re:` pattern is a regular expression (case-insensitive unless it starts with `(?-i)`) searched
anywhere in the story. Both look at the title, the summary and the text, one after the other.

Python's `re` cannot be interrupted, so `re:` patterns run on the third-party `regex` module,
whose matches take a timeout. A pattern that gives up (catastrophic backtracking, e.g.
`(a+)+$` on a long run of a's) decides on the safe side, "fail closed": a timed-out include
does not match and a timed-out exclude does, so the story is held back rather than let through
unchecked. It is not lost: it stays pending and is checked again at the next digest. Each
pattern also has a time budget per pass over a channel's stories; once it is spent, the pattern
is not run again in that pass and counts as timed out, so one bad pattern delays a digest by
about a second at most. A warning names the pattern once per channel.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

log = logging.getLogger(__name__)

REGEX_PREFIX = "re:"
#: Seconds one `re:` pattern may take on one story.
MATCH_TIMEOUT = 0.05
#: Seconds one `re:` pattern may take over one pass (a digest's selection) in all.
PATTERN_BUDGET = 1.0

_warned: set[tuple[str, str]] = set()


class FilterError(ValueError):
    """An include/exclude entry that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class TextFilter:
    """One include/exclude entry, compiled."""

    source: str  # as written in the config
    pattern: re.Pattern[str] | regex.Pattern[str]
    is_regex: bool

    def search(self, text: str, timeout: float) -> bool:
        """True when the entry occurs in `text`; TimeoutError when a `re:` pattern gives up."""
        if self.is_regex:
            return self.pattern.search(text, timeout=timeout) is not None  # type: ignore[call-arg]
        return self.pattern.search(text) is not None


def compile_filter(source: str) -> TextFilter:
    """Compile a phrase or a `re:` pattern; FilterError with the reason when it is invalid."""
    if source.startswith(REGEX_PREFIX):
        expression = source[len(REGEX_PREFIX) :]
        if not expression.strip():
            raise FilterError("empty regular expression after 're:'")
        try:
            pattern = regex.compile(expression, regex.IGNORECASE | regex.V0)
        except (regex.error, ValueError, OverflowError, RecursionError) as exc:
            raise FilterError(f"invalid regular expression {expression!r}: {exc}") from None
        return TextFilter(source, pattern, is_regex=True)
    # Words in the phrase may be separated by any whitespace in the text (line breaks too).
    words = r"\s+".join(re.escape(word) for word in source.split())
    if not words:
        raise FilterError("empty phrase")
    return TextFilter(source, re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE), is_regex=False)


@lru_cache(maxsize=512)
def compile_filters(sources: tuple[str, ...]) -> tuple[TextFilter, ...]:
    """The compiled entries (cached: a channel's filters are checked at every digest)."""
    return tuple(compile_filter(s) for s in sources)


class FilterPass:
    """A channel's include and exclude entries, checked against many stories in one pass."""

    def __init__(
        self,
        include: Sequence[str],
        exclude: Sequence[str],
        *,
        where: str = "",
        match_timeout: float = MATCH_TIMEOUT,
        budget: float = PATTERN_BUDGET,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.include = compile_filters(tuple(include))
        self.exclude = compile_filters(tuple(exclude))
        self.where = where
        self.match_timeout = match_timeout
        self.clock = clock
        self._left: dict[str, float] = {
            f.source: budget for f in (*self.include, *self.exclude) if f.is_regex
        }
        self.undecided = False  # the last `matches` answer came from a timeout, not a match

    def matches(self, text: str, label: str = "") -> bool:
        """include: at least one entry occurs (none given = everything); exclude: none occurs.
        `label` names the story in the timeout warning; `undecided` tells afterwards whether a
        timeout decided the answer (the story is then worth another look later)."""
        self.undecided = False
        if self.include and not any(self._occurs(f, text, label, False) for f in self.include):
            return False
        return not any(self._occurs(f, text, label, True) for f in self.exclude)

    def _occurs(self, entry: TextFilter, text: str, label: str, timed_out_means: bool) -> bool:
        if not entry.is_regex:
            return entry.search(text, 0)
        left = self._left[entry.source]
        if left <= 0:
            self.undecided = True
            return timed_out_means
        started = self.clock()
        try:
            return entry.search(text, min(self.match_timeout, left))
        except TimeoutError:
            self.undecided = True
            self._warn(entry, label, timed_out_means)
            return timed_out_means
        finally:
            self._left[entry.source] = left - (self.clock() - started)

    def _warn(self, entry: TextFilter, label: str, timed_out_means: bool) -> None:
        key = (self.where, entry.source)
        if key in _warned:
            return
        _warned.add(key)
        kind = "exclude" if timed_out_means else "include"
        log.warning(
            "channel %s: the %s pattern %r gave up after %.0f ms on %s; a timed-out %s counts as "
            "%s, so such stories are held back (simplify the pattern)",
            self.where or "?",
            kind,
            entry.source,
            self.match_timeout * 1000,
            label or "a story",
            kind,
            "matching" if timed_out_means else "not matching",
        )
