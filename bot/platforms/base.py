"""The one seam between the core and a chat platform (model: errbot's backends/base.py)."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.models import Command, Digest, DigestItem, Reply
from bot.urls import canonical_url


class PlatformError(Exception):
    """A post the platform refused or could not take.

    `reason` is short and safe to show a user; `hint` tells an operator what to do (for the log).
    `retryable` is False when retrying without a config change cannot help (channel not found,
    missing permission).
    """

    def __init__(self, reason: str, *, hint: str = "", retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint
        self.retryable = retryable


# Called by a platform after each message it posted was accepted, with the items that message
# carried and a platform message reference (Slack "channel:ts", Discord message id). The core
# records those items as posted at once, so a crash mid-digest never re-posts them.
RecordPosted = Callable[[Sequence[DigestItem], str], Awaitable[None]]


def story_key(url: str) -> str:
    """A short, stable key for a story, carried in the digest messages that post it.

    Made from the story's canonical URL, not the database id, so it means the same story after
    a restart, a re-composed digest, or a new database."""
    return hashlib.sha256(canonical_url(url).encode()).hexdigest()[:16]


def story_keys(items: Iterable[DigestItem]) -> list[str]:
    return [story_key(i.url) for i in items]


@dataclass(frozen=True, slots=True)
class PostedMessage:
    """A digest message of ours found in a channel: its reference and the stories it carries."""

    message_ref: str
    stories: frozenset[str]


class CommandHandler(Protocol):
    """What a platform calls for each command (implemented by bot.commands.CommandHandlers)."""

    async def handle(self, command: Command) -> Reply: ...

    def known_speakers(self, prefix: str, limit: int = 25) -> list[str]: ...

    def latest_digest_items(self, platform: str, target: str) -> list[tuple[int, str]]: ...

    def digest_for_message(self, platform: str, message_ref: str) -> int | None: ...

    def forget_workspace(self, platform: str, workspace: str) -> None:
        """The app left a workspace or server: stop serving the channels set up there."""


class ChatPlatform(ABC):
    """A chat service the bot connects to. One instance serves every channel of that platform."""

    name: str

    @abstractmethod
    async def start(self, handler: CommandHandler) -> None:
        """Connect, register commands, and return once ready (the connection runs on in tasks)."""

    @abstractmethod
    async def stop(self) -> None:
        """Disconnect cleanly."""

    @abstractmethod
    async def post_digest(self, target: str, digest: Digest, record: RecordPosted) -> None:
        """Post `digest` to channel `target`, split over as many messages as limits require.

        Call `record(items, message_ref)` after each accepted message. Raise PlatformError when a
        message is refused; items not yet recorded stay pending for the next digest.
        """

    async def post_alert(self, target: str, alert: Digest, record: RecordPosted) -> None:
        """Post each item of `alert` (one story, usually) as its own message, at a pace the
        platform accepts for a long run of them (it may wait between messages).

        Call `record` after each accepted message, as for a digest. This default posts it as a
        digest; platforms render an alert as a single story.
        """
        await self.post_digest(target, alert, record)

    async def post_notice(self, target: str, notice: Reply) -> None:
        """Post a short message from the bot itself (e.g. a feed is failing) to `target`."""
        raise PlatformError(f"the {self.name} platform cannot post notices", retryable=False)

    async def recent_digest_messages(self, target: str, since: datetime) -> list[PostedMessage]:
        """Digest messages this bot posted to `target` since `since`, as the platform remembers
        them ([] when it cannot tell). The core records the stories found there as posted, which
        closes the window where the bot died after the platform accepted a message but before it
        recorded it."""
        return []
