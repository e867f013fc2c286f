"""Failing-feed alerts: after N failed polls in a row the channels that follow the feed are told
once, with the reason and how to fix it, and told again when it recovers; a restart repeats
nothing. Real HTTP (a feed that starts answering 404), real SQLite, the real Slack client
against the fake Slack."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from fakes.slack_server import FakeSlack
from feedkit import Clock, RecordingPlatform, make_app, rss, settings
from httpserver import LocalServer

from bot.feed_health import how_to_fix
from bot.platforms.slack import SlackPlatform


class FlakyFeed:
    def __init__(self) -> None:
        self.status = 200

    async def __call__(self, request: web.Request) -> web.Response:
        if self.status != 200:
            return web.Response(status=self.status, text="gone")
        return web.Response(body=rss(range(1, 3)).encode(), content_type="application/rss+xml")


async def poll_after_backoff(app, clock: Clock, name: str = "B") -> None:
    feed = app.store.feed(name)
    if feed.next_poll_at is not None and feed.next_poll_at > clock.now:
        clock.now = feed.next_poll_at
    await app.scheduler.poll_feed(name)


async def test_channels_are_told_once_after_n_failures_and_once_when_it_recovers(
    tmp_path: Path, http_server: LocalServer
) -> None:
    flaky = FlakyFeed()
    url = http_server.add("/b.xml", flaky)
    steady = http_server.route("/a.xml", body=rss(range(1, 3), prefix="a"))
    config = settings(
        tmp_path,
        {"A": steady, "B": url},
        [
            {"name": "digest", "platform": "slack", "target": "C1"},
            {"name": "alerts", "platform": "slack", "target": "C1", "mode": "alerts"},
            {"name": "other", "platform": "slack", "target": "C2", "feeds": ["B"]},
            {"name": "quiet", "platform": "slack", "target": "C3", "feeds": ["A"]},
        ],
        alerts={"feed_failures": 3},
    )
    clock, platform = Clock(), RecordingPlatform("slack")
    app = make_app(config, {"slack": platform}, clock)
    await poll_after_backoff(app, clock)
    flaky.status = 404
    await poll_after_backoff(app, clock)
    await poll_after_backoff(app, clock)
    assert platform.notices == []  # 2 failures: not yet
    await poll_after_backoff(app, clock)
    # Each chat channel that follows B, once (C1 has two entries), not C3 (it follows A only).
    assert sorted(t for t, _ in platform.notices) == ["C1", "C2"]
    text = platform.notices[0][1]
    assert "Feed 'B' has failed 3 times in a row: HTTP 404" in text
    assert f"open {url} in a browser" in text  # how to fix it
    await poll_after_backoff(app, clock)
    await app.scheduler._alerts_job()
    assert len(platform.notices) == 2  # failure 4 and the periodic check: nothing new
    await app.close()

    # A restart does not tell them again.
    app = make_app(config, {"slack": platform}, clock)
    await app.feed_health.check()
    assert len(platform.notices) == 2
    flaky.status = 200
    await poll_after_backoff(app, clock)
    recovered = platform.notices[2:]
    assert sorted(t for t, _ in recovered) == ["C1", "C2"]
    assert all("Feed 'B' works again" in text for _, text in recovered)
    await app.feed_health.check()
    assert len(platform.notices) == 4
    await app.close()


async def test_a_notice_slack_refuses_is_sent_at_the_next_check(
    tmp_path: Path, http_server: LocalServer
) -> None:
    fake = await FakeSlack().start()
    flaky = FlakyFeed()
    flaky.status = 500
    url = http_server.add("/b.xml", flaky)
    config = settings(
        tmp_path,
        {"B": url},
        [{"name": "news", "platform": "slack", "target": "C_NEWS"}],
        alerts={"feed_failures": 1},
    )
    slack = SlackPlatform(
        bot_token="xoxb-test", app_token="xapp-test", api_url=fake.api_url, post_interval=0
    )
    clock = Clock()
    app = make_app(config, {"slack": slack}, clock)
    fake.refuse["C_NEWS"] = "not_in_channel"
    await poll_after_backoff(app, clock)
    assert fake.accepted("chat.postMessage") == []
    del fake.refuse["C_NEWS"]
    await app.feed_health.check()
    await app.feed_health.check()
    [post] = fake.accepted("chat.postMessage")
    assert "has failed 1 times in a row: HTTP 500" in post.args["text"]
    assert "server problem" in post.args["text"]
    await app.close()
    await fake.stop()


async def test_feed_failures_zero_turns_the_notices_off(
    tmp_path: Path, http_server: LocalServer
) -> None:
    flaky = FlakyFeed()
    flaky.status = 404
    url = http_server.add("/b.xml", flaky)
    config = settings(
        tmp_path, {"B": url}, [{"name": "news", "platform": "console"}], alerts={"feed_failures": 0}
    )
    clock, platform = Clock(), RecordingPlatform()
    app = make_app(config, {"console": platform}, clock)
    for _ in range(4):
        await poll_after_backoff(app, clock)
    assert app.store.feed("B").failures == 4 and platform.notices == []
    await app.close()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("HTTP 404", "no longer serves the feed"),
        ("HTTP 403", "refuses the bot"),
        ("HTTP 503", "server problem"),
        ("could not resolve host news.example", "does not resolve"),
        ("timed out after 20 s", "did not answer"),
        ("not a feed (got HTML)", "not a feed"),
        ("body larger than 5 MB", "max_bytes"),
        ("something odd", "Open https://news.example/rss in a browser"),
    ],
)
def test_each_kind_of_failure_says_how_to_fix_it(error: str, words: str) -> None:
    assert words in how_to_fix(error, "https://news.example/rss")
