"""Group commit: what queues up while one transaction is written goes into the next one.

Writers submit jobs and wait for them; one job runs at a time in a thread, taking everything
queued so far (up to `max_group`) into one call of `write`, which stores them in one
transaction. Under load a commit, and the full-text segment made at each commit, is shared by
many feeds; when idle a job is written at once, alone. `write` reports each job's own failure, so
one failed job does not fail the others it was grouped with.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

J = TypeVar("J")

#: `write(jobs)` -> one entry per job: None when it was stored, else the exception it raised.
WriteGroup = Callable[[Sequence[J]], list[BaseException | None]]


class GroupCommit(Generic[J]):
    def __init__(self, write: WriteGroup[J], *, max_group: int = 16) -> None:
        self._write = write
        self.max_group = max(1, max_group)
        self._queue: list[tuple[J, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.seconds = 0.0  # wall time spent writing
        self.groups = 0  # transactions written

    @property
    def queued(self) -> int:
        """Jobs waiting for the next transaction."""
        return len(self._queue)

    async def submit(self, job: J) -> None:
        """Store `job`; returns once it is committed, or raises what storing it raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((job, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        while self._queue:
            group = self._queue[: self.max_group]
            del self._queue[: len(group)]
            started = time.perf_counter()
            try:
                results = await asyncio.to_thread(self._write, [job for job, _ in group])
            except asyncio.CancelledError:
                for _, done in [*group, *self._queue]:
                    done.cancel()
                self._queue.clear()
                raise
            except Exception as exc:  # the transaction failed: none of the group was stored
                results = [exc] * len(group)
            finally:
                self.seconds += time.perf_counter() - started
            self.groups += 1
            for (_, done), error in zip(group, results, strict=True):
                if done.done():  # its waiter was cancelled
                    continue
                if error is None:
                    done.set_result(None)
                else:
                    done.set_exception(error)
