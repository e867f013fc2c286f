"""DiscordPlatform against a fake Discord: the real discord.py client, local servers only.

The fake (tests/fakes/discord_server.py) serves REST and the gateway on 127.0.0.1, enforces
Discord's message limits and records every call; nothing of discord.py is mocked.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route
from fakes.discord_server import (
    FakeDiscord,
)

from bot.models import Command, Digest, DigestItem, Quote, Reply, Source
from bot.platforms.discord import DiscordPlatform

WHEN = datetime(2026, 11, 28, 8, 14, tzinfo=UTC)


@dataclass
class FakeHandler:
    """Implements the CommandHandler protocol with canned replies; records every Command."""

    replies: dict[str, Reply] = field(default_factory=dict)
    commands: list[Command] = field(default_factory=list)
    speakers: list[str] = field(default_factory=lambda: ["Ada Lovelace", "Alan Turing", "Grace"])
    items: list[tuple[int, str]] = field(default_factory=lambda: [(1, "Rates"), (2, "Storm")])
    digests_by_message: dict[str, int] = field(default_factory=dict)
    gate: asyncio.Event | None = None  # when set, handle() waits for it (slow work)
    speaker_prefixes: list[str] = field(default_factory=list)
    item_targets: list[str] = field(default_factory=list)

    async def handle(self, command: Command) -> Reply:
        self.commands.append(command)
        if self.gate is not None:
            await self.gate.wait()
        if command.name == "explode":
            raise RuntimeError("boom")
        return self.replies.get(command.name, Reply(text=f"ok: {command.name} {command.args}"))

    def known_speakers(self, prefix: str, limit: int = 25) -> list[str]:
        self.speaker_prefixes.append(prefix)
        return [s for s in self.speakers if s.lower().startswith(prefix.lower())][:limit]

    def latest_digest_items(self, platform: str, target: str) -> list[tuple[int, str]]:
        assert platform == "discord"
        self.item_targets.append(target)
        return self.items

    def digest_for_message(self, platform: str, message_ref: str) -> int | None:
        assert platform == "discord"
        return self.digests_by_message.get(message_ref)


@dataclass
class Env:
    fake: FakeDiscord
    platform: DiscordPlatform
    handler: FakeHandler
    tree_errors: list[BaseException]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


def make_platform(fake: FakeDiscord, **options: Any) -> DiscordPlatform:
    return DiscordPlatform(
        token="fake-token",
        api_url=fake.api_url,
        gateway_url=fake.gateway_url,
        guild_ready_timeout=0.1,
        **options,
    )


@pytest.fixture
async def env(fake: FakeDiscord, request: pytest.FixtureRequest) -> AsyncIterator[Env]:
    """A started platform connected to the fake; fails the test on any command-tree error."""
    options = getattr(request, "param", {})
    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    platform = make_platform(fake, **options)
    handler = FakeHandler()
    errors: list[BaseException] = []

    @platform.tree.error
    async def on_tree_error(interaction: discord.Interaction, error: Exception) -> None:
        errors.append(error)

    await platform.start(handler)
    try:
        yield Env(fake, platform, handler, errors)
    finally:
        await platform.stop()
        assert saved == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    assert errors == []
    assert fake.unhandled == []
    assert fake.rejected == []


def item(n: int, **changes: Any) -> DigestItem:
    values: dict[str, Any] = {
        "number": n,
        "article_id": 1000 + n,
        "title": f"Story number {n}",
        "url": f"https://news.example/{n}",
        "source": "Example Times",
        "published": WHEN,
        "summary": (f"First sentence of story {n}.", "Second sentence."),
        "quotes": (Quote(f"We will act on {n}", "Ada Lovelace", "minister"),),
        "also_covered_by": (Source("Daily Planet", f"https://planet.example/{n}"),),
    }
    values.update(changes)
    return DigestItem(**values)


def digest(items: Sequence[DigestItem], digest_id: int = 7) -> Digest:
    return Digest(
        channel="news",
        title="Morning brief",
        created=WHEN,
        timezone="Europe/London",
        items=tuple(items),
        id=digest_id,
    )


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[list[int], str]] = []

    async def __call__(self, items: Sequence[DigestItem], ref: str) -> None:
        self.calls.append(([i.number for i in items], ref))


async def test_start_logs_in_identifies_with_minimal_intents_and_syncs(env: Env) -> None:
    fake = env.fake
    assert [c.path for c in fake.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert len(fake.identifies) == 1
    assert fake.identifies[0]["intents"] == 1  # GUILDS only: no privileged intents
    assert fake.identifies[0]["token"] == "fake-token"
    names = sorted(c["name"] for c in fake.commands[None])
    assert names == ["ask", "digest", "feeds", "quote", "summarize"]
    assert env.platform.client.is_ready()
