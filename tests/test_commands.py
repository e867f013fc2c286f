"""The neutral command handlers, against a real store filled through the real pipeline."""

from __future__ import annotations

import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from httpserver import LocalServer
from stores import StoreBackend
from test_ingest import OTHER, PAGE, STORY, rss

from bot import messages as msg
from bot.app import App
from bot.config import parse_settings
from bot.models import Command, Digest
from bot.platforms.base import ChatPlatform, PlatformError, RecordPosted
from bot.platforms.console import ConsolePlatform


class FailingPlatform(ChatPlatform):
    name = "console"

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def start(self, handler) -> None:  # pragma: no cover - not used
        pass

    async def stop(self) -> None:
        pass

    async def post_digest(self, target: str, digest: Digest, record: RecordPosted) -> None:
        raise self.error


@pytest.fixture
async def app(store_backend: StoreBackend, http_server: LocalServer):
    """The app with two stories stored, on each kind of database."""
    feed = http_server.route(
        "/feed.xml",
        body=rss(
            [
                ("1", "https://news.example/bridge", "Harbour bridge to be replaced", STORY),
                ("2", "https://news.example/camera", "Observatory camera sees whole sky", OTHER),
            ]
        ),
    )
    http_server.route("/story", body=PAGE, content_type="text/html")
    http_server.route("/rss2", body=rss([("x", "https://n.example/x", "Extra", OTHER)]))
    settings = parse_settings(
        {
            "storage": store_backend.storage_config(),
            "feeds": [{"name": "Courier", "url": feed}],
            "channels": [{"name": "news", "platform": "console"}],
        },
        base_dir=Path("/"),
    )
    out = io.StringIO()
    application = App.from_settings(
        settings, platforms={"console": ConsolePlatform(stream=out)}, executor=ThreadPoolExecutor(2)
    )
    application.console_output = out  # type: ignore[attr-defined]
    await application.ingestor.poll(application.store.feeds())
    yield application
    await application.close()


def cmd(name: str, args: str = "", **kw) -> Command:
    return Command(name=name, args=args, platform="console", target="", **kw)


async def test_summarize_text(app: App) -> None:
    reply = await app.handlers.handle(cmd("summarize", STORY))
    assert not reply.error
    assert 1 <= len(reply.sentences) <= 3
    assert all(s in STORY for s in reply.sentences)
    # the key quote is shown unless the summary already carries it word for word
    assert "Calloway" in reply.text
    for quote in reply.quotes:
        assert not any(quote.text.rstrip(".") in s for s in reply.sentences)


async def test_summarize_url_of_a_local_page_is_refused_by_default(
    app: App, http_server: LocalServer
) -> None:
    for url in (
        http_server.url("/story"),
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/",
        "file:///etc/passwd",
    ):
        reply = await app.handlers.handle(cmd("summarize", url))
        assert reply.error and reply.ephemeral, url
        assert "can't open that link" in reply.text or "Give me" in reply.text


async def test_summarize_url_when_private_addresses_are_allowed(
    tmp_path: Path, app: App, http_server: LocalServer
) -> None:
    from bot.net import Fetcher

    app.handlers.url_fetcher = Fetcher(allow_private=True)
    try:
        reply = await app.handlers.handle(cmd("summarize", http_server.url("/story")))
    finally:
        await app.handlers.url_fetcher.close()
    assert not reply.error, reply.text
    assert reply.url == http_server.url("/story")
    assert reply.sentences and "Share this article" not in " ".join(reply.sentences)


# Long enough, but not one whole sentence of prose: list items are never summary candidates.
SHOPPING_LIST = (
    "- Apples, pears and plums\n- Bread and butter from the bakery\n"
    "- Milk, eggs and cheese for the week\n- Soap, towels and a new toothbrush"
)


@pytest.mark.parametrize(
    "args,expected",
    [
        ("", msg.SUMMARIZE_USAGE),
        ("too short to summarize", msg.SUMMARIZE_TOO_SHORT),
        (SHOPPING_LIST, msg.SUMMARIZE_NO_PROSE.format(what="text")),
    ],
)
async def test_summarize_bad_input(app: App, args: str, expected: str) -> None:
    reply = await app.handlers.handle(cmd("summarize", args))
    assert reply.error and reply.text == expected


async def test_quote_by_surname_and_by_words(app: App) -> None:
    by_name = await app.handlers.handle(cmd("quote", "Calloway"))
    assert not by_name.error
    assert {q.speaker for q in by_name.quotes} >= {"Harbour Master Ines Calloway"} or all(
        "Calloway" in (q.speaker or "") for q in by_name.quotes
    )
    by_words = await app.handlers.handle(cmd("quote", "know to look"))
    assert [q.text for q in by_words.quotes] == ["It will find things we did not know to look for."]
    assert by_words.sources[0].name == "Observatory camera sees whole sky"
    none = await app.handlers.handle(cmd("quote", "zebra"))
    assert none.error and "zebra" in none.text
    odd = await app.handlers.handle(cmd("quote", 'NEAR("x" * -'))
    assert odd.error  # FTS syntax in user input is just words, never a crash


async def test_digest_then_ask_about_an_item(app: App) -> None:
    nothing_yet = await app.handlers.handle(cmd("ask", "1 what did Calloway say?"))
    assert nothing_yet.error and nothing_yet.text == msg.ASK_NO_DIGEST

    posted = await app.handlers.handle(cmd("digest"))
    assert posted.text == msg.DIGEST_POSTED.format(count=2, stories="stories")
    printed = app.console_output.getvalue()  # type: ignore[attr-defined]
    assert "1. " in printed and "2. " in printed

    again = await app.handlers.handle(cmd("digest"))
    assert again.text == msg.DIGEST_NOTHING_NEW
    assert app.store.post_count("news") == 2  # nothing posted twice

    items = app.handlers.latest_digest_items("console", "")
    bridge = next(n for n, title in items if title.startswith("Harbour"))
    reply = await app.handlers.handle(cmd("ask", f"{bridge} what did Calloway say?"))
    assert not reply.error
    assert reply.quotes and "Calloway" in reply.quotes[0].speaker
    assert reply.sources[0].url == "https://news.example/bridge"

    missing = await app.handlers.handle(cmd("ask", "9 anything?"))
    assert missing.error and "no item 9" in missing.text

    across = await app.handlers.handle(cmd("ask", "when will the first images be released?"))
    assert "March" in " ".join(across.sentences)


async def test_ask_in_a_digest_thread_uses_that_digest(app: App) -> None:
    await app.handlers.handle(cmd("digest"))
    digest_id = app.store.latest_posted_digest("news")
    ref = app.store._db.execute("SELECT message_ref FROM posts LIMIT 1").fetchone()[0]
    platform, _, message_ref = ref.partition(":")
    assert app.handlers.digest_for_message(platform, message_ref) == digest_id
    reply = await app.handlers.handle(
        Command(
            name="ask",
            args="how much will the bridge cost?",
            platform="slack",
            target="C-unknown",
            digest_id=digest_id,
        )
    )
    assert "$31m" in reply.text


async def test_failed_post_keeps_items_pending(app: App, caplog) -> None:
    real = app.poster.platforms["console"]
    app.poster.platforms["console"] = FailingPlatform(  # type: ignore[index]
        PlatformError("channel not found", hint="invite the bot", retryable=False)
    )
    reply = await app.handlers.handle(cmd("digest"))
    assert reply.error and "channel not found" in reply.text
    assert app.store.post_count("news") == 0
    app.poster.platforms["console"] = real  # type: ignore[index]
    reply = await app.handlers.handle(cmd("digest"))
    assert reply.text == msg.DIGEST_POSTED.format(count=2, stories="stories")


async def test_unexpected_error_is_logged_and_user_gets_short_reply(app: App, caplog) -> None:
    app.poster.platforms["console"] = FailingPlatform(RuntimeError("boom"))  # type: ignore[index]
    with caplog.at_level(logging.ERROR):
        reply = await app.handlers.handle(cmd("digest"))
    assert reply.error and reply.text == msg.INTERNAL_ERROR
    assert "boom" in caplog.text and "Traceback" in caplog.text


async def test_feeds_list_add_remove(app: App, http_server: LocalServer) -> None:
    listing = await app.handlers.handle(cmd("feeds", "list"))
    assert listing.text.startswith("Courier — ok")

    refused = await app.handlers.handle(cmd("feeds", f"add {http_server.url('/rss2')}"))
    assert refused.error and refused.text == msg.FEEDS_ADMIN_ONLY

    private = await app.handlers.handle(
        cmd("feeds", f"add {http_server.url('/rss2')}", user_is_admin=True)
    )
    assert private.error and "can't open that link" in private.text

    from bot.net import Fetcher

    app.handlers.url_fetcher = Fetcher(allow_private=True)
    try:
        not_feed = await app.handlers.handle(
            cmd("feeds", f"add {http_server.url('/story')}", user_is_admin=True)
        )
        assert not_feed.error and "doesn't serve a feed" in not_feed.text
        added = await app.handlers.handle(
            cmd("feeds", f"add {http_server.url('/rss2')} Extra news", user_is_admin=True)
        )
    finally:
        await app.handlers.url_fetcher.close()
    assert not added.error, added.text
    assert "Extra news" in (await app.handlers.handle(cmd("feeds", "list"))).text
    if app.scheduler.claimer is None:  # one process (SQLite): a poll job per feed
        assert any(j.id == "poll:Extra news" for j in app.scheduler.scheduler.get_jobs())
    else:  # workers on Postgres claim due feeds from the database (bot.workers)
        due = app.store.claim_due_feeds("probe", now=app.clock(), lease=timedelta(1), limit=99)
        assert "Extra news" in {f.name for f in due}

    config_feed = await app.handlers.handle(cmd("feeds", "remove Courier", user_is_admin=True))
    assert config_feed.error and "config file" in config_feed.text
    removed = await app.handlers.handle(cmd("feeds", "remove extra news", user_is_admin=True))
    assert removed.text == msg.FEEDS_REMOVED.format(name="Extra news")
    assert "Extra news" not in (await app.handlers.handle(cmd("feeds", "list"))).text

    unknown = await app.handlers.handle(cmd("feeds", "purge"))
    assert unknown.error and "Unknown /feeds action 'purge'" in unknown.text


async def test_a_feed_url_followed_already_is_not_added_as_a_second_feed(
    app: App, http_server: LocalServer
) -> None:
    from bot.net import Fetcher

    courier = app.store.feed("Courier")
    assert courier is not None
    app.handlers.url_fetcher = Fetcher(allow_private=True)
    try:
        added = await app.handlers.handle(
            cmd("feeds", f"add {courier.url} Courier again", user_is_admin=True)
        )
    finally:
        await app.handlers.url_fetcher.close()
    assert not added.error, added.text
    # one feed for the URL, fetched once per poll for every channel that follows it
    assert [f.url for f in app.store.feeds(active_only=False)].count(courier.url) == 1


async def test_feeds_filter_shows_the_channels_filters(app: App) -> None:
    none = await app.handlers.handle(cmd("feeds", "filter"))
    assert none.text == msg.FILTERS_NONE and none.ephemeral and not none.error

    channel = replace(
        app.settings.channels[0], include=("harbour bridge", "re:^Breaking"), exclude=("sport",)
    )
    app.handlers.settings = replace(app.settings, channels=(channel,))
    shown = await app.handlers.handle(cmd("feeds", "filter"))
    assert shown.ephemeral and not shown.error
    assert shown.text.splitlines() == [
        msg.FILTERS_HEADER,
        msg.FILTERS_INCLUDE,
        "  harbour bridge",
        "  re:^Breaking",
        msg.FILTERS_EXCLUDE,
        "  sport",
    ]
    elsewhere = await app.handlers.handle(
        Command(name="feeds", args="filter", platform="slack", target="C999")
    )
    assert elsewhere.error and elsewhere.text == msg.FEEDS_NO_CHANNEL


async def test_commands_from_an_unconfigured_channel(app: App) -> None:
    other = Command(name="digest", platform="slack", target="C999")
    reply = await app.handlers.handle(other)
    assert reply.error and 'target = "C999"' in reply.text
