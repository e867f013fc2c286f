"""Choose and compose a channel's digest. Pure: the store's rows in, a `Digest` out."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import ChannelSettings
from bot.filters import FilterPass
from bot.models import Digest, DigestItem, Source
from bot.store import ArticleRecord, FeedRecord

MAX_AGE = timedelta(days=7)  # unposted stories older than this are no longer news
RECENCY_HALF_LIFE_HOURS = 12.0


def channel_feed_ids(
    channel: ChannelSettings, feeds: Iterable[FeedRecord], subscribed: set[int]
) -> set[int]:
    """Feeds a channel follows: named in its config, sharing one of its tags, or subscribed in
    chat. A channel that names no feeds and no tags follows every feed of the config (plus its
    own chat subscriptions, not other channels')."""
    feeds = [f for f in feeds if f.active]
    follows_all = not channel.feeds and not channel.tags
    return {
        f.id
        for f in feeds
        if (follows_all and f.origin == "config")
        or f.name in channel.feeds
        or set(f.tags) & set(channel.tags)
        or f.id in subscribed
    }


def matches_filters(
    article: ArticleRecord, channel: ChannelSettings, filters: FilterPass | None = None
) -> bool:
    """The channel's include/exclude entries (phrases or `re:` patterns, see bot.filters) in
    the title, summary or text. `filters` lets one pass share its per-pattern time budget."""
    if filters is None:
        filters = channel_filters(channel)
    return filters.matches(filter_text(article), label=repr(article.title[:80]))


def channel_filters(channel: ChannelSettings) -> FilterPass:
    return FilterPass(channel.include, channel.exclude, where=channel.name)


def filter_text(article: ArticleRecord) -> str:
    """What the filters search: title, summary and text, each starting on a line of its own."""
    return "\n".join((article.title, " ".join(article.summary), article.text))


def score(article: ArticleRecord, now: datetime) -> float:
    """Newer is better; a story several feeds carry is bigger news."""
    age_hours = max((now - article.published_at).total_seconds() / 3600, 0.0)
    recency = math.pow(0.5, age_hours / RECENCY_HALF_LIFE_HOURS)
    return recency + 0.35 * math.log2(1 + len(_other_sources(article)))


def _other_sources(article: ArticleRecord) -> tuple[Source, ...]:
    """The other feeds that carried the story, once each (a feed may list it twice)."""
    seen = {article.source}
    others = []
    for source in article.other_sources:
        if source.name not in seen:
            seen.add(source.name)
            others.append(source)
    return tuple(others)


def select(
    articles: Sequence[ArticleRecord], channel: ChannelSettings, *, posted: set[int], now: datetime
) -> list[ArticleRecord]:
    """The channel's pending stories, best first, at most `max_items`."""
    filters = channel_filters(channel)
    pending = [
        a
        for a in articles
        if a.id not in posted
        and now - a.first_seen_at <= MAX_AGE
        and matches_filters(a, channel, filters)
    ]
    pending.sort(key=lambda a: (-score(a, now), -a.published_at.timestamp(), a.id))
    return pending[: channel.max_items]


def digest_title(channel: ChannelSettings, now: datetime) -> str:
    local = now.astimezone(ZoneInfo(channel.timezone))
    return channel.title or f"News digest · {local:%a %d %b %Y, %H:%M}"


def compose(
    channel: ChannelSettings,
    articles: Sequence[ArticleRecord],
    *,
    now: datetime,
    digest_id: int | None = None,
) -> Digest:
    title = digest_title(channel, now)
    items = tuple(
        DigestItem(
            number=number,
            article_id=a.id,
            title=a.title,
            url=a.url,
            source=a.source,
            published=a.published_at,
            summary=a.summary,
            quotes=a.key_quotes,
            also_covered_by=_other_sources(a),
            image=a.image,
        )
        for number, a in enumerate(articles, start=1)
    )
    return Digest(
        channel=channel.name,
        title=title,
        created=now,
        timezone=channel.timezone,
        items=items,
        id=digest_id,
        item_template=channel.item_template,
    )


def sources_line(sources: Sequence[Source]) -> str:
    return ", ".join(dict.fromkeys(s.name for s in sources))
