"""The real bot (`python -m bot.cli run`) killed with SIGKILL mid-poll and mid-digest, restarted.

Everything it talks to is local: generated feeds from `crashkit.FeedServer` and the fake Slack,
both served from the test's event loop. Nothing sleeps for a fixed time: each step waits for a
condition (the fake saw a request, the database holds N articles) and then kills.

What a kill cannot do, and why (the code paths these tests pin):
- Poll: a feed's new articles and its new ETag/Last-Modified are written in one transaction
  after the whole feed was fetched and analysed (`Ingestor._poll`), so a feed killed half-way
  has stored nothing and is polled again in full at the next start (`next_poll_at` unset); SQLite
  in WAL mode rolls back the transaction the kill interrupted.
- Digest: `DigestPoster` records the items of each message right after Slack/Discord accepted
  it, and the scheduler records the digest's fire time only after posting
  (`BotScheduler.run_digest`), so a digest killed half-way is still due at the next start and
  posts exactly the items not yet recorded.

The window that remains (measured by `test_killed_mid_digest...[accepted-unanswered]`): when the
platform accepted a message but the bot was killed before its answer arrived (or before the
one-row SQLite commit after it), the bot cannot know the message went out, and that message's
items are posted again after the restart. It is at most one message (here 18 of 45 stories; a
Slack digest message carries up to 25 items, a Discord one up to 10), and the time at risk per
message is one HTTP round trip plus one local commit. Slack's chat.postMessage has no
idempotency key, so on Slack this is as small as it gets. Discord's `enforce_nonce` closes it
for a restart within Discord's nonce window (a few minutes) when the re-posted message carries the
same nonce (see `bot/platforms/discord_render.message_nonce`).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from crashkit import (
    BotProcess,
    FeedServer,
    StallingSlack,
    article_count,
    integrity,
    posted_urls,
    query,
    until,
    urls_in_blocks,
)

from bot.store import SqliteStore

CHANNEL = "news"
TARGET = "C_NEWS"


def write_config(
    tmp_path: Path, feed_urls: Sequence[str], *, slack: StallingSlack | None = None
) -> Path:
    feeds = "".join(
        f'\n[[feeds]]\nname = "Crash {i}"\nurl = "{url}"\nfull_text = true\n'
        for i, url in enumerate(feed_urls)
    )
    channel = ""
    if slack is not None:
        # A daily digest that last fired an hour ago: missed while the bot was down.
        fired = datetime.now(UTC) - timedelta(hours=1)
        channel = f"""
[[channels]]
name = "{CHANNEL}"
platform = "slack"
target = "{TARGET}"
digest_cron = "{fired.minute} {fired.hour} * * *"
timezone = "UTC"
max_items = 50

[slack]
mode = "socket"
api_url = "{slack.api_url}"
"""
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


@pytest.mark.parametrize(
    "accepted", [False, True], ids=["refused-in-flight", "accepted-unanswered"]
)
async def test_killed_mid_digest_posts_every_item_once(
    tmp_path: Path, bots: list[BotProcess], accepted: bool
) -> None:
    """The second of three digest messages is in flight when the bot is killed.

    `refused-in-flight`: Slack has not taken it; after the restart every story is posted once.
    `accepted-unanswered`: Slack took it but the answer never came; its stories, and only
    those, are posted twice: the documented window (see the module docstring).
    """
    db = tmp_path / "newsbrief.db"
    slack = await StallingSlack(stall_at=2, accept_first=accepted).start()
    try:
        async with FeedServer(feeds=3, per_feed=15) as feeds:
            config = write_config(tmp_path, [feeds.feed_url(f) for f in range(3)], slack=slack)
            store = SqliteStore(db)
            store.set_last_fire(CHANNEL, datetime.now(UTC) - timedelta(days=1))
            store.close()
            before = query(db, "SELECT last_fire_at FROM channel_state")[0][0]

            bot = await BotProcess(
                ["run", "--config", str(config)], env=bot_env(tmp_path), logs=tmp_path
            ).start()
            bots.append(bot)
            await until(lambda: slack.stalled, bot=bot, what="the digest's second message")
            await bot.kill()

            first, *held = slack.accepted("chat.postMessage")
            in_first = urls_in_blocks(first.blocks)
            assert len(held) == int(accepted) and article_count(db) == 45
            recorded = query(db, "SELECT a.url FROM posts p JOIN articles a ON a.id = p.article_id")
            assert sorted(u for (u,) in recorded) == sorted(in_first)  # recorded as it went out
            assert query(db, "SELECT last_fire_at FROM channel_state")[0][0] == before

            slack.release()
            await bot.start()
            await until(
                lambda: query(db, "SELECT last_fire_at FROM channel_state")[0][0] != before,
                bot=bot,
                what="the restarted bot's missed digest",
            )
            assert await bot.stop() == 0, bot.output()

            counts = Counter(posted_urls(slack))
            assert set(counts) == feeds.urls(), "a due digest item was never posted"
            twice = {url for url, n in counts.items() if n > 1}
            window = set(urls_in_blocks(held[0].blocks)) if held else set()
            assert twice == window and max(counts.values()) <= 2
            assert len(window) == (18 if accepted else 0)  # one whole message, or nothing
            assert query(db, "SELECT count(*) FROM posts")[0][0] == 45
            assert integrity(db) == "ok"
            assert "missed while down" in bot.output(2)
    finally:
        await slack.stop()
