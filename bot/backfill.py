"""Backfill control: a feed newly followed by a channel posts at most its `backfill` newest stories.

A feed's first poll stores its whole backlog (up to 200 entries) at once. Without this, a digest
channel would work through it for a week and an alerts channel would post every entry. When a
channel first follows a feed that has been fetched (a feed new in the config or added in chat, a
channel new in the config, or a feed whose URL changed), the stories that feed brought are
settled for the channel: the newest `backfill` that pass its filters stay pending, the others are
held back -- stored, so /quote and /ask still find them, but never posted there. Stories that
arrive later are new news and are not touched.

Settling runs right before a channel's stories are selected (digest, /digest, alerts), so no path
can post a backlog before it is settled, and it is idempotent: each (channel, feed) pair is settled
once per feed URL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from bot import digest as digests
from bot.config import ChannelSettings
from bot.store import Store

log = logging.getLogger(__name__)


def settle_new_feeds(
    store: Store, channel: ChannelSettings, feed_ids: Iterable[int], now: datetime
) -> int:
    """Settle the backlog of every feed in `feed_ids` the channel follows for the first time.

    Returns the number of stories held back. A feed never fetched successfully has no backlog
    yet: it is settled after its first successful poll.
    """
    wanted = set(feed_ids)
    if not wanted:
        return 0
    settled = store.settled_feeds(channel.name)
    held_total = 0
    for feed in store.feeds():
        if feed.id not in wanted or feed.last_success_at is None:
            continue
        if settled.get(feed.id) == feed.url:
            continue
        backlog = store.feed_backlog(channel.name, feed.id, since=now - digests.MAX_AGE)
        backlog.sort(key=lambda a: (-a.published_at.timestamp(), -a.id))
        filters = digests.channel_filters(channel)
        kept = [a for a in backlog if digests.matches_filters(a, channel, filters)]
        kept = kept[: channel.backfill]
        kept_ids = {a.id for a in kept}
        held = [a.id for a in backlog if a.id not in kept_ids]
        store.settle_feed(channel.name, feed.id, feed.url, held, now)
        held_total += len(held)
        if backlog:
            log.info(
                "channel %s: feed %s is new here: %d of its %d stored stories may be posted "
                "(backfill = %d), %d older ones are kept for /quote and /ask only",
                channel.name,
                feed.name,
                len(kept),
                len(backlog),
                channel.backfill,
                len(held),
            )
    return held_total
