"""Several workers on one Postgres database: one leader posts digests (a session advisory lock on
a connection of its own; a lost connection is lost leadership), roles split polling from posting,
and pollers poll claimed feeds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from stores import StoreBackend
from test_scheduler import START, Bot, Clock, RecordingPlatform

from bot.cli import build_parser
from bot.feed_claims import FeedClaimer
from bot.ingest import CycleReport
from bot.scheduler import BotScheduler
from bot.store import FeedRecord, Store
from bot.store.postgres import PostgresStore
from bot.workers import AdvisoryLockLeader, Role, SoleLeader, leadership_for


def terminate_sessions_of(pg_url: str, leader: AdvisoryLockLeader) -> None:
    """What a dead leader's server sees: its connection ends (the process, or the network)."""
    assert leader._db is not None
    pid = leader._db.info.backend_pid
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.fixture
def pg_stores(pg_url: str) -> Iterator[list[PostgresStore]]:
    stores = [PostgresStore(pg_url) for _ in range(3)]
    yield stores
    for store in stores:
        store.close()


def test_one_leader_at_a_time_and_a_lost_connection_hands_over(
    pg_url: str, pg_stores: list[PostgresStore]
) -> None:
    first, second = (leadership_for(store) for store in pg_stores[:2])
    assert isinstance(first, AdvisoryLockLeader) and isinstance(second, AdvisoryLockLeader)
    assert first.is_leader()
    assert not second.is_leader()
    assert first.is_leader() and not second.is_leader()  # held, not taken twice
    terminate_sessions_of(pg_url, first)
    assert not first.is_leader()  # it notices at its next check
    assert second.is_leader()
    assert not first.is_leader()  # and does not take it back
    second.close()  # a leader that stops gives it up at once
    assert first.is_leader()
    first.close()


def test_sqlite_is_one_process_that_always_leads(tmp_path) -> None:
    from bot.store import SqliteStore

    store = SqliteStore(tmp_path / "db.sqlite")
    assert isinstance(leadership_for(store), SoleLeader)
    store.close()


def leading_bot(db: StoreBackend, clock: Clock, platform: RecordingPlatform, *, role=Role.ALL):
    bot = Bot(db, clock, platform)
    bot.scheduler = BotScheduler(
        settings=bot.settings,
        store=bot.store,
        ingestor=bot.ingestor,  # type: ignore[arg-type]
        poster=bot.poster,
        clock=clock,
        role=role,
        leader=leadership_for(bot.store),
    )
    return bot


async def test_two_schedulers_post_each_digest_once_and_the_survivor_takes_over(
    pg_url: str,
) -> None:
    db = StoreBackend("postgres", url=pg_url)
    clock, platform = Clock(START), RecordingPlatform()
    bots = [leading_bot(db, clock, platform) for _ in range(2)]
    assert [await bot.scheduler.catch_up() for bot in bots] == [0, 0]
    bots[0].add_story(1, clock)
    clock.advance(hours=1)  # 08:00 Berlin: both schedulers' digest jobs fire
    await asyncio.gather(*(bot.scheduler._digest_job("newsroom") for bot in bots))
    assert len(platform.digests) == 1 and platform.titles() == ["Story 1"]

    leader = next(b for b in bots if b.scheduler.leader.leading)
    other = next(b for b in bots if b is not leader)
    terminate_sessions_of(pg_url, leader.scheduler.leader)  # type: ignore[arg-type]
    other.add_story(2, clock)
    clock.advance(days=3)  # Monday 08:00 passed while nobody led
    await other.scheduler._leader_job()  # its periodic check: leader now, posts what was missed
    assert other.scheduler.leader.leading
    newsroom = [d for d in platform.digests if d.channel == "newsroom"]
    assert len(newsroom) == 2 and [i.title for i in newsroom[1].items] == ["Story 2"]
    posted = len(platform.digests)  # and the nightly digests it missed too
    await leader.scheduler._digest_job("newsroom")  # the old leader's job: not its to post
    await other.scheduler._leader_job()  # still leading: nothing caught up twice
    assert len(platform.digests) == posted
    for bot in bots:
        bot.scheduler.leader.close()
        bot.close()


async def test_a_poller_schedules_no_digests_and_a_poster_no_polls(pg_url: str) -> None:
    db = StoreBackend("postgres", url=pg_url)
    clock, platform = Clock(START), RecordingPlatform()
    poller = leading_bot(db, clock, platform, role=Role.POLLER)
    poster = leading_bot(db, clock, platform, role=Role.POSTER)
    poller.scheduler.start()
    poster.scheduler.start()
    poller_jobs = {j.id for j in poller.scheduler.scheduler.get_jobs()}
    poster_jobs = {j.id for j in poster.scheduler.scheduler.get_jobs()}
    for bot in (poller, poster):
        bot.scheduler.shutdown()  # before any job ran: the jobs are what is looked at
    assert poller_jobs == {"poll:World"}
    assert "poll:World" not in poster_jobs and "digest:newsroom" in poster_jobs
    assert "leader" in poster_jobs
    poller.add_story(1, clock)
    clock.advance(hours=1)
    await poller.scheduler._digest_job("newsroom")  # not scheduled there; and it never leads
    assert await poller.scheduler.catch_up() == 0 and platform.digests == []
    for bot in (poller, poster):
        bot.scheduler.leader.close()
        bot.close()


def test_run_takes_a_role() -> None:
    assert build_parser().parse_args(["run"]).role == "all"
    assert build_parser().parse_args(["run", "--role", "poller"]).role == "poller"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--role", "boss"])


class PollingIngestor:
    """Polls by recording the feed as polled now (what a real poll does to the feed's row)."""

    def __init__(self, store: Store, clock: Clock, polled: list[str]) -> None:
        self.store, self.clock, self.polled = store, clock, polled
        self.stop_after: int | None = None

    async def poll(self, feeds: Sequence[FeedRecord], **_: object) -> CycleReport:
        for feed in feeds:
            await asyncio.sleep(0)  # a real poll awaits the network; other workers run
            if self.stop_after is not None and len(self.polled) >= self.stop_after:
                raise asyncio.CancelledError  # the worker is stopped mid-batch
            self.polled.append(feed.name)
            self.store.record_fetch_success(
                feed.id, now=self.clock(), etag=None, last_modified=None, title=None
            )
        return CycleReport()


async def test_pollers_claiming_at_once_poll_every_due_feed_once(
    pg_stores: list[PostgresStore],
) -> None:
    clock = Clock(START)
    pg_stores[0].sync_config_feeds(
        (f"f{n:03d}", f"https://e.example/{n}", 15, (), False) for n in range(120)
    )
    polled: list[str] = []
    claimers = [
        FeedClaimer(
            store=store,
            ingestor=PollingIngestor(store, clock, polled),  # type: ignore[arg-type]
            owner=f"w{i}",
            batch=5,
            clock=clock,
        )
        for i, store in enumerate(pg_stores)
    ]
    counts = await asyncio.gather(*(c.cycle() for c in claimers))
    assert sum(counts) == 120 and sorted(polled) == sorted(set(polled)) and len(polled) == 120
    assert await claimers[0].cycle() == 0  # nothing is due again before its interval
    clock.advance(minutes=15)
    assert await claimers[1].cycle() == 120


async def test_a_poll_cut_short_lets_its_feeds_go(pg_stores: list[PostgresStore]) -> None:
    clock = Clock(START)
    store = pg_stores[0]
    store.sync_config_feeds((f"f{n}", f"https://e.example/{n}", 15, (), False) for n in range(4))
    polled: list[str] = []
    ingestor = PollingIngestor(store, clock, polled)
    ingestor.stop_after = 1
    stopping = FeedClaimer(store=store, ingestor=ingestor, owner="a", batch=4, clock=clock)  # type: ignore[arg-type]
    with pytest.raises(asyncio.CancelledError):
        await stopping.cycle()
    other = FeedClaimer(
        store=pg_stores[1],
        ingestor=PollingIngestor(pg_stores[1], clock, polled),  # type: ignore[arg-type]
        owner="b",
        batch=4,
        clock=clock,
    )
    assert await other.cycle() == 3  # at once, not after the lease: the three left unpolled
    assert sorted(polled) == ["f0", "f1", "f2", "f3"]


async def test_a_pollers_claim_job_runs_again_after_each_cycle(
    pg_url: str, pg_stores: list[PostgresStore]
) -> None:
    """One claim job at a time, re-armed when a cycle ends: a cycle longer than the interval
    never piles up skipped runs."""
    clock = Clock(START)
    bot = leading_bot(StoreBackend("postgres", url=pg_url), clock, RecordingPlatform())
    polled: list[str] = []
    bot.scheduler.claimer = FeedClaimer(
        store=bot.store,
        ingestor=PollingIngestor(bot.store, clock, polled),  # type: ignore[arg-type]
        owner="w",
        batch=4,
        clock=clock,
    )
    bot.scheduler.sync_feed_jobs()
    assert bot.scheduler.scheduler.get_jobs() == []  # no job per feed: claims instead
    await bot.scheduler._claim_job()
    assert polled == ["World"]
    (again,) = [j for j in bot.scheduler.scheduler.get_jobs() if j.id == "claim"]
    assert again.trigger.run_date > datetime.now(UTC)
    bot.scheduler.leader.close()
    bot.close()


async def test_a_poll_longer_than_the_lease_keeps_its_claim(
    pg_stores: list[PostgresStore],
) -> None:
    clock = Clock(START)
    store, other = pg_stores[0], pg_stores[1]
    store.sync_config_feeds([("Slow", "https://e.example/slow", 15, (), False)])
    started, release = asyncio.Event(), asyncio.Event()

    class SlowSite:
        async def poll(self, feeds: Sequence[FeedRecord], **_: object) -> CycleReport:
            started.set()
            await release.wait()
            for feed in feeds:  # as every poll ends: the feed is not due again at once
                store.record_fetch_success(
                    feed.id, now=clock(), etag=None, last_modified=None, title=None
                )
            return CycleReport()

    lease = timedelta(minutes=2)
    claimer = FeedClaimer(
        store=store, ingestor=SlowSite(), owner="a", batch=1, lease=lease, clock=clock
    )  # type: ignore[arg-type]
    claimer.renew_every = 0.01
    polling = asyncio.create_task(claimer.cycle())
    await started.wait()
    clock.advance(minutes=3)  # the first lease ran out while the site was answering
    feed = store.feed("Slow")
    assert feed is not None

    def claimed_until() -> datetime:
        (until,) = other._all("SELECT claimed_until FROM feeds WHERE id = %s", (feed.id,))[0]
        return until

    end = time.monotonic() + 10
    while claimed_until() <= clock():
        assert time.monotonic() < end, "the claim was never renewed"
        await asyncio.sleep(0.01)
    assert other.claim_due_feeds("b", now=clock(), lease=lease, limit=9) == []
    release.set()
    assert await polling == 1
