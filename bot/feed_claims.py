"""A poller's loop on a shared database: claim due feeds in batches, poll them, let them go.

A claim is a lease (`claimed_by`, `claimed_until`) so that a dead worker's feeds are taken over
when it runs out. Two rules keep a feed from being fetched twice by live workers:

- **Renewal does not depend on the event loop.** A batch's claims are renewed from a thread of
  its own, on a database connection of its own (`Store.renew_feeds`), every third of the lease.
  The loop can be busy for longer than the lease (thousands of alerts queued at once, a burst of
  store writes, an overloaded machine) without the claims running out: before this, a worker
  whose loop stalled for 10 s lost a 10 s lease, another worker polled the batch, and then the
  first fetched it as well.
- **A feed is fetched only while its claim is known to be held.** The claim's end is tracked
  on this process's monotonic clock from the start of the last renewal that succeeded; a feed
  whose claim may have run out (the renewal thread itself starved, or the database could not be
  reached) or was taken over is skipped and let go, never fetched on a guess. Another worker,
  or this one at its next claim, polls it.

Only a process frozen for longer than the lease (SIGSTOP, a VM paused) can still lose a claim
in the middle of a fetch; the lease (`[fetch] claim_lease_seconds`, 300 s by default) is the
bound on that, and on how long a dead worker's feeds wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from bot.clock import Clock, system_clock
from bot.ingest import CycleReport, Ingestor
from bot.store import FeedRecord, Store

log = logging.getLogger(__name__)
FEED_LEASE = timedelta(minutes=5)  # longer than one poll of one feed can take

Renew = Callable[[Sequence[int], datetime], set[int]]


def safety_margin(lease: timedelta) -> float:
    """Seconds before a claim's end at which it no longer counts as held: the database keeps
    times to the second, and another machine's clock may be a little ahead."""
    return 1.0 + lease.total_seconds() / 10


def check_clock(store: Store, lease: timedelta) -> timedelta | None:
    """Warn when this machine's clock is off the database server's by more than the safety
    margin: claims written by one worker's clock are read against another's, so a clock far
    behind takes feeds over early and one far ahead holds them late. Returns the offset (None
    where the store has no server)."""
    offset_of = getattr(store, "clock_offset", None)
    if offset_of is None:
        return None
    offset: timedelta = offset_of()
    if abs(offset.total_seconds()) > safety_margin(lease) / 2:
        log.warning(
            "this machine's clock is %+.1f s off the database server's: workers on several "
            "machines need clocks in step (NTP) to well under [fetch] claim_lease_seconds (%d s)",
            offset.total_seconds(),
            lease.total_seconds(),
        )
    return offset


class ClaimRenewal:
    """Keeps one batch's claims alive from a thread while the batch is polled.

    `with ClaimRenewal(...) as claims:` starts the thread; `claims.may_fetch(feed)` (for
    `Ingestor.poll`) says whether the feed may be fetched now. `claimed_at` is the monotonic
    time at which the claim was asked for: its lease counts from then."""

    def __init__(
        self,
        feed_ids: Sequence[int],
        *,
        renew: Renew,
        lease: timedelta,
        claimed_at: float,
        clock: Clock = system_clock,
        monotonic: Callable[[], float] = time.monotonic,
        every: float | None = None,
    ) -> None:
        self.lease = lease
        self.every = lease.total_seconds() / 3 if every is None else every
        self._renew = renew
        self._clock = clock
        self._monotonic = monotonic
        self._held = set(feed_ids)
        self._ends = claimed_at + lease.total_seconds()  # monotonic
        self._margin = safety_margin(lease)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost: set[int] = set()  # taken over by another worker

    def __enter__(self) -> ClaimRenewal:
        self._thread = threading.Thread(target=self._run, name="claim-renewal", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        # Not joined: a renewal under way may wait on the database, and the loop must not.
        # Whatever it renews is released right after, by owner.
        self._stop.set()

    def may_fetch(self, feed: FeedRecord) -> bool:
        return self.holds(feed.id)

    def holds(self, feed_id: int) -> bool:
        with self._lock:
            held = feed_id in self._held
            ends = self._ends
        return held and self._monotonic() < ends - self._margin

    def renew_now(self) -> None:
        """Extend every claim still held by one lease from now (the thread does this every
        `every` seconds)."""
        with self._lock:
            ids = sorted(self._held)
        if not ids:
            return
        started = self._monotonic()
        try:
            kept = self._renew(ids, self._clock() + self.lease)
        except Exception as exc:  # the database is away: the claims end when they end
            log.warning("could not renew %d feed claim(s): %s", len(ids), exc)
            return
        if self._stop.is_set():
            return  # the batch ended meanwhile and let its claims go: none was lost
        lost = set(ids) - kept
        with self._lock:
            self._held -= lost
            self.lost |= lost
            self._ends = max(self._ends, started + self.lease.total_seconds())
        if lost:
            log.warning(
                "%d feed claim(s) ran out and were taken over before their poll ended: this "
                "worker does not fetch them ([fetch] claim_lease_seconds is shorter than this "
                "worker's stalls)",
                len(lost),
            )

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.renew_now()


class FeedClaimer:
    """The poll loop of a worker: claim due feeds in batches, poll them, let them go, until no
    feed is due. Each batch's claims are kept alive by a `ClaimRenewal` while its poll runs (a
    slow site keeps its feed with this worker); a worker that dies stops renewing, and another
    takes its feeds over when the lease runs out."""

    def __init__(
        self,
        *,
        store: Store,
        ingestor: Ingestor,
        owner: str,
        batch: int,
        lease: timedelta = FEED_LEASE,
        clock: Clock = system_clock,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.ingestor = ingestor
        self.owner = owner
        self.batch = batch
        self.lease = lease
        self.clock = clock
        self.monotonic = monotonic
        self.renew_every = lease.total_seconds() / 3  # real seconds

    async def cycle(
        self,
        *,
        after_batch: Callable[[list[FeedRecord], CycleReport], Awaitable[None]] | None = None,
        every_feed: bool = False,
    ) -> int:
        """Poll every feed due now that no other worker holds; returns how many were polled.
        `every_feed`: every feed no other worker holds, due or not, once (`run --once`)."""
        polled = 0
        after_id: int | None = 0 if every_feed else None
        while True:
            claimed_at = self.monotonic()
            feeds = self.store.claim_due_feeds(
                self.owner,
                now=self.clock(),
                lease=self.lease,
                limit=self.batch,
                after_id=after_id,
            )
            if not feeds:
                return polled
            if after_id is not None:
                after_id = max(f.id for f in feeds)
            renewal = ClaimRenewal(
                [f.id for f in feeds],
                renew=self._renew,
                lease=self.lease,
                claimed_at=claimed_at,
                clock=self.clock,
                monotonic=self.monotonic,
                every=self.renew_every,
            )
            try:
                with renewal:
                    report = await self.ingestor.poll(feeds, may_fetch=renewal.may_fetch)
            finally:
                # A poll cut short (shutdown) lets its feeds go too: they are still due, and
                # another worker (or this one, later) polls them.
                self.store.release_feeds([f.id for f in feeds], owner=self.owner)
            skipped = [r.feed for r in report.feeds if r.skipped]
            if skipped:
                log.warning(
                    "%d feed(s) not polled: this worker's claim on them ran out while it was "
                    "stalled; another worker (or this one, next cycle) polls them: %s",
                    len(skipped),
                    ", ".join(skipped[:5]) + (" ..." if len(skipped) > 5 else ""),
                )
            polled += len(feeds) - len(skipped)
            if after_batch is not None:
                await after_batch(feeds, report)

    def _renew(self, feed_ids: Sequence[int], until: datetime) -> set[int]:
        return self.store.renew_feeds(feed_ids, owner=self.owner, until=until)
