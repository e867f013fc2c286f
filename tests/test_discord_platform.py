"""DiscordPlatform against a fake Discord: the real discord.py client, local servers only.

The fake (tests/fakes/discord_server.py) serves REST and the gateway on 127.0.0.1, enforces
Discord's message limits and records every call; nothing of discord.py is mocked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route
from fakes.discord_server import (
    ADMIN_ID,
    ADMIN_PERMISSIONS,
    APP_ID,
    BAD_TOKEN,
    CHANNEL_ID,
    EPHEMERAL,
    FORBIDDEN_CHANNEL_ID,
    GUILD_ID,
    MANAGE_GUILD,
    RATE_LIMITED_CHANNEL_ID,
    FakeDiscord,
    sent_embeds,
)

from bot.models import Command, Digest, DigestItem, Quote, Reply, Source
from bot.platforms.base import PlatformError, story_keys
from bot.platforms.discord import DiscordPlatform, fetch_application_id, resolve_invite_url

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
    crash: set[str] = field(default_factory=set)  # command names whose handling raises

    async def handle(self, command: Command) -> Reply:
        self.commands.append(command)
        if self.gate is not None:
            await self.gate.wait()
        if command.name in self.crash:
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


def by_name(commands: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in commands}


def option(name: str, value: Any, kind: int = 3, focused: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "name": name, "value": value}
    if focused:
        data["focused"] = True
    return data


def sub(name: str, *options: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "name": name, "options": list(options)}


# -- command sync ------------------------------------------------------------------------------


async def test_sync_payload_declares_commands_options_and_permissions(env: Env) -> None:
    put = [c for c in env.fake.calls if c.method == "PUT"]
    assert [c.path for c in put] == [f"/applications/{APP_ID}/commands"]
    synced = by_name(put[0].body)
    for command in synced.values():
        assert command["contexts"] == [0]  # guild only: a DM has no configured channel
    feeds = synced["feeds"]
    assert str(feeds["default_member_permissions"]) == str(MANAGE_GUILD)
    assert feeds["integration_types"] == [0]  # installed to servers only
    assert [o["name"] for o in feeds["options"]] == [
        "list",
        "filter",
        "add",
        "remove",
        "settings",
        "set",
        "stop",
    ]
    assert all(o["type"] == 1 for o in feeds["options"])
    for name in ("summarize", "quote", "ask", "digest"):
        assert synced[name].get("default_member_permissions") is None
    quote = synced["quote"]["options"][0]
    assert (quote["name"], quote["type"], quote["autocomplete"]) == ("query", 3, True)
    ask = {o["name"]: o for o in synced["ask"]["options"]}
    assert ask["item"]["type"] == 4 and ask["item"]["autocomplete"] is True
    assert ask["item"]["min_value"] == 1
    assert not ask["item"].get("required")  # optional in a digest's thread (see README)
    assert ask["question"]["type"] == 3 and ask["question"]["required"] is True
    summarize = synced["summarize"]["options"][0]
    assert summarize["name"] == "url_or_text" and summarize["required"] is True


@pytest.mark.parametrize("env", [{"guild_ids": [GUILD_ID]}], indirect=True)
async def test_guild_ids_sync_per_guild_and_commands_run_there(env: Env) -> None:
    put = [c for c in env.fake.calls if c.method == "PUT"]
    assert [c.path for c in put] == [
        f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands",
        f"/applications/{APP_ID}/commands",  # the global set emptied: no command shows twice
    ]
    assert put[1].body == [] and env.fake.commands[None] == []
    log = await env.fake.interaction("digest")
    await env.fake.answered(log)
    assert env.handler.commands[-1].name == "digest"


COMMAND_NAMES = ["ask", "digest", "feeds", "quote", "summarize"]


async def run_once(fake: FakeDiscord, **options: Any) -> None:
    """Start a platform (which syncs its commands) and stop it: one run of the bot."""
    platform = make_platform(fake, **options)
    await platform.start(FakeHandler())
    await platform.stop()


async def test_switching_to_guild_ids_removes_the_global_commands(fake: FakeDiscord) -> None:
    await run_once(fake)  # an earlier run without guild_ids registered them globally
    assert fake.visible_commands() == COMMAND_NAMES
    await run_once(fake, guild_ids=[GUILD_ID])
    assert fake.visible_commands() == COMMAND_NAMES  # each once, not twice
    assert fake.commands[None] == []
    assert sorted(c["name"] for c in fake.commands[GUILD_ID]) == COMMAND_NAMES


async def test_feeds_set_offers_exactly_the_keys_the_command_accepts(fake: FakeDiscord) -> None:
    """discord.py needs the choices at definition time, so the platform lists them itself:
    they must stay the keys `/feeds set` takes (bot.channel_commands.SETTABLE)."""
    from bot.channel_commands import SETTABLE

    await run_once(fake)
    (feeds,) = [c for c in fake.commands[None] if c["name"] == "feeds"]
    (set_,) = [o for o in feeds["options"] if o["name"] == "set"]
    (key,) = [o for o in set_["options"] if o["name"] == "key"]
    assert [c["value"] for c in key["choices"]] == list(SETTABLE)


async def test_dropping_guild_ids_removes_the_guild_commands(fake: FakeDiscord) -> None:
    await run_once(fake, guild_ids=[GUILD_ID])
    assert fake.visible_commands() == COMMAND_NAMES
    await run_once(fake)
    assert fake.visible_commands() == COMMAND_NAMES
    assert fake.commands[GUILD_ID] == []
    assert sorted(c["name"] for c in fake.commands[None]) == COMMAND_NAMES
    # the next start finds nothing left to remove and writes nothing to the guild
    before = len(fake.calls)
    await run_once(fake)
    assert not [c for c in fake.calls[before:] if c.method == "PUT" and "/guilds/" in c.path]


async def test_guild_commands_answer_after_the_global_set_is_cleared(fake: FakeDiscord) -> None:
    await run_once(fake)
    platform = make_platform(fake, guild_ids=[GUILD_ID])
    handler = FakeHandler()
    await platform.start(handler)
    try:
        log = await fake.interaction("digest")
        await fake.answered(log)
        assert [c.name for c in handler.commands] == ["digest"]
    finally:
        await platform.stop()


# -- digests -----------------------------------------------------------------------------------


async def test_story_pictures_arrive_as_embed_thumbnails(env: Env) -> None:
    items = [item(1, image="https://img.example/1.jpg"), item(2, image="http://img.example/2")]
    await env.platform.post_digest(str(CHANNEL_ID), digest(items), Recorder())
    [message] = env.fake.messages[CHANNEL_ID]
    embeds = message["_request"]["embeds"]
    assert embeds[0]["thumbnail"] == {"url": "https://img.example/1.jpg"}
    assert "thumbnail" not in embeds[1]  # not https: not shown


async def test_a_templated_digest_is_accepted_by_discord(env: Env) -> None:
    templated = replace(
        digest([item(1, title="@everyone look")]), item_template="{title} | {source}"
    )
    await env.platform.post_digest(str(CHANNEL_ID), templated, Recorder())
    [message] = env.fake.messages[CHANNEL_ID]
    assert message["_request"]["embeds"][0]["description"] == "@\u200beveryone look | Example Times"


async def test_digest_posted_as_embeds_recorded_and_thread_opened(env: Env) -> None:
    record = Recorder()
    await env.platform.post_digest(str(CHANNEL_ID), digest([item(1), item(2), item(3)]), record)

    [message] = env.fake.messages[CHANNEL_ID]
    request = message["_request"]
    assert request["content"] == "Morning brief"
    assert request["allowed_mentions"] == {"parse": []}
    assert request["enforce_nonce"] is True and 1 <= len(request["nonce"]) <= 25
    first = request["embeds"][0]
    assert first["title"] == "1. Story number 1"
    assert first["url"] == "https://news.example/1"
    assert first["description"] == (
        "First sentence of story 1. Second sentence.\n\n"
        "> “We will act on 1” — Ada Lovelace, minister"
    )
    assert first["footer"]["text"] == "Example Times · Also covered by: Daily Planet"
    assert datetime.fromisoformat(first["timestamp"]) == WHEN
    assert [e["title"][:2] for e in request["embeds"]] == ["1.", "2.", "3."]
    assert record.calls == [([1, 2, 3], message["id"])]

    thread = env.fake.threads[int(message["id"])]
    assert thread["_request"]["name"] == "Digest 28 Nov — follow-ups"
    # The thread's id is the starter message's id: the ref `record` got maps thread -> digest.
    assert thread["id"] == record.calls[0][1]


async def test_long_digest_is_split_between_items_within_limits(env: Env) -> None:
    record = Recorder()
    items = [item(n, summary=("word " * 150,)) for n in range(1, 31)]
    await env.platform.post_digest(str(CHANNEL_ID), digest(items), record)

    messages = env.fake.messages[CHANNEL_ID]
    assert len(messages) >= 3
    for message in messages:
        embeds = message["_request"]["embeds"]
        assert 1 <= len(embeds) <= 10
        assert sum(len(e.get("title", "")) + len(e.get("description", "")) for e in embeds) < 6000
    numbers = [n for call in record.calls for n in call[0]]
    assert numbers == list(range(1, 31))  # every item once, in order, never split
    assert [ref for _, ref in record.calls] == [m["id"] for m in messages]
    titles = [int(e["title"].split(".")[0]) for e in sent_embeds(messages)]
    assert titles == list(range(1, 31))
    assert messages[1]["_request"]["content"] == f"Morning brief (continued, 2/{len(messages)})"
    assert list(env.fake.threads) == [int(messages[0]["id"])]


async def test_our_digest_messages_are_found_in_the_channel_history(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    items = [item(n, summary=("word " * 150,)) for n in range(1, 31)]
    await env.platform.post_digest(str(CHANNEL_ID), digest(items), Recorder())
    messages = env.fake.messages[CHANNEL_ID]
    week_ago = datetime.now(UTC) - timedelta(days=7)

    found = await env.platform.recent_digest_messages(str(CHANNEL_ID), week_ago)
    assert sorted(m.message_ref for m in found) == sorted(m["id"] for m in messages)
    assert set().union(*(m.stories for m in found)) == set(story_keys(items))
    soon = datetime.now(UTC) + timedelta(minutes=1)
    assert await env.platform.recent_digest_messages(str(CHANNEL_ID), soon) == []

    env.fake.no_history.add(CHANNEL_ID)  # no Read Message History: nothing found, one warning
    for _ in range(2):
        assert await env.platform.recent_digest_messages(str(CHANNEL_ID), week_ago) == []
    warnings = [r for r in caplog.records if "Read Message History" in r.getMessage()]
    assert len(warnings) == 1


async def test_oversized_feed_text_is_truncated_not_rejected(env: Env) -> None:
    record = Recorder()
    huge = item(
        1,
        title="T" * 600,
        summary=("S" * 5000,),
        quotes=(Quote("Q" * 3000, "Speaker " * 40),),
        source="Src" * 900,
        also_covered_by=tuple(Source(f"Outlet {i}", f"https://o{i}.example") for i in range(400)),
    )
    await env.platform.post_digest(str(CHANNEL_ID), digest([huge, item(2)]), record)

    embeds = sent_embeds(env.fake.messages[CHANNEL_ID])
    first = embeds[0]
    assert len(first["title"]) <= 256 and first["title"].endswith("…")
    assert len(first["description"]) <= 4096
    assert "S…" in first["description"] and "> “Q" in first["description"]
    assert first["footer"]["text"].startswith("SrcSrc")
    assert len(first["footer"]["text"]) <= 2048
    assert [n for call in record.calls for n in call[0]] == [1, 2]


async def test_everyone_in_feed_text_never_pings(env: Env) -> None:
    record = Recorder()
    loud = item(1, title="@everyone *free* tickets", summary=("@here <@&123> click",))
    sneaky = Digest(
        channel="news", title="@everyone brief", created=WHEN, timezone="UTC", items=(loud,)
    )
    await env.platform.post_digest(str(CHANNEL_ID), sneaky, record)

    [message] = env.fake.messages[CHANNEL_ID]
    request = message["_request"]
    assert request["allowed_mentions"] == {"parse": []}
    assert request["embeds"][0]["title"] == r"1. @everyone \*free\* tickets"
    assert request["content"] == "@everyone brief"


async def test_markdown_in_titles_is_escaped_and_links_kept(env: Env) -> None:
    record = Recorder()
    tricky = item(1, title="# Big [deal](https://evil.example) _now_", url="javascript:alert(1)")
    await env.platform.post_digest(str(CHANNEL_ID), digest([tricky]), record)
    embed = sent_embeds(env.fake.messages[CHANNEL_ID])[0]
    assert embed["title"] == r"1. # Big \[deal](https://evil.example) \_now\_"
    assert "url" not in embed  # only http(s) links are linked


async def test_rate_limit_429_is_waited_out_then_posted(env: Env) -> None:
    record = Recorder()
    await env.platform.post_digest(str(RATE_LIMITED_CHANNEL_ID), digest([item(1)]), record)
    posts = [
        c
        for c in env.fake.calls
        if c.method == "POST" and c.path == f"/channels/{RATE_LIMITED_CHANNEL_ID}/messages"
    ]
    assert len(posts) == 2  # the 429, then the retry discord.py made after Retry-After
    assert len(env.fake.messages[RATE_LIMITED_CHANNEL_ID]) == 1
    assert record.calls == [([1], env.fake.messages[RATE_LIMITED_CHANNEL_ID][0]["id"])]


async def test_refused_post_raises_and_records_only_accepted_messages(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    env.fake.fail_after[CHANNEL_ID] = 1  # the second message answers 403 Missing Permissions
    record = Recorder()
    with pytest.raises(PlatformError) as raised:
        await env.platform.post_digest(
            str(CHANNEL_ID), digest([item(n) for n in range(1, 16)]), record
        )
    error = raised.value
    assert error.retryable is False
    assert "View Channel, Send Messages and Embed Links in #news" in error.hint
    [accepted] = env.fake.messages[CHANNEL_ID]
    assert record.calls == [(list(range(1, 11)), accepted["id"])]  # 11-15 stay pending
    assert "#news" in caplog.text and "Embed Links" in caplog.text
    assert int(accepted["id"]) in env.fake.threads  # the posted part still gets its thread


async def test_digest_stripped_of_its_embeds_is_not_recorded_and_names_the_permission(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    """Embed Links taken away after the bot last heard about the channel: Discord takes the
    message but drops its embeds. Those bare titles are no digest: nothing is recorded, the
    message is removed, and the error says which permission is missing where."""
    await env.fake.deny_embed_links(CHANNEL_ID, tell_bot=False)
    record = Recorder()
    with pytest.raises(PlatformError) as raised:
        await env.platform.post_digest(str(CHANNEL_ID), digest([item(1), item(2)]), record)
    assert record.calls == []
    error = raised.value
    assert error.retryable is False
    assert "Embed Links" in error.reason and "#news" in error.reason
    [stripped] = [c for c in env.fake.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert stripped.body["embeds"]  # we sent embeds; Discord dropped them
    assert env.fake.messages[CHANNEL_ID] == [] and len(env.fake.deleted) == 1
    assert env.fake.threads == {}
    assert "Embed Links" in caplog.text and "#news" in caplog.text

    # permission given back: the same stories go out as embeds (not the stripped message that
    # Discord would hand back for a repeated nonce)
    env.fake.embed_links_denied.clear()
    await env.platform.post_digest(str(CHANNEL_ID), digest([item(1), item(2)]), record)
    [posted] = env.fake.messages[CHANNEL_ID]
    assert len(posted["embeds"]) == 2
    assert record.calls == [([1, 2], posted["id"])]


async def test_alert_stripped_of_its_embed_is_not_recorded(env: Env) -> None:
    """An alert is one embed: without Embed Links it would be a bare title, so it is removed,
    not recorded (the story stays queued), and the error names the permission."""
    await env.fake.deny_embed_links(CHANNEL_ID, tell_bot=False)
    record = Recorder()
    with pytest.raises(PlatformError) as raised:
        await env.platform.post_alert(str(CHANNEL_ID), digest([item(1)]), record)
    assert "Embed Links" in raised.value.reason
    assert record.calls == []
    assert env.fake.messages[CHANNEL_ID] == [] and len(env.fake.deleted) == 1

    env.fake.embed_links_denied.clear()
    await env.platform.post_alert(str(CHANNEL_ID), digest([item(1)]), record)
    [posted] = env.fake.messages[CHANNEL_ID]
    assert len(posted["embeds"]) == 1
    assert record.calls == [([1], posted["id"])]


async def test_missing_embed_links_known_from_the_cache_posts_nothing(env: Env) -> None:
    await env.fake.deny_embed_links(CHANNEL_ID)  # the bot hears of it (CHANNEL_UPDATE)
    channel = env.platform.client.get_channel(CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    async with asyncio.timeout(5):
        while channel.permissions_for(channel.guild.me).embed_links:
            await asyncio.sleep(0.01)  # the gateway event is handled on the client's own time
            channel = env.platform.client.get_channel(CHANNEL_ID)
            assert isinstance(channel, discord.TextChannel)
    record = Recorder()
    with pytest.raises(PlatformError) as raised:
        await env.platform.post_digest(str(CHANNEL_ID), digest([item(1)]), record)
    assert "Embed Links" in raised.value.reason
    assert not [c for c in env.fake.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert record.calls == []


async def test_channel_without_access_raises_non_retryable(env: Env) -> None:
    record = Recorder()
    with pytest.raises(PlatformError) as raised:
        await env.platform.post_digest(str(FORBIDDEN_CHANNEL_ID), digest([item(1)]), record)
    assert raised.value.retryable is False
    assert "View Channel" in raised.value.hint
    assert record.calls == []


async def test_unknown_channel_and_bad_target_raise(env: Env) -> None:
    record = Recorder()
    with pytest.raises(PlatformError) as unknown:
        await env.platform.post_digest("1399999999999999999", digest([item(1)]), record)
    assert unknown.value.retryable is False
    with pytest.raises(PlatformError) as bad:
        await env.platform.post_digest("#news", digest([item(1)]), record)
    assert bad.value.retryable is False and "Copy Channel ID" in bad.value.hint
    assert record.calls == []


async def test_retried_post_is_not_duplicated_thanks_to_the_nonce(env: Env) -> None:
    first, second = Recorder(), Recorder()
    await env.platform.post_digest(str(CHANNEL_ID), digest([item(1)]), first)
    await env.platform.post_digest(str(CHANNEL_ID), digest([item(1)]), second)
    assert len(env.fake.messages[CHANNEL_ID]) == 1
    assert first.calls == second.calls


async def test_missing_thread_permission_keeps_the_digest(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    env.fake.forbid_threads = True
    record = Recorder()
    await env.platform.post_digest(str(CHANNEL_ID), digest([item(1)]), record)
    assert len(record.calls) == 1
    assert env.fake.threads == {}
    assert "Create Public Threads" in caplog.text


# -- slash commands ----------------------------------------------------------------------------


async def test_summarize_fast_reply_is_sent_directly(env: Env) -> None:
    log = await env.fake.interaction("summarize", [option("url_or_text", "https://news.example/a")])
    await env.fake.answered(log)
    [callback] = log.callbacks
    assert callback["type"] == 4
    assert callback["data"]["content"] == "ok: summarize https://news.example/a"
    assert callback["data"]["allowed_mentions"] == {"parse": []}
    assert not (callback["data"].get("flags") or 0) & EPHEMERAL
    [command] = env.handler.commands
    assert command == Command(
        name="summarize",
        args="https://news.example/a",
        platform="discord",
        target=str(CHANNEL_ID),
        user_id=str(command.user_id),
        user_is_admin=False,
        digest_id=None,
        workspace=str(GUILD_ID),  # the server it came from (its channels may be set up in chat)
    )
    assert command.user_id.isdigit()


@pytest.mark.parametrize("env", [{"defer_after": 0.0}], indirect=True)
async def test_summarize_slow_work_is_deferred_then_followed_up(env: Env) -> None:
    env.handler.gate = asyncio.Event()
    env.handler.replies["summarize"] = Reply(
        text="Rates rise",
        title="Rates rise again",
        url="https://news.example/rates",
        sentences=("The bank raised rates.", "Markets fell."),
        quotes=(Quote("We had no choice", "Governor"),),
        sources=(Source("Example Times", "https://news.example/rates"),),
    )
    log = await env.fake.interaction("summarize", [option("url_or_text", "https://x.example")])
    await env.fake.wait_for(lambda: log.callbacks)
    assert [c["type"] for c in log.callbacks] == [5]  # deferred: "newsbrief is thinking…"
    assert not (log.callbacks[0].get("data") or {}).get("flags")  # publicly
    assert not log.followups
    env.handler.gate.set()
    await env.fake.answered(log)
    assert log.followup_private == [False]
    [followup] = log.followups
    [embed] = followup["embeds"]
    assert embed["title"] == "Rates rise again" and embed["url"] == "https://news.example/rates"
    assert embed["description"].startswith("The bank raised rates. Markets fell.")
    assert "> “We had no choice” — Governor" in embed["description"]
    assert embed["fields"] == [
        {
            "name": "Sources",
            "value": "[Example Times](https://news.example/rates)",
            "inline": False,
        }
    ]
    assert followup["allowed_mentions"] == {"parse": []}


async def test_quote_reply_lists_quotes(env: Env) -> None:
    env.handler.replies["quote"] = Reply(
        text="2 quotes",
        title="Quotes by Ada Lovelace",
        quotes=(Quote("First", "Ada Lovelace"), Quote("Second", "Ada Lovelace")),
    )
    log = await env.fake.interaction("quote", [option("query", "Ada Lovelace")])
    await env.fake.answered(log)
    description = log.callbacks[0]["data"]["embeds"][0]["description"]
    assert "> “First” — Ada Lovelace" in description
    assert "> “Second” — Ada Lovelace" in description
    assert env.handler.commands[0].args == "Ada Lovelace"


async def test_quote_autocomplete_offers_known_speakers(env: Env) -> None:
    log = await env.fake.interaction(
        "quote", [option("query", "a", focused=True)], autocomplete=True
    )
    await env.fake.answered(log)
    [callback] = log.callbacks
    assert callback["type"] == 8
    assert callback["data"]["choices"] == [
        {"name": "Ada Lovelace", "value": "Ada Lovelace"},
        {"name": "Alan Turing", "value": "Alan Turing"},
    ]
    assert env.handler.speaker_prefixes == ["a"]
    assert env.handler.commands == []


async def test_ask_autocomplete_offers_latest_digest_items(env: Env) -> None:
    env.handler.items = [(n, f"Story {n}") for n in range(1, 31)]
    log = await env.fake.interaction(
        "ask", [option("item", "", kind=4, focused=True)], autocomplete=True
    )
    await env.fake.answered(log)
    choices = log.callbacks[0]["data"]["choices"]
    assert len(choices) == 25  # Discord's maximum
    assert choices[0] == {"name": "1. Story 1", "value": 1}
    assert env.handler.item_targets == [str(CHANNEL_ID)]

    log = await env.fake.interaction(
        "ask", [option("item", "story 2", kind=4, focused=True)], autocomplete=True
    )
    await env.fake.answered(log)
    values = [c["value"] for c in log.callbacks[0]["data"]["choices"]]
    assert values == [2, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]


async def test_ask_in_a_digest_thread_carries_the_digest(env: Env) -> None:
    record = Recorder()
    await env.platform.post_digest(str(CHANNEL_ID), digest([item(1), item(2)]), record)
    [(_, ref)] = record.calls
    env.handler.digests_by_message[ref] = 7  # what the core's store knows after `record`
    thread_id = int(env.fake.threads[int(ref)]["id"])

    log = await env.fake.interaction(
        "ask",
        [option("item", 2, kind=4), option("question", "what did the minister say?")],
        thread_id=thread_id,
    )
    await env.fake.answered(log)
    [command] = env.handler.commands
    assert command.name == "ask"
    assert command.args == "2 what did the minister say?"
    assert command.target == str(CHANNEL_ID)  # the thread's parent: the configured channel
    assert command.digest_id == 7

    log = await env.fake.interaction(
        "ask", [option("item", "", kind=4, focused=True)], autocomplete=True, thread_id=thread_id
    )
    await env.fake.answered(log)
    assert env.handler.item_targets == [str(CHANNEL_ID)]


async def test_ask_without_an_item_in_a_digest_thread_asks_the_whole_digest(env: Env) -> None:
    record = Recorder()
    await env.platform.post_digest(str(CHANNEL_ID), digest([item(1), item(2)]), record)
    [(_, ref)] = record.calls
    env.handler.digests_by_message[ref] = 7
    log = await env.fake.interaction(
        "ask", [option("question", "who said what?")], thread_id=int(ref)
    )
    await env.fake.answered(log)
    [command] = env.handler.commands
    assert command.args == "who said what?" and command.digest_id == 7


async def test_ask_without_an_item_outside_a_thread_asks_for_the_item(env: Env) -> None:
    log = await env.fake.interaction("ask", [option("question", "who said what?")])
    await env.fake.answered(log)
    data = log.callbacks[0]["data"]
    assert data["flags"] & EPHEMERAL
    assert "item" in data["content"] and "thread" in data["content"]
    assert env.handler.commands == []


async def test_ask_outside_a_thread_has_no_digest_id(env: Env) -> None:
    log = await env.fake.interaction("ask", [option("item", 3, kind=4), option("question", "why?")])
    await env.fake.answered(log)
    assert env.handler.commands[0].args == "3 why?"
    assert env.handler.commands[0].digest_id is None


@pytest.mark.parametrize("env", [{"defer_after": 0.0}], indirect=True)
async def test_digest_command_renders_a_long_digest_in_follow_ups(env: Env) -> None:
    items = [item(n, summary=("word " * 150,)) for n in range(1, 31)]
    env.handler.replies["digest"] = Reply(text="Here is what is new", digest=digest(items))
    log = await env.fake.interaction("digest")

    def titles() -> list[str]:
        return [e["title"] for f in log.followups for e in f.get("embeds", [])]

    await env.fake.wait_for(lambda: len(titles()) == 30)
    assert len(log.followups) >= 3
    assert log.callbacks[0]["type"] == 5
    assert log.callbacks[0]["data"]["flags"] & EPHEMERAL  # /digest is deferred privately
    assert set(log.followup_private) == {True}
    assert log.followups[0]["content"] == "Here is what is new"
    assert titles()[-1].startswith("30.")
    assert all(len(f.get("embeds", [])) <= 10 for f in log.followups)
    assert env.handler.commands[0] == Command(
        name="digest",
        platform="discord",
        target=str(CHANNEL_ID),
        user_id=env.handler.commands[0].user_id,
        workspace=str(GUILD_ID),
    )


async def test_feeds_list_for_any_member(env: Env) -> None:
    log = await env.fake.interaction("feeds", [sub("list")])
    await env.fake.answered(log)
    assert env.handler.commands[0].name == "feeds"
    assert env.handler.commands[0].args == "list"
    assert env.handler.commands[0].user_is_admin is False


async def test_feeds_filter_for_any_member(env: Env) -> None:
    log = await env.fake.interaction("feeds", [sub("filter")])
    await env.fake.answered(log)
    [command] = env.handler.commands
    assert (command.name, command.args, command.user_is_admin) == ("feeds", "filter", False)


async def test_feeds_add_refused_server_side_without_manage_server(env: Env) -> None:
    log = await env.fake.interaction("feeds", [sub("add", option("url", "https://f.example"))])
    await env.fake.answered(log)
    [callback] = log.callbacks
    assert callback["data"]["flags"] & EPHEMERAL
    assert "Manage Server" in callback["data"]["content"]
    assert env.handler.commands == []  # the core never saw it


async def test_feeds_add_and_remove_by_a_manager(env: Env) -> None:
    add = await env.fake.interaction(
        "feeds",
        [sub("add", option("url", "https://f.example/rss"))],
        user_id=ADMIN_ID,
        permissions=ADMIN_PERMISSIONS,
    )
    await env.fake.answered(add)
    remove = await env.fake.interaction(
        "feeds",
        [sub("remove", option("feed", "Example Times"))],
        user_id=ADMIN_ID,
        permissions=ADMIN_PERMISSIONS,
    )
    await env.fake.answered(remove)
    # confirmations only concern the admin: private, as docs/discord.md says (fast or slow)
    for log in (add, remove):
        assert log.callbacks[0]["type"] == 4 and log.callbacks[0]["data"]["flags"] & EPHEMERAL
    assert [(c.args, c.user_is_admin, c.user_id) for c in env.handler.commands] == [
        ("add https://f.example/rss", True, str(ADMIN_ID)),
        ("remove Example Times", True, str(ADMIN_ID)),
    ]


async def test_error_reply_is_ephemeral(env: Env) -> None:
    env.handler.replies["quote"] = Reply(
        text="No quotes by Nobody yet. Try /quote with a name from the digest.", error=True
    )
    log = await env.fake.interaction("quote", [option("query", "Nobody")])
    await env.fake.answered(log)
    data = log.callbacks[0]["data"]
    assert data["flags"] & EPHEMERAL
    assert data["content"].startswith("No quotes by Nobody yet")


@pytest.mark.parametrize("env", [{"defer_after": 0.0}], indirect=True)
async def test_error_after_defer_replaces_the_placeholder_with_an_ephemeral_message(
    env: Env,
) -> None:
    env.handler.replies["summarize"] = Reply(
        text="That page could not be fetched. Check the link.", error=True
    )
    log = await env.fake.interaction("summarize", [option("url_or_text", "https://x.example")])
    await env.fake.answered(log)
    assert log.callbacks[0]["type"] == 5
    assert not (log.callbacks[0].get("data") or {}).get("flags")  # deferred publicly
    assert log.deleted_original
    assert log.followup_private == [True]  # as Discord shows it after the placeholder went


@pytest.mark.parametrize("env", [{"defer_after": 0.0}], indirect=True)
async def test_slow_feeds_add_is_deferred_privately(env: Env) -> None:
    env.handler.replies["feeds"] = Reply(text="Added feed 'Example' (12 entries).")
    log = await env.fake.interaction(
        "feeds",
        [sub("add", option("url", "https://f.example/rss"))],
        user_id=ADMIN_ID,
        permissions=ADMIN_PERMISSIONS,
    )
    await env.fake.answered(log)
    assert log.callbacks[0]["type"] == 5 and log.callbacks[0]["data"]["flags"] & EPHEMERAL
    assert log.followup_private == [True]
    assert log.followups[0]["content"] == "Added feed 'Example' (12 entries)."


async def test_crash_in_the_core_gives_a_short_ephemeral_reply(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    env.handler.crash.add("digest")
    log = await env.fake.interaction("digest")
    await env.fake.answered(log)
    data = log.callbacks[0]["data"]
    assert data["flags"] & EPHEMERAL and "try again" in data["content"]
    assert "RuntimeError: boom" in caplog.text


# -- gateway and login -------------------------------------------------------------------------


async def test_dropped_gateway_is_resumed_and_commands_keep_working(env: Env) -> None:
    fake = env.fake
    await fake.drop_gateway()
    await fake.wait_for(lambda: fake.resumes)
    assert fake.gateway_connections == 2
    assert len(fake.identifies) == 1  # resumed the session, no new IDENTIFY
    assert fake.resumes[0]["session_id"] == "session-1"
    log = await fake.interaction("digest")
    await fake.answered(log)
    assert env.handler.commands[-1].name == "digest"


def discord_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("discord")]


async def test_unreachable_gateway_fails_start_with_one_reason(
    fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake.gateway_down = True
    platform = make_platform(fake)
    with pytest.raises(PlatformError) as raised:
        await platform.start(FakeHandler())
    await platform.stop()
    assert raised.value.reason.startswith(
        f"Could not connect to the Discord gateway at {fake.gateway_url}"
    )
    assert "503" in raised.value.reason  # the network's reason, not discord.py's AttributeError
    assert "NoneType" not in raised.value.reason
    assert "gateway_url" in raised.value.hint
    assert not [r for r in discord_records(caplog) if r.levelno >= logging.WARNING]
    assert "Traceback" not in caplog.text


async def test_unreachable_gateway_keeps_its_traceback_at_debug(
    fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="discord")
    fake.gateway_down = True
    platform = make_platform(fake)
    with pytest.raises(PlatformError):
        await platform.start(FakeHandler())
    await platform.stop()
    assert [r for r in discord_records(caplog) if r.exc_info and "reconnect" in r.getMessage()]


async def test_lost_gateway_is_one_line_per_attempt(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    env.fake.gateway_down = True
    await env.fake.drop_gateway()
    await env.fake.wait_for(lambda: env.fake.gateway_refused)

    def reconnect_lines() -> list[logging.LogRecord]:
        return [r for r in discord_records(caplog) if "reconnect" in r.getMessage()]

    async with asyncio.timeout(5):
        while not reconnect_lines():  # logged by the client right after the refused attempt
            await asyncio.sleep(0.01)
    [line] = reconnect_lines()
    assert line.exc_info is None and "Traceback" not in caplog.text
    assert "503" in line.getMessage() and "Attempting a reconnect in" in line.getMessage()
    assert env.platform.client.is_closed() is False  # discord.py keeps retrying


async def test_auto_sharded_client_when_shards_are_configured(fake: FakeDiscord) -> None:
    platform = make_platform(fake, shard_count=1)
    assert isinstance(platform.client, discord.AutoShardedClient)
    await platform.start(FakeHandler())
    try:
        assert fake.identifies[0]["shard"] == [0, 1]
        assert platform.client.is_ready()
    finally:
        await platform.stop()


async def test_bad_token_fails_start_with_a_hint(fake: FakeDiscord) -> None:
    platform = DiscordPlatform(token=BAD_TOKEN, api_url=fake.api_url, gateway_url=fake.gateway_url)
    with pytest.raises(PlatformError) as raised:
        await platform.start(FakeHandler())
    await platform.stop()
    assert "DISCORD_TOKEN" in raised.value.hint and raised.value.retryable is False


async def test_fetch_application_id(fake: FakeDiscord) -> None:
    assert await fetch_application_id("fake-token", api_url=fake.api_url) == APP_ID
    with pytest.raises(PlatformError):
        await fetch_application_id(BAD_TOKEN, api_url=fake.api_url)


async def test_post_before_start_raises(fake: FakeDiscord) -> None:
    platform = make_platform(fake)
    with pytest.raises(PlatformError):
        await platform.post_digest(str(CHANNEL_ID), digest([item(1)]), Recorder())


async def test_global_commands_stay_when_no_guild_takes_them(
    fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    await run_once(fake)
    await run_once(fake, guild_ids=[1299999999999999999])  # a server the bot is not in
    assert sorted(c["name"] for c in fake.commands[None]) == COMMAND_NAMES
    assert "global ones are left in place" in caplog.text


@pytest.mark.parametrize("env", [{"guild_ids": [GUILD_ID, 1299999999999999999]}], indirect=True)
async def test_refused_command_sync_is_logged_and_the_bot_still_runs(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    assert sorted(c["name"] for c in env.fake.commands[GUILD_ID]) == COMMAND_NAMES
    logged = "\n".join(r.getMessage() for r in caplog.get_records("setup"))
    assert "in guild 1299999999999999999" in logged
    assert "applications.commands" in logged
    record = Recorder()
    await env.platform.post_digest(str(CHANNEL_ID), digest([item(1)]), record)
    assert len(record.calls) == 1


async def test_resolve_invite_url(fake: FakeDiscord) -> None:
    by_token = await resolve_invite_url(token="fake-token", api_url=fake.api_url)
    assert f"client_id={APP_ID}" in by_token
    assert "client_id=42&" in await resolve_invite_url(token=None, app_id=42)
    with pytest.raises(PlatformError):
        await resolve_invite_url(token=None)


async def test_autocomplete_survives_a_failing_core(env: Env) -> None:
    def broken(*args: Any, **kwargs: Any) -> list[Any]:
        raise RuntimeError("store is locked")

    env.handler.known_speakers = broken  # type: ignore[method-assign]
    log = await env.fake.interaction(
        "quote", [option("query", "a", focused=True)], autocomplete=True
    )
    await env.fake.answered(log)
    assert log.callbacks[0]["data"]["choices"] == []


async def test_markdown_in_summaries_and_quotes_is_escaped(env: Env) -> None:
    record = Recorder()
    marked = item(
        1,
        summary=("**Loud** claims, ~~struck~~ and `code`; see https://a.example/x_y.",),
        quotes=(Quote("It is *the* best", "J_Doe"),),
    )
    await env.platform.post_digest(str(CHANNEL_ID), digest([marked]), record)
    description = sent_embeds(env.fake.messages[CHANNEL_ID])[0]["description"]
    assert description == (
        r"\*\*Loud\*\* claims, \~\~struck\~\~ and \`code\`; see https://a.example/x_y."
        "\n\n"
        r"> “It is \*the\* best” — J\_Doe"
    )


async def test_channel_settings_commands_need_manage_server(env: Env) -> None:
    """/feeds set, stop and filter changes reach the core only from Manage Server members; each
    command carries its server, whose channels may be set up in chat."""
    for options in (
        [sub("set", option("key", "digest_cron"), option("value", "0 9 * * *"))],
        [sub("stop")],
        [sub("filter", option("action", "include"), option("entry", "bridge"))],
    ):
        refused = await env.fake.interaction("feeds", options)
        await env.fake.answered(refused)
        assert "Manage Server" in refused.callbacks[0]["data"]["content"]
    assert env.handler.commands == []

    for options in (
        [sub("set", option("key", "timezone"), option("value", "Europe/Berlin"))],
        [sub("filter", option("action", "exclude"), option("entry", "re:^Sponsored"))],
        [sub("settings")],
        [sub("stop")],
    ):
        log = await env.fake.interaction(
            "feeds", options, user_id=ADMIN_ID, permissions=ADMIN_PERMISSIONS
        )
        await env.fake.answered(log)
        assert log.callbacks[0]["data"]["flags"] & EPHEMERAL  # /feeds answers are private
    assert [(c.args, c.user_is_admin, c.workspace) for c in env.handler.commands] == [
        ("set timezone Europe/Berlin", True, str(GUILD_ID)),
        ("filter exclude re:^Sponsored", True, str(GUILD_ID)),
        ("settings", True, str(GUILD_ID)),
        ("stop", True, str(GUILD_ID)),
    ]
