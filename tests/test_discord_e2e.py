"""End to end: the real core (store, ingest, digests, commands) behind DiscordPlatform.

The bundled demo feeds (files, no network) are ingested with a pinned clock; then the scheduled
digest, every slash command, autocomplete and a question in the digest's thread go through the
real discord.py client connected to the fake's gateway.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route
from fakes.discord_server import (
    ADMIN_ID,
    ADMIN_PERMISSIONS,
    CHANNEL_ID,
    EPHEMERAL,
    FakeDiscord,
    InteractionLog,
    message_limit_errors,
    sent_embeds,
)

from bot.app import App
from bot.config import DEMO_DIR, parse_settings
from bot.net import Fetcher
from bot.platforms.discord import DiscordPlatform
from bot.store import SqliteStore

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def settings_for(tmp_path: Path) -> Any:
    data = {
        "storage": {"path": str(tmp_path / "newsbrief.db")},
        "feeds": [
            {"name": "Herald World", "url": "file:feeds/world.xml", "full_text": False},
            {"name": "Herald Business", "url": "file:feeds/business.atom", "full_text": False},
        ],
        "channels": [
            {
                "name": "news",
                "platform": "discord",
                "target": str(CHANNEL_ID),
                "timezone": "Europe/Berlin",
                "max_items": 20,
                "exclude": ["re:^Sponsored:", "horoscope"],
            }
        ],
    }
    return parse_settings(data, base_dir=DEMO_DIR, source="<e2e>")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest.fixture(params=[1.5, 0.0], ids=["answer-directly", "defer-everything"])
async def app(
    tmp_path: Path, fake: FakeDiscord, request: pytest.FixtureRequest
) -> AsyncIterator[App]:
    """The real core behind DiscordPlatform; run twice: fast answers in the interaction
    callback, and every command deferred and answered by follow-up."""
    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    settings = settings_for(tmp_path)
    platform = DiscordPlatform(
        token="e2e-token",
        api_url=fake.api_url,
        gateway_url=fake.gateway_url,
        guild_ids=settings.discord.guild_ids,
        shard_count=settings.discord.shard_count,
        guild_ready_timeout=0.1,
        defer_after=request.param,
    )
    errors: list[BaseException] = []

    @platform.tree.error
    async def on_tree_error(interaction: discord.Interaction, error: Exception) -> None:
        errors.append(error)

    app = App(
        settings=settings,
        store=SqliteStore(settings.storage.path),
        feed_fetcher=Fetcher(allow_private=True, allow_file=True),
        url_fetcher=Fetcher(allow_private=False),
        executor=None,
        platforms={"discord": platform},
        clock=lambda: NOW,
    )
    await app.start_platforms()
    await app.ingestor.poll(app.store.feeds())
    yield app
    await app.close()
    assert saved == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    assert errors == []
    assert fake.unhandled == [] and fake.rejected == []


async def answer(fake: FakeDiscord, log: InteractionLog) -> tuple[dict[str, Any], bool]:
    """The final visible answer to an interaction and whether only the asker sees it.

    Fast answers come in the callback; slow ones (deferred) in a follow-up.
    """
    await fake.wait_for(
        lambda: any(c["type"] == 4 for c in log.callbacks) or log.followups, timeout=20
    )
    if log.callbacks[0]["type"] == 4:
        data = log.callbacks[0]["data"]
        private = bool((data.get("flags") or 0) & EPHEMERAL)
    else:
        data, private = log.followups[0], log.followup_private[0]
    assert message_limit_errors(data) is None
    assert data["allowed_mentions"] == {"parse": []}
    return data, private


def text_of(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def option(name: str, value: Any, kind: int = 3, focused: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "name": name, "value": value}
    if focused:
        data["focused"] = True
    return data


async def test_end_to_end_with_the_real_core(fake: FakeDiscord, app: App) -> None:
    # /digest posts the channel's digest as embeds and tells the asker privately
    log = await fake.interaction("digest")
    reply, private = await answer(fake, log)
    assert private and reply["content"].startswith("Posted a digest with ")
    messages = fake.messages[CHANNEL_ID]
    embeds = sent_embeds(messages)
    assert embeds and all(m["_request"]["allowed_mentions"] == {"parse": []} for m in messages)
    assert [int(e["title"].split(".")[0]) for e in embeds] == list(range(1, len(embeds) + 1))
    # the demo's hostile headline arrives as text that cannot ping anyone
    hostile = next(e for e in embeds if "Huddlepost" in e["title"])
    assert "@everyone" in hostile["title"]
    # a follow-up thread is open on the first digest message
    first = messages[0]
    assert list(fake.threads) == [int(first["id"])]

    # the items are recorded: a second /digest has nothing new
    log = await fake.interaction("digest")
    again, private = await answer(fake, log)
    assert private and again["content"] == "Nothing new since the last digest."
    assert len(fake.messages[CHANNEL_ID]) == len(messages)

    # /ask autocomplete lists the latest digest's items
    log = await fake.interaction(
        "ask", [option("item", "", kind=4, focused=True)], autocomplete=True
    )
    await fake.answered(log)
    choices = log.callbacks[0]["data"]["choices"]
    assert choices[0]["value"] == 1 and choices[0]["name"] == embeds[0]["title"].replace("\\", "")

    # /ask in the digest's thread is answered from that digest's articles
    cable = next(e for e in embeds if "cable" in e["title"].lower())
    number = int(cable["title"].split(".")[0])
    log = await fake.interaction(
        "ask",
        [option("item", number, kind=4), option("question", "what did Berg say?")],
        thread_id=int(first["id"]),
    )
    asked, private = await answer(fake, log)
    assert not private and "Tomas Berg" in text_of(asked)
    # ... and without an item there, from all of that digest's stories
    log = await fake.interaction(
        "ask", [option("question", "what did Berg say?")], thread_id=int(first["id"])
    )
    asked, private = await answer(fake, log)
    assert not private and "Tomas Berg" in text_of(asked)

    # /quote autocomplete offers speakers from the store; /quote finds their quotes
    log = await fake.interaction("quote", [option("query", "Tom", focused=True)], autocomplete=True)
    await fake.answered(log)
    assert "Tomas Berg" in [c["value"] for c in log.callbacks[0]["data"]["choices"]]
    log = await fake.interaction("quote", [option("query", "Berg")])
    quoted, private = await answer(fake, log)
    assert not private and "Tomas Berg" in text_of(quoted)

    # /summarize refuses the cloud metadata address, privately
    log = await fake.interaction("summarize", [option("url_or_text", "http://169.254.169.254/")])
    refused, private = await answer(fake, log)
    assert private and refused["content"].startswith("I can't open that link")

    # /summarize of pasted text works without the network
    text = (
        "The council approved the new budget on Tuesday after a long debate. "
        "The mayor said the plan would fund two new schools and repair the harbour bridge. "
        "Opposition members argued that the tax increase was too steep for small businesses."
    )
    log = await fake.interaction("summarize", [option("url_or_text", text)])
    summary, private = await answer(fake, log)
    assert not private and "budget" in text_of(summary)

    # /feeds: listing works; removing needs Manage Server (refused before the core sees it)
    log = await fake.interaction("feeds", [{"type": 1, "name": "list", "options": []}])
    listed, _ = await answer(fake, log)
    assert "Herald World" in text_of(listed)
    # /feeds filter shows the channel's filters, privately
    log = await fake.interaction("feeds", [{"type": 1, "name": "filter", "options": []}])
    shown, private = await answer(fake, log)
    assert private and "re:^Sponsored:" in text_of(shown) and "horoscope" in text_of(shown)
    remove = [{"type": 1, "name": "remove", "options": [option("feed", "Herald World")]}]
    log = await fake.interaction("feeds", remove)
    denied, private = await answer(fake, log)
    assert private and "Manage Server" in denied["content"]
    log = await fake.interaction("feeds", remove, user_id=ADMIN_ID, permissions=ADMIN_PERMISSIONS)
    allowed, private = await answer(fake, log)
    # past both admin gates; config feeds can only be removed in the config
    assert (
        private
        and allowed["content"] == "'Herald World' is set in the config file; remove it there."
    )


async def test_scheduled_digest_and_pending_items_after_a_refused_post(
    fake: FakeDiscord, app: App
) -> None:
    channel = app.settings.channel("news")
    pending = len(app.poster.pending(channel))
    assert pending > 0

    # the bot lost Send Messages: nothing is recorded, every story stays pending
    fake.fail_after[CHANNEL_ID] = 0
    await app.scheduler.run_digest(channel)
    assert fake.messages[CHANNEL_ID] == []
    assert len(app.poster.pending(channel)) == pending

    # permission restored: the next scheduled digest carries them all, as embeds
    del fake.fail_after[CHANNEL_ID]
    await app.scheduler.run_digest(channel)
    embeds = sent_embeds(fake.messages[CHANNEL_ID])
    assert [int(e["title"].split(".")[0]) for e in embeds] == list(range(1, pending + 1))
    assert app.poster.pending(channel) == []


async def test_digest_without_embed_links_tells_the_asker_and_keeps_the_stories(
    fake: FakeDiscord, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    channel = app.settings.channel("news")
    pending = len(app.poster.pending(channel))
    await fake.deny_embed_links(CHANNEL_ID, tell_bot=False)  # Discord will drop the embeds

    log = await fake.interaction("digest")
    reply, private = await answer(fake, log)
    assert private and not reply["content"].startswith("Posted a digest")
    assert "Embed Links" in reply["content"] and "#news" in reply["content"]
    assert "stay queued" in reply["content"]
    assert fake.messages[CHANNEL_ID] == []  # the bare titles were taken down again
    assert len(app.poster.pending(channel)) == pending

    # the scheduled digest says the same in the log, and keeps the stories too
    caplog.clear()
    await app.scheduler.run_digest(channel)
    assert len(app.poster.pending(channel)) == pending
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("Embed Links" in e and "#news" in e for e in errors)

    # Embed Links given back: the next digest carries every story, as embeds
    fake.embed_links_denied.clear()
    await app.scheduler.run_digest(channel)
    embeds = sent_embeds(fake.messages[CHANNEL_ID])
    assert [int(e["title"].split(".")[0]) for e in embeds] == list(range(1, pending + 1))
    assert app.poster.pending(channel) == []
