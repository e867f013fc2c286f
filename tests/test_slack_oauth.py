"""Slack for many workspaces (install = "oauth"), end to end against the fake Slack: the real
core, slack-bolt's OAuth flow on newsbrief's database, signed requests over HTTP.

A browser's part is played by an aiohttp client that follows each redirect by hand and carries
the state cookie, as a browser does."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from fakes.slack_server import FakeSlack, validate_blocks
from stores import StoreBackend

from bot.app import App
from bot.config import DEFAULT_SLACK_SCOPES, DEMO_DIR, ConfigError, parse_settings
from bot.net import Fetcher
from bot.platforms.slack import SlackPlatform
from bot.platforms.slack_oauth import SlackOAuthConfig
from bot.store import SqliteStore

SECRET = "oauth-signing-secret"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
FORM = "application/x-www-form-urlencoded"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def settings_for(db: StoreBackend) -> Any:
    data = {
        "storage": db.storage_config(),
        "feeds": [
            {"name": "Herald World", "url": "file:feeds/world.xml", "full_text": False},
            {"name": "Herald Business", "url": "file:feeds/business.atom", "full_text": False},
        ],
        "slack": {"mode": "http", "install": "oauth"},
    }
    return parse_settings(data, base_dir=DEMO_DIR, source="<oauth>")


async def make_app(db: StoreBackend, fake: FakeSlack, clock: Clock) -> tuple[App, SlackPlatform]:
    """An instance on the database `db` (installations and states live there, on each store)."""
    settings = settings_for(db)
    store = db.open()
    platform = SlackPlatform(
        signing_secret=SECRET,
        mode="http",
        install="oauth",
        oauth=SlackOAuthConfig(
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            store=store,
            scopes=settings.slack.scopes,
            authorization_url=f"{fake.base}/oauth/v2/authorize",
            clock=clock,
        ),
        api_url=fake.api_url,
        http_host="127.0.0.1",
        http_port=0,
    )
    app = App(
        settings=settings,
        store=store,
        feed_fetcher=Fetcher(allow_private=True, allow_file=True),
        url_fetcher=Fetcher(),
        executor=None,
        platforms={"slack": platform},
        clock=clock,
    )
    await app.start_platforms()
    return app, platform


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def served(
    store_backend: StoreBackend, fake: FakeSlack, clock: Clock
) -> AsyncIterator[tuple[App, SlackPlatform]]:
    app, platform = await make_app(store_backend, fake, clock)
    fake.redirect_url = url(platform, "/slack/oauth_redirect")  # the app's Redirect URL
    await app.ingestor.poll(app.store.feeds())
    yield app, platform
    await app.close()


def url(platform: SlackPlatform, path: str) -> str:
    return f"http://127.0.0.1:{platform.http_port}{path}"


async def start_install(platform: SlackPlatform) -> tuple[str, str]:
    """GET /slack/install: the redirect to Slack's consent page and the state cookie."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(url(platform, "/slack/install"), allow_redirects=False) as response,
    ):
        assert response.status == 302
        cookie = response.headers["Set-Cookie"].split(";")[0]
        return response.headers["Location"], cookie


async def consent(fake: FakeSlack, authorize_url: str, team: str) -> str:
    """The workspace's user approves on Slack's page; returns where Slack sends the browser."""
    fake.authorize_as = team
    async with (
        aiohttp.ClientSession() as session,
        session.get(authorize_url, allow_redirects=False) as response,
    ):
        assert response.status == 302
        return response.headers["Location"]


async def finish_install(redirect: str, cookie: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(redirect, headers={"Cookie": cookie}, allow_redirects=False) as response,
    ):
        return response.status, await response.text()


async def install(fake: FakeSlack, platform: SlackPlatform, team: str) -> None:
    authorize_url, cookie = await start_install(platform)
    status, page = await finish_install(await consent(fake, authorize_url, team), cookie)
    assert status == 200, page


def sign(body: str, timestamp: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()


async def post_signed(platform: SlackPlatform, body: str, content_type: str) -> int:
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(body, timestamp),
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(url(platform, "/slack/events"), data=body.encode(), headers=headers) as r,
    ):
        return r.status


async def slash(
    fake: FakeSlack, platform: SlackPlatform, command: str, text: str, **kw: Any
) -> dict[str, Any]:
    """A signed slash command; returns what the app sent to its response_url."""
    token = f"r{len(fake.calls)}"
    before = len(fake.calls_to("response_url"))
    body = urlencode(fake.slash_payload(command, text, response_token=token, **kw))
    assert await post_signed(platform, body, FORM) == 200
    calls = await fake.wait_for(lambda: fake.calls_to("response_url")[before:], timeout=20)
    return calls[0].args


async def eventually(predicate: Any, timeout: float = 10.0) -> None:
    """Poll a condition that no server call signals (a store write after an event's ack)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_install_then_commands_and_digests_use_the_workspaces_token(
    fake: FakeSlack, served: tuple[App, SlackPlatform]
) -> None:
    app, platform = served
    authorize_url, cookie = await start_install(platform)
    asked = parse_qs(urlsplit(authorize_url).query)
    assert authorize_url.startswith(f"{fake.base}/oauth/v2/authorize?")
    assert asked["client_id"] == [fake.client_id]
    assert asked["scope"] == [",".join(DEFAULT_SLACK_SCOPES)]
    assert cookie == f"slack-app-oauth-state={asked['state'][0]}"

    status, page = await finish_install(await consent(fake, authorize_url, "T_ONE"), cookie)
    assert status == 200 and "Thank you!" in page
    [token] = fake.tokens_of("T_ONE")
    bot = app.store.slack_bot("", "T_ONE")
    assert bot is not None and bot.bot_token == token and bot.bot_id == "B_T_ONE"
    assert bot.installer_user_id == "U_INSTALLER_T_ONE"

    # a workspace admin sets the channel up in chat; users.info asks with T_ONE's token
    reply = await slash(
        fake,
        platform,
        "/feeds",
        "set digest_cron 0 8 * * *",
        team="T_ONE",
        channel="C_ONE",
        user="U_ADMIN",
    )
    assert reply["text"].startswith("Saved: digest_cron = 0 8 * * *."), reply["text"]
    assert [c.token for c in fake.calls_to("users.info")] == [token]
    assert "digest:slack@T_ONE:C_ONE" in {j.id for j in app.scheduler.scheduler.get_jobs()}

    reply = await slash(fake, platform, "/digest", "", team="T_ONE", channel="C_ONE")
    assert reply["text"].startswith("Posted a digest with "), reply["text"]
    posts = fake.accepted("chat.postMessage")
    assert posts and {(p.args["channel"], p.token) for p in posts} == {("C_ONE", token)}
    assert all(validate_blocks(p.blocks) is None for p in posts)
    assert {c.token for c in fake.calls_to("conversations.history")} == {token}


async def test_two_workspaces_each_get_their_own_token(
    fake: FakeSlack, served: tuple[App, SlackPlatform]
) -> None:
    app, platform = served
    await install(fake, platform, "T_ONE")
    await install(fake, platform, "T_TWO")
    [one], [two] = fake.tokens_of("T_ONE"), fake.tokens_of("T_TWO")
    for team, channel in (("T_ONE", "C_ONE"), ("T_TWO", "C_TWO")):
        reply = await slash(
            fake,
            platform,
            "/feeds",
            "set max_items 2",
            team=team,
            channel=channel,
            user="U_ADMIN",
        )
        assert reply["text"] == "Saved: max_items = 2.", reply["text"]
    assert [c.token for c in fake.calls_to("users.info")] == [one, two]

    # the scheduled digests, as the scheduler runs them
    for channel in app.scheduler.channels.all():
        await app.scheduler.run_digest(channel)
    posts = fake.accepted("chat.postMessage")
    assert {(p.args["channel"], p.token) for p in posts} == {("C_ONE", one), ("C_TWO", two)}
    # and a mention in a digest's thread is answered with that workspace's token
    ts = next(p.response["ts"] for p in posts if p.args["channel"] == "C_TWO")
    mention = fake.mention_payload(
        "@newsbrief what did Helena Marsh say?", channel="C_TWO", thread_ts=ts
    )
    mention["team_id"] = mention["authorizations"][0]["team_id"] = "T_TWO"
    assert await post_signed(platform, json.dumps(mention), "application/json") == 200
    answers = await fake.wait_for(
        lambda: [
            c
            for c in fake.calls
            if c.method in ("chat.postMessage", "chat.postEphemeral")
            and c.args.get("thread_ts") == ts
        ]
    )
    assert answers[0].token == two


async def test_a_bad_reused_or_expired_state_is_refused(
    fake: FakeSlack, served: tuple[App, SlackPlatform], clock: Clock
) -> None:
    app, platform = served
    # a state newsbrief never issued (with a cookie to match, as an attacker could set)
    authorize_url, _ = await start_install(platform)
    forged = (await consent(fake, authorize_url, "T_ONE")).replace("state=", "state=x")
    forged_state = parse_qs(urlsplit(forged).query)["state"][0]
    status, _ = await finish_install(forged, f"slack-app-oauth-state={forged_state}")
    assert status == 401
    # the right state without the browser's cookie
    authorize_url, cookie = await start_install(platform)
    redirect = await consent(fake, authorize_url, "T_ONE")
    assert (await finish_install(redirect, "other=1"))[0] == 400
    # used once, then refused
    assert (await finish_install(redirect, cookie))[0] == 200
    assert (await finish_install(redirect, cookie))[0] == 401
    # issued, then too late (states live 10 minutes)
    authorize_url, cookie = await start_install(platform)
    redirect = await consent(fake, authorize_url, "T_TWO")
    clock.now += timedelta(seconds=601)
    assert (await finish_install(redirect, cookie))[0] == 401

    assert [b.team_id for b in app.store.slack_bots()] == ["T_ONE"]
    assert len(fake.calls_to("oauth.v2.access")) == 1  # refused states never reach Slack


async def test_uninstall_and_revoked_tokens_stop_the_workspace(
    fake: FakeSlack, served: tuple[App, SlackPlatform]
) -> None:
    app, platform = served
    for team, channel in (("T_ONE", "C_ONE"), ("T_TWO", "C_TWO"), ("T_THREE", "C_THREE")):
        await install(fake, platform, team)
        await slash(
            fake,
            platform,
            "/feeds",
            "set cron 0 8 * * *",
            team=team,
            channel=channel,
            user="U_ADMIN",
        )

    event = fake.uninstall("T_ONE")
    assert await post_signed(platform, json.dumps(event), "application/json") == 200
    await eventually(lambda: app.store.slack_bot("", "T_ONE") is None)
    await eventually(lambda: app.store.chat_channel("slack", "C_ONE") is None)
    event = fake.revoke_bot("T_TWO")
    assert await post_signed(platform, json.dumps(event), "application/json") == 200
    await eventually(lambda: app.store.chat_channel("slack", "C_TWO") is None)
    assert app.store.slack_bot("", "T_TWO") is None

    jobs = {j.id for j in app.scheduler.scheduler.get_jobs() if j.id.startswith("digest:")}
    assert jobs == {"digest:slack@T_THREE:C_THREE"}
    # a command from the uninstalled workspace is not served (bolt finds no installation)
    reply = await slash(fake, platform, "/digest", "", team="T_ONE", channel="C_ONE")
    assert "no longer available" in reply["text"]
    for channel in app.scheduler.channels.all():
        await app.scheduler.run_digest(channel)
    assert {p.args["channel"] for p in fake.accepted("chat.postMessage")} == {"C_THREE"}


async def test_instances_behind_one_load_balancer_share_installs_and_states(
    store_backend: StoreBackend, fake: FakeSlack, clock: Clock
) -> None:
    """The install starts on one instance and finishes on another; commands and posts work
    from either, because states and installations live in the shared database."""
    db = store_backend
    first, first_platform = await make_app(db, fake, clock)
    second, second_platform = await make_app(db, fake, clock)
    try:
        fake.redirect_url = url(second_platform, "/slack/oauth_redirect")
        authorize_url, cookie = await start_install(first_platform)
        status, _ = await finish_install(await consent(fake, authorize_url, "T_ONE"), cookie)
        assert status == 200
        [token] = fake.tokens_of("T_ONE")
        await first.ingestor.poll(first.store.feeds())
        reply = await slash(
            fake,
            first_platform,
            "/feeds",
            "set cron 0 8 * * *",
            team="T_ONE",
            channel="C_ONE",
            user="U_ADMIN",
        )
        assert reply["text"].startswith("Saved"), reply["text"]
        reply = await slash(fake, second_platform, "/digest", "", team="T_ONE", channel="C_ONE")
        assert reply["text"].startswith("Posted a digest with "), reply["text"]
        assert {p.token for p in fake.accepted("chat.postMessage")} == {token}
        # the other instance schedules the channel at its next minute check
        await second.scheduler._alerts_job()
        second_jobs = {j.id for j in second.scheduler.scheduler.get_jobs()}
        assert "digest:slack@T_ONE:C_ONE" in second_jobs
    finally:
        await first.close()
        await second.close()


async def test_tokens_and_the_client_secret_never_reach_the_log(
    fake: FakeSlack, served: tuple[App, SlackPlatform], caplog: pytest.LogCaptureFixture
) -> None:
    for name in (None, "slack_sdk", "slack_bolt", "bot"):
        caplog.set_level(logging.DEBUG, logger=name)
    _, platform = served
    await install(fake, platform, "T_ONE")
    await slash(
        fake,
        platform,
        "/feeds",
        "set cron 0 8 * * *",
        team="T_ONE",
        channel="C_ONE",
        user="U_ADMIN",
    )
    await slash(fake, platform, "/digest", "", team="T_ONE", channel="C_ONE")
    assert "Sending a request" in caplog.text  # slack_sdk did log at DEBUG
    [token] = fake.tokens_of("T_ONE")
    assert token not in caplog.text
    assert fake.client_secret not in caplog.text
    assert fake.client_secret not in repr(platform) + repr(platform._oauth)


def test_oauth_needs_http_mode_and_chat_channels() -> None:
    feeds = [{"name": "f", "url": "https://a.example/rss"}]
    with pytest.raises(ConfigError, match='needs mode = "http"'):
        parse_settings({"feeds": feeds, "slack": {"install": "oauth"}}, base_dir=Path("."))
    channels = [{"name": "c", "platform": "slack", "target": "C1"}]
    with pytest.raises(ConfigError, match=r"channels\[0\]\.platform: .*set up in chat"):
        parse_settings(
            {
                "feeds": feeds,
                "channels": channels,
                "slack": {"mode": "http", "install": "oauth"},
            },
            base_dir=Path("."),
        )
    with pytest.raises(ConfigError, match="slack.install: expected 'single' or 'oauth'"):
        parse_settings({"feeds": feeds, "slack": {"install": "many"}}, base_dir=Path("."))
    settings = parse_settings(
        {"feeds": feeds, "slack": {"mode": "http", "install": "oauth"}}, base_dir=Path(".")
    )
    assert settings.chat_channels("slack") and not settings.chat_channels("discord")


def test_the_factory_reads_the_client_credentials_from_the_named_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.app import build_platforms

    settings = parse_settings(
        {
            "storage": {"path": str(tmp_path / "nb.db")},
            "feeds": [{"name": "f", "url": "https://a.example/rss"}],
            "slack": {
                "mode": "http",
                "install": "oauth",
                "client_id_env": "MY_CLIENT_ID",
                "client_secret_env": "MY_CLIENT_SECRET",
            },
        },
        base_dir=tmp_path,
    )
    store = SqliteStore(settings.storage.path)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("MY_CLIENT_ID", "1.2")
    with pytest.raises(ConfigError, match="MY_CLIENT_SECRET is not set"):
        build_platforms(settings, store)
    monkeypatch.setenv("MY_CLIENT_SECRET", "very-secret-value")
    platform = build_platforms(settings, store)["slack"]
    assert isinstance(platform, SlackPlatform) and platform.install == "oauth"
    assert platform._oauth is not None
    assert platform._oauth.authorization_url == "https://slack.com/oauth/v2/authorize"
    assert "very-secret-value" not in repr(platform._oauth)


def test_the_client_secret_is_one_of_the_secrets_the_log_hides() -> None:
    from bot.logs import secret_env_names

    settings = parse_settings(
        {
            "feeds": [{"name": "f", "url": "https://a.example/rss"}],
            "slack": {"mode": "http", "install": "oauth", "client_secret_env": "NB_SECRET"},
        },
        base_dir=Path("."),
    )
    assert "NB_SECRET" in secret_env_names(settings)
