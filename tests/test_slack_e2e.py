"""End to end: the real core (store, ingest, digests, commands) behind SlackPlatform, fake Slack.

The bundled demo feeds (files, no network) are ingested with a pinned clock; then the digest,
every slash command and a thread mention go through slack-bolt in Socket Mode and HTTP mode.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from fakes.slack_server import FakeSlack, validate_blocks
from httpserver import LocalServer

from bot.app import App
from bot.config import DEMO_DIR, parse_settings
from bot.net import Fetcher
from bot.platforms.slack import SlackPlatform
from bot.store import SqliteStore

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SECRET = "e2e-signing-secret"
CHANNEL = "C_NEWS"


def settings_for(tmp_path: Path, mode: str) -> Any:
    data = {
        "storage": {"path": str(tmp_path / "newsbrief.db")},
        "feeds": [
            {"name": "Herald World", "url": "file:feeds/world.xml", "full_text": False},
            {"name": "Herald Business", "url": "file:feeds/business.atom", "full_text": False},
        ],
        "channels": [
            {
                "name": "news",
                "platform": "slack",
                "target": CHANNEL,
                "timezone": "Europe/Berlin",
                "digest_cron": "0 8 * * *",
                "max_items": 20,
                "exclude": ["re:^Sponsored:", "horoscope"],
            }
        ],
        "slack": {"mode": mode, "admin_user_ids": ["U_CONFIGURED"]},
    }
    return parse_settings(data, base_dir=DEMO_DIR, source="<e2e>")


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


async def make_app(
    tmp_path: Path, fake: FakeSlack, mode: str, *, allow_private_urls: bool = False
) -> tuple[App, SlackPlatform]:
    settings = settings_for(tmp_path, mode)
    s = settings.slack
    platform = SlackPlatform(
        bot_token="xoxb-e2e",
        app_token="xapp-e2e" if s.mode == "socket" else None,
        signing_secret=SECRET if s.mode == "http" else None,
        mode=s.mode,
        api_url=fake.api_url,
        http_host="127.0.0.1",
        http_port=0,
        http_path=s.http_path,
        command_names=s.commands,
        admin_user_ids=s.admin_user_ids,
    )
    app = App(
        settings=settings,
        store=SqliteStore(settings.storage.path),
        feed_fetcher=Fetcher(allow_private=True, allow_file=True),
        url_fetcher=Fetcher(allow_private=allow_private_urls),
        executor=None,
        platforms={"slack": platform},
        clock=lambda: NOW,
    )
    await app.start_platforms()
    await app.ingestor.poll(app.store.feeds())
    return app, platform


@pytest.fixture
async def socket_app(tmp_path: Path, fake: FakeSlack) -> AsyncIterator[App]:
    app, _ = await make_app(tmp_path, fake, "socket")
    yield app
    await app.close()


@pytest.fixture
async def http_app(tmp_path: Path, fake: FakeSlack) -> AsyncIterator[tuple[App, SlackPlatform]]:
    app, platform = await make_app(tmp_path, fake, "http")
    yield app, platform
    await app.close()


async def command(fake: FakeSlack, name: str, text: str = "", **kw: Any) -> dict[str, Any]:
    """A slash command over the Socket Mode WebSocket; returns the response_url payload."""
    before = len(fake.calls_to("response_url"))
    envelope = await fake.send_envelope("slash_commands", fake.slash_payload(name, text, **kw))
    await fake.wait_ack(envelope)
    calls = await fake.wait_for(lambda: fake.calls_to("response_url")[before:], timeout=20)
    assert validate_blocks(calls[0].args["blocks"]) is None
    return calls[0].args


async def test_socket_mode_end_to_end(fake: FakeSlack, socket_app: App) -> None:
    # /digest posts the channel's digest as Block Kit messages and answers the asker privately
    reply = await command(fake, "/digest")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Posted a digest with ")
    posts = fake.accepted("chat.postMessage")
    assert posts and all(validate_blocks(p.blocks) is None for p in posts)
    first = posts[0]
    assert first.args["channel"] == CHANNEL
    assert first.blocks[0]["type"] == "header"
    payload = json.dumps([p.args for p in posts], ensure_ascii=False)
    # the demo's hostile headline arrives escaped
    assert "Huddlepost" in payload
    assert "<!channel>" not in payload and "@everyone" not in payload
    assert "&lt;!channel&gt;" in payload
    # the items are recorded: a second /digest has nothing new
    again = await command(fake, "/digest")
    assert again["text"] == "Nothing new since the last digest."
    assert len(fake.accepted("chat.postMessage")) == len(posts)

    # a question in the digest's thread is answered in that thread, from its articles
    ts = first.response["ts"]
    mention = fake.mention_payload("@newsbrief what did Berg say about the cable?", thread_ts=ts)
    await fake.wait_ack(await fake.send_envelope("events_api", mention))
    answers = await fake.wait_for(
        lambda: [c for c in fake.calls_to("chat.postMessage") if c.args.get("thread_ts") == ts],
        timeout=20,
    )
    assert answers[0].error is None
    assert "Tomas Berg" in json.dumps(answers[0].args, ensure_ascii=False)

    # /ask about an item of the latest digest
    ask = await command(fake, "/ask", "1 who said what?")
    assert ask["response_type"] == "in_channel"
    assert ask["blocks"][0]["text"]["text"].startswith("*<https://www.meridianherald.example/")

    # /quote finds stored quotes with their speakers
    quote = await command(fake, "/quote", "Berg")
    assert quote["response_type"] == "in_channel"
    assert "Tomas Berg" in json.dumps(quote["blocks"], ensure_ascii=False)

    # /summarize refuses the cloud metadata address, privately
    refused = await command(fake, "/summarize", "http://169.254.169.254/")
    assert refused["response_type"] == "ephemeral"
    assert refused["text"].startswith("I can't open that link")

    # /summarize of pasted text works without the network
    text = (
        "The council approved the new budget on Tuesday after a long debate. "
        "The mayor said the plan would fund two new schools and repair the harbour bridge. "
        "Opposition members argued that the tax increase was too steep for small businesses."
    )
    summary = await command(fake, "/summarize", text)
    assert summary["response_type"] == "in_channel"

    # /feeds: everyone may list, only admins may add or remove
    listed = await command(fake, "/feeds", "list")
    assert "Herald World" in listed["text"]
    # /feeds filter shows the channel's filters to anyone, privately
    filters = await command(fake, "/feeds", "filter", user="U_USER")
    assert filters["response_type"] == "ephemeral"
    assert "re:^Sponsored:" in filters["text"] and "horoscope" in filters["text"]
    denied = await command(fake, "/feeds", "remove Herald World", user="U_USER")
    assert denied["response_type"] == "ephemeral"
    assert denied["text"] == "Only admins can add or remove feeds."
    allowed = await command(fake, "/feeds", "remove Herald World", user="U_ADMIN")
    # past the admin gate; config feeds can only be removed in the config
    assert allowed["text"] == "'Herald World' is set in the config file; remove it there."


STORE_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Marks & Spencer to shut 12 city-centre stores | Port Ellery Courier</title>
<meta property="og:title" content="Marks & Spencer to shut 12 city-centre stores">
</head><body><main><article>
<h1>Marks & Spencer to shut 12 city-centre stores</h1>
<p>Marks & Spencer will close twelve of its city-centre stores by next spring, the retailer said
on Tuesday, moving staff to larger shops on the edge of town.</p>
<p>"We are following our customers," said chief executive Ann Holloway, adding that the company
would keep its food halls in the city and open four new ones by the summer.</p>
<p>The closures affect about 900 jobs. Unions said they would ask for talks with the board about
redeployment and redundancy terms for staff who cannot move to the new sites.</p>
<p>Shares in the group rose 3 per cent after the announcement, as analysts welcomed a plan they
said would cut rents and bring the business closer to where people now shop.</p>
</article></main></body></html>"""


async def test_a_typed_link_is_fetched_as_typed_and_its_title_shown_once_escaped(
    tmp_path: Path, fake: FakeSlack
) -> None:
    """Slack escapes `&` in the typed link; the bot unescapes it once, so the page asked for is
    fetched, and the title is escaped once, so the user reads `Marks & Spencer`."""
    app, _ = await make_app(tmp_path, fake, "socket", allow_private_urls=True)
    try:
        async with LocalServer() as site:
            url = site.route("/stores", body=STORE_PAGE, content_type="text/html; charset=utf-8")
            reply = await command(fake, "/summarize", f"{url}?id=12&page=2")
            [request] = site.requests_for("/stores")
        assert request.query == "id=12&page=2"
        title = reply["blocks"][0]["text"]["text"]
        assert title == (
            f"*<{url}?id=12&amp;page=2|Marks &amp; Spencer to shut 12 city-centre stores>*"
        )
    finally:
        await app.close()


def item_numbers(calls: list[Any]) -> list[int]:
    numbers = []
    for call in calls:
        for block in call.blocks:
            if block["type"] == "section":
                match = re.match(r"\*(\d+)\. <", block["text"]["text"])
                numbers += [int(match.group(1))] if match else []
    return numbers


async def test_scheduled_digest_and_pending_items_after_a_failed_post(
    fake: FakeSlack, socket_app: App
) -> None:
    channel = socket_app.settings.channel("news")
    pending = len(socket_app.poster.pending(channel))
    assert pending > 0

    # the scheduled digest fails: nothing is recorded, every story stays pending
    fake.refuse[CHANNEL] = "not_in_channel"
    await socket_app.scheduler.run_digest(channel)
    assert fake.calls_to("chat.postMessage") and fake.accepted("chat.postMessage") == []
    assert len(socket_app.poster.pending(channel)) == pending

    # the next scheduled digest carries them all
    del fake.refuse[CHANNEL]
    await socket_app.scheduler.run_digest(channel)
    posts = fake.accepted("chat.postMessage")
    assert posts and all(validate_blocks(p.blocks) is None for p in posts)
    assert item_numbers(posts) == list(range(1, pending + 1))
    assert socket_app.poster.pending(channel) == []


async def test_digest_command_refused_by_slack_says_what_happens(
    fake: FakeSlack, socket_app: App
) -> None:
    fake.refuse[CHANNEL] = "not_in_channel"
    failed = await command(fake, "/digest")
    assert failed["response_type"] == "ephemeral"
    assert "not_in_channel" in failed["text"] and "stay queued" in failed["text"]
    assert fake.accepted("chat.postMessage") == []


def sign(body: str, timestamp: str, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


async def post_signed(
    platform: SlackPlatform, body: str, content_type: str, secret: str = SECRET
) -> int:
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(body, timestamp, secret),
    }
    url = f"http://127.0.0.1:{platform.http_port}{platform.http_path}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body.encode(), headers=headers) as response,
    ):
        return response.status


async def test_http_mode_end_to_end(fake: FakeSlack, http_app: tuple[App, SlackPlatform]) -> None:
    _, platform = http_app
    form = "application/x-www-form-urlencoded"
    body = urlencode(fake.slash_payload("/digest", ""))
    assert await post_signed(platform, body, form, secret="wrong") == 401
    assert fake.calls_to("chat.postMessage") == []

    assert await post_signed(platform, body, form) == 200
    [reply] = await fake.wait_for(lambda: fake.calls_to("response_url"), timeout=20)
    assert reply.args["text"].startswith("Posted a digest with ")
    posts = fake.accepted("chat.postMessage")
    assert posts and all(validate_blocks(p.blocks) is None for p in posts)

    ts = posts[0].response["ts"]
    mention = fake.mention_payload("@newsbrief what did Helena Marsh say?", thread_ts=ts)
    assert await post_signed(platform, json.dumps(mention), "application/json") == 200
    answers = await fake.wait_for(
        lambda: [c for c in fake.calls_to("chat.postMessage") if c.args.get("thread_ts") == ts],
        timeout=20,
    )
    assert "Helena Marsh" in json.dumps(answers[0].args, ensure_ascii=False)


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_run_forever_posts_the_missed_digest_and_answers(
    tmp_path: Path, fake: FakeSlack, mode: str
) -> None:
    """What `newsbrief run` does, with the platform built here instead of from the environment."""
    app, platform = await make_app(tmp_path, fake, mode)
    channel = app.settings.channel("news")
    app.store.set_last_fire(channel.name, NOW - timedelta(days=1))  # today's 08:00 was missed
    stop = asyncio.Event()
    app.start_platforms = _noop  # type: ignore[method-assign]  (make_app started it already)
    runner = asyncio.create_task(app.run_forever(stop))
    try:
        posts = await fake.wait_for(lambda: fake.accepted("chat.postMessage"), timeout=20)
        assert all(validate_blocks(p.blocks) is None for p in posts)
        assert posts[0].blocks[0]["type"] == "header"
        await eventually(lambda: app.poster.pending(channel) == [])  # recorded after the post
        # and it answers commands while running
        if mode == "socket":
            reply = await command(fake, "/feeds", "list")
        else:
            body = urlencode(fake.slash_payload("/feeds", "list"))
            assert await post_signed(platform, body, "application/x-www-form-urlencoded") == 200
            [call] = await fake.wait_for(lambda: fake.calls_to("response_url"), timeout=20)
            reply = call.args
        assert "Herald World" in reply["text"]
    finally:
        stop.set()
        await asyncio.wait_for(runner, 20)
        await app.close()


async def _noop() -> None:
    return None


async def eventually(predicate: Any, timeout: float = 10.0) -> None:
    """Poll a condition that no server call signals (here: the store write after a post)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)
