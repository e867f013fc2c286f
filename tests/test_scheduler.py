"""Scheduler with an injected clock: missed digests after a restart, poll and digest jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from stores import StoreBackend

from bot.config import Settings, cron_trigger, parse_settings
from bot.digest import MAX_AGE
from bot.models import Digest, Quote
from bot.platforms.base import (
    ChatPlatform,
    CommandHandler,
    PlatformError,
    PostedMessage,
    RecordPosted,
    story_key,
)
from bot.posting import DigestPoster
from bot.scheduler import BotScheduler, last_fire_time
from bot.store import FeedRecord, NewArticle

# Friday 27 Nov 2026, 06:00 UTC = 07:00 in Berlin; the digest is at 08:00 Berlin on weekdays.
START = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class RecordingPlatform(ChatPlatform):
    """A chat platform that accepts every digest as one message and remembers it."""

    name = "console"

    def __init__(self) -> None:
        self.digests: list[Digest] = []
        self.fail = False

    async def start(self, handler: CommandHandler) -> None:  # pragma: no cover - not used
        pass

    async def stop(self) -> None:  # pragma: no cover - not used
        pass

    async def post_digest(self, target: str, digest: Digest, record: RecordPosted) -> None:
        if self.fail:
            raise PlatformError("the service is down")
        self.digests.append(digest)
        await record(digest.items, f"msg-{len(self.digests)}")

    def titles(self, index: int = -1) -> list[str]:
        return [i.title for i in self.digests[index].items]


class FakeIngestor:
    def __init__(self) -> None:
        self.polled: list[str] = []
        self.on_poll: Callable[[FeedRecord], None] | None = None

    async def poll_feed(self, feed: FeedRecord) -> None:
        self.polled.append(feed.name)
        await asyncio.sleep(0)  # a real poll awaits the network
        if self.on_poll:
            self.on_poll(feed)


def make_settings(
    db: StoreBackend, *, cron: str = "0 8 * * 1-5", feeds: Sequence[str] = ("World",)
):
    return parse_settings(
        {
            "storage": db.storage_config(),
            "feeds": [
                {"name": name, "url": f"https://example.org/{i}.rss", "poll_minutes": 10 * (i + 1)}
                for i, name in enumerate(feeds)
            ],
            "channels": [
                {
                    "name": "newsroom",
                    "platform": "console",
                    "digest_cron": cron,
                    "timezone": "Europe/Berlin",
                },
                {"name": "nightly", "platform": "console", "digest_cron": "30 22 * * *"},
            ],
        },
        base_dir=Path("/"),
    )


class Bot:
    """One 'process' of the bot: its own store connection and scheduler on a shared DB file."""

    def __init__(
        self,
        db: StoreBackend,
        clock: Clock,
        platform: RecordingPlatform,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or make_settings(db)
        self.store = db.open()
        self.store.sync_config_feeds(
            (f.name, f.url, f.poll_minutes, f.tags, f.full_text) for f in self.settings.feeds
        )
        self.ingestor = FakeIngestor()
        self.poster = DigestPoster(store=self.store, platforms={"console": platform}, clock=clock)
        self.scheduler = BotScheduler(
            settings=self.settings,
            store=self.store,
            ingestor=self.ingestor,  # type: ignore[arg-type]
            poster=self.poster,
            clock=clock,
            misfire_grace=timedelta(hours=12),
        )

    def add_story(self, n: int, clock: Clock) -> int:
        feed = self.store.feed("World")
        assert feed is not None
        return self.store.add_article(
            NewArticle(
                feed_id=feed.id,
                guid=f"g{n}",
                title=f"Story {n}",
                url=f"https://example.org/{n}",
                canonical_url=f"https://example.org/{n}",
                published_at=clock() - timedelta(minutes=5),
                text=f"Text of story {n}.",
                summary=(f"Summary {n}.",),
                quotes=(Quote(f"Quote {n}", "Ana Ruiz"),),
                key_quote_count=1,
                content_hash=None,
                simhash=None,
            ),
            seen_at=clock(),
        )

    def close(self) -> None:
        self.scheduler.shutdown()
        self.store.close()


@pytest.fixture
def db(store_backend: StoreBackend) -> StoreBackend:
    """The bot's database, of each kind; every Bot(db, ...) opens it as a new process would."""
    return store_backend


# -- last_fire_time ------------------------------------------------------------------------------
def test_last_fire_time() -> None:
    trigger = cron_trigger("0 8 * * 1-5", "Europe/Berlin")
    fri_8 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    mon_8 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert last_fire_time(trigger, after=START, now=START + timedelta(minutes=59)) is None
    assert last_fire_time(trigger, after=START, now=fri_8) == fri_8  # inclusive of now
    assert last_fire_time(trigger, after=fri_8, now=fri_8 + timedelta(hours=1)) is None  # exclusive
    # Saturday and Sunday do not fire: the latest time before Monday noon is Monday 08:00.
    assert last_fire_time(trigger, after=START, now=mon_8 + timedelta(hours=4)) == mon_8
    assert last_fire_time(trigger, after=START, now=mon_8 - timedelta(hours=1)) == fri_8


# -- missed digests across restarts --------------------------------------------------------------
async def test_digest_missed_while_down_is_posted_once_after_restart(db: StoreBackend) -> None:
    clock, platform = Clock(START), RecordingPlatform()
    first = Bot(db, clock, platform)
    assert await first.scheduler.catch_up() == 0  # first run: the clock starts now
    assert first.store.last_fire("newsroom") == START
    first.add_story(1, clock)
    first.add_story(2, clock)
    first.close()  # the bot goes down before 08:00 Berlin

    clock.advance(hours=2)  # 09:00 Berlin: the 08:00 digest was missed
    second = Bot(db, clock, platform)
    assert await second.scheduler.catch_up() == 1
    assert len(platform.digests) == 1
    assert platform.digests[0].channel == "newsroom"
    assert sorted(platform.titles()) == ["Story 1", "Story 2"]
    assert second.store.last_fire("newsroom") == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    assert second.store.posted_article_ids("newsroom") == {1, 2}
    second.add_story(3, clock)  # news arriving after the catch-up waits for the next digest
    second.close()

    for _ in range(2):  # two more restarts in a row: nothing more
        clock.advance(minutes=10)
        again = Bot(db, clock, platform)
        assert await again.scheduler.catch_up() == 0
        again.close()
    assert len(platform.digests) == 1


async def test_the_late_digest_carries_what_the_feeds_published_while_down(
    db: StoreBackend,
) -> None:
    clock, platform = Clock(START), RecordingPlatform()
    bot = Bot(db, clock, platform)
    world = bot.store.feed("World")
    bot.store.record_fetch_success(world.id, now=START, etag=None, last_modified=None, title=None)
    await bot.scheduler.catch_up()
    bot.add_story(1, clock)
    bot.close()

    clock.advance(hours=2)
    bot = Bot(db, clock, platform)

    def publish(feed: FeedRecord) -> None:
        bot.add_story(2, clock)
        bot.store.record_fetch_success(
            feed.id, now=clock(), etag=None, last_modified=None, title=None
        )

    bot.ingestor.on_poll = publish
    # The poll job asks for the same feed at the same moment: polled once.
    posted, _ = await asyncio.gather(bot.scheduler.catch_up(), bot.scheduler.poll_feed("World"))
    assert posted == 1
    assert bot.ingestor.polled == ["World"]
    assert sorted(platform.titles()) == ["Story 1", "Story 2"]
    bot.close()


async def test_several_missed_times_coalesce_into_one_digest(db: StoreBackend) -> None:
    clock, platform = Clock(START), RecordingPlatform()
    bot = Bot(db, clock, platform, make_settings(db, cron="0 * * * *"))  # hourly
    await bot.scheduler.catch_up()
    bot.add_story(1, clock)
    bot.close()

    clock.advance(hours=5, minutes=30)  # five hourly digests missed
    bot = Bot(db, clock, platform, make_settings(db, cron="0 * * * *"))
    assert await bot.scheduler.catch_up() == 1
    assert len(platform.digests) == 1 and platform.titles() == ["Story 1"]
    assert bot.store.last_fire("newsroom") == datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    bot.close()


async def test_a_miss_older_than_the_grace_is_skipped(db: StoreBackend) -> None:
    clock, platform = Clock(START), RecordingPlatform()
    bot = Bot(db, clock, platform)
    await bot.scheduler.catch_up()
    bot.add_story(1, clock)
    bot.close()

    clock.advance(hours=14)  # 20:00 Berlin: the 08:00 digest is 13 h old, grace is 12 h
    bot = Bot(db, clock, platform)
    assert await bot.scheduler.catch_up() == 0
    assert platform.digests == []
    bot.close()


async def test_a_channel_seen_for_the_first_time_has_missed_nothing(db: StoreBackend) -> None:
    clock, platform = Clock(START + timedelta(hours=3)), RecordingPlatform()  # after 08:00
    bot = Bot(db, clock, platform)
    bot.add_story(1, clock)
    assert await bot.scheduler.catch_up() == 0
    assert platform.digests == []
    assert bot.store.last_fire("newsroom") == clock.now
    assert bot.store.last_fire("nightly") == clock.now
    bot.close()


async def test_the_scheduled_job_records_its_fire_time(db: StoreBackend) -> None:
    clock, platform = Clock(START), RecordingPlatform()
    bot = Bot(db, clock, platform)
    await bot.scheduler.catch_up()
    bot.add_story(1, clock)
    clock.advance(hours=1)
    await bot.scheduler._digest_job("newsroom")  # what the cron job runs at 08:00 Berlin
    assert platform.titles() == ["Story 1"]
    assert bot.store.last_fire("newsroom") == clock.now
    bot.close()
    # A restart right after the digest posted does not post it again.
    clock.advance(minutes=1)
    bot = Bot(db, clock, platform)
    assert await bot.scheduler.catch_up() == 0
    assert len(platform.digests) == 1
    bot.close()


async def test_a_failed_post_leaves_items_pending_for_the_next_digest(db: StoreBackend) -> None:
    clock, platform = Clock(START), RecordingPlatform()
    bot = Bot(db, clock, platform)
    await bot.scheduler.catch_up()
    bot.add_story(1, clock)
    clock.advance(hours=1)
    platform.fail = True
    await bot.scheduler._digest_job("newsroom")
    assert platform.digests == [] and bot.store.posted_article_ids("newsroom") == set()
    platform.fail = False
    clock.advance(days=3)  # Monday 08:00 Berlin
    await bot.scheduler._digest_job("newsroom")
    assert platform.titles() == ["Story 1"]
    bot.close()


class RememberingPlatform(RecordingPlatform):
    """A platform whose channel history holds digest messages the store has no record of."""

    def __init__(self, found: list[PostedMessage]) -> None:
        super().__init__()
        self.found = found
        self.asked_since: list[datetime] = []

    async def recent_digest_messages(self, target: str, since: datetime) -> list[PostedMessage]:
        self.asked_since.append(since)
        return self.found


async def test_stories_found_in_the_channel_are_recorded_not_posted_again(db: StoreBackend) -> None:
    clock = Clock(START)
    bot = Bot(db, clock, RecordingPlatform())
    ids = [bot.add_story(n, clock) for n in (1, 2, 3)]
    # The bot composed a digest and the platform took its message with stories 1 and 2, but the
    # bot died before recording them.
    channel = bot.settings.channel("newsroom")
    lost = bot.store.create_digest("newsroom", "Digest", clock(), ids)
    bot.close()

    clock.advance(hours=1)
    keys = frozenset(story_key(f"https://example.org/{n}") for n in (1, 2))
    platform = RememberingPlatform([PostedMessage("C1:171.5", keys)])
    bot = Bot(db, clock, platform)
    outcome = await bot.poster.post(channel)
    assert platform.titles() == ["Story 3"] and outcome.posted == 1
    assert bot.store.posted_article_ids("newsroom") == set(ids)
    assert bot.store.digest_for_message("console:C1:171.5") == lost  # numbering of that message
    assert platform.asked_since == [clock.now - MAX_AGE]
    bot.close()


async def test_stories_found_in_the_channel_after_a_database_reset_are_not_posted_again(
    db: StoreBackend,
) -> None:
    clock = Clock(START)
    keys = frozenset(story_key(f"https://example.org/{n}?utm_source=rss") for n in (1,))
    platform = RememberingPlatform([PostedMessage("C1:171.5", keys)])
    bot = Bot(db, clock, platform)  # a new database: no digest lists the story
    bot.add_story(1, clock)
    bot.add_story(2, clock)
    await bot.poster.post(bot.settings.channel("newsroom"))
    assert platform.titles() == ["Story 2"]
    assert bot.store.digest_for_message("console:C1:171.5") is not None
    bot.close()


class StalledPlatform(RecordingPlatform):
    """A platform whose post never completes: the bot is stopped while it waits."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()

    async def post_digest(self, target: str, digest: Digest, record: RecordPosted) -> None:
        self.entered.set()
        await asyncio.Event().wait()


async def test_a_digest_stopped_by_shutdown_ends_quietly_and_is_caught_up_after_restart(
    db: StoreBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.scheduler")
    clock, stalled = Clock(START), StalledPlatform()
    bot = Bot(db, clock, stalled)
    await bot.scheduler.catch_up()
    bot.add_story(1, clock)
    clock.advance(hours=1)  # 08:00 Berlin
    job = asyncio.create_task(bot.scheduler._digest_job("newsroom"))
    await stalled.entered.wait()
    job.cancel()  # what stopping the bot does to a running job
    assert await job is None  # no CancelledError for APScheduler to log as a crash
    assert "digest for newsroom: stopped by shutdown" in caplog.text
    assert bot.store.last_fire("newsroom") == START  # not marked done
    bot.close()

    clock.advance(minutes=5)
    platform = RecordingPlatform()
    restarted = Bot(db, clock, platform)
    assert await restarted.scheduler.catch_up() == 1
    assert platform.titles() == ["Story 1"]
    restarted.close()


async def test_a_poll_stopped_by_shutdown_ends_quietly(
    db: StoreBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.scheduler")
    clock, platform = Clock(START), RecordingPlatform()
    bot = Bot(db, clock, platform)
    started = asyncio.Event()

    async def stalled_poll(feed: FeedRecord) -> None:
        started.set()
        await asyncio.Event().wait()

    bot.ingestor.poll_feed = stalled_poll  # type: ignore[method-assign]
    job = asyncio.create_task(bot.scheduler._poll_job("World"))
    await started.wait()
    job.cancel()
    assert await job is None
    assert "poll of feed World: stopped by shutdown" in caplog.text
    bot.close()


# -- jobs ----------------------------------------------------------------------------------------
async def test_start_registers_one_poll_job_per_feed_and_one_digest_job_per_channel(
    db: StoreBackend,
) -> None:
    # A clock a day ahead of the real one: no job is due while the real timers run.
    clock, platform = Clock(datetime.now(UTC) + timedelta(days=1)), RecordingPlatform()
    bot = Bot(db, clock, platform, make_settings(db, feeds=("World", "Business")))
    bot.scheduler.start()
    try:
        jobs = {job.id: job for job in bot.scheduler.scheduler.get_jobs()}
        assert set(jobs) == {
            "poll:World",
            "poll:Business",
            "digest:newsroom",
            "digest:nightly",
            "retention",
        }
        world, business = jobs["poll:World"], jobs["poll:Business"]
        assert isinstance(world.trigger, IntervalTrigger)
        assert world.trigger.interval == timedelta(minutes=10)
        assert business.trigger.interval == timedelta(minutes=20)
        assert 0 < world.trigger.jitter <= 60 and 0 < business.trigger.jitter <= 60
        assert world.args == ("World",) and world.max_instances == 1 and world.coalesce

        newsroom = jobs["digest:newsroom"]
        assert isinstance(newsroom.trigger, CronTrigger)
        assert str(newsroom.trigger.timezone) == "Europe/Berlin"
        assert newsroom.coalesce and newsroom.misfire_grace_time == 12 * 3600
        fire = newsroom.trigger.get_next_fire_time(None, START)
        assert fire == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 08:00 Berlin
        saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
        fire = newsroom.trigger.get_next_fire_time(None, saturday)
        assert fire == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday, not Saturday
        nightly = jobs["digest:nightly"]
        assert str(nightly.trigger.timezone) == "UTC"
        assert world.next_run_time == clock.now  # never polled: at once
    finally:
        bot.close()
    await asyncio.sleep(0.01)  # AsyncIOScheduler.shutdown runs in the event loop
    assert not bot.scheduler.scheduler.running
    assert platform.digests == [] and bot.ingestor.polled == []


def poll_jobs(bot: Bot) -> dict[str, Any]:
    return {job.id: job for job in bot.scheduler.scheduler.get_jobs() if job.id.startswith("poll:")}


async def test_sync_feed_jobs_follows_feed_changes(db: StoreBackend) -> None:
    clock, platform = Clock(START), RecordingPlatform()
    bot = Bot(db, clock, platform)
    bot.scheduler.sync_feed_jobs()
    assert set(poll_jobs(bot)) == {"poll:World"}

    chat = bot.store.add_chat_feed("Blog", "https://blog.example/rss", channel="c", added_by="U")
    bot.scheduler.sync_feed_jobs()
    assert set(poll_jobs(bot)) == {"poll:World", "poll:Blog"}
    assert poll_jobs(bot)["poll:Blog"].trigger.interval == timedelta(minutes=15)

    bot.store.unsubscribe("c", chat.id)  # the last subscriber left: the feed is inactive
    bot.scheduler.sync_feed_jobs()
    assert set(poll_jobs(bot)) == {"poll:World"}

    # A changed poll interval reschedules the feed's job.
    bot.store.sync_config_feeds([("World", "https://example.org/0.rss", 45, (), True)])
    bot.scheduler.sync_feed_jobs()
    assert poll_jobs(bot)["poll:World"].trigger.interval == timedelta(minutes=45)
    bot.close()


async def test_a_feed_polled_just_before_a_restart_waits_for_its_interval(db: StoreBackend) -> None:
    clock, platform = Clock(START), RecordingPlatform()
    bot = Bot(db, clock, platform)
    world = bot.store.feed("World")
    bot.store.record_fetch_success(world.id, now=START, etag=None, last_modified=None, title=None)
    bot.store.add_chat_feed("Blog", "https://blog.example/rss", channel="c", added_by="U")
    clock.advance(minutes=2)
    bot.scheduler.sync_feed_jobs()
    jobs = poll_jobs(bot)
    assert jobs["poll:World"].next_run_time == START + timedelta(minutes=10)
    assert jobs["poll:Blog"].next_run_time == clock.now  # never polled: at once
    bot.close()


async def test_poll_feed_skips_a_feed_backing_off_but_not_a_healthy_one(db: StoreBackend) -> None:
    clock, platform = Clock(START), RecordingPlatform()
    bot = Bot(db, clock, platform)
    world = bot.store.feed("World")

    await bot.scheduler.poll_feed("World")
    assert bot.ingestor.polled == ["World"]

    # Healthy: the interval job may fire a little before next_poll_at (jitter, slow polls).
    bot.store.record_fetch_success(world.id, now=clock(), etag=None, last_modified=None, title=None)
    clock.advance(minutes=10, seconds=-5)
    await bot.scheduler.poll_feed("World")
    assert bot.ingestor.polled == ["World", "World"]

    # Failing: it waits out its backoff, then is polled again.
    retry_at = bot.store.record_fetch_failure(world.id, now=clock(), error="HTTP 503")
    await bot.scheduler.poll_feed("World")
    clock.now = retry_at - timedelta(seconds=1)
    await bot.scheduler.poll_feed("World")
    assert bot.ingestor.polled == ["World", "World"]
    clock.now = retry_at
    await bot.scheduler.poll_feed("World")
    assert bot.ingestor.polled == ["World", "World", "World"]

    # Unknown or inactive feeds are not polled.
    await bot.scheduler.poll_feed("Nope")
    bot.store.sync_config_feeds([])
    await bot.scheduler.poll_feed("World")
    assert bot.ingestor.polled == ["World", "World", "World"]
    bot.close()


async def test_retention_job_prunes_with_the_configured_days(db: StoreBackend) -> None:
    clock, platform = Clock(START), RecordingPlatform()
    bot = Bot(db, clock, platform)
    bot.add_story(1, clock)
    clock.advance(days=31)
    bot.add_story(2, clock)
    await bot.scheduler._retention_job()
    assert bot.store.article_count() == 1
    assert bot.store.article(2) is not None
    bot.close()
