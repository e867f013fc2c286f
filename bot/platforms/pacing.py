"""Keep at least a minimum interval between messages to one chat channel.

Slack allows about one message a second per channel (short bursts are tolerated, a long run is
answered with 429s). A burst of alerts is posted through a pacer, so it goes out at that pace
instead of being retried after refusals. The interval counts from when the previous message was
accepted, so the platform sees the gap however long each request took.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class ChannelPacer:
    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def lock(self, channel: str) -> asyncio.Lock:
        """Held while a paced message is waiting and being sent: one at a time per channel."""
        return self._locks.setdefault(channel, asyncio.Lock())

    async def wait(self, channel: str) -> None:
        """Wait until `interval` has passed since the last message to `channel` was accepted."""
        last = self._last.get(channel)
        if last is not None:
            delay = last + self.interval - self._now()
            if delay > 0:
                await self._sleep(delay)

    def sent(self, channel: str) -> None:
        """A message to `channel` was just accepted."""
        self._last[channel] = self._now()
