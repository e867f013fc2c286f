"""SlackPlatform against a fake Slack: real slack-bolt / slack_sdk clients, local servers only.

Socket Mode: the fake serves apps.connections.open and a WebSocket that sends `hello` and then
`slash_commands` / `events_api` envelopes, and records the client's acks.
HTTP mode: signed requests are POSTed into the app's own aiohttp server; response_url points at
the fake.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from fakes.slack_server import UNREACHABLE_IMAGE_HOST, FakeSlack, validate_blocks
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.models import Command, Digest, DigestItem, Quote, Reply, Source
from bot.platforms.base import PlatformError, story_keys
from bot.platforms.slack import SlackPlatform
from bot.platforms.slack_input import typed_text

SECRET = "test-signing-secret"
WHEN = datetime(2026, 11, 28, 8, 14, tzinfo=UTC)
COMMANDS = ["summarize", "quote", "ask", "digest", "feeds"]


# ---------------------------------------------------------------------------------------------
# helpers


class FakeHandler:
    """A CommandHandler that records Commands and answers with canned Replies."""

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.replies: dict[str, Reply | Exception] = {}
        self.threads: dict[str, int] = {}

    async def handle(self, command: Command) -> Reply:
        self.commands.append(command)
        reply = self.replies.get(command.name)
        if isinstance(reply, Exception):
            raise reply
        return reply or Reply(text=f"{command.name} answered: {command.args}")

    def known_speakers(self, prefix: str, limit: int = 25) -> list[str]:
        return []

    def latest_digest_items(self, platform: str, target: str) -> list[tuple[int, str]]:
        return []

    def digest_for_message(self, platform: str, message_ref: str) -> int | None:
        assert platform == "slack"
        return self.threads.get(message_ref)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[list[int], str]] = []

    async def __call__(self, items: Sequence[DigestItem], ref: str) -> None:
        self.calls.append(([i.number for i in items], ref))


def make_item(number: int, **overrides: Any) -> DigestItem:
    values: dict[str, Any] = {
        "number": number,
        "article_id": number,
        "title": f"Story {number}",
        "url": f"https://example.com/{number}",
        "source": "Reuters",
        "published": WHEN,
        "summary": ("First sentence.", "Second sentence."),
        "quotes": (Quote("We will see", speaker="Jane Burns"),),
        "also_covered_by": (Source("AP", f"https://ap.example/{number}"),),
    }
    values.update(overrides)
    return DigestItem(**values)


def make_digest(count: int, **overrides: Any) -> Digest:
    items = tuple(make_item(n, **overrides) for n in range(1, count + 1))
    return Digest("news", "Morning brief", WHEN, "Europe/Berlin", items, id=3)


def sign(body: str, timestamp: str, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


async def post_signed(
    platform: SlackPlatform,
    body: str,
    *,
    content_type: str,
    timestamp: str | None = None,
    signature: str | None = None,
) -> tuple[int, str]:
    timestamp = timestamp or str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature or sign(body, timestamp),
    }
    url = f"http://127.0.0.1:{platform.http_port}{platform.http_path}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body.encode(), headers=headers) as response,
    ):
        return response.status, await response.text()


def slash_body(fake: FakeSlack, command: str, text: str = "", **kwargs: Any) -> str:
    return urlencode(fake.slash_payload(command, text, **kwargs))


# ---------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


@pytest.fixture
def handler() -> FakeHandler:
    return FakeHandler()


@pytest.fixture
async def socket_platform(fake: FakeSlack, handler: FakeHandler) -> AsyncIterator[SlackPlatform]:
    platform = SlackPlatform(
        bot_token="xoxb-test",
        app_token="xapp-test",
        api_url=fake.api_url,
        admin_user_ids={"U_CONFIGURED"},
    )
    await platform.start(handler)
    yield platform
    await platform.stop()


@pytest.fixture
async def http_platform(fake: FakeSlack, handler: FakeHandler) -> AsyncIterator[SlackPlatform]:
    platform = SlackPlatform(
        bot_token="xoxb-test",
        signing_secret=SECRET,
        mode="http",
        api_url=fake.api_url,
        http_host="127.0.0.1",
        http_port=0,
        admin_user_ids={"U_CONFIGURED"},
    )
    await platform.start(handler)
    yield platform
    await platform.stop()


@pytest.fixture
async def poster(fake: FakeSlack) -> AsyncIterator[SlackPlatform]:
    """A platform used only for post_digest (no connection needed)."""
    platform = SlackPlatform(bot_token="xoxb-test", app_token="xapp-test", api_url=fake.api_url)
    yield platform
    await platform.stop()


# ---------------------------------------------------------------------------------------------
# digests


async def test_digest_arrives_as_valid_blocks(fake: FakeSlack, poster: SlackPlatform) -> None:
    record = Recorder()
    await poster.post_digest("C_NEWS", make_digest(3), record)
    [call] = fake.calls_to("chat.postMessage")
    assert call.args["channel"] == "C_NEWS"
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert validate_blocks(call.blocks) is None
    assert call.blocks[0]["text"]["text"] == "Morning brief"
    assert "<https://example.com/1|Story 1>" in call.blocks[1]["text"]["text"]
    assert "Reuters \u00b7 28 Nov 09:14 CET" in call.blocks[1]["text"]["text"]
    assert call.args["text"].startswith("Morning brief")
    assert call.args["link_names"] is False and call.args["parse"] == "none"
    assert call.args["unfurl_links"] is False
    assert record.calls == [([1, 2, 3], "C_NEWS:1795000000.000001")]


async def test_long_digest_is_split_and_each_message_recorded(
    fake: FakeSlack, poster: SlackPlatform
) -> None:
    record = Recorder()
    await poster.post_digest("C_NEWS", make_digest(30), record)
    calls = fake.accepted("chat.postMessage")
    assert len(calls) >= 2
    assert len(fake.calls_to("chat.postMessage")) == len(calls)  # none refused
    for call in calls:
        assert validate_blocks(call.blocks) is None
    numbers = [n for numbers, _ in record.calls for n in numbers]
    assert numbers == list(range(1, 31))
    refs = [ref for _, ref in record.calls]
    assert len(set(refs)) == len(calls) and all(r.startswith("C_NEWS:") for r in refs)


async def test_digest_messages_carry_their_story_keys_and_are_found_in_history(
    fake: FakeSlack, poster: SlackPlatform
) -> None:
    digest = make_digest(30)
    await poster.post_digest("C_NEWS", digest, Recorder())
    sent = fake.accepted("chat.postMessage")
    assert len(sent) >= 2
    assert all(c.args["metadata"]["event_type"] == "newsbrief_digest" for c in sent)
    others = [None, {"event_type": "another_app", "event_payload": {"stories": ["x"]}}]
    for n, metadata in enumerate(others):  # a person's message, another app's message
        fake.history["C_NEWS"].append(
            {"ts": f"1795000001.{n:06d}", "at": time.time(), "text": "hi", "metadata": metadata}
        )

    found = await poster.recent_digest_messages("C_NEWS", datetime.now(UTC) - timedelta(days=7))
    assert len(found) == len(sent)
    assert set().union(*(m.stories for m in found)) == set(story_keys(digest.items))
    refs = {f"C_NEWS:{c.response['ts']}" for c in sent}
    assert {m.message_ref for m in found} == refs
    [history] = fake.calls_to("conversations.history")
    assert history.args["channel"] == "C_NEWS"
    assert await poster.recent_digest_messages("C_NEWS", datetime.now(UTC)) == []  # too old


async def test_another_apps_digest_messages_are_not_ours(
    fake: FakeSlack, socket_platform: SlackPlatform
) -> None:
    digest = make_digest(2)
    await socket_platform.post_digest("C_NEWS", digest, Recorder())
    theirs = {"event_type": "newsbrief_digest", "event_payload": {"stories": ["k1", "k2"]}}
    fake.history["C_NEWS"].append(
        {
            "ts": "1795000001.000001",
            "at": time.time(),
            "text": "",
            "metadata": theirs,
            "bot_id": "B_OTHER",
        }
    )
    found = await socket_platform.recent_digest_messages(
        "C_NEWS", datetime.now(UTC) - timedelta(days=1)
    )
    assert [m.stories for m in found] == [frozenset(story_keys(digest.items))]


async def test_unreadable_history_finds_nothing_and_warns_once(
    fake: FakeSlack, poster: SlackPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    fake.no_history.add("C_NEWS")
    await poster.post_digest("C_NEWS", make_digest(2), Recorder())
    since = datetime.now(UTC) - timedelta(days=7)
    with caplog.at_level(logging.WARNING, logger="bot.platforms.slack"):
        assert await poster.recent_digest_messages("C_NEWS", since) == []
        assert await poster.recent_digest_messages("C_NEWS", since) == []
    warnings = [r.getMessage() for r in caplog.records if "history" in r.getMessage()]
    assert len(warnings) == 1
    assert "missing_scope" in warnings[0] and "channels:history" in warnings[0]


async def test_rate_limited_then_success(fake: FakeSlack, poster: SlackPlatform) -> None:
    record = Recorder()
    await poster.post_digest("C_RATELIMIT", make_digest(2), record)
    calls = fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert record.calls == [([1, 2], "C_RATELIMIT:1795000000.000001")]


@pytest.mark.parametrize("channel", ["C_NOTFOUND", "C_NOTIN", "C_ARCHIVED"])
async def test_channel_errors_raise_with_a_hint(
    fake: FakeSlack, poster: SlackPlatform, channel: str, caplog: pytest.LogCaptureFixture
) -> None:
    record = Recorder()
    with pytest.raises(PlatformError) as raised:
        await poster.post_digest(channel, make_digest(2), record)
    error = raised.value
    assert error.retryable is False
    assert error.reason in ("channel_not_found", "not_in_channel", "is_archived")
    if channel != "C_ARCHIVED":
        assert "/invite @newsbrief" in error.hint
    assert record.calls == []
    assert error.hint in caplog.text
    assert "xoxb-test" not in caplog.text


async def test_story_pictures_ride_along_as_image_accessories(
    fake: FakeSlack, poster: SlackPlatform
) -> None:
    record = Recorder()
    digest = make_digest(2, image="https://img.example/pic.jpg")
    await poster.post_digest("C_NEWS", digest, record)
    [call] = fake.accepted("chat.postMessage")
    images = [b["accessory"]["image_url"] for b in call.blocks if "accessory" in b]
    assert images == ["https://img.example/pic.jpg"] * 2
    assert [numbers for numbers, _ in record.calls] == [[1, 2]]


async def test_a_picture_slack_cannot_fetch_costs_the_picture_not_the_stories(
    fake: FakeSlack, poster: SlackPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    record = Recorder()
    digest = make_digest(2, image=f"https://{UNREACHABLE_IMAGE_HOST}/pic.jpg")
    await poster.post_digest("C_NEWS", digest, record)
    refused, accepted = fake.calls_to("chat.postMessage")
    assert refused.response["error"] == "invalid_blocks"
    assert "downloading image failed" in refused.response["errors"][0]
    assert accepted.error is None and validate_blocks(accepted.blocks) is None
    assert all("accessory" not in b for b in accepted.blocks)
    assert accepted.blocks[1]["text"] == refused.blocks[1]["text"]  # the same stories
    assert [numbers for numbers, _ in record.calls] == [[1, 2]]  # recorded once, as posted
    assert "without pictures" in caplog.text


async def test_a_templated_digest_is_accepted_by_slack(
    fake: FakeSlack, poster: SlackPlatform
) -> None:
    items = make_digest(2, title="<!channel> Story").items
    templated = Digest(
        "news", "Brief", WHEN, "Europe/Berlin", items, item_template="{title}: {summary}"
    )
    await poster.post_digest("C_NEWS", templated, Recorder())
    [call] = fake.accepted("chat.postMessage")
    assert call.blocks[1]["text"]["text"].endswith(
        "&lt;!channel&gt; Story: First sentence. Second sentence."
    )


async def test_failed_post_records_only_accepted_messages(
    fake: FakeSlack, poster: SlackPlatform
) -> None:
    record = Recorder()
    with pytest.raises(PlatformError):
        await poster.post_digest("C_FAILAFTER1", make_digest(30), record)
    assert len(fake.accepted("chat.postMessage")) == 1
    [(numbers, ref)] = record.calls
    assert numbers[0] == 1 and numbers[-1] < 30
    assert ref.startswith("C_FAILAFTER1:")


async def test_connection_error_is_a_retryable_platform_error() -> None:
    # nothing listens on port 9 of 127.0.0.1: connection refused, retried, then reported
    platform = SlackPlatform(
        bot_token="xoxb-test", app_token="xapp-test", api_url="http://127.0.0.1:9/api/"
    )
    for handler in platform.client.retry_handlers:
        handler.interval_calculator = FixedValueRetryIntervalCalculator(0.0)  # no real sleeps
    with pytest.raises(PlatformError) as raised:
        await platform.post_digest("C_NEWS", make_digest(1), Recorder())
    assert raised.value.retryable is True


async def test_feed_text_arrives_escaped(fake: FakeSlack, poster: SlackPlatform) -> None:
    hostile = "Breaking <!channel> <!here> <@U1> <!subteam^S1> @here @everyone"
    digest = make_digest(
        1,
        title=hostile,
        summary=(hostile,),
        source=hostile,
        url="https://evil.example/x|<!channel>",
        quotes=(Quote(hostile, speaker=hostile),),
        also_covered_by=(Source(hostile, "https://a.example/>"),),
    )
    await poster.post_digest("C_NEWS", digest, Recorder())
    [call] = fake.calls_to("chat.postMessage")
    payload = json.dumps(call.args, ensure_ascii=False)
    for bad in ("<!channel>", "<!here>", "<@U1>", "<!subteam", "@here", "@everyone"):
        assert bad not in payload
    section = call.blocks[1]["text"]["text"]
    assert "<https://evil.example/x%7C%3C!channel%3E|Breaking &lt;!channel&gt;" in section


async def test_invalid_bot_token_fails_start(fake: FakeSlack, handler: FakeHandler) -> None:
    platform = SlackPlatform(bot_token="xoxb-invalid", app_token="xapp-test", api_url=fake.api_url)
    with pytest.raises(PlatformError) as raised:
        await platform.start(handler)
    assert raised.value.reason == "invalid_auth" and raised.value.retryable is False


async def test_invalid_app_token_fails_start(fake: FakeSlack, handler: FakeHandler) -> None:
    platform = SlackPlatform(
        bot_token="xoxb-test", app_token="not-an-app-token", api_url=fake.api_url
    )
    with pytest.raises(PlatformError) as raised:
        await platform.start(handler)
    assert raised.value.retryable is False
    assert "SLACK_APP_TOKEN" in raised.value.hint
    await platform.stop()


async def test_auth_hints_name_the_variables_the_config_uses(
    fake: FakeSlack, handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    names = {"bot_token_env": "NB_BOT", "app_token_env": "NB_APP"}
    bad_bot = SlackPlatform(
        bot_token="xoxb-invalid", app_token="xapp-test", api_url=fake.api_url, **names
    )
    with pytest.raises(PlatformError) as raised:
        await bad_bot.start(handler)
    assert raised.value.reason == "invalid_auth"
    assert "check NB_BOT " in raised.value.hint and "SLACK_" not in raised.value.hint

    bad_app = SlackPlatform(
        bot_token="xoxb-test", app_token="not-an-app-token", api_url=fake.api_url, **names
    )
    with pytest.raises(PlatformError) as raised:
        await bad_app.start(handler)
    await bad_app.stop()
    assert raised.value.reason == "invalid_auth"
    assert "check NB_APP " in raised.value.hint and "SLACK_" not in raised.value.hint
    assert "SLACK_" not in caplog.text and "NB_APP" in caplog.text

    with pytest.raises(ValueError, match="NB_APP"):
        SlackPlatform(bot_token="xoxb-test", **names)


def test_constructor_validates_mode_and_secrets() -> None:
    with pytest.raises(ValueError, match="app-level token"):
        SlackPlatform(bot_token="xoxb-test")
    with pytest.raises(ValueError, match="SIGNING_SECRET"):
        SlackPlatform(bot_token="xoxb-test", mode="http")
    with pytest.raises(ValueError, match="mode"):
        SlackPlatform(bot_token="xoxb-test", mode="rtm")
    platform = SlackPlatform(bot_token="xoxb-secret", app_token="xapp-secret")
    assert "secret" not in repr(platform)


# ---------------------------------------------------------------------------------------------
# Socket Mode


async def socket_command(fake: FakeSlack, command: str, text: str = "", **kw: Any) -> Any:
    """Send a slash command envelope, check the ack, return the response_url call."""
    before = len(fake.calls_to("response_url"))
    envelope_id = await fake.send_envelope(
        "slash_commands", fake.slash_payload(command, text, **kw)
    )
    ack = await fake.wait_ack(envelope_id)
    assert ack["envelope_id"] == envelope_id
    responses = await fake.wait_for(lambda: fake.calls_to("response_url")[before:] or None)
    return responses[0]


@pytest.mark.parametrize("name", COMMANDS)
async def test_socket_mode_slash_commands(
    fake: FakeSlack, handler: FakeHandler, socket_platform: SlackPlatform, name: str
) -> None:
    text = {"feeds": "list", "ask": "3 what did Burns say?"}.get(name, "some args")
    response = await socket_command(fake, f"/{name}", text)
    [command] = handler.commands
    assert command == Command(
        name=name,
        args=text,
        platform="slack",
        target="C_NEWS",
        user_id="U_USER",
        user_is_admin=False,
        workspace="T_TEST",  # the workspace it came from (its channels may be set up in chat)
    )
    assert response.args["response_type"] == "in_channel"
    assert response.args["text"] == f"{name} answered: {text}"
    assert validate_blocks(response.args["blocks"]) is None
    # only /feeds add|remove look up admin rights
    assert fake.calls_to("users.info") == []


@pytest.mark.parametrize("link_urls", [False, True], ids=["plain-links", "slack-links"])
async def test_typed_text_reaches_the_core_as_typed_and_is_escaped_once_on_the_way_out(
    fake: FakeSlack, handler: FakeHandler, socket_platform: SlackPlatform, link_urls: bool
) -> None:
    typed = "Marks & Spencer <b>shares</b> https://shop.example/a?x=1&y=2 &amp; more"
    response = await socket_command(fake, "/quote", typed, link_urls=link_urls)
    [command] = handler.commands
    assert command.args == typed  # the link as written, the name as written
    # Slack reads entities once: this shows the user exactly what they typed
    shown = "Marks &amp; Spencer &lt;b&gt;shares&lt;/b&gt; https://shop.example/a?x=1&amp;y=2"
    assert response.args["text"] == f"quote answered: {shown} &amp;amp; more"
    assert "&amp;amp; Spencer" not in json.dumps(response.args["blocks"])


def test_slack_markup_becomes_what_the_user_typed() -> None:
    assert typed_text("see <https://a.example/?q=1&amp;r=2|the story> now") == (
        "see https://a.example/?q=1&r=2 now"
    )
    assert typed_text("<mailto:ann@example.com|ann@example.com>") == "ann@example.com"
    assert typed_text("in <#C123|news> by <@U1|ann>") == "in #news by @ann"
    assert typed_text("&lt;!channel&gt; <!here> &amp;lt;") == "<!channel> <!here> &lt;"


async def test_ack_comes_before_a_slow_answer(
    fake: FakeSlack, handler: FakeHandler, socket_platform: SlackPlatform
) -> None:
    """Slack's 3-second rule: ack at once; other commands are not held up meanwhile."""
    gate = asyncio.Event()
    answer = handler.handle

    async def slow_summarize(command: Command) -> Reply:
        if command.name == "summarize":
            await gate.wait()
        return await answer(command)

    handler.handle = slow_summarize  # type: ignore[method-assign]
    slow = await fake.send_envelope("slash_commands", fake.slash_payload("/summarize", "x" * 20))
    await fake.wait_ack(slow)
    assert fake.calls_to("response_url") == []
    quick = await socket_command(fake, "/quote", "Burns")
    assert quick.args["text"] == "quote answered: Burns"
    gate.set()
    await fake.wait_for(lambda: len(fake.calls_to("response_url")) == 2)


async def test_socket_mode_digest_command_renders_the_digest(
    fake: FakeSlack, handler: FakeHandler, socket_platform: SlackPlatform
) -> None:
    handler.replies["digest"] = Reply(text="Morning brief", digest=make_digest(2))
    response = await socket_command(fake, "/digest")
    blocks = response.args["blocks"]
    assert validate_blocks(blocks) is None
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == "Morning brief"
    assert response.args["response_type"] == "in_channel"


@pytest.mark.parametrize(
    ("user", "admin"),
    [("U_ADMIN", True), ("U_OWNER", True), ("U_USER", False), ("U_CONFIGURED", True)],
)
async def test_feeds_add_checks_admin_rights(
    fake: FakeSlack, handler: FakeHandler, socket_platform: SlackPlatform, user: str, admin: bool
) -> None:
    await socket_command(fake, "/feeds", "add https://example.com/rss", user=user)
    [command] = handler.commands
    assert command.user_is_admin is admin
    # configured admins need no users.info call
    assert len(fake.calls_to("users.info")) == (0 if user == "U_CONFIGURED" else 1)


async def test_error_reply_is_ephemeral(
    fake: FakeSlack, handler: FakeHandler, socket_platform: SlackPlatform
) -> None:
    handler.replies["summarize"] = Reply(
        text="That address is not allowed: http://169.254.169.254/", error=True
    )
    response = await socket_command(fake, "/summarize", "http://169.254.169.254/")
    assert response.args["response_type"] == "ephemeral"
    assert response.args["blocks"][0]["text"]["text"].startswith(":warning: That address")


async def test_crash_gives_a_short_ephemeral_reply(
    fake: FakeSlack,
    handler: FakeHandler,
    socket_platform: SlackPlatform,
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler.replies["quote"] = RuntimeError("boom")
    response = await socket_command(fake, "/quote", "Burns")
    assert response.args["response_type"] == "ephemeral"
    assert "went wrong" in response.args["text"]
    assert "boom" not in response.args["text"]
    assert "boom" in caplog.text  # the traceback is logged


async def test_socket_mode_thread_mention_asks_about_the_digest(
    fake: FakeSlack, handler: FakeHandler, socket_platform: SlackPlatform
) -> None:
    handler.threads["C_NEWS:1795000000.000001"] = 42
    handler.replies["ask"] = Reply(
        text="Burns said: we will see",
        quotes=(Quote("We will see", speaker="Jane Burns"),),
        sources=(Source("Reuters", "https://example.com/1"),),
    )
    payload = fake.mention_payload("@newsbrief what did Burns say?", thread_ts="1795000000.000001")
    envelope_id = await fake.send_envelope("events_api", payload)
    await fake.wait_ack(envelope_id)
    [post] = await fake.wait_for(lambda: fake.calls_to("chat.postMessage"))
    [command] = handler.commands
    assert command.name == "ask" and command.args == "what did Burns say?"
    assert command.digest_id == 42 and command.target == "C_NEWS"
    assert post.args["thread_ts"] == "1795000000.000001"
    assert post.args["channel"] == "C_NEWS"
    assert validate_blocks(post.blocks) is None
    assert "*Jane Burns*" in post.blocks[0]["text"]["text"]


async def test_mention_outside_a_thread_is_answered_where_the_user_sees_it(
    fake: FakeSlack, handler: FakeHandler, socket_platform: SlackPlatform
) -> None:
    """A mention in the channel itself has no thread: the help goes to the channel, privately
    (Slack shows nothing for an ephemeral sent into a thread that does not exist)."""
    payload = fake.mention_payload("@newsbrief hello", ts="1795000200.000100")
    envelope_id = await fake.send_envelope("events_api", payload)
    await fake.wait_ack(envelope_id)
    [post] = await fake.wait_for(lambda: fake.calls_to("chat.postEphemeral"))
    assert handler.commands == []
    assert fake.seen_ephemerals() == [post]
    assert post.args["user"] == "U_USER" and post.args["channel"] == "C_NEWS"
    assert "thread_ts" not in post.args
    assert "digest" in post.args["text"] and "/ask" in post.args["text"]
    assert fake.calls_to("chat.postMessage") == []


async def test_mention_in_another_thread_is_answered_in_that_thread(
    fake: FakeSlack, handler: FakeHandler, socket_platform: SlackPlatform
) -> None:
    payload = fake.mention_payload(
        "@newsbrief hello", ts="1795000200.000200", thread_ts="1795000200.000001"
    )
    await fake.wait_ack(await fake.send_envelope("events_api", payload))
    [post] = await fake.wait_for(lambda: fake.calls_to("chat.postEphemeral"))
    assert handler.commands == []
    assert post.args["thread_ts"] == "1795000200.000001"
    assert fake.seen_ephemerals() == [post]


async def test_custom_command_names(fake: FakeSlack, handler: FakeHandler) -> None:
    platform = SlackPlatform(
        bot_token="xoxb-test",
        app_token="xapp-test",
        api_url=fake.api_url,
        command_names={"summarize": "/nb-summarize", "ask": "nb-ask"},
    )
    await platform.start(handler)
    try:
        await socket_command(fake, "/nb-summarize", "hello")
        await socket_command(fake, "/nb-ask", "1 why?")
        await socket_command(fake, "/quote", "Burns")  # untouched default
        assert [c.name for c in handler.commands] == ["summarize", "ask", "quote"]
    finally:
        await platform.stop()


# ---------------------------------------------------------------------------------------------
# HTTP mode

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("name", COMMANDS)
async def test_http_mode_slash_commands(
    fake: FakeSlack, handler: FakeHandler, http_platform: SlackPlatform, name: str
) -> None:
    status, _ = await post_signed(
        http_platform, slash_body(fake, f"/{name}", "list"), content_type=FORM
    )
    assert status == 200  # the ack
    [response] = await fake.wait_for(lambda: fake.calls_to("response_url"))
    [command] = handler.commands
    assert command.name == name and command.args == "list" and command.target == "C_NEWS"
    assert response.args["response_type"] == "in_channel"
    assert validate_blocks(response.args["blocks"]) is None


async def test_http_mode_feeds_remove_by_workspace_admin(
    fake: FakeSlack, handler: FakeHandler, http_platform: SlackPlatform
) -> None:
    body = slash_body(fake, "/feeds", "remove reuters", user="U_ADMIN")
    status, _ = await post_signed(http_platform, body, content_type=FORM)
    assert status == 200
    await fake.wait_for(lambda: fake.calls_to("response_url"))
    assert handler.commands[0].user_is_admin is True


async def test_http_mode_bad_signature_is_rejected(
    fake: FakeSlack, handler: FakeHandler, http_platform: SlackPlatform
) -> None:
    body = slash_body(fake, "/summarize", "x")
    timestamp = str(int(time.time()))
    status, _ = await post_signed(
        http_platform,
        body,
        content_type=FORM,
        timestamp=timestamp,
        signature=sign(body, timestamp, secret="wrong-secret"),
    )
    assert status == 401
    assert handler.commands == []
    assert fake.calls_to("response_url") == []


async def test_http_mode_stale_timestamp_is_rejected(
    fake: FakeSlack, handler: FakeHandler, http_platform: SlackPlatform
) -> None:
    body = slash_body(fake, "/summarize", "x")
    stale = str(int(time.time()) - 600)
    status, _ = await post_signed(
        http_platform, body, content_type=FORM, timestamp=stale, signature=sign(body, stale)
    )
    assert status == 401
    assert handler.commands == []
    assert fake.calls_to("response_url") == []


async def test_http_mode_thread_mention(
    fake: FakeSlack, handler: FakeHandler, http_platform: SlackPlatform
) -> None:
    handler.threads["C_NEWS:1795000000.000009"] = 5
    payload = fake.mention_payload("@newsbrief   who said it?", thread_ts="1795000000.000009")
    status, _ = await post_signed(
        http_platform, json.dumps(payload), content_type="application/json"
    )
    assert status == 200
    [post] = await fake.wait_for(lambda: fake.calls_to("chat.postMessage"))
    assert handler.commands[0].args == "who said it?"
    assert handler.commands[0].digest_id == 5
    assert post.args["thread_ts"] == "1795000000.000009"


async def test_http_mode_error_reply_is_ephemeral(
    fake: FakeSlack, handler: FakeHandler, http_platform: SlackPlatform
) -> None:
    handler.replies["feeds"] = Reply(text="Only workspace admins can add feeds.", error=True)
    status, _ = await post_signed(
        http_platform, slash_body(fake, "/feeds", "add https://x.example/rss"), content_type=FORM
    )
    assert status == 200
    [response] = await fake.wait_for(lambda: fake.calls_to("response_url"))
    assert response.args["response_type"] == "ephemeral"
    assert handler.commands[0].user_is_admin is False


async def test_tokens_never_reach_the_log(
    fake: FakeSlack, handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    for name in (None, "slack_sdk", "slack_bolt", "bot"):  # other tests may have raised these
        caplog.set_level(logging.DEBUG, logger=name)
    platform = SlackPlatform(
        bot_token="xoxb-very-secret", app_token="xapp-very-secret", api_url=fake.api_url
    )
    await platform.start(handler)
    try:
        await socket_command(fake, "/quote", "Burns")
        await platform.post_digest("C_NEWS", make_digest(1), Recorder())
        with pytest.raises(PlatformError):
            await platform.post_digest("C_NOTFOUND", make_digest(1), Recorder())
    finally:
        await platform.stop()
    assert "Sending a request" in caplog.text  # slack_sdk did log at DEBUG
    assert "very-secret" not in caplog.text


async def test_mention_errors_and_empty_questions_go_only_to_the_asker(
    fake: FakeSlack, handler: FakeHandler, socket_platform: SlackPlatform
) -> None:
    thread = "1795000000.000005"
    handler.threads[f"C_NEWS:{thread}"] = 9
    handler.replies["ask"] = Reply(text="I couldn't find anything about that.", error=True)
    question = fake.mention_payload("@newsbrief who?", ts="1795000300.1", thread_ts=thread)
    await fake.wait_ack(await fake.send_envelope("events_api", question))
    [answer] = await fake.wait_for(lambda: fake.calls_to("chat.postEphemeral"))
    assert answer.args["thread_ts"] == thread and answer.args["user"] == "U_USER"
    assert answer.args["text"] == "I couldn't find anything about that."
    assert fake.seen_ephemerals() == [answer]  # the asker replied there: the thread exists

    empty = fake.mention_payload("@newsbrief", ts="1795000300.2", thread_ts=thread)
    await fake.wait_ack(await fake.send_envelope("events_api", empty))
    calls = await fake.wait_for(lambda: fake.calls_to("chat.postEphemeral")[1:])
    assert "Ask me something" in calls[0].args["text"]
    assert len(handler.commands) == 1  # the empty mention never reached the core
    assert fake.calls_to("chat.postMessage") == []
