"""Post a channel's digest through its platform, recording each accepted item exactly once."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot import digest as digests
from bot.backfill import settle_new_feeds
from bot.clock import Clock, system_clock
from bot.config import ChannelSettings
from bot.models import Digest, DigestItem
from bot.platforms.base import ChatPlatform, PlatformError, RecordPosted, story_key
from bot.store import ArticleRecord, Store

log = logging.getLogger(__name__)
# How long an instance may hold a channel's posting lease (a digest takes seconds; a crashed
# instance's lease runs out after this).
LEASE = timedelta(minutes=15)
BUSY = "another newsbrief instance is posting this channel's digest right now"


def instance_name() -> str:
    """Who holds a lease: NEWSBRIEF_INSTANCE, else the host's name. Stable across restarts, so
    a bot killed mid-digest takes its own lease back at once when it comes back; instances that
    share one database need different names (containers' host names are)."""
    return os.environ.get("NEWSBRIEF_INSTANCE", "").strip() or socket.gethostname()


@dataclass(frozen=True, slots=True)
class PostOutcome:
    digest: Digest | None  # None: nothing new for the channel
    posted: int = 0
    error: str | None = None


def message_key(platform: str, message_ref: str) -> str:
    """How a posted message is known in the store: the platform, then its own reference.
    Recorded with the message's stories; looked up by a reply in its thread or after a
    restart."""
    return f"{platform}:{message_ref}"


class DigestPoster:
    """One place that turns pending stories into a posted digest.

    A per-channel lock makes the scheduled digest and a `/digest` command take turns, so the same
    story can't be chosen by both; a lease in the store does the same between instances that
    share the database (a /digest served by one while another posts the scheduled digest).
    Items are recorded as posted only when the platform accepted the message carrying them; a
    failed post leaves the rest pending for the next digest.
    """

    def __init__(
        self,
        *,
        store: Store,
        platforms: Mapping[str, ChatPlatform],
        clock: Clock = system_clock,
    ) -> None:
        self.store = store
        self.platforms = platforms
        self.clock = clock
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._owner = instance_name()  # this instance, in the store's channel leases

    def recorder(
        self, channel: ChannelSettings, digest_id: int, posted: list[DigestItem] | None = None
    ) -> RecordPosted:
        """What a platform calls once it accepted a message (a digest's or an alert's): the
        message's stories are recorded as posted in the channel, under the message's key, and
        added to `posted` when given."""

        async def record(items: Sequence[DigestItem], message_ref: str) -> None:
            self.store.record_posted(
                channel.name,
                digest_id,
                [i.article_id for i in items],
                message_key(channel.platform, message_ref),
                self.clock(),
            )
            if posted is not None:
                posted.extend(items)

        return record

    def feed_ids(self, channel: ChannelSettings) -> set[int]:
        """The feeds the channel follows, each one's backlog settled (see bot.backfill)."""
        feed_ids = digests.channel_feed_ids(
            channel, self.store.feeds(), self.store.subscribed_feed_ids(channel.name)
        )
        settle_new_feeds(self.store, channel, feed_ids, self.clock())
        return feed_ids

    def _recent(self, channel: ChannelSettings) -> list[ArticleRecord]:
        """The stories of the channel's feeds young enough for a digest, posted or not."""
        return self.store.articles_since(self.clock() - digests.MAX_AGE, self.feed_ids(channel))

    def pending(
        self, channel: ChannelSettings, recent: Sequence[ArticleRecord] | None = None
    ) -> list[ArticleRecord]:
        """The stories the channel's next digest carries (`recent`: `_recent`'s answer)."""
        return digests.select(
            self._recent(channel) if recent is None else recent,
            channel,
            posted=self.store.done_article_ids(channel.name),
            now=self.clock(),
        )

    async def record_found_in_channel(
        self, channel: ChannelSettings, platform: ChatPlatform, recent: Sequence[ArticleRecord]
    ) -> None:
        """Record as posted the stories that a message of ours in the channel already carries.

        The store writes a message's stories right after the platform accepts it; if the bot died
        in between, the platform's history still has the message (Slack keeps our story keys in
        its metadata, Discord in its embeds), so those stories are not posted a second time.
        """
        now = self.clock()
        found = await platform.recent_digest_messages(channel.target, now - digests.MAX_AGE)
        # A message whose reference the store knows was recorded with its stories (one
        # transaction): usually all of them, and then there is nothing to match.
        found = [
            m
            for m in found
            if self.store.digest_for_message(message_key(channel.platform, m.message_ref)) is None
        ]
        if not found:
            return
        posted = self.store.posted_article_ids(channel.name)
        unrecorded = {story_key(a.url): a for a in recent if a.id not in posted}
        for message in found:
            stories = [unrecorded.pop(k) for k in sorted(message.stories) if k in unrecorded]
            if not stories:
                continue
            ids = [a.id for a in stories]
            digest_id = self.store.digest_with_items(channel.name, ids) or self.store.create_digest(
                channel.name, digests.digest_title(channel, now), now, ids
            )
            ref = message_key(channel.platform, message.message_ref)
            self.store.record_posted(channel.name, digest_id, ids, ref, now)
            log.warning(
                "channel %s: %d stories were already posted in message %s (the bot stopped "
                "before recording them); recorded now, not posted again",
                channel.name,
                len(ids),
                message.message_ref,
            )

    def preview(self, channel: ChannelSettings) -> Digest | None:
        chosen = self.pending(channel)
        return digests.compose(channel, chosen, now=self.clock()) if chosen else None

    async def post(self, channel: ChannelSettings) -> PostOutcome:
        platform = self.platforms.get(channel.platform)
        if platform is None:
            return PostOutcome(None, error=f"the {channel.platform} platform is not running")
        async with self._locks[channel.name]:
            now = self.clock()
            if not self.store.claim_channel(
                channel.name, owner=self._owner, until=now + LEASE, now=now
            ):
                log.info("channel %s: digest not posted here: %s", channel.name, BUSY)
                return PostOutcome(None, error=BUSY)
            try:
                return await self._post_locked(channel, platform)
            finally:
                self.store.release_channel(channel.name, owner=self._owner)

    async def _post_locked(self, channel: ChannelSettings, platform: ChatPlatform) -> PostOutcome:
        recent = self._recent(channel)
        await self.record_found_in_channel(channel, platform, recent)
        chosen = self.pending(channel, recent)
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
        try:
            await platform.post_digest(
                channel.target, digest, self.recorder(channel, digest_id, posted)
            )
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
