"""Channels set up in chat (/feeds settings | set | filter ... | stop), kept in the database,
checked as the config file's [[channels]] are, and scheduled next to them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from httpserver import LocalServer
from stores import StoreBackend
from test_ingest import OTHER, STORY, rss

from bot import messages as msg
from bot.app import App
from bot.config import ConfigError, parse_settings
from bot.models import Command, Digest, DigestItem
from bot.net import Fetcher
from bot.platforms.base import ChatPlatform, RecordPosted

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday


class RecordingPlatform(ChatPlatform):
    """The core's seam, recording what it is asked to post (no chat server involved)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.posts: list[tuple[str, list[str]]] = []

    async def start(self, handler: Any) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def post_digest(self, target: str, digest: Digest, record: RecordPosted) -> None:
        items: Sequence[DigestItem] = digest.items
        self.posts.append((target, [i.title for i in items]))
        await record(items, f"{target}:{len(self.posts)}")


def settings_for(
    tmp_path: Path, feed_url: str, *, chat: bool = True, storage: dict[str, str] | None = None
) -> Any:
    return parse_settings(
        {
            "storage": storage or {"path": str(tmp_path / "nb.db")},
            "feeds": [{"name": "Courier", "url": feed_url, "full_text": False}],
            "channels": [{"name": "configured", "platform": "slack", "target": "C_CONF"}],
            "slack": {"chat_channels": chat},
            "discord": {"chat_channels": chat},
        },
        base_dir=tmp_path,
    )


@pytest.fixture
async def app(
    tmp_path: Path, http_server: LocalServer, store_backend: StoreBackend
) -> AsyncIterator[App]:
    """The bot on each store: chat channels, their leases and their feeds live in it."""
    feed = http_server.route(
        "/feed.xml",
        body=rss(
            [
                ("1", "https://news.example/bridge", "Harbour bridge to be replaced", STORY),
                ("2", "https://news.example/camera", "Observatory camera sees whole sky", OTHER),
            ]
        ),
    )
    settings = settings_for(tmp_path, feed, storage=store_backend.storage_config())
    application = App.from_settings(
        settings,
        platforms={"slack": RecordingPlatform("slack"), "discord": RecordingPlatform("discord")},
        executor=None,
        clock=lambda: NOW,
    )
    await application.ingestor.poll(application.store.feeds())
    application.scheduler.sync_channel_jobs()  # what start() does (its jobs stay unstarted)
    yield application
    await application.close()


def slack(args: str, *, channel: str = "C1", team: str = "T1", admin: bool = True) -> Command:
    return Command(
        name="feeds",
        args=args,
        platform="slack",
        target=channel,
        user_id="U_A",
        user_is_admin=admin,
        workspace=team,
    )


def digest_jobs(app: App) -> dict[str, Any]:
    return {j.id: j for j in app.scheduler.scheduler.get_jobs() if j.id.startswith("digest:")}


def next_fire(job: Any) -> datetime:
    return job.trigger.get_next_fire_time(None, NOW)


async def test_a_bad_value_gets_the_config_files_words_and_nothing_is_saved(app: App) -> None:
    reply = await app.handlers.handle(slack("set timezone Europe/Berln"))
    with pytest.raises(ConfigError) as in_file:
        parse_settings(
            {
                "feeds": [{"name": "f", "url": "https://a.example/rss"}],
                "channels": [{"name": "c", "timezone": "Europe/Berln"}],
            },
            base_dir=Path("."),
        )
    assert reply.error
    assert reply.text == msg.CHANNEL_BAD_VALUE.format(
        error=str(in_file.value).removeprefix("channels[0].")
    )
    assert reply.text.endswith("timezone: unknown time zone 'Europe/Berln'")
    for args, words in (
        ("set digest_cron 0 25 * * *", "digest_cron: invalid cron expression '0 25 * * *'"),
        ("set max_items ten", "max_items: expected an integer, got 'ten'"),
        ("set max_items 90", "max_items: expected between 1 and 50, got 90"),
        ("set mode loud", "mode: expected one of digest, alerts, got 'loud'"),
        ("set feeds Courier, Nope", "feeds[1]: unknown feed 'Nope'"),
        ("filter include re:(unclosed", "include[0]: "),
    ):
        bad = await app.handlers.handle(slack(args))
        assert bad.error and words in bad.text, (args, bad.text)
    assert app.store.chat_channels() == []
    unknown = await app.handlers.handle(slack("set colour blue"))
    assert unknown.error and "'colour' is not a channel setting" in unknown.text


async def test_who_may_change_what(app: App) -> None:
    member = await app.handlers.handle(slack("set digest_cron 0 9 * * *", admin=False))
    assert member.error and member.text == msg.CHANNEL_ADMIN_ONLY
    configured = await app.handlers.handle(slack("set digest_cron 0 9 * * *", channel="C_CONF"))
    assert configured.error and "config file (channel 'configured')" in configured.text
    shown = await app.handlers.handle(slack("settings", channel="C_CONF", admin=False))
    assert not shown.error and "from the config file" in shown.text
    not_yet = await app.handlers.handle(slack("settings", admin=False))
    assert not_yet.error and not_yet.text == msg.CHANNEL_NOT_SET_UP
    digest = await app.handlers.handle(Command(name="digest", platform="slack", target="C1"))
    assert digest.error and digest.text == msg.CHANNEL_NOT_SET_UP  # says how to start one
    assert app.store.chat_channels() == []


async def test_chat_channels_stay_off_unless_the_config_allows_them(
    tmp_path: Path, http_server: LocalServer
) -> None:
    settings = settings_for(tmp_path, http_server.url("/none.xml"), chat=False)
    off = App.from_settings(
        settings, platforms={"slack": RecordingPlatform("slack")}, executor=None, clock=lambda: NOW
    )
    try:
        refused = await off.handlers.handle(slack("set digest_cron 0 9 * * *"))
        assert refused.error and 'platform = "slack", target = "C1"' in refused.text
        add = await off.handlers.handle(slack("add https://a.example/rss"))
        assert add.error and add.text == msg.FEEDS_NO_CHANNEL  # as before chat channels
        assert off.store.chat_channels() == []
    finally:
        await off.close()


async def test_set_up_in_chat_then_scheduled_and_rescheduled(app: App) -> None:
    assert set(digest_jobs(app)) == {"digest:configured"}
    saved = await app.handlers.handle(slack("set cron 30 7 * * *"))
    assert not saved.error, saved.text
    assert saved.text.startswith("Saved: digest_cron = 30 7 * * *.")
    assert "next: Wed 02 Dec 07:30" in saved.text
    job = digest_jobs(app)["digest:slack@T1:C1"]
    assert next_fire(job) == datetime(2026, 12, 2, 7, 30, tzinfo=UTC)

    await app.handlers.handle(slack("set timezone Europe/Berlin"))
    job = digest_jobs(app)["digest:slack@T1:C1"]
    assert next_fire(job) == datetime(2026, 12, 2, 6, 30, tzinfo=UTC)  # 07:30 in Berlin

    shown = await app.handlers.handle(slack("settings", admin=False))
    assert "digest_cron: 30 7 * * *" in shown.text and "timezone: Europe/Berlin" in shown.text
    reset = await app.handlers.handle(slack("set timezone -"))
    assert reset.text == msg.CHANNEL_RESET.format(key="timezone")
    assert next_fire(digest_jobs(app)["digest:slack@T1:C1"]).hour == 7

    await app.handlers.handle(slack("set mode alerts"))
    assert "digest:slack@T1:C1" not in digest_jobs(app)  # alerts: no digest time
    await app.handlers.handle(slack("set mode digest"))
    assert "digest:slack@T1:C1" in digest_jobs(app)
    stopped = await app.handlers.handle(slack("stop"))
    assert stopped.text == msg.CHANNEL_STOPPED
    assert set(digest_jobs(app)) == {"digest:configured"}
    assert app.store.chat_channels() == []


async def test_a_chat_channels_digest_follows_its_own_settings(app: App) -> None:
    await app.handlers.handle(slack("set max_items 1"))
    await app.handlers.handle(slack("set title Harbour watch"))
    await app.handlers.handle(slack("filter include observatory"))
    reply = await app.handlers.handle(
        Command(name="digest", platform="slack", target="C1", workspace="T1")
    )
    assert not reply.error, reply.text
    slack_platform = app.platforms["slack"]
    assert isinstance(slack_platform, RecordingPlatform)
    assert slack_platform.posts == [("C1", ["Observatory camera sees whole sky"])]
    # /ask finds the chat channel's digest too
    ask = await app.handlers.handle(
        Command(name="ask", args="1 what does it see?", platform="slack", target="C1")
    )
    assert "There is no digest" not in ask.text


async def test_filters_are_edited_in_chat(app: App) -> None:
    await app.handlers.handle(slack("filter include harbour bridge"))
    await app.handlers.handle(slack("filter exclude re:^Sponsored"))
    shown = await app.handlers.handle(slack("filter", admin=False))
    assert shown.text.splitlines() == [
        msg.FILTERS_HEADER_CHAT,
        msg.FILTERS_INCLUDE,
        "  harbour bridge",
        msg.FILTERS_EXCLUDE,
        "  re:^Sponsored",
    ]
    member = await app.handlers.handle(slack("filter include more", admin=False))
    assert member.error and member.text == msg.CHANNEL_ADMIN_ONLY
    missing = await app.handlers.handle(slack("filter remove nothing"))
    assert missing.error and "No filter entry 'nothing'" in missing.text
    await app.handlers.handle(slack("filter remove harbour bridge"))
    [record] = app.store.chat_channels()
    assert record.values == {"exclude": ("re:^Sponsored",)}
    await app.handlers.handle(slack("filter clear"))
    assert (await app.handlers.handle(slack("filter"))).text == msg.FILTERS_NONE


async def test_an_admins_first_feed_starts_the_channel(app: App, http_server: LocalServer) -> None:
    extra = http_server.route(
        "/extra.xml", body=rss([("x", "https://n.example/x", "Extra", OTHER)])
    )
    app.handlers.url_fetcher = Fetcher(allow_private=True)
    try:
        added = await app.handlers.handle(slack(f"add {extra} Extra news"))
    finally:
        await app.handlers.url_fetcher.close()
    assert not added.error, added.text
    [record] = app.store.chat_channels()
    assert record.name == "slack@T1:C1" and record.workspace == "T1"
    listed = await app.handlers.handle(slack("list", admin=False))
    assert "Extra news" in listed.text and "Courier" in listed.text


async def test_leaving_a_workspace_forgets_only_its_channels(app: App) -> None:
    await app.handlers.handle(slack("set cron 0 9 * * *", channel="C1", team="T1"))
    await app.handlers.handle(slack("set cron 0 9 * * *", channel="C2", team="T2"))
    discord = Command(
        name="feeds",
        args="set cron 0 9 * * *",
        platform="discord",
        target="555",
        user_is_admin=True,
        workspace="T1",
    )
    assert not (await app.handlers.handle(discord)).error
    app.handlers.forget_workspace("slack", "T1")
    assert [r.name for r in app.store.chat_channels()] == ["discord@T1:555", "slack@T2:C2"]
    assert set(digest_jobs(app)) == {
        "digest:configured",
        "digest:slack@T2:C2",
        "digest:discord@T1:555",
    }


async def test_a_change_made_by_another_instance_is_scheduled_within_a_minute(app: App) -> None:
    """Behind a load balancer the command may reach another process: the store is shared, and
    the scheduler's minute job picks the change up."""
    app.store.save_chat_channel(
        name="slack@T9:C9",
        platform="slack",
        workspace="T9",
        target="C9",
        values={"digest_cron": "15 6 * * *"},
        updated_by="U_X",
        now=NOW,
    )
    assert "digest:slack@T9:C9" not in digest_jobs(app)
    await app.scheduler._alerts_job()
    assert next_fire(digest_jobs(app)["digest:slack@T9:C9"]).hour == 6
    found = app.handlers.channels.channel_for("slack", "C9")
    assert found is not None and found.digest_cron == "15 6 * * *"


async def test_a_digest_another_instance_is_posting_is_not_posted_twice(app: App) -> None:
    """Instances behind one load balancer share the database: a /digest served by one while
    another posts the channel's digest waits for the next one instead of posting the same
    stories again."""
    platform = app.platforms["slack"]
    assert isinstance(platform, RecordingPlatform)
    await app.handlers.handle(slack("set cron 0 8 * * *"))
    name = "slack@T1:C1"
    later = NOW.replace(hour=10)
    assert app.store.claim_channel(name, owner="other", until=later, now=NOW)
    busy = await app.handlers.handle(
        Command(name="digest", platform="slack", target="C1", workspace="T1")
    )
    assert busy.error and "another newsbrief instance is posting" in busy.text
    assert platform.posts == []
    app.store.release_channel(name, owner="other")
    posted = await app.handlers.handle(
        Command(name="digest", platform="slack", target="C1", workspace="T1")
    )
    assert not posted.error, posted.text
    assert len(platform.posts) == 1
    # the lease is given back after posting: the other instance may post next time
    assert app.store.claim_channel(name, owner="other", until=later, now=NOW)


async def test_an_instance_without_schedule_answers_but_never_polls_or_posts(
    app: App,
) -> None:
    import asyncio

    stop = asyncio.Event()
    runner = asyncio.create_task(app.run_forever(stop, schedule=False))
    reply = await app.handlers.handle(slack("set cron * * * * *"))
    assert not reply.error
    await asyncio.sleep(0)  # let run_forever start
    assert not app.scheduler.scheduler.running
    stop.set()
    await asyncio.wait_for(runner, 5)
    platform = app.platforms["slack"]
    assert isinstance(platform, RecordingPlatform) and platform.posts == []


def test_run_takes_no_schedule() -> None:
    from bot.cli import build_parser

    args = build_parser().parse_args(["run", "--no-schedule"])
    assert args.no_schedule and not args.once


async def test_a_feed_added_through_another_instance_is_polled(app: App) -> None:
    app.store.add_chat_feed(
        "Elsewhere", "https://e.example/rss", channel="slack@T1:C1", added_by=""
    )
    if app.scheduler.claimer is not None:
        # Postgres: pollers claim due feeds from the database (bot.workers), no job per feed
        claimer = app.scheduler.claimer
        due = claimer.store.claim_due_feeds("probe", now=NOW, lease=claimer.lease, limit=100)
        assert "Elsewhere" in {f.name for f in due}
        return
    assert "poll:Elsewhere" not in {j.id for j in app.scheduler.scheduler.get_jobs()}
    await app.scheduler._alerts_job()
    assert "poll:Elsewhere" in {j.id for j in app.scheduler.scheduler.get_jobs()}
