"""Hostile and broken feeds through the whole poll pipeline: each one gets a clear logged reason
and backs off, and a good feed polled alongside still delivers its story.

(The unit tests of bot/net.py and bot/feeds.py cover each case in detail; these prove the
pipeline survives them together.)"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from httpserver import LocalServer, huge, redirect, slow_headers, trickle
from test_ingest import OTHER, rss

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
            "fetch": {"timeout_seconds": 0.5, "max_bytes": 1_000_000, "max_redirects": 3},
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
    feeds["trickle"] = http_server.add("/trickle.xml", trickle(interval=0.05, limit_s=3))
    feeds["slow"] = http_server.add("/slow.xml", slow_headers(2.0))
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
