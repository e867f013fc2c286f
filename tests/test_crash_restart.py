"""The real bot (`python -m bot.cli run`) killed with SIGKILL mid-poll and mid-digest, restarted.

Everything it talks to is local: generated feeds from `crashkit.FeedServer` and the fake Slack
or Discord, all served from the test's event loop. Nothing sleeps for a fixed time: each step
waits for a condition (the fake saw a request, the database holds N articles) and then kills.

What a kill cannot do, and why (the code paths these tests pin):
- Poll: a feed's new articles and its new ETag/Last-Modified are written in one transaction
  after the whole feed was fetched and analysed (`Ingestor._poll`), so a feed killed half-way
  has stored nothing and is polled again in full at the next start (`next_poll_at` unset); SQLite
  in WAL mode rolls back the transaction the kill interrupted.
- Digest: `DigestPoster` records the items of each message right after Slack/Discord accepted
  it, and the scheduler records the digest's fire time only after posting
  (`BotScheduler.run_digest`), so a digest killed half-way is still due at the next start and
  posts exactly the items not yet recorded.

What the platforms remember closes the window where the platform accepted a message but the
bot was killed before the answer arrived (or before the one-row commit after it), measured by
`test_killed_mid_digest...[*-accepted-unanswered]`:
- Slack: each digest message carries its stories' keys as message metadata
  (`base.story_key`: a hash of the canonical URL). Before posting a digest, the restarted bot
  reads the channel's recent history (`SlackPlatform.recent_digest_messages`) and records the
  stories it finds there as posted (`DigestPoster.record_found_in_channel`), so nothing is
  posted twice, however long the bot was down (within the 7 days a story stays news). This needs
  the channels:history (groups:history for private channels) scope; without it the bot logs a
  hint and that one message's stories (up to 25) can be posted again. What stays open: slack_sdk
  retries a post whose connection dropped after Slack took it, within the same call.
- Discord: the same, from the channel's history (`DiscordPlatform.recent_digest_messages`): the
  bot's own messages there, each item an embed linking its story (Read Message History is among
  the invite's permissions). The message nonce stays as a second guard: a re-post within
  Discord's nonce window (a few minutes) gets back the message Discord already has (the nonce is
  keyed on the channel and the message's stories, `discord_render.message_nonce`, and discord.py
  sends `enforce_nonce`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from crashkit import (
    BotProcess,
    FeedServer,
    StallingDiscord,
    StallingSlack,
    article_count,
    discord_messages,
    integrity,
    kill_inside_a_write,
    query,
    slack_messages,
    until,
)
from fakes.discord_server import CHANNEL_ID

from bot.models import Digest, DigestItem
from bot.platforms.discord_render import message_nonce
from bot.store import SqliteStore

CHANNEL = "news"
SLACK_TARGET = "C_NEWS"


def write_config(
    tmp_path: Path,
    feed_urls: Sequence[str],
    *,
    chat: StallingSlack | StallingDiscord | None = None,
) -> Path:
    feeds = "".join(
        f'\n[[feeds]]\nname = "Crash {i}"\nurl = "{url}"\nfull_text = true\n'
        for i, url in enumerate(feed_urls)
    )
    channel = ""
    if chat is not None:
        # A daily digest that last fired an hour ago: missed while the bot was down.
        fired = datetime.now(UTC) - timedelta(hours=1)
        if isinstance(chat, StallingSlack):
            platform, target = "slack", SLACK_TARGET
            connection = f'[slack]\nmode = "socket"\napi_url = "{chat.api_url}"\n'
        else:
            platform, target = "discord", str(CHANNEL_ID)
            connection = (
                f'[discord]\napi_url = "{chat.api_url}"\ngateway_url = "{chat.gateway_url}"\n'
            )
        channel = f"""
[[channels]]
name = "{CHANNEL}"
platform = "{platform}"
target = "{target}"
digest_cron = "{fired.minute} {fired.hour} * * *"
timezone = "UTC"
max_items = 50

{connection}"""
    config = tmp_path / "newsbrief.toml"
    config.write_text(
        f"""
[storage]
path = "{(tmp_path / "newsbrief.db").as_posix()}"

[fetch]
workers = 1
timeout_seconds = 15
{feeds}{channel}""",
        encoding="utf-8",
    )
    return config


def bot_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "SLACK_BOT_TOKEN": "xoxb-crash-test",
        "SLACK_APP_TOKEN": "xapp-crash-test",
        "DISCORD_TOKEN": "discord-crash-test",
    }


@pytest.fixture
async def bots(tmp_path: Path) -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for bot in started:  # a failed test must not leave a bot running
        if bot.alive:
            await bot.kill()


def check_database(db: Path, expected_urls: set[str]) -> None:
    assert integrity(db) == "ok"
    urls = [row[0] for row in query(db, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(expected_urls), "an article was lost or stored twice"
    sources = query(
        db, "SELECT count(*), count(DISTINCT feed_id || ' ' || guid) FROM article_sources"
    )
    assert sources[0] == (len(expected_urls), len(expected_urls))


# -------------------------------------------------------------------------------------------------


async def test_killed_mid_poll_loses_no_article(tmp_path: Path, bots: list[BotProcess]) -> None:
    db = tmp_path / "newsbrief.db"
    # Four feeds of six teaser-only stories; the article pages of feeds 2 and 3 hang.
    async with FeedServer(feeds=4, per_feed=6, hold={2, 3}) as feeds:
        config = write_config(tmp_path, [feeds.feed_url(f) for f in range(4)])
        bot = await BotProcess(
            ["run", "--config", str(config)], env=bot_env(tmp_path), logs=tmp_path
        ).start()
        bots.append(bot)
        await until(
            lambda: (
                article_count(db) == 12
                and feeds.pages_requested[2] == 6
                and feeds.pages_requested[3] == 6
            ),
            bot=bot,
            what="feeds 0-1 stored while every page of feeds 2-3 is in flight",
        )
        await bot.kill()
        assert article_count(db) == 12  # the kill landed mid-cycle

        feeds.release()
        await bot.start()
        await until(
            lambda: (
                article_count(db) == 24
                and query(db, "SELECT count(*) FROM feeds WHERE last_success_at IS NULL")[0][0] == 0
            ),
            bot=bot,
            what="the restarted bot's poll of feeds 2-3",
        )
        assert await bot.stop() == 0, bot.output()
        check_database(db, feeds.urls())
        assert query(db, "SELECT sum(failures) FROM feeds")[0][0] == 0


async def test_killed_inside_a_store_transaction_keeps_each_feed_whole(
    tmp_path: Path, bots: list[BotProcess]
) -> None:
    """Killed while it holds SQLite's write lock: the feed being written is rolled back whole
    (articles and ETag together), the feeds before it stay, and the restart completes the rest."""
    db = tmp_path / "newsbrief.db"
    async with FeedServer(feeds=8, per_feed=20) as feeds:
        config = write_config(tmp_path, [feeds.feed_url(f) for f in range(8)])
        bot = await BotProcess(
            ["run", "--config", str(config)], env=bot_env(tmp_path), logs=tmp_path
        ).start()
        bots.append(bot)
        await until(lambda: article_count(db) > 0, bot=bot, what="the first feed stored")
        assert bot.process is not None
        assert await asyncio.to_thread(kill_inside_a_write, db, bot.process.pid, timeout=30)
        await bot.kill()

        stored = dict(query(db, "SELECT feed_id, count(*) FROM article_sources GROUP BY feed_id"))
        succeeded = {f for (f,) in query(db, "SELECT id FROM feeds WHERE etag IS NOT NULL")}
        assert set(stored.values()) == {20}, "a feed was stored in part"
        assert set(stored) == succeeded, "articles and the feed's ETag were not written together"
        assert 0 < len(stored) < 8  # the kill landed mid-cycle

        await bot.start()
        await until(
            lambda: (
                article_count(db) == 160
                and query(db, "SELECT count(*) FROM feeds WHERE etag IS NULL")[0][0] == 0
            ),
            bot=bot,
            what="the restarted bot's poll of the rest",
        )
        assert await bot.stop() == 0, bot.output()
        check_database(db, feeds.urls())


@pytest.mark.parametrize("accepted", [False, True], ids=["in-flight", "accepted-unanswered"])
@pytest.mark.parametrize("platform", ["slack", "discord"])
async def test_killed_mid_digest_posts_every_item_once(
    tmp_path: Path, bots: list[BotProcess], platform: str, accepted: bool
) -> None:
    """The second of three digest messages is in flight when the bot is killed.

    `in-flight`: the platform has not taken it; after the restart every story is posted once.
    `accepted-unanswered`: the platform took it but the answer never came. On Slack the
    restarted bot finds the message in the channel's history (its metadata names the stories)
    and records them; on Discord the re-post carries the same nonce and Discord returns the
    message it already has. Either way nothing is posted twice.
    """
    db = tmp_path / "newsbrief.db"
    async with contextlib.AsyncExitStack() as stack:
        fake: StallingSlack | StallingDiscord
        if platform == "slack":
            fake = await StallingSlack(stall_at=2, accept_first=accepted).start()
            stack.push_async_callback(fake.stop)
            messages = partial(slack_messages, fake)
        else:
            fake = await stack.enter_async_context(
                StallingDiscord(stall_at=2, accept_first=accepted)
            )
            messages = partial(discord_messages, fake)
        feeds = await stack.enter_async_context(FeedServer(feeds=3, per_feed=15))
        config = write_config(tmp_path, [feeds.feed_url(f) for f in range(3)], chat=fake)
        store = SqliteStore(db)
        store.set_last_fire(CHANNEL, datetime.now(UTC) - timedelta(days=1))
        store.close()
        before = query(db, "SELECT last_fire_at FROM channel_state")[0][0]

        bot = await BotProcess(
            ["run", "--config", str(config)], env=bot_env(tmp_path), logs=tmp_path
        ).start()
        bots.append(bot)
        await until(lambda: fake.stalled, bot=bot, what="the digest's second message")
        await bot.kill()

        first, *held = messages()
        assert len(held) == int(accepted) and article_count(db) == 45
        recorded = query(db, "SELECT a.url FROM posts p JOIN articles a ON a.id = p.article_id")
        assert sorted(u for (u,) in recorded) == sorted(first)  # recorded as it went out
        assert query(db, "SELECT last_fire_at FROM channel_state")[0][0] == before

        fake.release()
        await bot.start()
        await until(
            lambda: query(db, "SELECT last_fire_at FROM channel_state")[0][0] != before,
            bot=bot,
            what="the restarted bot's missed digest",
        )
        assert await bot.stop() == 0, bot.output()

        counts = Counter(url for message in messages() for url in message)
        assert set(counts) == feeds.urls(), "a due digest item was never posted"
        twice = {url for url, n in counts.items() if n > 1}
        assert twice == set(), "a story was posted twice"
        assert query(db, "SELECT count(*) FROM posts")[0][0] == 45
        assert integrity(db) == "ok"
        assert "missed while down" in bot.output(2)


def test_discord_nonce_survives_a_restart_but_not_another_channel_or_other_stories() -> None:
    """What the Discord case above relies on, without processes: a re-composed digest (new id,
    new time, new numbers) gives a message with the same stories the same nonce."""
    now = datetime.now(UTC)

    def stories(*numbered: tuple[int, int]) -> tuple[DigestItem, ...]:
        return tuple(
            DigestItem(n, article_id, f"t{article_id}", "https://x/", "s", now, ())
            for n, article_id in numbered
        )

    before = Digest("news", "Digest", now, "UTC", stories((11, 7), (12, 9)), id=3)
    after = Digest("news", "Digest", now + timedelta(seconds=5), "UTC", stories((1, 7), (2, 9)), 4)
    assert message_nonce("1", before, before.items) == message_nonce("1", after, after.items)
    assert message_nonce("2", before, before.items) != message_nonce("1", after, after.items)
    assert message_nonce("1", after, after.items[:1]) != message_nonce("1", after, after.items)
