"""The poll pipeline end to end: a real local HTTP server, real SQLite (and Postgres where
the store matters), the real App."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from httpserver import LocalServer, conditional
from stores import StoreBackend

from bot.app import App
from bot.config import parse_settings
from bot.ingest import Ingestor
from bot.platforms.console import ConsolePlatform

STORY = (
    "The harbour authority of Port Ellery voted on Tuesday to replace the swing bridge over the "
    "inner basin with a lifting span, ending a decade of argument over the crossing. The new "
    'bridge will cost $31m and open in 2029, the authority said. "We have patched this bridge '
    'for twenty years and it is time to stop," said Harbour Master Ines Calloway. Shipping '
    "firms had complained that the old bridge jammed open twice last winter. Calloway said the "
    'work would close the crossing to traffic for eight months. "Nobody likes a detour, but the '
    'alternative is a bridge that fails when we need it most," Calloway added.'
)
OTHER = (
    "Engineers at the Lumen observatory switched on a new camera on Monday that can photograph "
    "the whole southern sky every three nights. The camera cost $12m and took six years to "
    'build. "It will find things we did not know to look for," said project scientist Dr. Tomas '
    "Reyes. The first images will be released in March, the observatory said. Astronomers hope "
    "the survey will find thousands of new asteroids and distant supernovae."
)


def rss(items: list[tuple[str, str, str, str]]) -> str:
    """items: (guid, link, title, html description)."""
    body = "".join(
        f"<item><guid>{g}</guid><link>{link}</link><title>{t}</title>"
        f"<pubDate>Tue, 24 Nov 2026 09:00:00 GMT</pubDate>"
        f"<description><![CDATA[{d}]]></description></item>"
        for g, link, t, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test</title>'
        f"<link>http://example.test/</link>{body}</channel></rss>"
    )


PAGE = f"""<html><head><title>Bridge vote</title><script>var x = 1;</script></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Harbour bridge to be replaced</h1>
<p>Harbour bridge to be replaced</p><p>By Jane Doe | City Desk</p>
{"".join(f"<p>{s}.</p>" for s in STORY.rstrip(".").split(". "))}
<p>Share this article</p><p>Subscribe to our newsletter</p></article>
<footer>Copyright Port Ellery Courier</footer></body></html>"""


def settings_for(where: Path | StoreBackend, feeds: dict[str, str], **channel: object) -> object:
    """`where`: a folder for a SQLite file, or a database of either kind."""
    storage = (
        where.storage_config()
        if isinstance(where, StoreBackend)
        else {"path": str(where / "nb.db")}
    )
    return parse_settings(
        {
            "storage": storage,
            "feeds": [{"name": name, "url": url, "full_text": True} for name, url in feeds.items()],
            "channels": [{"name": "news", "platform": "console", **channel}],
        },
        base_dir=Path("/"),
    )


def make_app(settings, clock=None) -> App:
    kwargs = {"clock": clock} if clock else {}
    return App.from_settings(
        settings,
        platforms={"console": ConsolePlatform()},
        executor=ThreadPoolExecutor(2),
        **kwargs,
    )


async def test_second_run_sends_conditional_requests_and_adds_nothing(
    store_backend: StoreBackend, http_server: LocalServer
) -> None:
    feed = rss(
        [
            (
                "g1",
                http_server.url("/story/bridge"),
                "Harbour bridge to be replaced",
                "The harbour authority voted to replace the bridge.",
            )
        ]
    )
    handler = conditional(feed, etag='"v1"')
    url = http_server.add("/feed.xml", handler)
    http_server.route("/story/bridge", body=PAGE, content_type="text/html; charset=utf-8")
    settings = settings_for(store_backend, {"City": url})

    app = make_app(settings)
    await app.run_once()
    first_count = app.store.article_count()
    await app.close()

    app = make_app(settings)
    await app.run_once()
    assert app.store.article_count() == first_count == 1
    assert handler.hits["304"] == 1
    second = http_server.requests_for("/feed.xml")[-1]
    assert second.headers["If-None-Match"] == '"v1"'
    assert second.headers["User-Agent"].startswith("newsbrief/")
    # the teaser was replaced by the article page's text, cleaned of page furniture
    article = app.store.article(1)
    assert "Calloway" in article.text
    assert "Share this article" not in article.text
    assert "By Jane Doe" not in article.text
    assert article.quotes and all("Ines Calloway" in q.speaker for q in article.quotes)
    await app.close()


async def test_same_story_in_two_feeds_is_one_item_naming_both(
    store_backend: StoreBackend, http_server: LocalServer
) -> None:
    link = "https://news.example/2026/bridge"
    a = http_server.route("/a.xml", body=rss([("a-1", link, "Bridge to go", STORY)]))
    b = http_server.route(
        "/b.xml",
        body=rss([("b-9", link + "?utm_source=rss&utm_medium=feed", "Bridge replaced", STORY)]),
    )
    c = http_server.route(
        "/c.xml",  # same text, other URL: dedupe by content
        body=rss([("c-3", "https://other.example/x", "Port Ellery bridge", STORY)]),
    )
    app = make_app(settings_for(store_backend, {"A": a, "B": b, "C": c}))
    await app.ingestor.poll(app.store.feeds())
    assert app.store.article_count() == 1
    digest = app.poster.preview(app.settings.channel("news"))
    assert digest is not None and len(digest.items) == 1
    names = {s.name for s in digest.items[0].also_covered_by} | {digest.items[0].source}
    assert names == {"A", "B", "C"}
    await app.close()


async def test_broken_feed_backs_off_and_others_still_arrive(
    store_backend: StoreBackend, http_server: LocalServer
) -> None:
    good = http_server.route(
        "/good.xml", body=rss([("o1", "https://x.example/o", "Camera", OTHER)])
    )
    bad = http_server.route("/bad.xml", body="oops", status=500)
    html = http_server.route(
        "/html.xml", body="<html><body><p>Not a feed</p></body></html>", content_type="text/html"
    )
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    app = make_app(
        settings_for(store_backend, {"Good": good, "Bad": bad, "Html": html}), clock=lambda: now
    )
    report = await app.ingestor.poll_due()
    assert report.new == 1
    failed = {r.feed: r.error for r in report.failed}
    assert failed["Bad"] == "HTTP 500"
    assert "HTML" in failed["Html"] or "not a feed" in failed["Html"].lower()
    bad_feed = app.store.feed("Bad")
    assert bad_feed.failures == 1 and bad_feed.last_error == "HTTP 500"
    assert bad_feed.next_poll_at > now + timedelta(minutes=15)  # backed off beyond its interval
    due = {f.name for f in app.store.due_feeds(now + timedelta(minutes=16))}
    assert "Good" in due and "Bad" not in due
    await app.close()


async def test_article_page_that_is_not_an_article_keeps_the_teaser(
    tmp_path: Path, http_server: LocalServer
) -> None:
    teaser = "The observatory switched on a camera that photographs the sky every three nights."
    url = http_server.route(
        "/f.xml", body=rss([("t1", http_server.url("/login"), "Camera", teaser)])
    )
    http_server.route(
        "/login", body="<html><body><form>Log in</form></body></html>", content_type="text/html"
    )
    app = make_app(settings_for(tmp_path, {"F": url}))
    report = await app.ingestor.poll(app.store.feeds())
    assert report.new == 1 and not report.failed
    assert "three nights" in app.store.article(1).text
    await app.close()


@pytest.mark.parametrize(
    "include,exclude,expected",
    [
        ((), (), {"Harbour bridge", "Sky camera"}),
        (("bridge",), (), {"Harbour bridge"}),
        ((), ("asteroids",), {"Harbour bridge"}),
    ],
)
async def test_channel_filters(
    tmp_path: Path, http_server: LocalServer, include, exclude, expected
) -> None:
    url = http_server.route(
        "/f.xml",
        body=rss(
            [
                ("1", "https://x.example/1", "Harbour bridge", STORY),
                ("2", "https://x.example/2", "Sky camera", OTHER),
            ]
        ),
    )
    app = make_app(settings_for(tmp_path, {"F": url}, include=list(include), exclude=list(exclude)))
    await app.ingestor.poll(app.store.feeds())
    digest = app.poster.preview(app.settings.channel("news"))
    assert {i.title for i in digest.items} == expected
    await app.close()


async def test_a_feed_cannot_steer_page_fetches_to_private_addresses(
    tmp_path: Path, http_server: LocalServer
) -> None:
    # A trusted (config) feed on one host links its teaser to another, private host.
    other_host = f"http://localhost:{http_server.port}/story/bridge"
    http_server.route("/story/bridge", body=PAGE, content_type="text/html")
    url = http_server.route(
        "/f.xml",
        body=rss(
            [
                ("m1", "http://169.254.169.254/latest/meta-data/", "Metadata", "Short teaser."),
                ("m2", other_host, "Bridge", "The harbour authority voted to replace the bridge."),
            ]
        ),
    )
    app = make_app(settings_for(tmp_path, {"F": url}))
    report = await app.ingestor.poll(app.store.feeds())
    assert report.new == 2 and not report.failed
    assert http_server.requests_for("/story/bridge") == []  # never fetched
    texts = {
        a.title: a.text for a in app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC), [1])
    }
    assert texts["Bridge"] == "The harbour authority voted to replace the bridge."
    await app.close()


async def test_a_feed_language_is_used_for_its_articles(tmp_path: Path) -> None:
    settings = parse_settings(
        {
            "storage": {"path": str(tmp_path / "nb.db")},
            "summary": {"language": "english"},
            "feeds": [
                {"name": "Berlin", "url": "https://de.example/rss", "language": "german"},
                {"name": "London", "url": "https://en.example/rss"},
            ],
        },
        base_dir=tmp_path,
    )
    app = make_app(settings)
    try:
        languages = {f.name: app.ingestor._options_for(f).language for f in app.store.feeds()}
        assert languages == {"Berlin": "german", "London": "english"}
    finally:
        await app.close()


class GroupedIngestor(Ingestor):
    """Holds the first transaction until every other feed is queued (so they form one more),
    records each group, and fails to store the feed named "Fails" (a disk or code fault)."""

    def __init__(self, *, feeds: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.feeds = feeds
        self.groups: list[list[str]] = []

    def _store_feeds(self, jobs):  # type: ignore[no-untyped-def]
        if not self.groups:
            deadline = time.monotonic() + 10
            while len(jobs) + self._writer.queued < self.feeds and time.monotonic() < deadline:
                time.sleep(0.01)
        self.groups.append([job.feed.name for job in jobs])
        return super()._store_feeds(jobs)

    def _store_feed(self, job) -> None:  # type: ignore[no-untyped-def]
        if job.feed.name == "Fails":
            # Part of the feed is stored before the fault, as a lone feed would be.
            self._store_entry(job.feed, job.entries[0], job.analyses[0], {})
            raise RuntimeError("fault while storing")
        super()._store_feed(job)


async def test_feeds_stored_in_one_transaction_are_all_stored_and_a_failing_one_loses_nothing(
    store_backend: StoreBackend, http_server: LocalServer
) -> None:
    names = ["Alpha", "Beta", "Fails", "Gamma", "Delta"]
    urls = {}
    for n, name in enumerate(names):
        items = [
            (
                f"{name}-{k}",
                http_server.url(f"/{name}/{k}"),
                f"{name} {k}",
                f"The {name} council met on day {k} about item {n}.",
            )
            for k in range(3)
        ]
        urls[name] = http_server.add(f"/{name}.xml", conditional(rss(items), etag=f'"{name}"'))
    app = make_app(settings_for(store_backend, urls))
    app.ingestor = GroupedIngestor(
        feeds=len(names),
        store=app.store,
        fetcher=app.feed_fetcher,
        guarded_fetcher=app.url_fetcher,
        options=app.ingestor.options,
    )
    try:
        report = await app.ingestor.poll(app.store.feeds())
        grouped = app.ingestor.groups
        # The feeds queued while the first transaction was written went into one more.
        assert len(grouped) <= 2 and sorted(sum(grouped, [])) == sorted(names)
        assert {r.feed: r.error for r in report.failed} == {
            "Fails": "internal error (RuntimeError)"
        }
        assert report.new == 4 * 3  # the failed feed's report counts nothing
        for name in names:
            feed = app.store.feed(name)
            # A feed's ETag is saved with its entries, so a failed feed is fetched in full again.
            assert feed.etag == (None if name == "Fails" else f'"{name}"')
        assert app.store.article_count() == 4 * 3 + 1
        assert app.store.integrity_ok()

        app.ingestor = Ingestor(
            store=app.store,
            fetcher=app.feed_fetcher,
            guarded_fetcher=app.url_fetcher,
            options=app.ingestor.options,
        )
        again = await app.ingestor.poll(app.store.feeds())
        assert not again.failed
        assert {r.feed for r in again.feeds if not r.not_modified} == {"Fails"}
        assert again.new == 2  # the rest of the failed feed; nothing stored twice
        assert app.store.article_count() == 5 * 3
    finally:
        await app.close()


async def test_story_pictures_come_from_the_feed_or_the_pages_og_image_and_are_never_fetched(
    store_backend: StoreBackend, http_server: LocalServer
) -> None:
    page = PAGE.replace(
        "<title>", '<meta property="og:image" content="https://cdn.example/og-bridge.jpg"><title>'
    )
    http_server.route("/story/bridge", body=page, content_type="text/html")
    plain = PAGE.replace(STORY.split(". ")[0], "The ferry timetable changes on Monday for winter")
    plain = plain.replace("Calloway", "Okafor").replace("bridge", "ferry")
    http_server.route("/story/plain", body=plain, content_type="text/html")
    local_picture = http_server.url("/pictures/sky.jpg")  # http: dropped, and never fetched
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
<item><guid>sky</guid><link>https://x.example/sky</link><title>Sky camera</title>
  <media:thumbnail url="https://img.example/sky.jpg"/>
  <description><![CDATA[{OTHER}]]></description></item>
<item><guid>bridge</guid><link>{http_server.url("/story/bridge")}</link><title>Bridge</title>
  <description>The harbour authority voted to replace the bridge.</description></item>
<item><guid>plain</guid><link>{http_server.url("/story/plain")}</link><title>Plain</title>
  <media:thumbnail url="{local_picture}"/>
  <description>The harbour authority voted on the plain story.</description></item>
</channel></rss>"""
    url = http_server.route("/f.xml", body=feed)
    app = make_app(settings_for(store_backend, {"F": url}))
    report = await app.ingestor.poll(app.store.feeds())
    assert report.new == 3 and not report.failed
    digest = app.poster.preview(app.settings.channel("news"))
    pictures = {item.title: item.image for item in digest.items}
    assert pictures == {
        "Sky camera": "https://img.example/sky.jpg",  # the feed's thumbnail
        "Bridge": "https://cdn.example/og-bridge.jpg",  # the page's og:image
        "Plain": None,  # no og:image, and the feed's http:// thumbnail is not kept
    }
    assert {r.path for r in http_server.requests} == {"/f.xml", "/story/bridge", "/story/plain"}
    await app.close()


async def test_a_huge_entry_is_analysed_and_stored_only_up_to_the_cap(
    tmp_path: Path, http_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    huge = " ".join([STORY] * 200)  # one ~100 KB paragraph
    url = http_server.route(
        "/feed.xml",
        body=rss([("g1", "http://example.test/huge", "Bridge vote, again and again", huge)]),
        content_type="application/rss+xml",
    )
    settings = parse_settings(
        {
            "storage": {"path": str(tmp_path / "nb.db")},
            "summary": {"max_text_chars": 5000},
            "feeds": [{"name": "City", "url": url, "full_text": False}],
        },
        base_dir=tmp_path,
    )
    app = make_app(settings)
    try:
        with caplog.at_level("INFO", logger="bot.ingest"):
            await app.run_once()
        article = app.store.article(1)
        assert article is not None
        assert 4000 < len(article.text) <= 5000
        assert article.text.endswith("Calloway added.")  # cut where a sentence ends
        assert article.summary
        assert "only the first" in caplog.text and "max_text_chars" in caplog.text
    finally:
        await app.close()


async def test_a_feed_refused_before_its_fetch_is_not_requested_nor_counted_as_failing(
    tmp_path: Path, http_server: LocalServer
) -> None:
    """`may_fetch` is a worker's claim check: a feed it refuses is left for the worker that
    holds it: no request, no failure, no backoff."""
    feed = rss([("g1", http_server.url("/story/1"), "Bridge", "The bridge will be replaced.")])
    urls = {name: http_server.route(f"/{name}.xml", body=feed) for name in ("Mine", "Theirs")}
    app = make_app(settings_for(tmp_path, urls))
    try:
        report = await app.ingestor.poll(app.store.feeds(), may_fetch=lambda f: f.name == "Mine")
        assert http_server.requests_for("/Theirs.xml") == []
        assert len(http_server.requests_for("/Mine.xml")) == 1
        skipped = {r.feed: r.skipped for r in report.feeds}
        assert skipped == {"Mine": False, "Theirs": True} and report.failed == []
        theirs = app.store.feed("Theirs")
        assert theirs is not None and theirs.failures == 0 and theirs.next_poll_at is None
    finally:
        await app.close()
