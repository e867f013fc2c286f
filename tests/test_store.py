"""The store contract, run against SQLite and Postgres (`store_backend`): fetch state, dedupe,
posts, full-text search, retention. SQLite's own schema and file tests are at the top (and
Postgres's in test_store_postgres.py)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from stores import StoreBackend

from bot.models import Quote
from bot.store import (
    MAX_BACKOFF,
    MIGRATIONS,
    SCHEMA_VERSION,
    NewArticle,
    SqliteStore,
    Store,
    StoreError,
    fts_query,
)

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
BIG = (1 << 63) | 0x0123_4567_89AB_CDEF  # a simhash with the top bit set


CONFIG_FEEDS = [
    ("World", "https://example.org/world.rss", 15, ["world"], True),
    ("Business", "https://example.org/biz.atom", 30, ["business"], False),
]


@pytest.fixture
def store(store_backend: StoreBackend) -> Iterator[Store]:
    """A store of each kind with two config feeds."""
    s = store_backend.open()
    s.sync_config_feeds(CONFIG_FEEDS)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    """For tests of SQLite's own machinery (FTS5 segments, PRAGMAs)."""
    s = SqliteStore(tmp_path / "db" / "news.db")
    s.sync_config_feeds(CONFIG_FEEDS)
    yield s
    s.close()


def article(
    store: Store,
    n: int,
    *,
    feed: str = "World",
    seen: datetime = NOW,
    quotes: tuple[Quote, ...] = (),
    key: int = 1,
    text: str | None = None,
    content_hash: str | None = None,
    simhash: int | None = None,
    published: datetime | None = None,
) -> int:
    record = store.feed(feed)
    assert record is not None
    return store.add_article(
        NewArticle(
            feed_id=record.id,
            guid=f"guid-{n}",
            title=f"Story {n}",
            url=f"https://example.org/story-{n}",
            canonical_url=f"https://example.org/story-{n}",
            published_at=published or seen - timedelta(hours=1),
            text=text or f"The body of story number {n}.",
            summary=(f"Summary of story {n}.",),
            quotes=quotes,
            key_quote_count=min(key, len(quotes)),
            content_hash=content_hash,
            simhash=simhash,
        ),
        seen_at=seen,
    )


# -- schema --------------------------------------------------------------------------------------
def test_empty_file_is_migrated_to_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "news.db"
    store = SqliteStore(path)
    assert path.is_file()
    assert store.version == SCHEMA_VERSION == len(MIGRATIONS)
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.integrity_ok()
    store.close()
    # Opening again is a no-op that keeps the version.
    again = SqliteStore(path)
    assert again.version == SCHEMA_VERSION
    again.close()


def test_previous_schema_is_migrated_keeping_data_and_indexing_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    raw.execute("INSERT INTO feeds (id, name, url) VALUES (1, 'World', 'https://e.org/w.rss')")
    raw.execute(
        """INSERT INTO articles (id, title, url, canonical_url, feed_id, published_at,
           first_seen_at, text, summary) VALUES (7, 'Harbour bridge vote', 'https://e.org/b',
           'https://e.org/b', 1, ?, ?, 'The council voted on the harbour bridge.', '["x"]')""",
        (NOW.isoformat(), NOW.isoformat()),
    )
    raw.execute(
        "INSERT INTO article_sources VALUES (7, 1, 'g7', 'https://e.org/b', 'Harbour', ?)",
        (NOW.isoformat(),),
    )
    raw.execute(
        """INSERT INTO quotes (article_id, position, text, speaker, is_key)
           VALUES (7, 0, 'We will not be rushed on the crossing', 'Amara Okafor', 1)"""
    )
    raw.execute(
        "INSERT INTO digests (id, channel, title, created_at) VALUES (3, 'c', 't', ?)",
        (NOW.isoformat(),),
    )
    raw.execute("INSERT INTO digest_items VALUES (3, 1, 7)")
    raw.execute("INSERT INTO posts VALUES ('c', 7, 3, 'slack:C1:123.4', ?)", (NOW.isoformat(),))
    raw.commit()
    raw.close()

    store = SqliteStore(path)
    assert store.version == SCHEMA_VERSION
    kept = store.article(7)
    assert kept is not None and kept.title == "Harbour bridge vote"
    assert kept.key_quotes == (Quote("We will not be rushed on the crossing", "Amara Okafor"),)
    assert [h.article_id for h in store.search_quotes("Okafor")] == [7]
    assert [h.article_id for h in store.search_quotes("rushed crossing")] == [7]
    assert store.search_articles("harbour bridge") == [7]
    assert store.known_guid(1, "g7")
    assert store.digest_for_message("slack:C1:123.4") == 3  # message refs backfilled
    assert store.digest_items(3) == [(1, 7)]
    # New articles are indexed by the store now (migration 5 dropped the insert triggers).
    triggers = {
        r[0] for r in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    assert triggers == {"articles_ad", "quotes_ad"}
    added = article(store, 8, text="The crossing opens in May.", quotes=(Quote("Opens", "Bo Li"),))
    assert store.search_articles("crossing") == [added]
    assert store.search_articles("harbour") == [7]
    assert [h.article_id for h in store.search_quotes("Li")] == [added]
    assert store.integrity_ok()
    store.close()


def test_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SqliteStore(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer than this newsbrief understands"):
        SqliteStore(path)


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database " * 100)
    with pytest.raises(StoreError, match="cannot open the database"):
        SqliteStore(path)


# -- feeds and their fetch state -----------------------------------------------------------------
def test_config_feeds_sync(store: Store) -> None:
    assert [f.name for f in store.feeds()] == ["Business", "World"]
    world = store.feed("World")
    assert world is not None and world.tags == ("world",) and world.full_text
    assert world.origin == "config" and world.poll_minutes == 15
    # A feed dropped from the config becomes inactive (its articles are kept).
    store.sync_config_feeds([("World", "https://example.org/world.rss", 15, ["world"], True)])
    assert [f.name for f in store.feeds()] == ["World"]
    assert {f.name for f in store.feeds(active_only=False)} == {"World", "Business"}


def test_fetch_state_kept_and_failures_back_off_exponentially_up_to_a_day(
    store: Store,
) -> None:
    world = store.feed("World")
    assert world is not None
    store.record_fetch_success(world.id, now=NOW, etag='"abc"', last_modified="Sat", title="W")
    world = store.feed("World")
    assert world.etag == '"abc"' and world.last_modified == "Sat" and world.title == "W"
    assert world.last_success_at == NOW and world.next_poll_at == NOW + timedelta(minutes=15)

    delays = []
    for attempt in range(1, 10):
        retry = store.record_fetch_failure(world.id, now=NOW, error=f"HTTP 500 ({attempt})")
        delays.append(retry - NOW)
        state = store.feed("World")
        assert state.failures == attempt and state.last_error == f"HTTP 500 ({attempt})"
        assert state.next_poll_at == retry
    assert delays[0] >= timedelta(minutes=15)
    assert all(b == min(2 * a, MAX_BACKOFF) for a, b in zip(delays, delays[1:], strict=False))
    assert delays[-1] == MAX_BACKOFF == timedelta(hours=24)
    # The validators survive failures: the next request is still conditional.
    assert store.feed("World").etag == '"abc"'

    later = NOW + timedelta(days=1)
    store.record_fetch_success(world.id, now=later, etag=None, last_modified=None, title=None)
    state = store.feed("World")
    assert state.failures == 0 and state.last_error is None and state.title == "W"
    assert state.next_poll_at == later + timedelta(minutes=15)


def test_a_changed_feed_url_starts_fresh(store: Store) -> None:
    world = store.feed("World")
    store.record_fetch_success(world.id, now=NOW, etag='"abc"', last_modified="Sat", title=None)
    store.record_fetch_failure(world.id, now=NOW, error="HTTP 404")
    store.sync_config_feeds([("World", "https://example.org/new.rss", 15, ["world"], True)])
    state = store.feed("World")
    assert state.url == "https://example.org/new.rss"
    assert state.etag is None and state.last_modified is None
    assert state.failures == 0 and state.last_error is None and state.next_poll_at is None
    assert [f.name for f in store.due_feeds(NOW)] == ["World"]


def test_due_feeds(store: Store) -> None:
    assert {f.name for f in store.due_feeds(NOW)} == {"World", "Business"}  # never polled
    world, biz = store.feed("World"), store.feed("Business")
    store.record_fetch_success(world.id, now=NOW, etag=None, last_modified=None, title=None)
    store.record_fetch_failure(biz.id, now=NOW, error="timeout")
    assert store.due_feeds(NOW + timedelta(minutes=14)) == []
    assert [f.name for f in store.due_feeds(NOW + timedelta(minutes=15))] == ["World"]
    assert {f.name for f in store.due_feeds(NOW + timedelta(hours=2))} == {"World", "Business"}


def test_chat_feeds_and_subscriptions(store: Store) -> None:
    feed = store.add_chat_feed("Blog", "https://blog.example/rss", channel="c1", added_by="U1")
    assert feed.origin == "chat" and feed.active
    assert store.subscribed_feed_ids("c1") == {feed.id}
    store.add_chat_feed("Blog", "https://blog.example/rss", channel="c2", added_by="U2")
    store.unsubscribe("c1", feed.id)
    assert store.feed("Blog").active  # c2 still follows it
    store.unsubscribe("c2", feed.id)
    assert not store.feed("Blog").active
    assert store.subscribed_feed_ids("c2") == set()


# -- articles and dedupe -------------------------------------------------------------------------
def test_article_round_trip_with_key_quotes_first(store: Store) -> None:
    quotes = (
        Quote("First said", "Ana Ruiz", "minister"),
        Quote("Second said", "Ben Lee"),
        Quote("Third said", None),
    )
    aid = article(store, 1, quotes=quotes, key=2)
    got = store.article(aid)
    assert got is not None
    assert got.source == "World" and got.title == "Story 1"
    assert got.published_at == NOW - timedelta(hours=1) and got.first_seen_at == NOW
    assert got.summary == ("Summary of story 1.",)
    assert got.quotes == quotes and got.key_quotes == quotes[:2]
    assert store.article(999) is None
    assert store.article_count() == 1


def test_the_stories_picture_is_stored_and_a_version_5_database_gains_the_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v5.db"
    raw = sqlite3.connect(path)
    for version, script in enumerate(MIGRATIONS[:5], start=1):
        raw.executescript(script)
        raw.execute(f"PRAGMA user_version = {version}")
    raw.execute("INSERT INTO feeds (id, name, url) VALUES (1, 'World', 'https://e.org/w.rss')")
    raw.execute(
        """INSERT INTO articles (id, title, url, feed_id, published_at, first_seen_at, text)
           VALUES (7, 'Old story', 'https://e.org/o', 1, ?, ?, 'Old text.')""",
        (NOW.isoformat(), NOW.isoformat()),
    )
    raw.commit()
    raw.close()

    store = SqliteStore(path)
    assert store.version == SCHEMA_VERSION
    old = store.article(7)
    assert old is not None and old.image is None
    record = store.feed("World")
    assert record is not None
    new = store.add_article(
        NewArticle(
            feed_id=record.id,
            guid="g8",
            title="New story",
            url="https://e.org/n",
            canonical_url="https://e.org/n",
            published_at=NOW,
            text="New text.",
            summary=(),
            quotes=(),
            key_quote_count=0,
            content_hash=None,
            simhash=None,
            image="https://img.example/n.jpg",
        ),
        seen_at=NOW,
    )
    got = store.article(new)
    assert got is not None and got.image == "https://img.example/n.jpg"
    store.close()


def test_dedupe_helpers(store: Store) -> None:
    world = store.feed("World")
    biz = store.feed("Business")
    a1 = article(store, 1, content_hash="hash-one", simhash=BIG)
    a2 = article(store, 2, content_hash="hash-two", simhash=0x0F0F_0F0F_0F0F_0F0F)
    assert store.known_guid(world.id, "guid-1")
    assert not store.known_guid(biz.id, "guid-1")  # a guid is per feed
    assert not store.known_guid(world.id, "guid-3")
    assert store.article_id_by_url("https://example.org/story-1") == a1
    assert store.article_id_by_url("https://example.org/story-9") is None
    many = [f"https://example.org/story-{n}" for n in (9, 2, 1, 2, *range(10, 900))]
    assert store.article_ids_by_url(many) == {
        "https://example.org/story-1": a1,
        "https://example.org/story-2": a2,
    }
    assert store.article_ids_by_url([]) == {}

    assert store.duplicate_of("hash-two", None) == a2
    # Near-identical texts: a few bits apart, including hashes with the top bit set.
    assert store.duplicate_of("other", BIG ^ 0b101) == a1
    assert store.duplicate_of(None, BIG ^ (1 << 62)) == a1
    assert store.duplicate_of(None, 0x0F0F_0F0F_0F0F_0F0F ^ (1 << 40)) == a2
    # Different stories: not a duplicate.
    assert store.duplicate_of("hash-three", BIG ^ 0b1111) is None
    assert store.duplicate_of("hash-three", 0x7777_1234_5678_9ABC) is None
    assert store.duplicate_of(None, None) is None


def test_another_feed_becomes_an_other_source(store: Store) -> None:
    biz = store.feed("Business")
    aid = article(store, 1)
    store.add_source(
        aid, feed_id=biz.id, guid="b-1", url="https://biz.example/1", title="S", seen_at=NOW
    )
    store.add_source(  # the same entry seen again is not a second source
        aid, feed_id=biz.id, guid="b-1", url="https://biz.example/1", title="S", seen_at=NOW
    )
    got = store.article(aid)
    assert [(s.name, s.url) for s in got.other_sources] == [("Business", "https://biz.example/1")]
    assert store.known_guid(biz.id, "b-1")
    # A channel following only Business sees the story too.
    assert [a.id for a in store.articles_since(NOW - timedelta(days=1), [biz.id])] == [aid]


def test_articles_since(store: Store) -> None:
    old = article(store, 1, seen=NOW - timedelta(days=3))
    new = article(store, 2, seen=NOW)
    biz = article(store, 3, feed="Business")
    world = store.feed("World")
    got = store.articles_since(NOW - timedelta(days=1), [world.id])
    assert [a.id for a in got] == [new]
    assert {a.id for a in store.articles_since(NOW - timedelta(days=7), [world.id])} == {old, new}
    assert store.articles_since(NOW - timedelta(days=7), []) == []
    assert biz not in {a.id for a in got}


# -- digests and posts ---------------------------------------------------------------------------
def test_record_posted_is_idempotent_and_digest_items_lists_only_posted(
    store: Store,
) -> None:
    ids = [article(store, n) for n in (1, 2, 3)]
    digest = store.create_digest("newsroom", "Digest", NOW, ids)
    assert store.digest_items(digest) == []  # nothing reached the channel yet
    assert store.latest_posted_digest("newsroom") is None

    store.record_posted("newsroom", digest, ids[:2], "slack:C1:1.0", NOW)
    store.record_posted("newsroom", digest, ids[:2], "slack:C1:1.0", NOW)  # retried record
    assert store.post_count("newsroom") == 2
    assert store.posted_article_ids("newsroom") == set(ids[:2])
    assert store.digest_items(digest) == [(1, ids[0]), (2, ids[1])]  # item 3 failed to post
    assert store.latest_posted_digest("newsroom") == digest
    assert store.digest_channel(digest) == "newsroom"
    assert store.digest_for_message("slack:C1:1.0") == digest
    assert store.digest_for_message("slack:C1:9.9") is None

    # Posting the same article to the channel again (a later digest) records it once.
    again = store.create_digest("newsroom", "Digest 2", NOW, [ids[0], ids[2]])
    store.record_posted("newsroom", again, [ids[0], ids[2]], "slack:C1:2.0", NOW)
    assert store.post_count("newsroom") == 3
    assert store.digest_items(again) == [(2, ids[2])]
    # Another channel has its own record.
    assert store.posted_article_ids("other") == set()


def test_last_fire(store: Store) -> None:
    assert store.last_fire("newsroom") is None
    store.set_last_fire("newsroom", NOW)
    store.set_last_fire("newsroom", NOW + timedelta(days=1))
    assert store.last_fire("newsroom") == NOW + timedelta(days=1)


# -- full-text search ----------------------------------------------------------------------------
@pytest.fixture
def quoted(store: Store) -> dict[str, int]:
    return {
        "bridge": article(
            store,
            1,
            quotes=(
                Quote("We will not be rushed on the harbour crossing", "Amara Okafor-Müller"),
                Quote("The tolls stay where they are", "Tomás Núñez", "treasurer"),
            ),
            key=1,
        ),
        "tram": article(
            store,
            2,
            quotes=(Quote("Trams are coming to the eastside", "Amara Okafor-Müller"),),
        ),
        "library": article(store, 3, quotes=(Quote("Books first, café second", "Li Wei"),)),
    }


def test_quote_search_by_surname_and_words(store: Store, quoted: dict[str, int]) -> None:
    assert {h.article_id for h in store.search_quotes("Okafor")} == {
        quoted["bridge"],
        quoted["tram"],
    }
    hits = store.search_quotes("harbour crossing")
    assert [h.quote.text for h in hits] == ["We will not be rushed on the harbour crossing"]
    assert hits[0].quote.speaker == "Amara Okafor-Müller"
    assert hits[0].article_title == "Story 1" and hits[0].article_url.endswith("story-1")
    assert [h.quote.speaker for h in store.search_quotes("tolls")] == ["Tomás Núñez"]
    assert store.search_quotes("submarine") == []


def test_quote_search_prefix_and_diacritics(store: Store, quoted: dict[str, int]) -> None:
    assert [h.quote.speaker for h in store.search_quotes("Nunez")] == ["Tomás Núñez"]
    assert [h.quote.speaker for h in store.search_quotes("núñez")] == ["Tomás Núñez"]
    assert {h.quote.speaker for h in store.search_quotes("muller")} == {"Amara Okafor-Müller"}
    assert [h.quote.text for h in store.search_quotes("cafe")] == ["Books first, café second"]
    assert [h.quote.text for h in store.search_quotes("eastsi")] == [
        "Trams are coming to the eastside"
    ]
    assert [h.quote.text for h in store.search_quotes("rushed harb")] == [
        "We will not be rushed on the harbour crossing"
    ]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "-",
        "NEAR(",
        "NEAR(tolls",
        'tolls"',
        "-tolls",
        "tolls*",
        "AND",
        "OR",
        "NOT x",
        "speaker:Li",
        "^tolls",
        "(",
        ")",
        "'",
        "___",
        "tolls + -",
        "a" * 500,
        "",
        "   ",
    ],
)
def test_fts_syntax_in_a_query_never_raises(
    store: Store, quoted: dict[str, int], query: str
) -> None:
    hits = store.search_quotes(query)
    assert isinstance(hits, list)
    assert isinstance(store.search_articles(query), list)
    if "tolls" in query:
        assert [h.quote.speaker for h in hits] == ["Tomás Núñez"]


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('NEAR("x" -y*') == '"x" "y"*'
    assert fts_query("Okafor AND bridge") == '"okafor" "bridge"*'
    assert fts_query("near") == '"near"*' and fts_query("NOT") == '"not"*'
    assert fts_query("  ") is None


def test_search_articles(store: Store) -> None:
    a = article(store, 1, text="The eastside tram extension opens in spring.")
    article(store, 2, text="The library reopens.")
    assert store.search_articles("tram extension") == [a]
    assert store.search_articles("Story 1") == [a]  # titles are indexed too


def test_sqlite_merges_full_text_segments_less_often(sqlite_store: SqliteStore) -> None:
    # automerge=16 (migration 4): one FTS segment per transaction, merged less often.
    for table in ("articles_fts", "quotes_fts"):
        row = sqlite_store._db.execute(
            f"SELECT v FROM {table}_config WHERE k = 'automerge'"
        ).fetchone()
        assert row[0] == 16


def test_search_finds_every_article_across_many_index_segments(store: Store) -> None:
    ids = {}
    for n in range(120):  # one transaction per article: 120 segments before merging
        words = f"word{n} common" + (" harbour" if n % 3 == 0 else "")
        ids[n] = article(
            store, n, text=f"Story text {words}.", quotes=(Quote(f"Said {words}", f"Speaker{n}"),)
        )
    for n in (0, 17, 64, 119):
        assert store.search_articles(f"word{n}") == [ids[n]]
        assert [h.article_id for h in store.search_quotes(f"speaker{n}")] == [ids[n]]
    harbour = {ids[n] for n in range(120) if n % 3 == 0}
    assert set(store.search_articles("harbour", limit=100)) == harbour
    assert len(store.search_articles("common", limit=500)) == 120
    store.prune(older_than=NOW + timedelta(days=1))  # deletes reach every segment
    assert store.search_articles("common", limit=500) == []
    assert store.search_quotes("common") == []
    assert store.integrity_ok()


def test_speakers_by_prefix(store: Store, quoted: dict[str, int]) -> None:
    assert store.speakers() == ["Amara Okafor-Müller", "Li Wei", "Tomás Núñez"]  # most quoted first
    assert store.speakers("ama") == ["Amara Okafor-Müller"]
    assert store.speakers("Okaf") == ["Amara Okafor-Müller"]  # surname
    assert store.speakers("mül") == ["Amara Okafor-Müller"]  # second half, any case
    assert store.speakers("mul") == ["Amara Okafor-Müller"]  # without the accent
    assert store.speakers("NUN") == ["Tomás Núñez"]
    assert store.speakers("%") == [] and store.speakers("_") == []
    assert store.speakers("x") == []
    assert store.speakers("", limit=1) == ["Amara Okafor-Müller"]


# -- retention -----------------------------------------------------------------------------------
def test_prune_removes_old_articles_with_their_quotes_and_posts(store: Store) -> None:
    old = article(
        store, 1, seen=NOW - timedelta(days=40), quotes=(Quote("Old words here", "Ada Old"),)
    )
    new = article(store, 2, seen=NOW, quotes=(Quote("New words here", "Bo New"),))
    old_digest = store.create_digest("c", "old", NOW - timedelta(days=40), [old])
    store.record_posted("c", old_digest, [old], "console:1", NOW - timedelta(days=40))
    new_digest = store.create_digest("c", "new", NOW, [new])
    store.record_posted("c", new_digest, [new], "console:2", NOW)

    assert store.prune(older_than=NOW - timedelta(days=30)) == 1
    assert store.article(old) is None and store.article(new) is not None
    assert [h.quote.text for h in store.search_quotes("words")] == ["New words here"]
    assert store.search_articles("story") == [new]
    assert store.speakers() == ["Bo New"]
    assert store.posted_article_ids("c") == {new}
    assert store.digest_for_message("console:1") is None
    assert store.digest_items(new_digest) == [(1, new)]
    assert store.integrity_ok()
    # The feed may still list the old entry: it is not taken for a new story.
    assert store.known_guid(store.feed("World").id, "guid-1")
    assert store.prune(older_than=NOW - timedelta(days=30)) == 0


def test_integrity_ok(store: Store) -> None:
    article(store, 1)
    assert store.integrity_ok() is True


def test_integrity_ok_checks_the_full_text_index(sqlite_store: SqliteStore) -> None:
    store = sqlite_store
    article(store, 1, text="The harbour bridge opens.")
    # An index row for an article that does not exist: the index no longer matches its table.
    store._db.execute(
        "INSERT INTO articles_fts(rowid, title, text) VALUES (99, 'Ghost', 'no such article')"
    )
    assert store.integrity_ok() is False


# -- full-text indexing at commit ------------------------------------------------------------------
def fts_segments(store: Store, table: str) -> int:
    return int(store._db.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0])


def test_a_batch_is_indexed_as_one_full_text_segment(sqlite_store: SqliteStore) -> None:
    store = sqlite_store
    # Indexed row by row between savepoints, each article was a segment of its own (FTS5 flushes
    # at a savepoint): 20 of them, merged again at 16.
    with store.batch():
        ids = [
            article(store, n, text=f"Story word{n} text.", quotes=(Quote(f"Said word{n}", "X"),))
            for n in range(20)
        ]
    assert fts_segments(store, "articles_fts") == 1
    assert fts_segments(store, "quotes_fts") == 1
    assert store.search_articles("word7") == [ids[7]]
    assert [h.article_id for h in store.search_quotes("word19")] == [ids[19]]
    assert store.integrity_ok()


def test_a_write_that_fails_inside_a_batch_leaves_nothing_in_the_index(
    store: Store, store_backend: StoreBackend
) -> None:
    feed_id = store.feed("World").id
    with store.batch():
        kept = article(store, 1, text="The tram depot reopens.", quotes=(Quote("Trams", "A"),))
        # Same feed and entry id again: the article row is written, then its source fails.
        clash = NewArticle(
            feed_id=feed_id,
            guid="guid-1",
            title="Clash",
            url="https://example.org/clash",
            canonical_url="https://example.org/clash",
            published_at=NOW,
            text="A ferry timetable nobody stored.",
            summary=(),
            quotes=(Quote("Ferries", "B"),),
            key_quote_count=1,
            content_hash=None,
            simhash=None,
        )
        with pytest.raises(store_backend.integrity_errors):
            store.add_article(clash, seen_at=NOW)
        later = article(store, 2, text="The ferry pier is repaired.")
    assert store.article_count() == 2
    assert store.search_articles("ferry") == [later]
    assert store.search_articles("tram") == [kept]
    assert store.search_articles("timetable") == []
    assert store.integrity_ok()


def test_a_failed_transaction_indexes_nothing_and_the_next_one_works(store: Store) -> None:
    with pytest.raises(RuntimeError), store.batch(), store._tx():
        article(store, 1, text="Rolled back words.")
        raise RuntimeError("boom")
    # The savepoint was rolled back, the batch committed nothing else.
    assert store.article_count() == 0
    assert store.search_articles("rolled") == []
    with store._tx() as db:
        db.execute("SELECT 1")
    after = article(store, 2, text="Committed words.")
    assert store.search_articles("words") == [after]
    assert store.integrity_ok()


def test_quote_search_by_a_speaker_returns_only_what_that_person_said(store: Store) -> None:
    article(
        store,
        1,
        quotes=(
            Quote("Gardener pushed me all the way to the line", "Dean Ashworth"),
            Quote("Nobody expected Gardener to fade like that"),
            Quote("I ran the race I wanted to run", "Marcus Gardener"),
        ),
        key=3,
    )
    hits = store.search_quotes("Gardener")
    assert [(h.quote.text, h.quote.speaker) for h in hits] == [
        ("I ran the race I wanted to run", "Marcus Gardener")
    ]
    # words that name no speaker still find the quotes that contain them
    assert [h.quote.speaker for h in store.search_quotes("fade like")] == [None]


def test_a_read_never_sees_half_of_another_threads_transaction(store: Store) -> None:
    """The ingest thread stores a feed's stories and its poll in one transaction while the loop
    (or the alerts thread) reads: the reader sees the feed before or after, never in between.
    (An alerts drain that saw a feed polled but only some of its backlog stored settled the
    backlog short and posted the rest.)"""
    feed = store.feed("World")
    assert feed is not None
    inside, finish = threading.Event(), threading.Event()

    def poll_in_a_thread() -> None:
        with store.batch():
            article(store, 1)
            store.record_fetch_success(
                feed.id, now=NOW, etag='"v2"', last_modified=None, title="World news"
            )
            inside.set()
            assert finish.wait(10)

    writer = threading.Thread(target=poll_in_a_thread)
    writer.start()
    try:
        assert inside.wait(10)
        during = store.feed("World")
        assert during is not None and during.last_success_at is None and during.etag is None
        assert store.article_count() == 0
        assert store.known_guids(feed.id, ["guid-1"]) == set()
    finally:
        finish.set()
        writer.join()
    after = store.feed("World")
    assert after is not None and after.etag == '"v2"' and store.article_count() == 1
