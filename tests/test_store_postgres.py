"""The Postgres store's own schema, connections and transactions, and the migrations of both
databases kept in step. (The shared store contract is tests/test_store.py, run on both.)"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

import pgserver
import pytest

from bot.models import Quote
from bot.store import MIGRATIONS as SQLITE_MIGRATIONS
from bot.store import NewArticle, StoreError
from bot.store.postgres import MIGRATIONS as PG_MIGRATIONS
from bot.store.postgres import (
    SCHEMA_VERSION,
    SCHEMA_VERSION_TABLE,
    PostgresStore,
    redact_url,
)

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

# Each database's own full-text machinery: FTS5 tables in SQLite, a tsvector column in Postgres.
SQLITE_ONLY_TABLES = ("articles_fts", "quotes_fts")
PG_ONLY = {("articles", "search"), ("quotes", "search")}


def sqlite_columns(version: int) -> set[tuple[str, str]]:
    db = sqlite3.connect(":memory:")
    for script in SQLITE_MIGRATIONS[:version]:
        db.executescript(script)
    tables = [
        r[0]
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not r[0].startswith(SQLITE_ONLY_TABLES)
    ]
    found = {(t, c[1]) for t in tables for c in db.execute(f"PRAGMA table_info({t})")}
    db.close()
    return found


def pg_columns(server: pgserver.PgServer, version: int) -> set[tuple[str, str]]:
    import psycopg

    schema = server.new_schema()
    try:
        with psycopg.connect(server.url(schema)) as db:
            for script in PG_MIGRATIONS[:version]:
                db.execute(script)
            rows = db.execute(
                """SELECT table_name, column_name FROM information_schema.columns
                   WHERE table_schema = %s""",
                (schema,),
            ).fetchall()
    finally:
        server.drop_schema(schema)
    return {(t, c) for t, c in rows} - PG_ONLY


def test_both_databases_have_the_same_migrations_giving_the_same_tables_and_columns(
    pg_server: pgserver.PgServer,
) -> None:
    # A migration added to one database only fails here: both lists are numbered alike, and
    # after every step both schemas have the same tables and columns.
    assert len(PG_MIGRATIONS) == len(SQLITE_MIGRATIONS) == SCHEMA_VERSION
    for version in range(1, SCHEMA_VERSION + 1):
        assert pg_columns(pg_server, version) == sqlite_columns(version), f"migration {version}"


def test_an_empty_database_is_migrated_once(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    assert store.version == SCHEMA_VERSION
    assert store.integrity_ok()
    store.close()
    again = PostgresStore(pg_url)
    assert again.version == SCHEMA_VERSION
    versions = again._all("SELECT version FROM schema_version ORDER BY version", ())
    assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))
    again.close()


def test_processes_starting_together_upgrade_the_schema_once(pg_url: str) -> None:
    errors: list[BaseException] = []
    stores: list[PostgresStore] = []

    def open_store() -> None:
        try:
            stores.append(PostgresStore(pg_url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {s.version for s in stores} == {SCHEMA_VERSION}
    for store in stores:
        store.close()


def test_a_version_1_database_is_migrated_keeping_data_and_indexing_it(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute(SCHEMA_VERSION_TABLE)
        raw.execute(PG_MIGRATIONS[0])
        raw.execute("INSERT INTO schema_version (version) VALUES (1)")
        raw.execute("INSERT INTO feeds (id, name, url) VALUES (1, 'World', 'https://e.org/w.rss')")
        raw.execute(
            """INSERT INTO articles (id, title, url, canonical_url, feed_id, published_at,
               first_seen_at, text, summary) VALUES (7, 'Harbour bridge vote', 'https://e.org/b',
               'https://e.org/b', 1, %s, %s, 'The council voted on the harbour bridge.',
               '["x"]')""",
            (NOW, NOW),
        )
        raw.execute(
            """INSERT INTO quotes (article_id, position, text, speaker, is_key)
               VALUES (7, 0, 'We will not be rushed on the crossing', 'Amara Okafor', TRUE)"""
        )
        raw.execute(
            "INSERT INTO digests (id, channel, title, created_at) VALUES (3, 'c', 't', %s)", (NOW,)
        )  # noqa: E501
        raw.execute("INSERT INTO digest_items VALUES (3, 1, 7)")
        raw.execute("INSERT INTO posts VALUES ('c', 7, 3, 'slack:C1:123.4', %s)", (NOW,))

    store = PostgresStore(pg_url)
    assert store.version == SCHEMA_VERSION
    kept = store.article(7)
    assert kept is not None and kept.key_quotes == (
        Quote("We will not be rushed on the crossing", "Amara Okafor"),
    )
    assert [h.article_id for h in store.search_quotes("Okafor")] == [7]
    assert [h.article_id for h in store.search_quotes("rushed crossing")] == [7]
    assert store.search_articles("harbour bridge") == [7]
    assert store.digest_for_message("slack:C1:123.4") == 3  # message refs backfilled
    assert store.integrity_ok()
    store.close()


def test_a_database_newer_than_the_code_is_refused(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer than this newsbrief understands"):
        PostgresStore(pg_url)


def test_a_missing_search_vector_fails_the_integrity_check(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    store.sync_config_feeds([("World", "https://e.org/w.rss", 15, [], True)])
    store.add_article(new_article(store, 1), seen_at=NOW)
    assert store.integrity_ok()
    with store._tx() as db:
        db.execute("UPDATE articles SET search = NULL")
    assert store.integrity_ok() is False
    store.close()


def test_an_unreachable_server_is_a_store_error_without_the_password(tmp_path) -> None:
    url = f"postgresql://newsbrief:hunter2secret@/news?host={tmp_path}&connect_timeout=2"
    with pytest.raises(StoreError, match="cannot connect to the database") as caught:
        PostgresStore(url)
    assert "hunter2secret" not in str(caught.value)
    assert "newsbrief:***@" in str(caught.value)


def test_redact_url_hides_every_password() -> None:
    assert redact_url("postgresql://bob:pw1@db:5432/news") == "postgresql://bob:***@db:5432/news"
    assert "pw2" not in redact_url("postgresql://db/news?user=a&password=pw2&sslmode=require")
    assert (
        redact_url("postgresql:///news?host=%2Frun%2Fpg") == "postgresql:///news?host=%2Frun%2Fpg"
    )


def test_a_dry_run_stores_nothing(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    dry = PostgresStore(pg_url, dry_run=True)
    dry.sync_config_feeds([("World", "https://e.org/w.rss", 15, [], True)])
    with dry.batch():
        aid = dry.add_article(new_article(dry, 1), seen_at=NOW)
    assert dry.article(aid) is not None and dry.search_articles("harbour") == [aid]
    dry.close()
    real = PostgresStore(pg_url)
    assert real.feeds() == [] and real.article_count() == 0
    real.close()


def test_the_store_connects_again_after_the_server_dropped_it(
    pg_url: str, pg_server: pgserver.PgServer
) -> None:
    store = PostgresStore(pg_url)
    store.sync_config_feeds([("World", "https://e.org/w.rss", 15, [], True)])
    pid = store._db.info.backend_pid
    pg_server.admin().execute("SELECT pg_terminate_backend(%s)", (pid,))
    import psycopg

    with pytest.raises(psycopg.OperationalError):  # the call that finds the connection gone
        store.feeds()
    assert [f.name for f in store.feeds()] == ["World"]  # the next one connects again
    store.set_last_fire("news", NOW)
    assert store.last_fire("news") == NOW
    store.close()


def test_another_thread_reads_committed_data_while_a_batch_is_open(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    store.sync_config_feeds([("World", "https://e.org/w.rss", 15, [], True)])
    seen: list[int] = []
    with store.batch():
        store.add_article(new_article(store, 1), seen_at=NOW)
        reader = threading.Thread(target=lambda: seen.append(store.article_count()))
        reader.start()
        reader.join(timeout=10)
        assert store.article_count() == 1  # the writer sees its own write
    assert seen == [0]  # the other thread did not wait for the batch, nor see it uncommitted
    assert store.article_count() == 1
    store.close()


def new_article(store: PostgresStore, n: int) -> NewArticle:
    feed = store.feed("World")
    assert feed is not None
    return NewArticle(
        feed_id=feed.id,
        guid=f"g{n}",
        title=f"Harbour story {n}",
        url=f"https://e.org/{n}",
        canonical_url=f"https://e.org/{n}",
        published_at=NOW,
        text="The harbour bridge opens.",
        summary=(),
        quotes=(Quote("We are ready", "Ana Ruiz"),),
        key_quote_count=1,
        content_hash=None,
        simhash=None,
    )
