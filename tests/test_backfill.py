"""Backfill control: a feed added to a running bot posts at most its `backfill` newest stories;
the rest of its backlog is stored (found by /quote) but never posted. Real HTTP, real SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from aiohttp import web
from feedkit import Clock, RecordingPlatform, make_app, rss, settings
from httpserver import LocalServer
from stores import StoreBackend

from bot.models import Command
from bot.store import MIGRATIONS, SqliteStore


def channel(**overrides: object) -> dict[str, object]:
    return {"name": "news", "platform": "console", "max_items": 8, **overrides}


def open_bot(db: StoreBackend, feeds: dict[str, str], platform, clock, **overrides: object):
    """The bot on `db`; opened again, it is the bot after a restart."""
    return make_app(settings(db, feeds, [channel(**overrides)]), {"console": platform}, clock)


async def poll_and_post(app, name: str = "news"):
    await app.ingestor.poll(app.store.feeds())
    return await app.poster.post(app.settings.channel(name))


async def test_a_feed_added_to_the_config_posts_only_its_newest_backfill_stories(
    store_backend: StoreBackend, http_server: LocalServer
) -> None:
    a = http_server.route("/a.xml", body=rss(range(1, 4), prefix="a"))
    b = http_server.route("/b.xml", body=rss(range(1, 26), prefix="b"))
    clock, platform = Clock(), RecordingPlatform()
    app = open_bot(store_backend, {"A": a}, platform, clock, backfill=3)
    await poll_and_post(app)
    assert platform.titles() == ["A story 3", "A story 2", "A story 1"]
    await app.close()

    # The bot restarts with feed B added to the config: B's 25 stories arrive at once.
    clock.advance(hours=1)
    app = open_bot(store_backend, {"A": a, "B": b}, platform, clock, backfill=3)
    outcome = await poll_and_post(app)
    assert platform.titles() == ["B story 25", "B story 24", "B story 23"]
    assert outcome.posted == 3
    clock.advance(hours=1)
    assert (await poll_and_post(app)).digest is None  # the older 22 are never posted
    # ... but they are stored: /quote and /ask still find them.
    assert app.store.article_count() == 28
    reply = await app.handlers.handle(Command("quote", "before winter of year 2034"))
    assert not reply.error and "B story 4" in [s.name for s in reply.sources]
    await app.close()


async def test_in_digest_mode_the_backfill_defaults_to_max_items(
    store_backend: StoreBackend, http_server: LocalServer
) -> None:
    url = http_server.route("/b.xml", body=rss(range(1, 13), prefix="b"))
    clock, platform = Clock(), RecordingPlatform()
    app = open_bot(store_backend, {"B": url}, platform, clock, max_items=5)
    await poll_and_post(app)
    assert platform.titles() == [f"B story {n}" for n in (12, 11, 10, 9, 8)]
    clock.advance(hours=24)
    assert (await poll_and_post(app)).digest is None  # not a second helping of the backlog
    await app.close()


async def test_stories_arriving_after_the_backlog_are_posted(
    store_backend: StoreBackend, http_server: LocalServer
) -> None:
    feed = {"body": rss(range(1, 11), prefix="b")}

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=feed["body"].encode(), content_type="application/rss+xml")

    url = http_server.add("/b.xml", handler)
    clock, platform = Clock(), RecordingPlatform()
    app = open_bot(store_backend, {"B": url}, platform, clock, backfill=1)
    await poll_and_post(app)
    assert platform.titles() == ["B story 10"]
    feed["body"] = rss(range(1, 14), prefix="b")
    clock.advance(hours=1)
    await poll_and_post(app)
    assert platform.titles() == ["B story 13", "B story 12", "B story 11"]
    await app.close()


async def test_a_feed_added_in_chat_posts_only_its_newest_backfill_stories(
    store_backend: StoreBackend, http_server: LocalServer
) -> None:
    a = http_server.route("/a.xml", body=rss(range(1, 3), prefix="a"))
    b = http_server.route(
        "/b.xml", body=rss(range(1, 31), prefix="b"), content_type="application/rss+xml"
    )
    clock, platform = Clock(), RecordingPlatform()
    app = open_bot(store_backend, {"A": a}, platform, clock, backfill=2)
    await poll_and_post(app)
    reply = await app.handlers.handle(
        Command("feeds", f"add {b} Bee", platform="console", user_is_admin=True)
    )
    assert not reply.error, reply.text
    clock.advance(minutes=20)
    await poll_and_post(app)
    assert platform.titles() == ["B story 30", "B story 29"]
    assert app.store.article_count() == 32
    await app.close()


async def test_a_new_feed_url_brings_a_new_backlog_that_is_held_back_too(
    store_backend: StoreBackend, http_server: LocalServer
) -> None:
    old = http_server.route("/old.xml", body=rss(range(1, 4), prefix="o"))
    new = http_server.route("/new.xml", body=rss(range(1, 21), prefix="n"))
    clock, platform = Clock(), RecordingPlatform()
    app = open_bot(store_backend, {"B": old}, platform, clock, backfill=2)
    await poll_and_post(app)
    assert platform.titles() == ["O story 3", "O story 2"]
    await app.close()
    clock.advance(hours=1)
    app = open_bot(store_backend, {"B": new}, platform, clock, backfill=2)
    await poll_and_post(app)
    assert platform.titles() == ["N story 20", "N story 19"]
    await app.close()


def test_feeds_followed_before_the_upgrade_count_as_settled(tmp_path: Path) -> None:
    """A database from before backfill control: its channels keep their pending stories."""
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    for version, script in enumerate(MIGRATIONS[:5], start=1):
        conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {version}; COMMIT;")
    conn.executescript(
        """INSERT INTO feeds (id, name, url, last_success_at)
           VALUES (1, 'A', 'https://a.example/rss', '2026-11-20T08:00:00+00:00'),
                  (2, 'B', 'https://b.example/rss', NULL);
           INSERT INTO channel_state (channel, last_fire_at) VALUES ('news', NULL);"""
    )
    conn.close()
    store = SqliteStore(db)
    assert store.settled_feeds("news") == {1: "https://a.example/rss"}  # B: not fetched yet
    store.close()
