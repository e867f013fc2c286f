"""Group commit: jobs queued while a transaction is written share the next one."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from bot.group_commit import GroupCommit


class Recorder:
    """A `write` that records its groups; job "bad" fails on its own, "lost" fails the group."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self, jobs: Sequence[str]) -> list[BaseException | None]:
        self.release.wait(10)
        self.groups.append(list(jobs))
        if "lost" in jobs:
            raise OSError("disk I/O error")
        return [ValueError(job) if job == "bad" else None for job in jobs]


async def test_jobs_submitted_together_are_written_in_one_group() -> None:
    write = Recorder()
    writer = GroupCommit(write)
    await asyncio.gather(*(writer.submit(f"feed{n}") for n in range(5)))
    assert write.groups == [[f"feed{n}" for n in range(5)]]
    assert writer.groups == 1 and writer.queued == 0 and writer.seconds > 0


async def test_jobs_that_arrive_during_a_write_go_into_the_next_one() -> None:
    write = Recorder()
    write.release.clear()  # the first transaction is slow
    writer = GroupCommit(write)
    first = asyncio.create_task(writer.submit("a"))
    await asyncio.sleep(0.05)  # "a" is being written
    later = [asyncio.create_task(writer.submit(name)) for name in ("b", "c", "d")]
    await asyncio.sleep(0.05)
    assert writer.queued == 3 and not first.done()
    write.release.set()
    await asyncio.gather(first, *later)
    assert write.groups == [["a"], ["b", "c", "d"]]


async def test_a_group_is_at_most_max_group_jobs_in_order() -> None:
    write = Recorder()
    writer = GroupCommit(write, max_group=2)
    await asyncio.gather(*(writer.submit(name) for name in "abcde"))
    assert write.groups == [["a", "b"], ["c", "d"], ["e"]]


async def test_a_job_that_fails_fails_alone() -> None:
    write = Recorder()
    writer = GroupCommit(write)
    results = await asyncio.gather(
        *(writer.submit(name) for name in ("a", "bad", "c")), return_exceptions=True
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ValueError)
    assert write.groups == [["a", "bad", "c"]]


async def test_a_lost_transaction_fails_every_job_of_the_group_only() -> None:
    write = Recorder()
    writer = GroupCommit(write)
    results = await asyncio.gather(
        *(writer.submit(name) for name in ("a", "lost", "c")), return_exceptions=True
    )
    assert all(isinstance(r, OSError) for r in results)
    await writer.submit("next")  # the writer keeps working afterwards
    assert write.groups == [["a", "lost", "c"], ["next"]]


async def test_a_cancelled_writer_cancels_every_waiting_job() -> None:
    write = Recorder()
    write.release.clear()
    writer = GroupCommit(write)
    jobs = [asyncio.create_task(writer.submit(name)) for name in ("a", "b")]
    await asyncio.sleep(0.05)
    assert writer._writer is not None
    writer._writer.cancel()
    write.release.set()
    for job in jobs:
        with pytest.raises(asyncio.CancelledError):
            await job
    assert writer.queued == 0
