"""Helpers for the crash-restart tests: a feed server, a stalling fake Slack, the bot as a process.

- `FeedServer` serves generated RSS feeds of teaser-only entries and their article pages from
  the test's event loop; pages of chosen feeds can be held back (`hold`) so a poll cycle is still
  in flight when the bot is killed.
- `StallingSlack` is the fake Slack (tests/fakes/slack_server.py) with one extra fault: the
  n-th chat.postMessage is held, either before Slack accepts it or after (accepted and recorded,
  but the answer never reaches the bot): the two sides of the crash window.
- `StallingDiscord` is the same fault in the fake Discord (tests/fakes/discord_server.py), which
  honours `enforce_nonce` as Discord does.
- `BotProcess` runs `python -m bot.cli ...` in its own session with its own environment, and
  kills it (SIGKILL) or stops it (SIGTERM); its output goes to files, shown when a test fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web
from fakes.discord_server import CHANNEL_ID, FakeDiscord
from fakes.slack_server import FakeSlack

ROOT = Path(__file__).resolve().parents[1]

# -------------------------------------------------------------------------------------------------
# generated news: every story has its own words, so no two are near-duplicates of each other

_CONSONANTS = "bcdfghklmnprstvz"
_VOWELS = "aeiou"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 4)))


def _sentence(rng: random.Random, name: str) -> str:
    words = [_word(rng) for _ in range(rng.randint(22, 32))]
    words.insert(rng.randint(1, 4), name)
    return " ".join(words).capitalize() + "."


@dataclass(frozen=True)
class Story:
    feed: int
    number: int
    title: str
    teaser: str
    paragraphs: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"/news/{self.feed}/{self.number}.html"

    @property
    def guid(self) -> str:
        return f"urn:crash:{self.feed}:{self.number}"


def make_story(feed: int, number: int) -> Story:
    rng = random.Random(f"{feed}/{number}")
    name = _word(rng).capitalize() + " " + _word(rng).capitalize()
    title = f"{_word(rng).capitalize()} {_word(rng)} {_word(rng)} ({feed}-{number})"
    paragraphs = tuple(
        " ".join(_sentence(rng, name) for _ in range(rng.randint(3, 5))) for _ in range(5)
    )
    return Story(feed, number, title, _sentence(rng, name) + " Read more…", paragraphs)


def rss(base: str, feed: int, stories: Iterable[Story], now: datetime) -> bytes:
    items = []
    for story in stories:
        published = format_datetime(now - timedelta(minutes=10 + story.number))
        items.append(
            f"<item><title>{escape(story.title)}</title><link>{base}{story.path}</link>"
            f'<guid isPermaLink="false">{story.guid}</guid><pubDate>{published}</pubDate>'
            f"<description>{escape(story.teaser)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Crash feed {feed}</title><link>{base}/</link><description>generated</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def page(story: Story) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
    return (
        f"<!doctype html><html><head><title>{escape(story.title)}</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
        f"<article><h1>{escape(story.title)}</h1>{body}</article>"
        "<footer>© Crash Herald</footer></body></html>"
    ).encode()


class FeedServer:
    """`feeds` RSS feeds of `per_feed` teaser-only stories each, with their article pages.

    Pages of the feeds in `hold` are not answered until `release()` (or the server closes): a
    poll of those feeds stays in flight. `pages_requested` counts page requests per feed.
    """

    def __init__(self, *, feeds: int, per_feed: int, hold: Iterable[int] = ()) -> None:
        self.now = datetime.now(UTC)
        self.stories = {f: [make_story(f, n) for n in range(1, per_feed + 1)] for f in range(feeds)}
        self.hold = set(hold)
        self.pages_requested: dict[int, int] = {f: 0 for f in range(feeds)}
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def feed_url(self, feed: int) -> str:
        return f"{self.base}/feed/{feed}.xml"

    def urls(self) -> set[str]:
        return {self.base + s.path for stories in self.stories.values() for s in stories}

    def release(self) -> None:
        self.hold.clear()
        self._released.set()

    async def __aenter__(self) -> FeedServer:
        app = web.Application()
        app.router.add_get("/feed/{feed}.xml", self._feed)
        app.router.add_get("/news/{feed}/{number}.html", self._page)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *_: object) -> None:
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _feed(self, request: web.Request) -> web.Response:
        feed = int(request.match_info["feed"])
        etag = f'"feed-{feed}-{len(self.stories[feed])}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=rss(self.base, feed, self.stories[feed], self.now),
            content_type="application/rss+xml",
            headers={"ETag": etag},
        )

    async def _page(self, request: web.Request) -> web.Response:
        feed, number = int(request.match_info["feed"]), int(request.match_info["number"])
        self.pages_requested[feed] += 1
        if feed in self.hold:
            await self._released.wait()
        return web.Response(body=page(self.stories[feed][number - 1]), content_type="text/html")


# -------------------------------------------------------------------------------------------------
# a fake Slack that holds one chat.postMessage


@dataclass
class StallingSlack(FakeSlack):
    """Holds the `stall_at`-th chat.postMessage (1-based) until `release()`.

    `accept_first=False`: the message is held before Slack takes it (the bot dies with nothing
    posted). `accept_first=True`: Slack takes it (it is recorded as accepted) and only the answer
    is held, so the bot dies without knowing: the crash window this platform leaves open.
    A held request is answered 503 on release and never counted as accepted.
    """

    stall_at: int | None = None
    accept_first: bool = False
    stalled: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._release = asyncio.Event()
        self._seen_posts = 0

    def release(self) -> None:
        self.stall_at = None
        self._release.set()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "chat.postMessage" and self.stall_at is not None:
            self._seen_posts += 1
            if self._seen_posts == self.stall_at:
                if self.accept_first:
                    await super()._api(request)  # accepted and recorded; answer withheld
                self.stalled = True
                await self._release.wait()
                return web.json_response({"ok": False, "error": "fatal_error"}, status=503)
        return await super()._api(request)

    async def stop(self) -> None:
        self.release()
        await super().stop()


_ITEM_HEAD = re.compile(r"\*\d+\. <(http[^|>]+)\|")


def urls_in_blocks(blocks: list[dict[str, Any]]) -> list[str]:
    """Story links of a digest message: each item's section starts `*N. <url|title>*`."""
    urls: list[str] = []
    for block in blocks:
        text = (block.get("text") or {}).get("text", "") if block.get("type") == "section" else ""
        match = _ITEM_HEAD.match(text)
        if match:
            urls.append(match.group(1))
    return urls


def slack_messages(fake: FakeSlack) -> list[list[str]]:
    """The story URLs of each chat.postMessage Slack accepted, in order."""
    return [urls_in_blocks(call.blocks) for call in fake.accepted("chat.postMessage")]


class StallingDiscord(FakeDiscord):
    """Holds the `stall_at`-th message posted to CHANNEL_ID, as `StallingSlack` does."""

    def __init__(self, *, stall_at: int | None = None, accept_first: bool = False) -> None:
        super().__init__()
        self.stall_at = stall_at
        self.accept_first = accept_first
        self.stalled = False
        self._release = asyncio.Event()
        self._seen_posts = 0

    def release(self) -> None:
        self.stall_at = None
        self._release.set()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        posting = request.method == "POST" and request.match_info["tail"] == (
            f"channels/{CHANNEL_ID}/messages"
        )
        if posting and self.stall_at is not None:
            self._seen_posts += 1
            if self._seen_posts == self.stall_at:
                if self.accept_first:
                    await super()._rest(request)  # created (nonce remembered); answer withheld
                self.stalled = True
                await self._release.wait()
                return web.json_response({"message": "Service Unavailable", "code": 0}, status=503)
        return await super()._rest(request)

    async def __aexit__(self, *exc: object) -> None:
        self.release()
        await super().__aexit__(*exc)


def discord_messages(fake: FakeDiscord) -> list[list[str]]:
    """The story URLs of each message Discord created in CHANNEL_ID, in order."""
    return [
        [embed["url"] for embed in message.get("embeds") or []]
        for message in fake.messages.get(CHANNEL_ID, [])
    ]


# -------------------------------------------------------------------------------------------------
# the bot as a real process


class BotProcess:
    """`python -m bot.cli <args>` in a new session (so its worker processes can be reaped)."""

    def __init__(self, args: list[str], *, env: Mapping[str, str], logs: Path) -> None:
        self.args = args
        self.env = dict(env)
        self.logs = logs
        self.process: asyncio.subprocess.Process | None = None
        self.runs = 0

    async def start(self) -> BotProcess:
        self.runs += 1
        log = self.log_path(self.runs)
        with log.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))",
                *self.args,
                cwd=ROOT,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def log_path(self, run: int) -> Path:
        return self.logs / f"bot-run{run}.log"

    def output(self, run: int | None = None) -> str:
        path = self.log_path(run or self.runs)
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        """SIGKILL the bot itself (not its group: its workers are orphaned as in a real crash),
        then reap whatever it left in its session."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self._reap()

    async def stop(self, timeout: float = 20) -> int:
        """SIGTERM: the bot shuts down cleanly; returns its exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout)
        finally:
            if self.process.returncode is None:
                self.process.kill()
                await self.process.wait()
            self._reap()
        return code

    async def wait(self, timeout: float) -> int:
        assert self.process is not None
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        finally:
            self._reap()

    def _reap(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the session we started, nothing else


async def until(
    condition: Callable[[], Any], *, bot: BotProcess, what: str, timeout: float = 30
) -> Any:
    """Poll `condition` until it is truthy; fail early (with the bot's log) if the bot exits."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if not bot.alive:
            raise AssertionError(f"the bot exited before {what}:\n{bot.output()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{bot.output()}")
        await asyncio.sleep(0.02)


# -------------------------------------------------------------------------------------------------
# looking into the database from outside the bot


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """A read from a separate connection (WAL: never blocks the bot's writer)."""
    if not db.exists():
        return []
    connection = sqlite3.connect(db, timeout=5)
    try:
        return connection.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # the bot has not created the schema yet
            return []
        raise
    finally:
        connection.close()


def kill_inside_a_write(db: Path, pid: int, *, timeout: float) -> bool:
    """SIGKILL `pid` the moment it is seen holding the database's write lock (inside a write
    transaction): probe with BEGIN IMMEDIATE, which fails at once while another connection
    writes. Blocking: run it in a thread. False if no write was seen before the timeout."""
    connection = sqlite3.connect(db, timeout=0, isolation_level=None)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                os.kill(pid, signal.SIGKILL)
                return True
            connection.execute("ROLLBACK")
            time.sleep(0.0002)
        return False
    finally:
        connection.close()


def article_count(db: Path) -> int:
    rows = query(db, "SELECT count(*) FROM articles")
    return int(rows[0][0]) if rows else 0


def integrity(db: Path) -> str:
    """SQLite's integrity check, then each full-text index against its table ("ok" if all are)."""
    result = str(query(db, "PRAGMA integrity_check")[0][0])
    if result != "ok":
        return result
    connection = sqlite3.connect(db, timeout=5)
    try:
        for table in ("articles_fts", "quotes_fts"):
            try:
                connection.execute(
                    f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)"
                )
            except sqlite3.DatabaseError as exc:
                return f"{table}: {exc}"
    finally:
        connection.close()
    return "ok"
