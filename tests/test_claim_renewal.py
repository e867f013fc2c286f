"""A poller keeps its feed claims while its event loop is busy, and never fetches a feed whose
claim ran out: the two rules that keep live workers from fetching a feed twice (issue 14's
benchmark fetched 32 feeds twice when a worker's loop stalled for longer than the lease).
On SQLite and Postgres."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from stores import Opener
from test_scheduler import START, Clock

from bot.feed_claims import ClaimRenewal, FeedClaimer, check_clock
from bot.ingest import CycleReport, PollReport
from bot.store import FeedRecord, Store

LEASE = timedelta(minutes=2)


def add_feeds(store: Store, count: int) -> None:
    store.sync_config_feeds(
        (f"feed-{n}", f"https://example.com/{n}.xml", 15, (), False) for n in range(count)
    )


def claim_of(store: Store, feed_id: int) -> tuple[str | None, object]:
    """(claimed_by, claimed_until) as stored (the store keeps them to itself)."""
    from bot.store.postgres import PostgresStore
    from bot.store.sqlite import SqliteStore

    sql = "SELECT claimed_by, claimed_until FROM feeds WHERE id = "
    if isinstance(store, PostgresStore):
        return store._all(sql + "%s", (feed_id,))[0]
    assert isinstance(store, SqliteStore)
    return tuple(store._db.execute(sql + "?", (feed_id,)).fetchone())


class RecordingIngestor:
    """Polls as the real Ingestor does: asks `may_fetch` right before each fetch. `before`
    runs first, on the loop, as long as it likes: the stall."""

    def __init__(self, store: Store, clock: Clock, before: Callable[[], None]) -> None:
        self.store, self.clock, self.before = store, clock, before
        self.fetched: list[str] = []

    async def poll(
        self, feeds: Sequence[FeedRecord], *, may_fetch: Callable[[FeedRecord], bool]
    ) -> CycleReport:
        self.before()
        reports = []
        for feed in feeds:
            if not may_fetch(feed):
                reports.append(PollReport(feed=feed.name, skipped=True))
                continue
            self.fetched.append(feed.name)
            self.store.record_fetch_success(
                feed.id, now=self.clock(), etag=None, last_modified=None, title=None
            )
            reports.append(PollReport(feed=feed.name))
        return CycleReport(feeds=reports)


def claimer_for(
    store: Store, ingestor: RecordingIngestor, clock: Clock, **options: Any
) -> FeedClaimer:
    options = {"batch": 9, "lease": LEASE} | options
    return FeedClaimer(store=store, ingestor=ingestor, owner="a", clock=clock, **options)  # type: ignore[arg-type]


async def test_claims_are_renewed_while_the_event_loop_is_blocked(open_store: Opener) -> None:
    """The loop is held (synchronously) past the lease's end; the claims are renewed meanwhile
    from the renewal thread, so another worker cannot take the feeds, and this one fetches each
    once."""
    store, other = open_store(), open_store()
    add_feeds(store, 3)
    clock = Clock(START)
    taken: list[FeedRecord] = []

    def stall() -> None:  # blocks the event loop: no task of it runs meanwhile
        first = claim_of(other, store.feeds()[0].id)
        assert first[0] == "a"
        clock.advance(minutes=1.5)
        deadline = time.monotonic() + 10
        while claim_of(other, store.feeds()[0].id) == first:
            assert time.monotonic() < deadline, "the claims were not renewed while blocked"
            time.sleep(0.005)
        clock.advance(minutes=1.5)  # the first lease has run out by now
        taken.extend(other.claim_due_feeds("b", now=clock(), lease=LEASE, limit=9))

    ingestor = RecordingIngestor(store, clock, stall)
    claimer = claimer_for(store, ingestor, clock)
    claimer.renew_every = 0.01
    assert await claimer.cycle() == 3
    assert taken == []
    assert sorted(ingestor.fetched) == ["feed-0", "feed-1", "feed-2"]


async def test_a_feed_whose_claim_was_taken_over_is_not_fetched(
    open_store: Opener, caplog: pytest.LogCaptureFixture
) -> None:
    """The renewal thread could not run (the process was frozen) for longer than the lease:
    another worker took the feeds over. This worker must not fetch them too."""
    store, other = open_store(), open_store()
    add_feeds(store, 2)
    clock = Clock(START)
    monotonic = [100.0]
    taken: list[FeedRecord] = []

    def frozen() -> None:
        clock.advance(minutes=3)
        monotonic[0] += 180
        taken.extend(other.claim_due_feeds("b", now=clock(), lease=LEASE, limit=9))

    ingestor = RecordingIngestor(store, clock, frozen)
    claimer = claimer_for(store, ingestor, clock, monotonic=lambda: monotonic[0])
    claimer.renew_every = 3600  # the thread never gets to run
    with caplog.at_level(logging.WARNING, logger="bot.feed_claims"):
        assert await claimer.cycle() == 0
    assert len(taken) == 2 and ingestor.fetched == []
    assert "2 feed(s) not polled" in caplog.text
    # b's claims are b's: a let go of nothing that was not its own
    assert all(claim_of(other, f.id)[0] == "b" for f in other.feeds())


async def test_run_once_claims_every_feed_no_other_worker_holds(open_store: Opener) -> None:
    """`run --once` on a shared database: every feed, due or not, except the ones another
    worker is polling right now."""
    store, other = open_store(), open_store()
    add_feeds(store, 7)
    clock = Clock(START)
    for feed in store.feeds()[:4]:  # polled a minute ago: not due
        store.record_fetch_success(feed.id, now=clock(), etag=None, last_modified=None, title=None)
    clock.advance(minutes=1)
    (busy,) = other.claim_due_feeds("b", now=clock(), lease=LEASE, limit=1)
    ingestor = RecordingIngestor(store, clock, lambda: None)
    claimer = claimer_for(store, ingestor, clock, batch=2)
    assert await claimer.cycle(every_feed=True) == 6
    assert sorted(ingestor.fetched) == sorted(f.name for f in store.feeds() if f.id != busy.id)
    assert await claimer.cycle() == 0  # and none of them is due again


def test_renewal_tracks_what_is_held() -> None:
    now = [0.0]
    held_by_us = {1, 2}
    renewals: list[list[int]] = []

    def renew(ids: Sequence[int], until: datetime) -> set[int]:
        renewals.append(list(ids))
        return set(ids) & held_by_us

    claims = ClaimRenewal(
        [1, 2], renew=renew, lease=timedelta(seconds=30), claimed_at=0.0, monotonic=lambda: now[0]
    )
    assert claims.holds(1) and claims.holds(2) and not claims.holds(3)
    now[0] = 26.5  # within the safety margin of the end (1 s + a tenth of the lease)
    assert not claims.holds(1)
    claims.renew_now()  # from 26.5: held until 56.5
    assert claims.holds(1) and claims.holds(2)
    held_by_us.discard(2)  # taken over
    now[0] = 40.0
    claims.renew_now()
    assert claims.holds(1) and not claims.holds(2) and claims.lost == {2}
    claims.renew_now()
    assert renewals[-1] == [1]  # a lost claim is not asked for again


def test_a_failed_renewal_keeps_the_last_end(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]

    def unreachable(ids: Sequence[int], until: datetime) -> set[int]:
        raise OSError("connection refused")

    claims = ClaimRenewal(
        [1], renew=unreachable, lease=timedelta(seconds=30), claimed_at=0, monotonic=lambda: now[0]
    )
    now[0] = 20.0
    with caplog.at_level(logging.WARNING, logger="bot.feed_claims"):
        claims.renew_now()
    assert "could not renew 1 feed claim(s): connection refused" in caplog.text
    assert claims.holds(1)
    now[0] = 29.0
    assert not claims.holds(1)  # no word from the database: not held, not fetched


def test_a_clock_off_the_databases_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    class SkewedStore:
        def clock_offset(self) -> timedelta:
            return timedelta(seconds=-40)

    with caplog.at_level(logging.WARNING, logger="bot.feed_claims"):
        assert check_clock(SkewedStore(), timedelta(seconds=300)) == timedelta(seconds=-40)  # type: ignore[arg-type]
    assert "clock is -40.0 s off the database server's" in caplog.text
    caplog.clear()

    class SyncedStore:
        def clock_offset(self) -> timedelta:
            return timedelta(seconds=0.2)

    check_clock(SyncedStore(), timedelta(seconds=300))  # type: ignore[arg-type]
    assert caplog.text == ""


def test_the_offset_from_a_real_server_is_measured(pg_url: str) -> None:
    from bot.store.postgres import PostgresStore

    store = PostgresStore(pg_url)
    try:
        assert abs(store.clock_offset().total_seconds()) < 1  # the same machine's clock
    finally:
        store.close()


def test_a_renewal_that_ends_after_the_batch_reports_nothing_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The batch ended and let its claims go while a renewal was on its way to the database:
    the renewal finds none held, and that is no loss to warn about."""
    claims: ClaimRenewal

    def released_meanwhile(ids: Sequence[int], until: datetime) -> set[int]:
        claims.__exit__(None, None, None)  # the poll ended; its claims were released
        return set()

    claims = ClaimRenewal(
        [1, 2], renew=released_meanwhile, lease=timedelta(seconds=30), claimed_at=0
    )
    with caplog.at_level(logging.WARNING, logger="bot.feed_claims"):
        claims.renew_now()
    assert caplog.text == "" and claims.lost == set()
