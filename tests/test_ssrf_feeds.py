"""Only feeds written in the config file may be private or file://: feeds added in chat or
imported, and their article pages, are checked on every poll and every redirect.

The "public" news site is a local server on 127.0.0.2 under the name news.example; only that
address is opted in, as a test must. The "intranet" is another local server on 127.0.0.1.
"""

from __future__ import annotations

import io
import ipaddress
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from httpserver import FakeResolver, LocalServer, redirect, sequence, static
from test_ingest import OTHER, STORY, rss

from bot.app import App
from bot.config import parse_settings
from bot.models import Command
from bot.net import Fetcher, IPAddress, public_only
from bot.platforms.console import ConsolePlatform
from bot.store import SqliteStore

PUBLIC_TEST_SERVER = ipaddress.ip_address("127.0.0.2")
SECRET = "INTERNAL ONLY: the SECRET-INTERNAL-DATA of the intranet"
INTERNAL_FEED = rss([("s1", "http://intranet.example/x", "Internal memo", f"{SECRET}. {OTHER}")])
INTERNAL_PAGE = f"<html><body><article><h1>Memo</h1><p>{SECRET}.</p><p>{OTHER}</p></article>"


def public_test_server_only(ip: IPAddress) -> str | None:
    """Treat the test's own 'public' server as public; everything else as the bot would."""
    return None if ip == PUBLIC_TEST_SERVER else public_only(ip)


@pytest.fixture
async def servers() -> AsyncIterator[tuple[LocalServer, LocalServer]]:
    async with LocalServer(host="127.0.0.2") as public, LocalServer() as intranet:
        intranet.route("/secret.xml", body=INTERNAL_FEED, content_type="application/rss+xml")
        intranet.route("/memo", body=INTERNAL_PAGE, content_type="text/html")
        yield public, intranet


def make_app(tmp_path: Path, out: io.StringIO) -> App:
    """The app as from_settings wires it, with the test's resolver and opt-in policy: the
    trusted fetcher allows private addresses and files, the guarded one only public ones."""
    local = tmp_path / "local.xml"
    local.write_text(rss([("l1", "", "Local note", STORY)]), encoding="utf-8")
    settings = parse_settings(
        {
            "storage": {"path": str(tmp_path / "nb.db")},
            "feeds": [{"name": "Local", "url": local.as_uri()}],
            "channels": [{"name": "news", "platform": "console"}],
        },
        base_dir=tmp_path,
    )
    resolver = FakeResolver({"news.example": str(PUBLIC_TEST_SERVER)})
    return App(
        settings=settings,
        store=SqliteStore(settings.storage.path),
        feed_fetcher=Fetcher(allow_private=True, allow_file=True, resolver=resolver, timeout=2),
        url_fetcher=Fetcher(address_policy=public_test_server_only, resolver=resolver, timeout=2),
        executor=ThreadPoolExecutor(2),
        platforms={"console": ConsolePlatform(stream=out)},
    )


async def add_feed(app: App, url: str, name: str) -> None:
    reply = await app.handlers.handle(
        Command(name="feeds", args=f"add {url} {name}", platform="console", user_is_admin=True)
    )
    assert not reply.error, reply.text


async def test_chat_feed_that_later_redirects_to_the_intranet_is_refused_at_poll(
    tmp_path: Path, servers: tuple[LocalServer, LocalServer]
) -> None:
    public, intranet = servers
    public_feed = rss([("p1", "https://elsewhere.example/a", "Bridge vote", STORY)])
    public.add(
        "/feed.xml",
        sequence([static(public_feed), redirect(intranet.url("/secret.xml"))]),
    )
    out = io.StringIO()
    app = make_app(tmp_path, out)
    try:
        await add_feed(app, f"http://news.example:{public.port}/feed.xml", "Outside")
        report = await app.ingestor.poll(app.store.feeds())
        errors = {r.feed: r.error for r in report.feeds}
        assert errors["Outside"] == "refused: loopback address 127.0.0.1"
        assert errors["Local"] is None  # the config's file:// feed is still trusted
        assert intranet.requests == []
        await app.poster.post(app.settings.channel("news"))
    finally:
        await app.close()
    assert "Local note" in out.getvalue()
    assert "SECRET" not in out.getvalue()


async def test_chat_feed_article_page_redirecting_to_the_intranet_is_not_fetched(
    tmp_path: Path, servers: tuple[LocalServer, LocalServer]
) -> None:
    public, intranet = servers
    story = f"http://news.example:{public.port}/story"  # the feed's own host
    public.route("/feed.xml", body=rss([("p1", story, "Memo leak", "A short teaser...")]))
    public.add("/story", redirect(intranet.url("/memo")))
    out = io.StringIO()
    app = make_app(tmp_path, out)
    try:
        await add_feed(app, f"http://news.example:{public.port}/feed.xml", "Outside")
        report = await app.ingestor.poll([app.store.feed("Outside")])
        assert report.feeds[0].error is None and report.new == 1
        article = app.store.article(app.store.article_ids_by_url([story])[story])
    finally:
        await app.close()
    assert public.requests_for("/story")  # the page was tried, on the public host only
    assert intranet.requests == []
    assert "SECRET" not in article.text


async def test_imported_feed_on_a_metadata_address_is_refused_at_every_poll(
    tmp_path: Path,
) -> None:
    """A feed that reached the store unchecked (an old import) is still refused when polled."""
    app = make_app(tmp_path, io.StringIO())
    try:
        app.store.add_chat_feed(
            "Meta", "http://169.254.169.254/latest/meta-data/", channel="news", added_by="cli"
        )
        report = await app.ingestor.poll([app.store.feed("Meta")])
    finally:
        await app.close()
    assert report.feeds[0].error == "refused: cloud metadata address 169.254.169.254"


def test_a_name_dropped_from_the_config_and_added_in_chat_is_no_longer_trusted(
    tmp_path: Path,
) -> None:
    store = SqliteStore(tmp_path / "nb.db")
    try:
        store.sync_config_feeds([("Wire", "https://wire.example/rss", 15, (), True)])
        assert store.feed("Wire").origin == "config"
        store.sync_config_feeds([])  # removed from the file: inactive, origin kept
        store.add_chat_feed("Wire", "https://wire.example/rss", channel="news", added_by="U1")
        assert store.feed("Wire").origin == "chat"
        # An active config feed of that name stays the operator's.
        store.sync_config_feeds([("Desk", "https://desk.example/rss", 15, (), True)])
        store.add_chat_feed("Desk", "https://desk.example/rss", channel="news", added_by="U1")
        assert store.feed("Desk").origin == "config"
    finally:
        store.close()


@pytest.mark.parametrize("allow", [False, True])
def test_from_settings_guards_every_url_not_in_the_config(tmp_path: Path, allow: bool) -> None:
    settings = parse_settings(
        {
            "storage": {"path": str(tmp_path / "nb.db")},
            "feeds": [{"name": "F", "url": "https://feeds.example/f.xml"}],
            "fetch": {"allow_private_urls": allow},
        },
        base_dir=tmp_path,
    )
    app = App.from_settings(settings, platforms={}, executor=ThreadPoolExecutor(1))
    try:
        guarded = app.ingestor.guarded_fetcher
        assert guarded is app.url_fetcher is app.handlers.url_fetcher
        assert not guarded.allow_file
        ip = ipaddress.ip_address
        assert (guarded.policy(ip("10.1.2.3")) is None) is allow
        assert guarded.policy(ip("169.254.169.254")) is not None
        assert app.feed_fetcher.allow_file
        assert app.feed_fetcher.policy(ip("169.254.169.254")) is not None
    finally:
        app.store.close()
        app.executor.shutdown()
