"""Feed leases: several workers on one database claim due feeds, each feed by one worker at a
time; a dead worker's claim runs out and another takes the feed over. On SQLite and Postgres."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from stores import Opener

from bot.store import Store

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def add_feeds(store: Store, count: int) -> None:
    store.sync_config_feeds(
        (f"feed-{n:04d}", f"https://example.com/{n}.xml", 15, (), False) for n in range(count)
    )


def test_a_claimed_feed_is_not_claimed_again_until_released_or_expired(open_store: Opener) -> None:
    first, second = open_store(), open_store()
    add_feeds(first, 3)
    mine = first.claim_due_feeds("a", now=NOW, lease=LEASE, limit=2)
    assert [f.name for f in mine] == ["feed-0000", "feed-0001"]
    theirs = second.claim_due_feeds("b", now=NOW, lease=LEASE, limit=10)
    assert [f.name for f in theirs] == ["feed-0002"]
    assert second.claim_due_feeds("b", now=NOW + LEASE / 2, lease=LEASE, limit=10) == []
    # a polls one feed and lets it go: it is not due for 15 minutes, so nobody claims it
    first.record_fetch_success(mine[0].id, now=NOW, etag=None, last_modified=None, title=None)
    first.release_feeds([mine[0].id], owner="a")
    assert second.claim_due_feeds("b", now=NOW + LEASE / 2, lease=LEASE, limit=10) == []
    # b cannot release a's claim
    second.release_feeds([mine[1].id], owner="b")
    assert second.claim_due_feeds("b", now=NOW + LEASE / 2, lease=LEASE, limit=10) == []


def test_a_dead_workers_feeds_are_taken_over_when_its_lease_runs_out(open_store: Opener) -> None:
    dead, alive = open_store(), open_store()
    add_feeds(dead, 4)
    claimed = dead.claim_due_feeds("dead", now=NOW, lease=LEASE, limit=4)
    assert len(claimed) == 4
    assert alive.claim_due_feeds("alive", now=NOW + LEASE - timedelta(seconds=1), lease=LEASE,
                                 limit=10) == []  # fmt: skip
    taken = alive.claim_due_feeds("alive", now=NOW + LEASE, lease=LEASE, limit=10)
    assert sorted(f.id for f in taken) == sorted(f.id for f in claimed)
    dead.release_feeds([claimed[0].id], owner="dead")  # too late: the claim is alive's now
    assert dead.claim_due_feeds("dead", now=NOW + LEASE, lease=LEASE, limit=10) == []


def test_a_feed_not_yet_due_or_inactive_is_not_claimed(open_store: Opener) -> None:
    store = open_store()
    add_feeds(store, 2)
    feed = store.feed("feed-0000")
    assert feed is not None
    store.record_fetch_success(feed.id, now=NOW, etag=None, last_modified=None, title=None)
    store.sync_config_feeds([("feed-0000", "https://example.com/0.xml", 15, (), False)])
    claimed = store.claim_due_feeds("a", now=NOW + timedelta(minutes=14), lease=LEASE, limit=9)
    assert [f.name for f in claimed] == []  # feed-0001 left the config: inactive
    claimed = store.claim_due_feeds("a", now=NOW + timedelta(minutes=15), lease=LEASE, limit=9)
    assert [f.name for f in claimed] == ["feed-0000"]


def test_workers_claiming_at_once_get_every_due_feed_exactly_once(open_store: Opener) -> None:
    """Each store has its own connection, as separate processes do."""
    workers = [open_store() for _ in range(4)]
    add_feeds(workers[0], 300)
    got: dict[int, list[str]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(workers))

    def claim(store: Store, owner: str) -> None:
        try:
            barrier.wait()
            while batch := store.claim_due_feeds(owner, now=NOW, lease=LEASE, limit=7):
                with lock:
                    for feed in batch:
                        got.setdefault(feed.id, []).append(owner)
        except BaseException as exc:  # a failed claim fails the test, not the thread
            errors.append(exc)

    threads = [
        threading.Thread(target=claim, args=(store, f"worker-{i}"))
        for i, store in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(got) == 300
    assert all(len(owners) == 1 for owners in got.values())


def test_a_claim_is_renewed_only_by_its_holder(open_store: Opener) -> None:
    first, second = open_store(), open_store()
    add_feeds(first, 2)
    mine = first.claim_due_feeds("a", now=NOW, lease=LEASE, limit=2)
    ids = [f.id for f in mine]
    assert first.renew_feeds(ids, owner="a", until=NOW + 2 * LEASE) == set(ids)
    assert second.renew_feeds(ids, owner="b", until=NOW + 9 * LEASE) == set()
    assert second.claim_due_feeds("b", now=NOW + LEASE, lease=LEASE, limit=9) == []
    assert len(second.claim_due_feeds("b", now=NOW + 2 * LEASE, lease=LEASE, limit=9)) == 2
    assert first.renew_feeds(ids, owner="a", until=NOW + 3 * LEASE) == set()  # taken: lost
