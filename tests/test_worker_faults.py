"""Fault test: three `newsbrief run` workers on one Postgres, one SIGKILLed at random in the
middle of a poll cycle. Every feed is polled once (the dead worker's in-flight feeds once more,
by the worker that takes them over when their lease runs out), and no story is posted twice.
Real processes, a real local feed server; every wait polls with a deadline."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from aiohttp import web
from crashkit import BotProcess, FeedServer

FEEDS = 30
WORKERS = 3
BATCH = 3  # [fetch] concurrency: the feeds a worker claims at once
LEASE = 4  # seconds


class CountingFeedServer(FeedServer):
    """The crash tests' feed server, counting the requests for each feed."""

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.feed_requests: Counter[int] = Counter()

    async def _feed(self, request: web.Request) -> web.Response:
        self.feed_requests[int(request.match_info["feed"])] += 1
        return await super()._feed(request)


def write_config(tmp_path: Path, pg_url: str, server: FeedServer) -> Path:
    feeds = "".join(
        f'\n[[feeds]]\nname = "Feed {i:02d}"\nurl = "{server.feed_url(i)}"\npoll_minutes = 60\n'
        for i in range(FEEDS)
    )
    config = tmp_path / "newsbrief.toml"
    config.write_text(
        f"""
[storage]
url = "{pg_url}"

[fetch]
workers = 1
timeout_seconds = 20
concurrency = {BATCH}
claim_lease_seconds = {LEASE}
claim_every_seconds = 1

[[channels]]
name = "alerts"
platform = "console"
mode = "alerts"
backfill = 5
{feeds}""",
        encoding="utf-8",
    )
    return config


async def until(what: str, check, deadline: float = 60.0) -> None:
    end = time.monotonic() + deadline
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


@pytest.fixture
async def workers() -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for worker in started:
        if worker.alive:
            await worker.kill()


async def test_a_worker_killed_mid_cycle_loses_no_feed_and_posts_nothing_twice(
    tmp_path: Path, pg_url: str, workers: list[BotProcess]
) -> None:
    rng = random.Random(os.environ.get("PYTEST_XDIST_WORKER", "") + str(time.time_ns()))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}

    def db(sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    # Every article page is held: each worker's first batch stays in flight until released.
    async with CountingFeedServer(feeds=FEEDS, per_feed=1, hold=range(FEEDS)) as server:
        config = write_config(tmp_path, pg_url, server)
        for n in range(WORKERS):
            logs = tmp_path / f"worker{n}"
            logs.mkdir()
            worker = BotProcess(["run", "--config", str(config)], env=env, logs=logs)
            workers.append(await worker.start())
        await until(
            "every worker to claim a batch",
            lambda: sum(server.feed_requests.values()) >= WORKERS * BATCH,
        )
        victim = rng.choice(workers)
        assert victim.process is not None
        pid = victim.process.pid
        await victim.kill()
        in_flight = {
            int(name.split()[1])
            for (name,) in db("SELECT name FROM feeds WHERE claimed_by LIKE %s", (f"%:{pid}:%",))
        }
        assert len(in_flight) == BATCH, "the victim died holding its batch"
        server.release()

        def all_polled() -> bool:
            (left,) = db("SELECT count(*) FROM feeds WHERE last_success_at IS NULL")[0]
            return left == 0

        await until("every feed to be polled", all_polled)
        titles = [s.title for stories in server.stories.values() for s in stories]

        def output() -> str:
            return "".join(w.output() for w in workers)

        await until("every story to be posted", lambda: all(t in output() for t in titles))
        for worker in workers:
            if worker.alive:
                assert await worker.stop() == 0, worker.output()

    fetched_twice = {feed for feed, count in server.feed_requests.items() if count > 1}
    assert set(server.feed_requests) == set(range(FEEDS))
    assert fetched_twice == in_flight  # only the dead worker's, each fetched once more
    assert max(server.feed_requests.values()) == 2
    (stored,) = db("SELECT count(*) FROM articles")[0]
    assert stored == FEEDS
    assert all(output().count(title) == 1 for title in titles), output()
