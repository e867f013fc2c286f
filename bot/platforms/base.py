"""The one seam between the core and a chat platform (model: errbot's backends/base.py)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.models import Command, Digest, DigestItem, Reply


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


class CommandHandler(Protocol):
    """What a platform calls for each command (implemented by bot.commands.CommandHandlers)."""

    async def handle(self, command: Command) -> Reply: ...

    def known_speakers(self, prefix: str, limit: int = 25) -> list[str]: ...

    def latest_digest_items(self, platform: str, target: str) -> list[tuple[int, str]]: ...

    def digest_for_message(self, platform: str, message_ref: str) -> int | None: ...


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
