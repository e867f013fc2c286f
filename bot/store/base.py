"""What every store shares: the interface the core uses (`Store`), its record types, and the
rules both databases follow (fetch backoff, near-duplicate test, speaker prefixes, search words).

Implementations: `bot.store.sqlite.SqliteStore` (the embedded default) and
`bot.store.postgres.PostgresStore` (a server, for several processes on one database). The same
contract tests run against both (tests/test_store.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from bot.models import Quote, Source
from bot.store.workspaces import WorkspaceStore

MAX_BACKOFF = timedelta(hours=24)
SEEN_GUIDS_KEPT = timedelta(days=365)  # after retention removed their articles


class StoreError(Exception):
    """A database that cannot be opened or used; the message is meant for the user."""


@dataclass(frozen=True, slots=True)
class FeedRecord:
    id: int
    name: str
    url: str
    origin: str
    active: bool
    poll_minutes: int
    tags: tuple[str, ...]
    full_text: bool
    title: str | None
    etag: str | None
    last_modified: str | None
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime | None
    failures: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class NewArticle:
    feed_id: int
    guid: str
    title: str
    url: str
    canonical_url: str | None
    published_at: datetime
    text: str
    summary: tuple[str, ...]
    quotes: tuple[Quote, ...]
    key_quote_count: int
    content_hash: str | None
    simhash: int | None
    image: str | None = None  # https URL of the story's picture (bot.images), never fetched


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    id: int
    title: str
    url: str
    """The canonical URL (tracking parameters such as utm_* removed): what users are shown."""
    feed_id: int
    source: str
    published_at: datetime
    first_seen_at: datetime
    text: str
    summary: tuple[str, ...]
    quotes: tuple[Quote, ...]  # key quotes first, then the rest in article order
    key_quote_count: int
    other_sources: tuple[Source, ...]
    image: str | None = None

    @property
    def key_quotes(self) -> tuple[Quote, ...]:
        return self.quotes[: self.key_quote_count]


@dataclass(frozen=True, slots=True)
class QuoteHit:
    quote: Quote
    article_id: int
    article_title: str
    article_url: str


@runtime_checkable
class Store(WorkspaceStore, Protocol):
    """The store interface. Every method is synchronous and thread-safe for the bot's use; writes
    are atomic one by one, and `batch()` groups many of them into one transaction. The methods
    for many workspaces (installations, OAuth states, chat channels, posting leases) are
    `WorkspaceStore`'s, in bot.store.workspaces."""

    @property
    def version(self) -> int:
        """The schema version the database is at (== `len(MIGRATIONS)` once opened)."""

    @property
    def location(self) -> str:
        """Where the data is, for messages and logs (a path, or a URL without its password)."""

    @property
    def in_transaction(self) -> bool:
        """True inside `batch()` while the transaction can still be committed."""

    def close(self) -> None: ...
    def integrity_ok(self) -> bool: ...
    def batch(self) -> AbstractContextManager[None]: ...

    # feeds
    def sync_config_feeds(
        self, feeds: Iterable[tuple[str, str, int, Sequence[str], bool]]
    ) -> None: ...
    def add_chat_feed(
        self, name: str, url: str, *, channel: str, added_by: str, poll_minutes: int = 15
    ) -> FeedRecord: ...
    def unsubscribe(self, channel: str, feed_id: int) -> None: ...
    def subscribed_feed_ids(self, channel: str) -> set[int]: ...
    def feeds(self, *, active_only: bool = True) -> list[FeedRecord]: ...
    def feed(self, name: str) -> FeedRecord | None: ...
    def feed_by_id(self, feed_id: int) -> FeedRecord | None: ...
    def due_feeds(self, now: datetime) -> list[FeedRecord]: ...
    def claim_due_feeds(
        self,
        owner: str,
        *,
        now: datetime,
        lease: timedelta,
        limit: int,
        after_id: int | None = None,
    ) -> list[FeedRecord]: ...
    def renew_feeds(self, feed_ids: Sequence[int], *, owner: str, until: datetime) -> set[int]: ...
    def release_feeds(self, feed_ids: Sequence[int], *, owner: str) -> None: ...
    def record_fetch_success(
        self,
        feed_id: int,
        *,
        now: datetime,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
    ) -> None: ...
    def record_fetch_failure(self, feed_id: int, *, now: datetime, error: str) -> datetime: ...

    # articles
    def known_guid(self, feed_id: int, guid: str) -> bool: ...
    def known_guids(self, feed_id: int, guids: Sequence[str]) -> set[str]: ...
    def article_id_by_url(self, canonical_url: str) -> int | None: ...
    def article_ids_by_url(self, canonical_urls: Iterable[str]) -> dict[str, int]: ...
    def duplicate_of(
        self, content_hash: str | None, simhash: int | None, max_distance: int = 3
    ) -> int | None: ...
    def add_source(
        self, article_id: int, *, feed_id: int, guid: str, url: str, title: str, seen_at: datetime
    ) -> None: ...
    def add_article(self, article: NewArticle, *, seen_at: datetime) -> int: ...
    def article(self, article_id: int) -> ArticleRecord | None: ...
    def articles_since(self, since: datetime, feed_ids: Iterable[int]) -> list[ArticleRecord]: ...
    def article_count(self) -> int: ...

    # search
    def search_quotes(self, query: str, limit: int = 5) -> list[QuoteHit]: ...
    def speakers(self, prefix: str = "", limit: int = 25) -> list[str]: ...
    def search_articles(self, query: str, limit: int = 5) -> list[int]: ...

    # digests and posts
    def create_digest(
        self, channel: str, title: str, created: datetime, article_ids: Sequence[int]
    ) -> int: ...
    def digest_with_items(self, channel: str, article_ids: Sequence[int]) -> int | None: ...
    def record_posted(
        self,
        channel: str,
        digest_id: int,
        article_ids: Iterable[int],
        message_ref: str,
        now: datetime,
    ) -> None: ...
    def posted_article_ids(self, channel: str) -> set[int]: ...
    def done_article_ids(self, channel: str) -> set[int]: ...
    def pending_article_ids(
        self, channel: str, feed_ids: Iterable[int], *, since: datetime
    ) -> list[int]: ...
    def post_count(self, channel: str) -> int: ...
    def latest_posted_digest(self, channel: str) -> int | None: ...
    def digest_items(self, digest_id: int) -> list[tuple[int, int]]: ...
    def digest_channel(self, digest_id: int) -> str | None: ...
    def digest_for_message(self, message_ref: str) -> int | None: ...
    def last_fire(self, channel: str) -> datetime | None: ...
    def set_last_fire(self, channel: str, when: datetime) -> None: ...

    # backfill and failing-feed notices
    def settled_feeds(self, channel: str) -> dict[int, str]: ...
    def feed_backlog(
        self, channel: str, feed_id: int, *, since: datetime
    ) -> list[ArticleRecord]: ...
    def hold_back(self, channel: str, article_ids: Iterable[int]) -> None: ...
    def settle_feed(
        self, channel: str, feed_id: int, url: str, held_back: Iterable[int], now: datetime
    ) -> None: ...
    def feed_notices(self, feed_id: int) -> set[str]: ...
    def set_feed_notice(self, place: str, feed_id: int, now: datetime) -> None: ...
    def clear_feed_notice(self, place: str, feed_id: int) -> None: ...

    # retention
    def prune(self, *, older_than: datetime) -> int: ...


# -- rules both stores follow ---------------------------------------------------------------------
_MASK64 = (1 << 64) - 1
_SEARCH_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


def to_second(value: datetime) -> datetime:
    """Times are stored in UTC to the second (the resolution every comparison relies on)."""
    return value.astimezone(UTC).replace(microsecond=0)


def simhash_bands(simhash: int) -> tuple[int, int, int, int]:
    """Four 16-bit bands: two hashes within Hamming distance 3 share at least one band."""
    return tuple((simhash >> (16 * i)) & 0xFFFF for i in range(4))  # type: ignore[return-value]


def signed64(simhash: int | None) -> int | None:
    """A 64-bit simhash as the signed 64-bit integer both databases store."""
    return None if simhash is None else simhash - (1 << 64) * (simhash >= 1 << 63)


def near_duplicate(stored: int | None, simhash: int, max_distance: int) -> bool:
    if stored is None:
        return False
    return ((stored & _MASK64) ^ (simhash & _MASK64)).bit_count() <= max_distance


def next_poll_after_failure(now: datetime, poll_minutes: int, failures: int) -> datetime:
    """Exponential backoff from the feed's own interval, at most `MAX_BACKOFF`."""
    delay = min(timedelta(minutes=poll_minutes) * 2 ** min(failures, 16), MAX_BACKOFF)
    return now + delay


def search_words(text: str) -> list[str]:
    """The words of a user's search, lower-cased: search operators typed out of habit
    ("Okafor AND bridge") are not words of the quote, unless they are all there is."""
    words = re.findall(r"\w+", text)
    words = [w for w in words if w not in _SEARCH_OPERATORS] or words
    return [w.lower() for w in words]


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name: "Müller" -> "muller"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def speakers_matching(names: Iterable[str], prefix: str, limit: int) -> list[str]:
    """The names (most-quoted first) whose whole or any part (a surname, either half of a
    double-barrelled one) starts with `prefix`, ignoring case and accents."""
    wanted = fold(prefix.strip())
    found = []
    for original in names:
        name = fold(original)
        parts = [name, *re.split(r"[\s\-‐‑–]+", name)]
        if any(part.startswith(wanted) for part in parts):
            found.append(original)
            if len(found) >= limit:
                break
    return found
