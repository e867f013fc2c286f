"""Post a channel's digest through its platform, recording each accepted item exactly once."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot import digest as digests
from bot.clock import Clock, system_clock
from bot.config import ChannelSettings
from bot.models import Digest, DigestItem
from bot.platforms.base import ChatPlatform, PlatformError
from bot.store import ArticleRecord, SqliteStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PostOutcome:
    digest: Digest | None  # None: nothing new for the channel
    posted: int = 0
    error: str | None = None


class DigestPoster:
    """One place that turns pending stories into a posted digest.

    A per-channel lock makes the scheduled digest and a `/digest` command take turns, so the same
    story can't be chosen by both. Items are recorded as posted only when the platform accepted the
    message carrying them; a failed post leaves the rest pending for the next digest.
    """

    def __init__(
        self,
        *,
        store: SqliteStore,
        platforms: Mapping[str, ChatPlatform],
        clock: Clock = system_clock,
    ) -> None:
        self.store = store
        self.platforms = platforms
        self.clock = clock
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def pending(self, channel: ChannelSettings) -> list[ArticleRecord]:
        now = self.clock()
        feed_ids = digests.channel_feed_ids(
            channel, self.store.feeds(), self.store.subscribed_feed_ids(channel.name)
        )
        articles = self.store.articles_since(now - digests.MAX_AGE, feed_ids)
        return digests.select(
            articles, channel, posted=self.store.posted_article_ids(channel.name), now=now
        )

    def preview(self, channel: ChannelSettings) -> Digest | None:
        chosen = self.pending(channel)
        return digests.compose(channel, chosen, now=self.clock()) if chosen else None

    async def post(self, channel: ChannelSettings) -> PostOutcome:
        platform = self.platforms.get(channel.platform)
        if platform is None:
            return PostOutcome(None, error=f"the {channel.platform} platform is not running")
        async with self._locks[channel.name]:
            chosen = self.pending(channel)
            if not chosen:
                log.info("channel %s: nothing new for the digest", channel.name)
                return PostOutcome(None)
            now = self.clock()
            digest_id = self.store.create_digest(
                channel.name,
                digests.digest_title(channel, now),
                now,
                [a.id for a in chosen],
            )
            digest = digests.compose(channel, chosen, now=now, digest_id=digest_id)
            posted: list[DigestItem] = []

            async def record(items: Sequence[DigestItem], message_ref: str) -> None:
                self.store.record_posted(
                    channel.name,
                    digest_id,
                    [i.article_id for i in items],
                    f"{channel.platform}:{message_ref}",
                    self.clock(),
                )
                posted.extend(items)

            try:
                await platform.post_digest(channel.target, digest, record)
            except PlatformError as exc:
                log.error(
                    "channel %s: digest not posted (%d of %d items went out): %s. %s",
                    channel.name,
                    len(posted),
                    len(digest.items),
                    exc.reason,
                    exc.hint,
                )
                return PostOutcome(digest, len(posted), error=exc.reason)
            log.info("channel %s: posted a digest of %d items", channel.name, len(posted))
            return PostOutcome(digest, len(posted))
