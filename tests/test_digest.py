"""Digest selection and composition (pure: records in, a Digest out)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ChannelSettings
from bot.digest import MAX_AGE, channel_feed_ids, compose, matches_filters, select
from bot.filters import FilterPass
from bot.models import Quote, Source
from bot.platforms.console import render_digest
from bot.store import ArticleRecord, FeedRecord

NOW = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)  # 08:00 in Berlin


def feed(
    id: int, name: str, tags: tuple[str, ...] = (), *, origin: str = "config", active: bool = True
) -> FeedRecord:
    return FeedRecord(
        id=id,
        name=name,
        url=f"https://example.org/{id}.rss",
        origin=origin,
        active=active,
        poll_minutes=15,
        tags=tags,
        full_text=True,
        title=None,
        etag=None,
        last_modified=None,
        last_fetch_at=None,
        last_success_at=None,
        next_poll_at=None,
        failures=0,
        last_error=None,
    )


def story(
    id: int,
    *,
    hours_old: float = 1.0,
    seen_hours_ago: float | None = None,
    title: str | None = None,
    text: str = "",
    summary: tuple[str, ...] = (),
    source: str = "World",
    others: tuple[str, ...] = (),
    quotes: tuple[Quote, ...] = (),
    key: int = 1,
) -> ArticleRecord:
    published = NOW - timedelta(hours=hours_old)
    seen = NOW - timedelta(hours=hours_old if seen_hours_ago is None else seen_hours_ago)
    return ArticleRecord(
        id=id,
        title=title or f"Story {id}",
        url=f"https://example.org/story-{id}",
        feed_id=1,
        source=source,
        published_at=published,
        first_seen_at=seen,
        text=text or f"Body of story {id}.",
        summary=summary or (f"Summary of story {id}.",),
        quotes=quotes,
        key_quote_count=min(key, len(quotes)),
        other_sources=tuple(
            Source(name, f"https://{i}.example/{id}") for i, name in enumerate(others)
        ),
    )


def channel(**changes: object) -> ChannelSettings:
    base = dict(name="newsroom", platform="console", target="", timezone="Europe/Berlin")
    base.update(changes)
    return ChannelSettings(**base)  # type: ignore[arg-type]


FEEDS = [
    feed(1, "World", ("world",)),
    feed(2, "Business", ("business", "economy")),
    feed(3, "Science", ("science",)),
    feed(4, "Old", ("world",), active=False),
    feed(5, "Blog", origin="chat"),
    feed(6, "Other channel's blog", origin="chat"),
]


# -- which feeds a channel follows ---------------------------------------------------------------
def test_channel_follows_named_feeds() -> None:
    assert channel_feed_ids(channel(feeds=("World", "Science")), FEEDS, set()) == {1, 3}


def test_channel_follows_feeds_by_tag_but_not_inactive_ones() -> None:
    assert channel_feed_ids(channel(tags=("world",)), FEEDS, set()) == {1}
    assert channel_feed_ids(channel(tags=("economy",)), FEEDS, set()) == {2}


def test_channel_names_and_tags_combine_with_subscriptions() -> None:
    got = channel_feed_ids(channel(feeds=("Science",), tags=("business",)), FEEDS, {5})
    assert got == {2, 3, 5}


def test_channel_with_no_feeds_or_tags_follows_every_config_feed_plus_its_subscriptions() -> None:
    assert channel_feed_ids(channel(), FEEDS, set()) == {1, 2, 3}
    # Subscribing to a feed in chat must not narrow the channel down to that feed.
    assert channel_feed_ids(channel(), FEEDS, {5}) == {1, 2, 3, 5}


# -- include / exclude ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        ((), (), True),
        (("harbour bridge",), (), True),
        (("HARBOUR BRIDGE",), (), True),
        (("harbour  bridge",), (), True),  # any spacing in the phrase
        (("bridge vote",), (), True),  # across a line break in the text
        (("bridges",), (), False),  # whole words: "bridge" is not "bridges"
        (("arb",), (), False),  # not inside a word
        (("tram", "council"), (), True),  # any one of them
        (("tram", "opera"), (), False),
        ((), ("council",), False),
        ((), ("Council",), False),
        ((), ("counc",), True),
        (("bridge",), ("football",), True),
        (("bridge",), ("summary words",), False),  # the summary is searched too
        (("C++",), (), False),
    ],
)
def test_include_exclude_whole_word_phrases(
    include: tuple[str, ...], exclude: tuple[str, ...], expected: bool
) -> None:
    article = story(
        1,
        title="Harbour Bridge: the council decides",
        text="After months of debate the bridge\nvote is set for Friday.",
        summary=("Some summary words.",),
    )
    assert matches_filters(article, channel(include=include, exclude=exclude)) is expected


def test_phrase_with_symbols_matches_as_written() -> None:
    article = story(1, title="A C++ compiler and the .NET runtime")
    assert matches_filters(article, channel(include=("c++",)))
    assert matches_filters(article, channel(include=(".net",)))


# -- re: patterns --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        (("re:^harbour bridge:",), (), True),  # the title starts the text searched
        (("re:counc(il|ils)",), (), True),  # inside words too, and any case
        (("re:(?-i)COUNCIL",), (), False),  # (?-i) makes it case-sensitive
        (("re:friday$",), (), False),  # $ is the end of everything, after the trailing "."
        (("re:\\bvote\\s+is\\b",), (), True),
        (("re:tram|opera",), (), False),
        ((), ("re:foot(ball)?",), True),
        ((), ("re:summ[a-z]+ words",), False),  # the summary is searched too
        (("re:bridge", "opera"), ("re:\\d{4}",), True),  # mixed with phrases
    ],
)
def test_regular_expression_filters(
    include: tuple[str, ...], exclude: tuple[str, ...], expected: bool
) -> None:
    article = story(
        1,
        title="Harbour Bridge: the council decides",
        text="After months of debate the bridge\nvote is set for Friday.",
        summary=("Some summary words.",),
    )
    assert matches_filters(article, channel(include=include, exclude=exclude)) is expected


CATASTROPHIC = "re:(a|aa)+$"  # exponential backtracking on a long run of a's that fails


def test_a_catastrophic_include_gives_up_and_the_story_is_held_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    slow = story(1, title="a" * 5000 + "!")
    quick = story(2, text="Ends in aaaa")
    with caplog.at_level(logging.WARNING, logger="bot.filters"):
        # (a channel name of its own: the warning is given once per channel and pattern)
        watched = channel(name="warned once", include=(CATASTROPHIC,))
        chosen = select([slow, quick], watched, posted=set(), now=NOW)
        # A second pass over the same story warns no more.
        select([slow], watched, posted=set(), now=NOW)
    # The story the pattern could not decide on is not let through; the other one is.
    assert [a.id for a in chosen] == [2]
    warnings = [r.getMessage() for r in caplog.records if CATASTROPHIC in r.getMessage()]
    assert len(warnings) == 1
    assert "warned once" in warnings[0] and "include" in warnings[0]
    assert "not matching" in warnings[0]


def test_a_catastrophic_exclude_fails_closed_and_spares_the_other_stories() -> None:
    slow = story(1, title="a" * 5000 + "!")
    quick = story(2, title="Bridge")
    matched = story(3, text="Ends in aaaa")
    chosen = select([slow, quick, matched], channel(exclude=(CATASTROPHIC,)), posted=set(), now=NOW)
    assert [a.id for a in chosen] == [2]  # 1 timed out (excluded), 3 matched (excluded)


def test_a_pattern_that_spent_its_budget_is_not_run_again_in_the_pass() -> None:
    ticks = iter(range(100))
    filters = FilterPass((), ("re:football",), clock=lambda: float(next(ticks)), budget=1.5)
    text = "nothing to see here"
    # Each search costs one fake second: the second search spends the rest of the budget, and
    # from then on the exclude counts as timed out (matching), without running.
    assert [filters.matches(text) for _ in range(4)] == [True, True, False, False]
    assert next(ticks) == 4  # only two searches ran (two clock reads each)


# -- ranking, cap, numbering, posted, age --------------------------------------------------------
def test_newer_first() -> None:
    articles = [story(1, hours_old=5), story(2, hours_old=1), story(3, hours_old=3)]
    assert [a.id for a in select(articles, channel(), posted=set(), now=NOW)] == [2, 3, 1]


def test_a_story_three_feeds_carry_outranks_a_slightly_newer_single_source_one() -> None:
    big = story(1, hours_old=3, others=("Business", "Science"))
    newer = story(2, hours_old=2)
    much_newer = story(3, hours_old=0)
    chosen = select([newer, big], channel(), posted=set(), now=NOW)
    assert [a.id for a in chosen] == [1, 2]
    # ... but not a day-old story over one from just now.
    old_big = story(4, hours_old=30, others=("Business", "Science"))
    assert [a.id for a in select([old_big, much_newer], channel(), posted=set(), now=NOW)] == [3, 4]


def test_a_feed_listing_a_story_twice_is_not_two_sources() -> None:
    twice = story(1, hours_old=3, others=("World", "Business", "Business"))
    newer = story(2, hours_old=2, others=("Science",))
    assert [a.id for a in select([twice, newer], channel(), posted=set(), now=NOW)] == [2, 1]
    item = compose(channel(), [twice], now=NOW).items[0]
    assert [s.name for s in item.also_covered_by] == ["Business"]


def test_capped_at_max_items_and_numbered_from_one() -> None:
    articles = [story(i, hours_old=i) for i in range(1, 13)]
    chosen = select(articles, channel(max_items=5), posted=set(), now=NOW)
    assert [a.id for a in chosen] == [1, 2, 3, 4, 5]
    digest = compose(channel(max_items=5), chosen, now=NOW, digest_id=42)
    assert [i.number for i in digest.items] == [1, 2, 3, 4, 5]
    assert [i.article_id for i in digest.items] == [1, 2, 3, 4, 5]
    assert digest.id == 42 and digest.channel == "newsroom"


def test_already_posted_items_are_never_chosen_again() -> None:
    articles = [story(i, hours_old=i) for i in range(1, 6)]
    first = select(articles, channel(max_items=3), posted=set(), now=NOW)
    posted = {a.id for a in first}
    second = select(articles, channel(max_items=3), posted=posted, now=NOW)
    assert [a.id for a in second] == [4, 5]
    assert select(articles, channel(), posted=posted | {4, 5}, now=NOW) == []


def test_items_older_than_max_age_are_dropped() -> None:
    fresh = story(1, hours_old=24)
    stale = story(2, hours_old=MAX_AGE.total_seconds() / 3600 + 1)
    edge = story(3, hours_old=MAX_AGE.total_seconds() / 3600)
    chosen = select([fresh, stale, edge], channel(), posted=set(), now=NOW)
    assert [a.id for a in chosen] == [1, 3]


def test_filters_apply_before_the_cap() -> None:
    articles = [
        story(i, hours_old=i, title="Football" if i < 4 else f"Story {i}") for i in range(1, 8)
    ]
    chosen = select(articles, channel(max_items=2, exclude=("football",)), posted=set(), now=NOW)
    assert [a.id for a in chosen] == [4, 5]


# -- compose -------------------------------------------------------------------------------------
def test_compose_names_other_sources_key_quotes_and_local_time() -> None:
    quotes = (Quote("We will build it", "Amara Okafor", "mayor"), Quote("Not a key quote", "X"))
    article = story(7, others=("Business", "Science"), quotes=quotes, key=1)
    digest = compose(channel(), [article], now=NOW, digest_id=3)
    assert digest.title == "News digest · Sat 28 Nov 2026, 08:00"  # Berlin, not UTC 07:00
    assert digest.timezone == "Europe/Berlin" and digest.created == NOW
    (item,) = digest.items
    assert item.number == 1 and item.title == "Story 7" and item.source == "World"
    assert item.url == "https://example.org/story-7"
    assert item.summary == ("Summary of story 7.",)
    assert item.quotes == quotes[:1]
    assert [s.name for s in item.also_covered_by] == ["Business", "Science"]
    text = render_digest(digest)
    assert "Also covered by: Business, Science" in text
    assert "08:00" in text.splitlines()[0]


def test_compose_in_another_time_zone_and_with_a_custom_title() -> None:
    digest = compose(channel(timezone="America/New_York"), [story(1)], now=NOW)
    assert digest.title == "News digest · Sat 28 Nov 2026, 02:00"
    titled = compose(channel(title="Morning briefing"), [story(1)], now=NOW)
    assert titled.title == "Morning briefing"


def test_compose_carries_the_channels_item_template_and_the_stories_picture() -> None:
    article = replace(story(1), image="https://img.example/1.jpg")
    digest = compose(channel(item_template="{summary}"), [article], now=NOW)
    assert digest.item_template == "{summary}"
    assert digest.items[0].image == "https://img.example/1.jpg"
    assert "   Summary of story 1." in render_digest(digest)


def test_compose_without_other_sources() -> None:
    (item,) = compose(channel(), [story(1)], now=NOW).items
    assert item.also_covered_by == ()
    assert "Also covered by" not in render_digest(compose(channel(), [story(1)], now=NOW))
