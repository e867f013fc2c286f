"""Several worker processes (or machines) on one Postgres database, without double work.

- **Roles.** `newsbrief run --role poller|poster|all`: a poller polls feeds only; a poster posts
  digests, alerts and failing-feed notices and answers chat; `all` (the default) does both.
- **Feeds.** On Postgres, pollers claim due feeds in batches (`Store.claim_due_feeds`: a lease
  with an expiry, taken with `FOR UPDATE SKIP LOCKED`), poll them and let them go
  (bot.feed_claims). A feed is
  fetched by one worker at a time however many channels follow it (channels follow feeds); a
  dead worker's feeds are taken over when its lease runs out. On SQLite one process polls, with
  one APScheduler job per feed, as before.
- **Posting.** Digests, alerts and notices are posted by one leader only. The leader holds a
  Postgres session advisory lock on a connection of its own: the lock lives exactly as long as
  that connection, so a leader that dies (or loses the server) loses leadership, and another
  poster takes it at its next check. On SQLite one process is the model: it always leads. The
  per-channel posting lease and the posts table (bot.posting) still guard each post, so even a
  leader that has not yet noticed its loss cannot post a story twice.
- **Schedulers.** Every process has its own APScheduler with the default in-memory job store.
  Job stores are never shared between schedulers (APScheduler forbids it); what must be shared
  (due times, last digest times, leases) is in the database.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from bot.store import Store

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)
LEADER_LOCK = 0x6E657773_6C656164  # pg_try_advisory_lock key ("newslead")


class Role(StrEnum):
    POLLER = "poller"
    POSTER = "poster"
    ALL = "all"

    @property
    def polls(self) -> bool:
        return self is not Role.POSTER

    @property
    def posts(self) -> bool:
        return self is not Role.POLLER


def worker_id() -> str:
    """This process's name in leases: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Leadership(Protocol):
    def is_leader(self) -> bool:
        """Check (and take, when free) the leadership now; True while this process leads."""

    @property
    def leading(self) -> bool:
        """The answer of the last check, without asking the database."""

    def close(self) -> None: ...


class SoleLeader:
    """One process per database (SQLite): it always leads."""

    leading = True

    def is_leader(self) -> bool:
        return True

    def close(self) -> None:
        pass


class AdvisoryLockLeader:
    """Leadership held as a Postgres session advisory lock on a dedicated connection.

    `connect` opens a new autocommit connection. A check on a held lock is one round trip
    (`SELECT 1`): a failure means the connection, and with it the lock, is gone."""

    def __init__(self, connect: Callable[[], psycopg.Connection[Any]]) -> None:
        self._connect = connect
        self._db: psycopg.Connection[Any] | None = None
        self.leading = False

    def is_leader(self) -> bool:
        import psycopg

        was = self.leading
        try:
            if self.leading:
                assert self._db is not None
                self._db.execute("SELECT 1")
            else:
                if self._db is None or self._db.closed or self._db.broken:
                    self._drop()
                    self._db = self._connect()
                row = self._db.execute("SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK,))
                self.leading = bool(row.fetchone()[0])  # type: ignore[index]
        except (psycopg.Error, OSError) as exc:
            log.warning("leadership check failed (%s): not leading", type(exc).__name__)
            self._drop()
        if self.leading != was:
            log.info(
                "this process %s the posting leader", "is now" if self.leading else "is no longer"
            )
        return self.leading

    def _drop(self) -> None:
        self.leading = False
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.close()
        self._db = None

    def close(self) -> None:
        self._drop()  # closing the session releases the lock at once


def leadership_for(store: Store) -> Leadership:
    from bot.store.postgres import PostgresStore

    if isinstance(store, PostgresStore):
        return AdvisoryLockLeader(store.new_connection)
    return SoleLeader()


def claims_feeds(store: Store) -> bool:
    """Whether pollers on this database claim feeds in batches (Postgres) or run one job per feed
    in a single process (SQLite)."""
    from bot.store.postgres import PostgresStore

    return isinstance(store, PostgresStore)
