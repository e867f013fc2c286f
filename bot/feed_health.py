"""Failing-feed alerts: tell the channels that follow a feed when it keeps failing, and when it
works again.

After `[alerts] feed_failures` failed polls in a row, each chat channel that follows the feed
(once per chat channel, even when it has a digest and an alerts entry) gets one notice with the
reason and how to fix it; when a poll succeeds again, one recovery notice. Which channels were
told is stored, so a restart neither repeats a notice nor forgets to send the recovery. A notice
the platform refuses is tried again at the next check.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from bot import messages as msg
from bot.channels import ChannelBook
from bot.clock import Clock, system_clock
from bot.config import ChannelSettings, Settings
from bot.digest import channel_feed_ids
from bot.models import Reply
from bot.platforms.base import ChatPlatform, PlatformError
from bot.store import FeedRecord, Store

log = logging.getLogger(__name__)

# (words in the error, how to fix it); the first match wins. {url} is the feed's address.
_FIXES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("HTTP 404", "HTTP 410"), msg.FIX_GONE),
    (("HTTP 401", "HTTP 403"), msg.FIX_REFUSED),
    (("HTTP 429",), msg.FIX_RATE_LIMITED),
    (("HTTP 5",), msg.FIX_SERVER),
    (("could not resolve host",), msg.FIX_DNS),
    (("TLS error",), msg.FIX_TLS),
    (("body larger than",), msg.FIX_TOO_BIG),
    (("file not found", "path is a directory", "could not read file"), msg.FIX_FILE),
    (("not a feed", "parse", "malformed", "empty response", "nested"), msg.FIX_NOT_A_FEED),
    (
        ("timed out", "could not connect", "closed the connection", "network error", "cut off"),
        msg.FIX_UNREACHABLE,
    ),
)


def how_to_fix(error: str, url: str) -> str:
    """One sentence on what to do about a feed's last error."""
    for needles, fix in _FIXES:
        if any(n.lower() in error.lower() for n in needles):
            return fix.format(url=url)
    return msg.FIX_OTHER.format(url=url)


def _place(channel: ChannelSettings) -> str:
    return f"{channel.platform}:{channel.target}"


class FeedHealth:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        platforms: Mapping[str, ChatPlatform],
        clock: Clock = system_clock,
    ) -> None:
        self.settings = settings
        self.store = store
        self.platforms = platforms
        self.clock = clock
        self.threshold = settings.alerts.feed_failures

    def _places(self, feed: FeedRecord, feeds: list[FeedRecord]) -> dict[str, ChannelSettings]:
        """The chat channels following `feed`, one entry each (its digest entry if it has one)."""
        places: dict[str, ChannelSettings] = {}
        for channel in ChannelBook(settings=self.settings, store=self.store).all():
            subscribed = self.store.subscribed_feed_ids(channel.name)
            if feed.id in channel_feed_ids(channel, feeds, subscribed):
                places.setdefault(_place(channel), channel)
        return places

    async def check(self) -> None:
        """Send the notices that are due: failing (once), recovered (once)."""
        if not self.threshold:
            return
        feeds = self.store.feeds()
        for feed in feeds:
            told = self.store.feed_notices(feed.id)
            failing = feed.failures >= self.threshold
            if not failing and not (told and feed.failures == 0):
                continue
            for place, channel in self._places(feed, feeds).items():
                if failing and place not in told:
                    if await self._send(channel, self._failing_notice(feed)):
                        self.store.set_feed_notice(place, feed.id, self.clock())
                elif (
                    not failing
                    and place in told
                    and await self._send(channel, self._recovered_notice(feed))
                ):
                    self.store.clear_feed_notice(place, feed.id)

    def _failing_notice(self, feed: FeedRecord) -> Reply:
        error = feed.last_error or "unknown error"
        next_try = self._utc(feed.next_poll_at) if feed.next_poll_at else "soon"
        text = msg.FEED_FAILING.format(
            name=feed.name,
            failures=feed.failures,
            error=error,
            fix=how_to_fix(error, feed.url),
            next_try=next_try,
        )
        return Reply(text=text)

    def _recovered_notice(self, feed: FeedRecord) -> Reply:
        when = self._utc(feed.last_success_at) if feed.last_success_at else "just now"
        return Reply(text=msg.FEED_RECOVERED.format(name=feed.name, when=when))

    def _utc(self, when: datetime) -> str:
        return f"{when.astimezone(UTC):%d %b %H:%M} UTC"

    async def _send(self, channel: ChannelSettings, notice: Reply) -> bool:
        platform = self.platforms.get(channel.platform)
        if platform is None:
            return False
        try:
            await platform.post_notice(channel.target, notice)
        except PlatformError as exc:
            log.warning(
                "channel %s: feed notice not posted: %s. %s (tried again at the next check)",
                channel.name,
                exc.reason,
                exc.hint,
            )
            return False
        log.info("channel %s: %s", channel.name, notice.text)
        return True
