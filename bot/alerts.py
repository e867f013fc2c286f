"""Alerts mode: each new story that passes a channel's filters is posted as its own message.

The queue lives in the store, not in memory: a channel's pending alerts are the stories of its
feeds first seen in the last week that it has neither posted nor held back. So the queue survives
a restart, and "never twice" rests on the same posts table as the digests (each story is recorded
when the platform accepts its message). A story the channel's filters refuse when it arrives is
held back for the channel, so it is not examined again (and not alerted later if the filters
change: it is old news by then).

A drain posts the queue oldest first at the platform's pace (Slack about one message a second
per channel, Discord its per-route rate-limit buckets), logging how long the queue is, so a burst
of 200 stories takes a few minutes and nothing is dropped. A failed post stops the drain; the
stories stay queued and the next drain (after a backoff) posts them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot import digest as digests
from bot.clock import Clock, system_clock
from bot.config import ChannelSettings
from bot.models import Digest
from bot.platforms.base import ChatPlatform, PlatformError
from bot.posting import DigestPoster
from bot.store import ArticleRecord, Store

log = logging.getLogger(__name__)
PROGRESS_EVERY = 25  # log the queue's length every this many alerts posted
FIRST_RETRY = timedelta(minutes=1)  # after a failed post; doubles with each failure in a row
MAX_RETRY = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class AlertOutcome:
    posted: int = 0
    queued: int = 0  # still waiting after this drain
    error: str | None = None


class AlertPoster:
    """Drains the alert queues of alerts-mode channels, one drain at a time per channel."""

    def __init__(
        self,
        *,
        store: Store,
        platforms: Mapping[str, ChatPlatform],
        poster: DigestPoster,
        clock: Clock = system_clock,
    ) -> None:
        self.store = store
        self.platforms = platforms
        self.poster = poster
        self.clock = clock
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, datetime] = {}

    # -- the queue ----------------------------------------------------------------------------
    def queue(self, channel: ChannelSettings) -> list[ArticleRecord]:
        """The channel's pending alerts, oldest first (its new feeds' backlogs settled first)."""
        feed_ids = self.poster.feed_ids(channel)
        since = self.clock() - digests.MAX_AGE
        ids = self.store.pending_article_ids(channel.name, feed_ids, since=since)
        queued, refused = [], []
        filters = digests.channel_filters(channel)  # one time budget per pattern for the pass
        for article_id in ids:
            article = self.store.article(article_id)
            if article is None:
                continue
            if digests.matches_filters(article, channel, filters):
                queued.append(article)
            elif not filters.undecided:  # a timed-out pattern decides nothing: look again later
                refused.append(article_id)
        if refused:
            self.store.hold_back(channel.name, refused)
        return queued

    def preview(self, channel: ChannelSettings) -> Digest | None:
        """The queued alerts as one digest, for `newsbrief digest --dry-run` (records nothing
        but the backlog settling)."""
        queued = self.queue(channel)
        if not queued:
            return None
        return replace(
            digests.compose(channel, queued, now=self.clock()),
            title=f"{channel.name}: {len(queued)} queued alert(s)",
        )

    # -- background drains ----------------------------------------------------------------------
    def request(self, channel: ChannelSettings) -> None:
        """Drain the channel's queue soon, in the background. A drain under way goes round once
        more when it ends, so stories that arrived meanwhile are not left waiting."""
        task = self._tasks.get(channel.name)
        if task is not None and not task.done():
            self._again.add(channel.name)
            return
        self._tasks[channel.name] = asyncio.create_task(
            self._drain_until_done(channel), name=f"alerts:{channel.name}"
        )

    async def _drain_until_done(self, channel: ChannelSettings) -> None:
        try:
            while True:
                self._again.discard(channel.name)
                outcome = await self.drain(channel)
                if outcome.error or channel.name not in self._again:
                    return
        except asyncio.CancelledError:
            log.info(
                "channel %s: alerts stopped by shutdown; the rest go out after restart",
                channel.name,
            )
            raise
        except Exception:
            log.exception("channel %s: posting alerts failed", channel.name)

    async def wait_idle(self) -> None:
        """Wait until no drain is running (for `run --once`, the CLI and tests)."""
        while running := [t for t in self._tasks.values() if not t.done()]:
            await asyncio.gather(*running, return_exceptions=True)

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()

    # -- one drain --------------------------------------------------------------------------------
    async def drain(self, channel: ChannelSettings) -> AlertOutcome:
        """Post the channel's queued alerts, oldest first, at the platform's pace."""
        platform = self.platforms.get(channel.platform)
        if platform is None:
            return AlertOutcome(error=f"the {channel.platform} platform is not running")
        retry_at = self._retry_at.get(channel.name)
        if retry_at is not None and self.clock() < retry_at:
            return AlertOutcome(error="waiting after a failed post")
        lock = self._locks.setdefault(channel.name, asyncio.Lock())
        async with lock:
            # In a thread: thousands of stories queued at once (a first poll of many feeds) take
            # seconds to read and filter, and the loop must keep polling and answering meanwhile.
            queued = await asyncio.to_thread(self.queue, channel)
            if queued:
                # A message the bot posted but did not record before it stopped is in the
                # channel's history: its story is recorded now, not posted again.
                await self.poster.record_found_in_channel(channel, platform, queued)
                done = self.store.done_article_ids(channel.name)
                queued = [a for a in queued if a.id not in done]
            if not queued:
                return AlertOutcome()
            return await self._post_queue(channel, platform, queued)

    async def _post_queue(
        self, channel: ChannelSettings, platform: ChatPlatform, queued: Sequence[ArticleRecord]
    ) -> AlertOutcome:
        total = len(queued)
        if total > 1:
            log.info(
                "channel %s: %d new stories queued as alerts; posting them at %s's pace",
                channel.name,
                total,
                channel.platform,
            )
        posted = 0
        for article in queued:
            try:
                await self._post_one(channel, platform, article)
            except PlatformError as exc:
                return self._failed(channel, exc, posted, total - posted)
            posted += 1
            await asyncio.sleep(0)  # a platform that never waits (the console) must not hog
            if posted % PROGRESS_EVERY == 0 and posted < total:
                log.info(
                    "channel %s: %d alerts posted, %d still queued",
                    channel.name,
                    posted,
                    total - posted,
                )
        self._failures.pop(channel.name, None)
        self._retry_at.pop(channel.name, None)
        log.info("channel %s: posted %d alert(s)", channel.name, posted)
        return AlertOutcome(posted=posted)

    async def _post_one(
        self, channel: ChannelSettings, platform: ChatPlatform, article: ArticleRecord
    ) -> None:
        """Post one story; it is recorded as posted when the platform accepts its message.

        Each alert is stored as a one-item digest, so /ask (and a question in the alert's
        thread, where the platform has them) can refer to it."""
        now = self.clock()
        digest_id = self.store.digest_with_items(
            channel.name, [article.id]
        ) or self.store.create_digest(channel.name, article.title, now, [article.id])
        alert = replace(
            digests.compose(channel, [article], now=now, digest_id=digest_id), title=article.title
        )
        await platform.post_alert(channel.target, alert, self.poster.recorder(channel, digest_id))

    def _failed(
        self, channel: ChannelSettings, exc: PlatformError, posted: int, left: int
    ) -> AlertOutcome:
        failures = self._failures.get(channel.name, 0) + 1
        self._failures[channel.name] = failures
        delay = min(FIRST_RETRY * 2 ** (failures - 1), MAX_RETRY)
        self._retry_at[channel.name] = self.clock() + delay
        log.error(
            "channel %s: alert not posted: %s. %s %d posted, %d stay queued; next try in %d min",
            channel.name,
            exc.reason,
            exc.hint,
            posted,
            left,
            delay.total_seconds() // 60,
        )
        return AlertOutcome(posted=posted, queued=left, error=exc.reason)
