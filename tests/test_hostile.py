"""Hostile and broken feeds through the whole poll pipeline: each one gets a clear logged reason
and backs off, and a good feed polled alongside still delivers its story.

(The unit tests of bot/net.py and bot/feeds.py cover each case in detail; these prove the
pipeline survives them together.)"""

from __future__ import annotations

import io
import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from httpserver import LocalServer, huge, redirect, slow_headers, trickle
from test_ingest import OTHER, STORY, rss

from bot.app import App
from bot.config import parse_settings
from bot.platforms.console import ConsolePlatform

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
NESTED = "<rss version='2.0'><channel>" + "<x>" * 5000 + "</x>" * 5000 + "</channel></rss>"

# name -> (how to serve it, a word the logged reason must contain)
FEED_FAILURES = {
    "malformed": (dict(body="<?xml version='1.0'?><rss><channel><<title>>x</oops>&&"), ""),
    "html": (
        dict(
            body="<!doctype html><html><body><p>Hello</p></body></html>", content_type="text/html"
        ),
        "HTML",
    ),
    "binary": (dict(body=bytes(range(256)) * 8, content_type="application/octet-stream"), ""),
    "empty": (dict(body=b""), ""),
    "status404": (dict(body="gone", status=404), "404"),
    "status500": (dict(body="oops", status=500), "500"),
    "nested": (dict(body=NESTED), ""),
}


def make_settings(tmp_path: Path, feeds: dict[str, str]):
    return parse_settings(
        {
            "storage": {"path": str(tmp_path / "nb.db")},
            # 1.5 s: the good feeds and the first MB of "huge" arrive well within it on a
            # loaded machine (0.5 s failed once at load average 6.5); slow and trickle never do
            "fetch": {"timeout_seconds": 1.5, "max_bytes": 1_000_000, "max_redirects": 3},
            "feeds": [{"name": n, "url": u} for n, u in feeds.items()],
            "channels": [{"name": "news", "platform": "console"}],
        },
        base_dir=tmp_path,
    )


@pytest.fixture
async def hostile_server(http_server: LocalServer) -> dict[str, str]:
    feeds = {
        "good": http_server.route(
            "/good.xml", body=rss([("g", "https://n.example/g", "Sky camera", OTHER)])
        ),
        # an unclosed <item> is recovered by the parser: the story still arrives
        "recoverable": http_server.route(
            "/recoverable.xml",
            body="<rss><channel><item><title>Camera</title><description>Sky survey "
            "camera switched on.</description></channel>",
        ),
    }
    for name, (spec, _) in FEED_FAILURES.items():
        feeds[name] = http_server.route(f"/{name}.xml", **spec)
    feeds["huge"] = http_server.add("/huge.xml", huge(200 * 1024 * 1024, declare_length=False))
    feeds["huge_declared"] = http_server.add(
        "/huge2.xml", huge(200 * 1024 * 1024, declare_length=True)
    )
    feeds["trickle"] = http_server.add("/trickle.xml", trickle(interval=0.05, limit_s=4))
    feeds["slow"] = http_server.add("/slow.xml", slow_headers(4.0))
    feeds["loop"] = http_server.add("/loop.xml", redirect(http_server.url("/loop2.xml")))
    http_server.add("/loop2.xml", redirect(http_server.url("/loop.xml")))
    return feeds


async def test_every_broken_feed_backs_off_and_the_good_one_arrives(
    tmp_path: Path, hostile_server: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    app = App.from_settings(
        make_settings(tmp_path, hostile_server),
        platforms={"console": ConsolePlatform()},
        executor=ThreadPoolExecutor(2),
        clock=lambda: NOW,
    )
    with caplog.at_level(logging.WARNING, logger="bot.ingest"):
        report = await app.ingestor.poll_due()
    try:
        assert report.new == 2
        failed = {r.feed: r.error for r in report.failed}
        assert set(failed) == set(hostile_server) - {"good", "recoverable"}, failed
        for name, (_, word) in FEED_FAILURES.items():
            assert word in failed[name], (name, failed[name])
        assert "timed out" in failed["trickle"] and "timed out" in failed["slow"]
        assert "redirect" in failed["loop"]
        assert "larger" in failed["huge"] and "larger" in failed["huge_declared"]
        for name, reason in failed.items():
            feed = app.store.feed(name)
            assert feed.failures == 1 and feed.last_error == reason
            assert feed.next_poll_at >= NOW + timedelta(minutes=30)  # backed off
            assert f"feed {name}: {reason}" in caplog.text  # the log has the reason
        due_soon = {f.name for f in app.store.due_feeds(NOW + timedelta(minutes=20))}
        assert due_soon == {"good", "recoverable"}
    finally:
        await app.close()


async def test_odd_entries_are_kept_with_sane_values(
    tmp_path: Path, http_server: LocalServer
) -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Odd</title>'
        "<item><description>An entry with no link and no title, but a real story: the "
        "observatory switched on its new camera on Monday.</description></item>"
        "<item><title>From the future</title><link>https://n.example/future</link>"
        "<pubDate>Tue, 24 Nov 2099 09:00:00 GMT</pubDate><description>Future dated entry "
        "about a bridge vote.</description></item>"
        "<item><title>Bad date</title><link>https://n.example/bad</link>"
        "<pubDate>the day after tomorrow</pubDate><description>Unparseable date on an entry "
        "about a tram line.</description></item>"
        "</channel></rss>"
    )
    url = http_server.route("/odd.xml", body=body, content_type="application/rss+xml")
    app = App.from_settings(
        make_settings(tmp_path, {"Odd": url}),
        platforms={"console": ConsolePlatform()},
        executor=ThreadPoolExecutor(1),
        clock=lambda: NOW,
    )
    try:
        report = await app.ingestor.poll(app.store.feeds())
        assert report.new == 3 and not report.failed
        articles = app.store.articles_since(NOW - timedelta(days=1), [1])
        by_title = {a.title: a for a in articles}
        assert by_title["From the future"].published_at == NOW  # clamped, cannot pin the top
        assert by_title["Bad date"].published_at == NOW
        untitled = [a for a in articles if a.title not in ("From the future", "Bad date")]
        assert untitled[0].title.startswith("An entry with no link")
        assert untitled[0].url == url  # falls back to the feed's address
    finally:
        await app.close()


CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


async def test_control_characters_in_feed_fields_never_reach_any_platform(
    tmp_path: Path, http_server: LocalServer
) -> None:
    """A title that would retitle the terminal (ESC ] 0 ; ... BEL), a C1 CSI, bidi overrides:
    stripped from what the console, Slack and Discord show, and from the stored story."""
    from bot.platforms import discord_render, slack_render
    from bot.platforms.console import render_digest

    hostile = "\x1b]0;pwned\x07Harbour bridge \u202eelttil\u202c vote\x9b31m \u2066done\u2069"
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Courier\x1b[2J",
        "items": [
            {
                "id": "1",
                "url": "https://news.example/bridge",
                "title": hostile,
                "content_text": f"{STORY}\n\nThe council said\x1b[31m it was \u202edone\u202c.",
            }
        ],
    }
    url = http_server.route(
        "/feed.json", body=json.dumps(feed), content_type="application/feed+json"
    )
    app = App.from_settings(
        make_settings(tmp_path, {"Courier": url}),
        platforms={"console": ConsolePlatform(stream=io.StringIO())},
        executor=ThreadPoolExecutor(2),
    )
    try:
        await app.ingestor.poll(app.store.feeds())
        assert app.store.article(1).title == "]0;pwnedHarbour bridge elttil vote31m done"
        # A story stored before this fix, its title raw: cleaned when it is shown.
        app.store._db.execute("UPDATE articles SET title = ?", (hostile,))
        digest = app.poster.preview(app.settings.channel("news"))
    finally:
        await app.close()
    assert digest is not None and digest.items
    assert digest.items[0].title == "]0;pwnedHarbour bridge elttil vote31m done"
    shown = [render_digest(digest)]
    shown += [json.dumps(m.blocks) + m.text for m in slack_render.render_digest(digest)]
    shown += [
        json.dumps([e.to_dict() for e in m.embeds]) + (m.content or "")
        for m in discord_render.digest_messages(digest)
    ]
    for text in shown:
        decoded = json.loads(json.dumps(text))
        assert not CONTROLS.search(decoded), repr(CONTROLS.search(decoded))
        assert "\\u001b" not in text and "\\u202e" not in text


def test_display_safe_keeps_tabs_newlines_and_ordinary_unicode() -> None:
    from bot.textsafe import display_safe

    assert display_safe("a\tb\nc — “d” é 中 \U0001f600") == "a\tb\nc — “d” é 中 \U0001f600"
    assert display_safe("\x00\x1b\x7f\x85\x9f\u202a\u202b\u202c\u202d\u202e\u2066\u2069x") == "x"
