"""The SQLite store (the embedded default): one file, no server to run.

SQLite runs in WAL mode in one file. The schema is versioned with `PRAGMA user_version` and
upgraded by the ordered `MIGRATIONS`; a database from any earlier version is migrated on open.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from bot.models import Quote, Source
from bot.store.base import (
    SEEN_GUIDS_KEPT,
    ArticleRecord,
    FeedRecord,
    NewArticle,
    QuoteHit,
    StoreError,
    near_duplicate,
    next_poll_after_failure,
    search_words,
    signed64,
    simhash_bands,
    speakers_matching,
)
from bot.store.records import article_record, feed_record
from bot.store.workspaces import SqlDialect, WorkspaceStoreMixin
from bot.urls import canonical_url

MIGRATIONS: tuple[str, ...] = (
    # 1: feeds, articles and where they came from, digests and posts.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        origin TEXT NOT NULL DEFAULT 'config',   -- config | chat
        active INTEGER NOT NULL DEFAULT 1,
        poll_minutes INTEGER NOT NULL DEFAULT 15,
        tags TEXT NOT NULL DEFAULT '[]',
        full_text INTEGER NOT NULL DEFAULT 1,
        title TEXT,
        etag TEXT,
        last_modified TEXT,
        last_fetch_at TEXT,
        last_success_at TEXT,
        next_poll_at TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        canonical_url TEXT,
        feed_id INTEGER NOT NULL REFERENCES feeds(id),
        published_at TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        text TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '[]',
        content_hash TEXT,
        simhash INTEGER,
        band0 INTEGER, band1 INTEGER, band2 INTEGER, band3 INTEGER
    );
    CREATE UNIQUE INDEX articles_canonical_url ON articles(canonical_url);
    CREATE INDEX articles_content_hash ON articles(content_hash);
    CREATE INDEX articles_band0 ON articles(band0);
    CREATE INDEX articles_band1 ON articles(band1);
    CREATE INDEX articles_band2 ON articles(band2);
    CREATE INDEX articles_band3 ON articles(band3);
    CREATE INDEX articles_first_seen ON articles(first_seen_at);
    CREATE TABLE article_sources (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        feed_id INTEGER NOT NULL REFERENCES feeds(id),
        guid TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        UNIQUE (feed_id, guid)
    );
    CREATE INDEX article_sources_article ON article_sources(article_id);
    CREATE TABLE quotes (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        speaker TEXT,
        speaker_title TEXT,
        is_key INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX quotes_article ON quotes(article_id);
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        title TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE digest_items (
        digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (digest_id, number)
    );
    CREATE TABLE posts (
        channel TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
        message_ref TEXT NOT NULL,
        posted_at TEXT NOT NULL,
        PRIMARY KEY (channel, article_id)
    );
    CREATE TABLE channel_state (
        channel TEXT PRIMARY KEY,
        last_fire_at TEXT
    );
    """,
    # 2: full-text search over articles and quotes, chat-managed subscriptions, message refs.
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO articles_fts(rowid, title, text) SELECT id, title, text FROM articles;
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END;
    CREATE VIRTUAL TABLE quotes_fts USING fts5(
        text, speaker, content='quotes', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO quotes_fts(rowid, text, speaker)
        SELECT id, text, coalesce(speaker, '') FROM quotes;
    CREATE TRIGGER quotes_ai AFTER INSERT ON quotes BEGIN
        INSERT INTO quotes_fts(rowid, text, speaker)
        VALUES (new.id, new.text, coalesce(new.speaker, ''));
    END;
    CREATE TRIGGER quotes_ad AFTER DELETE ON quotes BEGIN
        INSERT INTO quotes_fts(quotes_fts, rowid, text, speaker)
        VALUES ('delete', old.id, old.text, coalesce(old.speaker, ''));
    END;
    CREATE TABLE subscriptions (
        channel TEXT NOT NULL,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        added_by TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (channel, feed_id)
    );
    CREATE TABLE message_refs (
        message_ref TEXT PRIMARY KEY,
        digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE
    );
    INSERT OR IGNORE INTO message_refs SELECT DISTINCT message_ref, digest_id FROM posts;
    """,
    # 3: entry ids of articles removed by retention, so a feed that still lists an old entry does
    # not bring it back as a new story (and post it again).
    """
    CREATE TABLE seen_guids (
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (feed_id, guid)
    );
    """,
    # 4: cheaper full-text indexing. Each stored feed is one transaction, so one new FTS5
    # segment; with the default automerge=4 those are merged again and again as they pile up.
    # Merging only once 16 segments of a level exist cuts indexing work (about 15% of storing
    # a 20-entry feed with 30,000 articles indexed); searches read a few more segments and find
    # exactly the same rows.
    """
    INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 16);
    INSERT INTO quotes_fts(quotes_fts, rank) VALUES ('automerge', 16);
    """,
    # 5: new articles and quotes are indexed by the store when the transaction commits, not by
    # AFTER INSERT triggers. FTS5 writes its pending rows out as a new segment at every
    # savepoint, and a trigger on a statement opens one: indexing row by row made one tiny
    # segment per article (and merged them again and again), about twice the indexing work.
    """
    DROP TRIGGER articles_ai;
    DROP TRIGGER quotes_ai;
    """,
    # 6: the story's picture (an https URL from the feed or the page's og:image), shown as a
    # thumbnail by Slack and Discord; NULL for stories stored before.
    """
    ALTER TABLE articles ADD COLUMN image_url TEXT;
    """,
    # 7: backfill control and failing-feed notices.
    # held_back: stories stored but never to be posted in a channel (a newly followed feed's
    # backlog beyond the channel's `backfill`, or a story an alerts channel's filters refused
    # when it arrived). followed_feeds: the (channel, feed) pairs whose backlog was settled, with
    # the feed URL it was settled for (a new URL is a new feed). Pairs that existed before this
    # version count as settled: their stories already flowed as before. feed_notices: the chat
    # channels ("slack:C0123") told that a feed is failing, so a restart does not tell them again.
    """
    CREATE TABLE held_back (
        channel TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (channel, article_id)
    );
    CREATE TABLE followed_feeds (
        channel TEXT NOT NULL,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        settled_at TEXT NOT NULL,
        PRIMARY KEY (channel, feed_id)
    );
    INSERT INTO followed_feeds (channel, feed_id, url, settled_at)
        SELECT c.channel, f.id, f.url, f.last_success_at
        FROM (SELECT channel FROM channel_state UNION SELECT channel FROM posts
              UNION SELECT channel FROM subscriptions) c, feeds f
        WHERE f.last_success_at IS NOT NULL;
    CREATE TABLE feed_notices (
        place TEXT NOT NULL,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        notified_at TEXT NOT NULL,
        PRIMARY KEY (place, feed_id)
    );
    """,
    # 8: many workspaces (bot.store.workspaces). slack_bots: each Slack workspace's (or Enterprise
    # Grid org's) bot installation, the latest one only; oauth_states: the OAuth `state` values
    # handed out by /slack/install, each usable once before it expires (in the database so any
    # instance behind a load balancer can check it); chat_channels: channels set up in chat with
    # /feeds set (NULL = the same default as in the config file; lists are JSON text);
    # channel_leases: which instance is posting a channel's digest now (several instances share
    # one database behind a load balancer), until when.
    """
    CREATE TABLE slack_bots (
        enterprise_id TEXT NOT NULL DEFAULT '',
        team_id TEXT NOT NULL DEFAULT '',
        enterprise_name TEXT,
        team_name TEXT,
        app_id TEXT,
        bot_id TEXT NOT NULL,
        bot_user_id TEXT NOT NULL,
        bot_token TEXT NOT NULL,
        bot_scopes TEXT NOT NULL DEFAULT '',
        bot_refresh_token TEXT,
        bot_token_expires_at BIGINT,
        is_enterprise_install INTEGER NOT NULL DEFAULT 0,
        installer_user_id TEXT,
        installed_at TEXT NOT NULL,
        PRIMARY KEY (enterprise_id, team_id)
    );
    CREATE TABLE oauth_states (
        state TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE chat_channels (
        name TEXT PRIMARY KEY,
        platform TEXT NOT NULL,
        workspace TEXT NOT NULL,
        target TEXT NOT NULL,
        mode TEXT,
        digest_cron TEXT,
        timezone TEXT,
        max_items INTEGER,
        backfill INTEGER,
        title TEXT,
        item_template TEXT,
        feed_names TEXT,
        feed_tags TEXT,
        include_filters TEXT,
        exclude_filters TEXT,
        updated_by TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        UNIQUE (platform, target)
    );
    CREATE INDEX chat_channels_workspace ON chat_channels(platform, workspace);
    CREATE TABLE channel_leases (
        channel TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    """,
    # 9: feed leases for several workers on one database (bot.workers): a due feed is claimed by
    # one worker until `claimed_until`, so no other fetches it meanwhile; a dead worker's claim
    # runs out by itself and another takes the feed over.
    """
    ALTER TABLE feeds ADD COLUMN claimed_by TEXT;
    ALTER TABLE feeds ADD COLUMN claimed_until TEXT;
    CREATE INDEX feeds_due ON feeds(next_poll_at) WHERE active;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def fts_query(text: str) -> str | None:
    """User words -> a safe FTS5 query (each word quoted, prefix match on the last one)."""
    words = search_words(text)
    if not words:
        return None
    parts = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return " ".join(parts)


_DUE_ORDER = "next_poll_at IS NOT NULL, next_poll_at, id"  # most overdue first
T = TypeVar("T")
_IN_LIST_MAX = 400  # values in one `IN (...)` list: twice that stays under SQLite's old 999 limit


def _in_lists(values: Sequence[T]) -> Iterator[tuple[list[T], str]]:
    """`values` in chunks small enough for one `IN (...)` list each, with their `?` marks."""
    for start in range(0, len(values), _IN_LIST_MAX):
        chunk = list(values[start : start + _IN_LIST_MAX])
        yield chunk, ",".join("?" * len(chunk))


class SqliteStore(WorkspaceStoreMixin):
    """The embedded store. Thread-safe for the bot's use: writes (and reads while no other
    thread's transaction is open) on one connection behind a lock; reads meanwhile on a second
    connection, so they see committed data only (see `_reading`).

    Installations, OAuth states and chat-managed channels: bot.store.workspaces."""

    # Times as ISO-8601 UTC text to the second, like every other time in this store.
    _dialect = SqlDialect(placeholder="?", time_param=_ts, time_value=datetime.fromisoformat)

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder for the database {path}: {exc}"
                ) from None
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._lock = threading.RLock()
            self._read_lock = threading.Lock()
            self._read_db: sqlite3.Connection | None = None  # see _reading
            self._writes = _WriteState()
            self.migrate()
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise StoreError(f"cannot open the database {path}: {exc}") from None
        except StoreError:
            self._close_quietly()
            raise

    @classmethod
    def in_memory_copy(cls, path: Path | str) -> SqliteStore:
        """A store in memory holding a copy of the database at `path`, or an empty one if there
        is none: for dry runs, which must leave the file (and its folder) untouched.

        The file is copied with SQLite's backup API (a consistent copy even while the bot
        writes to it) through a query-only connection; an older schema is migrated in memory
        only. (Not `mode=ro`: a read-only connection cannot remove the -wal and -shm files it
        makes, and they would stay behind.)
        """
        store = cls(":memory:")
        source_path = Path(path)
        if not source_path.is_file():
            return store
        try:
            source = sqlite3.connect(str(source_path), isolation_level=None)
            try:
                source.execute("PRAGMA query_only = 1")
                source.backup(store._db)
            finally:
                source.close()
            store.migrate()
        except sqlite3.DatabaseError as exc:
            store._close_quietly()
            raise StoreError(f"cannot read the database {path}: {exc}") from None
        return store

    # -- schema -------------------------------------------------------------------------------
    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        current = self.version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"the database {self.path} has schema version {current}, newer than this "
                f"newsbrief understands ({SCHEMA_VERSION}); upgrade newsbrief"
            )
        for version in range(current + 1, target + 1):
            with self._lock:
                # executescript commits first; run each migration in its own transaction.
                try:
                    self._db.executescript(
                        f"BEGIN; {MIGRATIONS[version - 1]}; "
                        f"PRAGMA user_version = {version}; COMMIT;"
                    )
                except sqlite3.Error:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise

    def close(self) -> None:
        if self._read_db is not None:
            self._read_db.close()
        self._db.close()

    def _close_quietly(self) -> None:
        with contextlib.suppress(AttributeError, sqlite3.Error):
            self._db.close()

    @property
    def in_transaction(self) -> bool:
        return self._db.in_transaction

    def integrity_ok(self) -> bool:
        """SQLite's integrity check, and the full-text indexes agree with their tables."""
        if self._db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            return False
        try:
            with self._lock:
                for table in ("articles_fts", "quotes_fts"):
                    self._db.execute(
                        f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)"
                    )
        except sqlite3.DatabaseError:
            return False
        return True

    def _tx(self) -> _Transaction:
        return _Transaction(self._db, self._lock, self._writes)

    def _mapped_rows(self, sql: str, params: Sequence[object]) -> list[sqlite3.Row]:
        return self._read(sql, params)

    def _read(self, sql: str, params: Sequence[object] = ()) -> _Rows:
        """Run a query and fetch its rows on a connection that shows only committed data (or
        this thread's own transaction): see `_reading`."""
        with self._reading() as db:
            return _Rows(db.execute(sql, params).fetchall())

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection a read runs on. The writer's when no transaction is open (or the open
        one is this thread's own: it must see its own writes); while another thread's is, a
        second connection, so the read sees committed data only, never half a transaction (a
        feed's stories stored but not yet its poll, or the reverse). WAL lets it read while the
        writer writes. An in-memory database has no second connection: the read waits."""
        if self._lock.acquire(blocking=False):
            try:
                yield self._db
            finally:
                self._lock.release()
            return
        if str(self.path) == ":memory:":
            with self._lock:
                yield self._db
            return
        with self._read_lock:
            if self._read_db is None:
                self._read_db = sqlite3.connect(
                    str(self.path), check_same_thread=False, isolation_level=None
                )
                self._read_db.row_factory = sqlite3.Row
                self._read_db.execute("PRAGMA query_only = 1")
                self._read_db.execute("PRAGMA busy_timeout=5000")
            yield self._read_db

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes in one transaction (one commit instead of one per write).

        Each write inside stays atomic on its own (a savepoint); what succeeded is committed at
        the end even when the block raises, exactly as if each had committed at once. Holds the
        store's lock for the duration: keep the block short and free of awaits.
        """
        with self._lock:
            if self._writes.depth:
                yield
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._writes.depth += 1
            try:
                yield
            finally:
                self._writes.depth -= 1
                self._writes.commit(self._db)

    # -- feeds --------------------------------------------------------------------------------
    def sync_config_feeds(self, feeds: Iterable[tuple[str, str, int, Sequence[str], bool]]) -> None:
        """Make the config's feeds (name, url, poll_minutes, tags, full_text) active.

        Config feeds no longer in the file become inactive; their articles are kept.
        """
        feeds = list(feeds)
        with self._tx() as db:
            db.execute("UPDATE feeds SET active = 0 WHERE origin = 'config'")
            for name, url, poll, tags, full_text in feeds:
                db.execute(
                    """INSERT INTO feeds (name, url, origin, poll_minutes, tags, full_text)
                       VALUES (?, ?, 'config', ?, ?, ?)
                       ON CONFLICT(name) DO UPDATE SET url = excluded.url, active = 1,
                         origin = 'config', poll_minutes = excluded.poll_minutes,
                         tags = excluded.tags, full_text = excluded.full_text,
                         etag = CASE WHEN feeds.url = excluded.url THEN feeds.etag END,
                         last_modified = CASE WHEN feeds.url = excluded.url
                                         THEN feeds.last_modified END,
                         -- a new URL is a fresh start: no backoff from the old one's failures
                         failures = CASE WHEN feeds.url = excluded.url THEN feeds.failures
                                    ELSE 0 END,
                         last_error = CASE WHEN feeds.url = excluded.url THEN feeds.last_error END,
                         -- and never fetched yet: its first poll brings a backlog (backfill)
                         last_success_at = CASE WHEN feeds.url = excluded.url
                                           THEN feeds.last_success_at END,
                         next_poll_at = CASE WHEN feeds.url = excluded.url
                                        THEN feeds.next_poll_at END""",
                    (name, url, poll, json.dumps(list(tags)), int(full_text)),
                )

    def add_chat_feed(
        self, name: str, url: str, *, channel: str, added_by: str, poll_minutes: int = 15
    ) -> FeedRecord:
        with self._tx() as db:
            # A name the config file no longer lists (inactive) is taken over as a chat feed: it
            # is no longer the operator's, so it must not keep a config feed's trust.
            db.execute(
                """INSERT INTO feeds (name, url, origin, poll_minutes) VALUES (?, ?, 'chat', ?)
                   ON CONFLICT(name) DO UPDATE SET active = 1,
                     origin = CASE WHEN feeds.active THEN feeds.origin ELSE 'chat' END""",
                (name, url, poll_minutes),
            )
            feed_id = db.execute("SELECT id FROM feeds WHERE name = ?", (name,)).fetchone()[0]
            db.execute(
                "INSERT OR IGNORE INTO subscriptions (channel, feed_id, added_by) VALUES (?, ?, ?)",
                (channel, feed_id, added_by),
            )
        feed = self.feed(name)
        assert feed is not None
        return feed

    def unsubscribe(self, channel: str, feed_id: int) -> None:
        with self._tx() as db:
            db.execute(
                "DELETE FROM subscriptions WHERE channel = ? AND feed_id = ?", (channel, feed_id)
            )
            left = db.execute(
                "SELECT count(*) FROM subscriptions WHERE feed_id = ?", (feed_id,)
            ).fetchone()[0]
            if not left:
                db.execute(
                    "UPDATE feeds SET active = 0 WHERE id = ? AND origin = 'chat'", (feed_id,)
                )

    def subscribed_feed_ids(self, channel: str) -> set[int]:
        rows = self._read(
            """SELECT s.feed_id FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
               WHERE s.channel = ? AND f.active""",
            (channel,),
        )
        return {r[0] for r in rows}

    def feeds(self, *, active_only: bool = True) -> list[FeedRecord]:
        sql = "SELECT * FROM feeds" + (" WHERE active" if active_only else "") + " ORDER BY name"
        return [self._feed(r) for r in self._read(sql)]

    def feed(self, name: str) -> FeedRecord | None:
        row = self._read("SELECT * FROM feeds WHERE name = ?", (name,)).fetchone()
        return None if row is None else self._feed(row)

    def feed_by_id(self, feed_id: int) -> FeedRecord | None:
        row = self._read("SELECT * FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return None if row is None else self._feed(row)

    def due_feeds(self, now: datetime) -> list[FeedRecord]:
        return [f for f in self.feeds() if f.next_poll_at is None or f.next_poll_at <= now]

    def claim_due_feeds(
        self,
        owner: str,
        *,
        now: datetime,
        lease: timedelta,
        limit: int,
        after_id: int | None = None,
    ) -> list[FeedRecord]:
        """Claim up to `limit` due feeds that nobody holds (or whose holder's lease ran out) for
        `owner` until `now + lease`, most overdue first. With `after_id`, every feed with a
        greater id instead, due or not, in id order (`run --once` walks the table). One immediate
        transaction: SQLite has one writer at a time, so two claims never get the same feed."""
        value: str | int | None
        if after_id is None:
            wanted, order = "(next_poll_at IS NULL OR next_poll_at <= ?)", _DUE_ORDER
            value = _ts(now)
        else:
            wanted, order, value = "id > ?", "id", after_id
        with self._tx() as db:
            rows = db.execute(
                f"""SELECT id FROM feeds WHERE active AND {wanted}
                     AND (claimed_until IS NULL OR claimed_until <= ?)
                   ORDER BY {order} LIMIT ?""",
                (value, _ts(now), limit),
            ).fetchall()
            ids = [r[0] for r in rows]
            db.executemany(
                "UPDATE feeds SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                [(owner, _ts(now + lease), id_) for id_ in ids],
            )
            claimed = [self._feed(r) for r in self._claimed(db, ids)]
        return claimed

    @staticmethod
    def _claimed(db: sqlite3.Connection, ids: list[int]) -> list[sqlite3.Row]:
        marks = ",".join("?" * len(ids))
        sql = f"SELECT * FROM feeds WHERE id IN ({marks}) ORDER BY {_DUE_ORDER}"
        return db.execute(sql, ids).fetchall() if ids else []

    def renew_feeds(self, feed_ids: Sequence[int], *, owner: str, until: datetime) -> set[int]:
        """Extend `owner`'s claims on these feeds to `until` (a poll still running); returns the
        ones it still held (a claim that ran out and was taken over is not taken back)."""
        held: set[int] = set()
        with self._tx() as db:
            for feed_id in feed_ids:
                cur = db.execute(
                    "UPDATE feeds SET claimed_until = ? WHERE id = ? AND claimed_by = ?",
                    (_ts(until), feed_id, owner),
                )
                if cur.rowcount:
                    held.add(feed_id)
        return held

    def release_feeds(self, feed_ids: Sequence[int], *, owner: str) -> None:
        """Give up `owner`'s claims on these feeds (after polling them); another owner's are
        kept."""
        with self._tx() as db:
            db.executemany(
                """UPDATE feeds SET claimed_by = NULL, claimed_until = NULL
                   WHERE id = ? AND claimed_by = ?""",
                [(feed_id, owner) for feed_id in feed_ids],
            )

    def record_fetch_success(
        self,
        feed_id: int,
        *,
        now: datetime,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
    ) -> None:
        with self._tx() as db:
            db.execute(
                """UPDATE feeds SET etag = ?, last_modified = ?, title = coalesce(?, title),
                   last_fetch_at = ?, last_success_at = ?, failures = 0, last_error = NULL,
                   next_poll_at = ? WHERE id = ?""",
                (
                    etag,
                    last_modified,
                    title,
                    _ts(now),
                    _ts(now),
                    _ts(now + timedelta(minutes=self._poll_minutes(feed_id))),
                    feed_id,
                ),
            )

    def record_fetch_failure(self, feed_id: int, *, now: datetime, error: str) -> datetime:
        """Count a failure and back off exponentially; returns when the feed is next due."""
        feed = self.feed_by_id(feed_id)
        assert feed is not None
        failures = feed.failures + 1
        next_poll = next_poll_after_failure(now, feed.poll_minutes, failures)
        with self._tx() as db:
            db.execute(
                """UPDATE feeds SET failures = ?, last_error = ?, last_fetch_at = ?,
                   next_poll_at = ? WHERE id = ?""",
                (failures, error, _ts(now), _ts(next_poll), feed_id),
            )
        return next_poll

    def _poll_minutes(self, feed_id: int) -> int:
        row = self._read("SELECT poll_minutes FROM feeds WHERE id = ?", (feed_id,))
        return int(row.fetchone()[0])

    @classmethod
    def _feed(cls, row: sqlite3.Row) -> FeedRecord:
        return feed_record(row, cls._dialect)  # type: ignore[arg-type]

    # -- articles -----------------------------------------------------------------------------
    def known_guid(self, feed_id: int, guid: str) -> bool:
        """True when this feed's entry was stored before (even if retention removed it since)."""
        row = self._read(
            """SELECT 1 FROM article_sources WHERE feed_id = ? AND guid = ?
               UNION ALL SELECT 1 FROM seen_guids WHERE feed_id = ? AND guid = ?""",
            (feed_id, guid, feed_id, guid),
        )
        return row.fetchone() is not None

    def known_guids(self, feed_id: int, guids: Sequence[str]) -> set[str]:
        """The subset of `guids` that `known_guid` says are known: one query per 400 guids."""
        found: set[str] = set()
        unique = list(dict.fromkeys(guids))
        for chunk, marks in _in_lists(unique):
            rows = self._read(
                f"""SELECT guid FROM article_sources WHERE feed_id = ? AND guid IN ({marks})
                    UNION SELECT guid FROM seen_guids WHERE feed_id = ? AND guid IN ({marks})""",
                (feed_id, *chunk, feed_id, *chunk),
            )
            found.update(r[0] for r in rows)
        return found

    def article_id_by_url(self, canonical_url: str) -> int | None:
        row = self._read(
            "SELECT id FROM articles WHERE canonical_url = ?", (canonical_url,)
        ).fetchone()
        return None if row is None else int(row[0])

    def article_ids_by_url(self, canonical_urls: Iterable[str]) -> dict[str, int]:
        """`article_id_by_url` for many URLs in one query per 400: {url: id} of stored ones."""
        found: dict[str, int] = {}
        unique = list(dict.fromkeys(u for u in canonical_urls if u))
        for chunk, marks in _in_lists(unique):
            rows = self._read(
                f"SELECT canonical_url, id FROM articles WHERE canonical_url IN ({marks})", chunk
            )
            found.update((r[0], int(r[1])) for r in rows)
        return found

    def duplicate_of(
        self, content_hash: str | None, simhash: int | None, max_distance: int = 3
    ) -> int | None:
        """The article with the same normalized text, or a near-identical one (simhash)."""
        if content_hash:
            row = self._read(
                "SELECT id FROM articles WHERE content_hash = ? LIMIT 1", (content_hash,)
            ).fetchone()
            if row:
                return int(row[0])
        if simhash is None:
            return None
        bands = simhash_bands(simhash)
        rows = self._read(
            """SELECT id, simhash FROM articles WHERE band0 = ? OR band1 = ? OR band2 = ?
               OR band3 = ? LIMIT 200""",
            bands,
        )
        for row in rows:
            if near_duplicate(row["simhash"], simhash, max_distance):
                return int(row["id"])
        return None

    def add_source(
        self, article_id: int, *, feed_id: int, guid: str, url: str, title: str, seen_at: datetime
    ) -> None:
        with self._tx() as db:
            db.execute(
                """INSERT OR IGNORE INTO article_sources
                   (article_id, feed_id, guid, url, title, seen_at) VALUES (?, ?, ?, ?, ?, ?)""",
                (article_id, feed_id, guid, url, title, _ts(seen_at)),
            )

    def add_article(self, article: NewArticle, *, seen_at: datetime) -> int:
        simhash = article.simhash
        bands = simhash_bands(simhash) if simhash is not None else (None,) * 4
        signed = signed64(simhash)
        with self._tx() as db:
            cur = db.execute(
                """INSERT INTO articles (title, url, canonical_url, feed_id, published_at,
                   first_seen_at, text, summary, content_hash, simhash, band0, band1, band2, band3,
                   image_url)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    article.title,
                    article.url,
                    article.canonical_url,
                    article.feed_id,
                    _ts(article.published_at),
                    _ts(seen_at),
                    article.text,
                    json.dumps(list(article.summary)),
                    article.content_hash,
                    signed,
                    *bands,
                    article.image,
                ),
            )
            article_id = int(cur.lastrowid)
            self._writes.articles_fts.append((article_id, article.title, article.text))
            db.execute(
                """INSERT INTO article_sources (article_id, feed_id, guid, url, title, seen_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (
                    article_id,
                    article.feed_id,
                    article.guid,
                    article.url,
                    article.title,
                    _ts(seen_at),
                ),
            )
            for i, q in enumerate(article.quotes):
                quote = db.execute(
                    """INSERT INTO quotes (article_id, position, text, speaker, speaker_title,
                       is_key) VALUES (?, ?, ?, ?, ?, ?)""",
                    (
                        article_id,
                        i,
                        q.text,
                        q.speaker,
                        q.speaker_title,
                        int(i < article.key_quote_count),
                    ),
                )
                self._writes.quotes_fts.append((int(quote.lastrowid), q.text, q.speaker or ""))
        return article_id

    def article(self, article_id: int) -> ArticleRecord | None:
        rows = self._articles("a.id = ?", (article_id,))
        return rows[0] if rows else None

    def articles_since(self, since: datetime, feed_ids: Iterable[int]) -> list[ArticleRecord]:
        """Articles first seen at or after `since` that any of `feed_ids` carried."""
        ids = sorted(set(feed_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self._articles(
            f"""a.first_seen_at >= ? AND a.id IN (SELECT article_id FROM article_sources
                WHERE feed_id IN ({marks}))""",
            (_ts(since), *ids),
        )

    def _articles(self, where: str, params: Sequence[object]) -> list[ArticleRecord]:
        rows = self._read(
            f"""SELECT a.*, f.name AS source FROM articles a JOIN feeds f ON f.id = a.feed_id
                WHERE {where} ORDER BY a.published_at DESC, a.id""",
            params,
        ).fetchall()
        ids = [row["id"] for row in rows]
        quotes: dict[int, list[sqlite3.Row]] = {i: [] for i in ids}
        others: dict[int, list[Source]] = {i: [] for i in ids}
        for chunk, marks in _in_lists(ids):  # a few queries, not two per article
            for q in self._read(
                f"""SELECT article_id, text, speaker, speaker_title, is_key FROM quotes
                    WHERE article_id IN ({marks}) ORDER BY article_id, is_key DESC, position""",
                chunk,
            ):
                quotes[q["article_id"]].append(q)
            for o in self._read(
                f"""SELECT s.article_id, f.name, s.url FROM article_sources s
                    JOIN feeds f ON f.id = s.feed_id JOIN articles a ON a.id = s.article_id
                    WHERE s.article_id IN ({marks}) AND s.feed_id != a.feed_id
                    ORDER BY s.seen_at, s.feed_id""",
                chunk,
            ):
                others[o["article_id"]].append(Source(o["name"], canonical_url(o["url"])))
        return [
            article_record(row, quotes[row["id"]], others[row["id"]], self._dialect)  # type: ignore[arg-type]
            for row in rows
        ]

    def article_count(self) -> int:
        return int(self._read("SELECT count(*) FROM articles").fetchone()[0])

    def search_quotes(self, query: str, limit: int = 5) -> list[QuoteHit]:
        """Quotes by a speaker named in ``query`` -- only theirs, never words about them or a
        quote with no speaker -- or, when no speaker matches, quotes containing its words."""
        match = fts_query(query)
        if match is None:
            return []
        return self._quote_hits(f"speaker : ({match})", limit) or self._quote_hits(match, limit)

    def _quote_hits(self, match: str, limit: int) -> list[QuoteHit]:
        rows = self._read(
            """SELECT q.text, q.speaker, q.speaker_title, a.id, a.title,
                      coalesce(a.canonical_url, a.url)
               FROM quotes_fts JOIN quotes q ON q.id = quotes_fts.rowid
               JOIN articles a ON a.id = q.article_id
               WHERE quotes_fts MATCH ? ORDER BY bm25(quotes_fts, 1.0, 4.0), a.published_at DESC
               LIMIT ?""",
            (match, limit),
        )
        return [QuoteHit(Quote(r[0], r[1], r[2]), r[3], r[4], r[5]) for r in rows]

    def speakers(self, prefix: str = "", limit: int = 25) -> list[str]:
        """Speakers whose name, or any part of it (a surname, either half of a double-barrelled
        one), starts with `prefix`; case and accents are ignored. Most-quoted first."""
        rows = self._read(
            """SELECT speaker, count(*) AS n FROM quotes WHERE speaker IS NOT NULL
               AND speaker != '' GROUP BY speaker ORDER BY n DESC, speaker"""
        )
        return speakers_matching((row[0] for row in rows), prefix, limit)

    def search_articles(self, query: str, limit: int = 5) -> list[int]:
        match = fts_query(query)
        if match is None:
            return []
        rows = self._read(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
            (match, limit),
        )
        return [int(r[0]) for r in rows]

    # -- digests and posts --------------------------------------------------------------------
    def create_digest(
        self, channel: str, title: str, created: datetime, article_ids: Sequence[int]
    ) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO digests (channel, title, created_at) VALUES (?, ?, ?)",
                (channel, title, _ts(created)),
            )
            digest_id = int(cur.lastrowid)
            db.executemany(
                "INSERT INTO digest_items (digest_id, number, article_id) VALUES (?, ?, ?)",
                [(digest_id, n, a) for n, a in enumerate(article_ids, start=1)],
            )
        return digest_id

    def digest_with_items(self, channel: str, article_ids: Sequence[int]) -> int | None:
        """The newest digest of `channel` that lists every one of `article_ids`, if any."""
        if not article_ids:
            return None
        marks = ",".join("?" * len(article_ids))
        row = self._read(
            f"""SELECT i.digest_id FROM digest_items i JOIN digests d ON d.id = i.digest_id
                WHERE d.channel = ? AND i.article_id IN ({marks})
                GROUP BY i.digest_id HAVING count(DISTINCT i.article_id) = ?
                ORDER BY i.digest_id DESC LIMIT 1""",
            (channel, *article_ids, len(set(article_ids))),
        ).fetchone()
        return None if row is None else int(row[0])

    def record_posted(
        self,
        channel: str,
        digest_id: int,
        article_ids: Iterable[int],
        message_ref: str,
        now: datetime,
    ) -> None:
        with self._tx() as db:
            db.executemany(
                """INSERT OR IGNORE INTO posts (channel, article_id, digest_id, message_ref,
                   posted_at) VALUES (?, ?, ?, ?, ?)""",
                [(channel, a, digest_id, message_ref, _ts(now)) for a in article_ids],
            )
            db.execute(
                "INSERT OR REPLACE INTO message_refs (message_ref, digest_id) VALUES (?, ?)",
                (message_ref, digest_id),
            )

    def posted_article_ids(self, channel: str) -> set[int]:
        rows = self._read("SELECT article_id FROM posts WHERE channel = ?", (channel,))
        return {r[0] for r in rows}

    def done_article_ids(self, channel: str) -> set[int]:
        """Stories the channel will never be offered again: posted there, or held back."""
        rows = self._read(
            """SELECT article_id FROM posts WHERE channel = ?
               UNION SELECT article_id FROM held_back WHERE channel = ?""",
            (channel, channel),
        )
        return {r[0] for r in rows}

    def pending_article_ids(
        self, channel: str, feed_ids: Iterable[int], *, since: datetime
    ) -> list[int]:
        """Stories of `feed_ids` first seen at or after `since` that the channel has neither
        posted nor held back, oldest first (the order they arrived in)."""
        ids = sorted(set(feed_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._read(
            f"""SELECT a.id FROM articles a
                WHERE a.first_seen_at >= ? AND a.id IN (SELECT article_id FROM article_sources
                  WHERE feed_id IN ({marks}))
                AND a.id NOT IN (SELECT article_id FROM posts WHERE channel = ?)
                AND a.id NOT IN (SELECT article_id FROM held_back WHERE channel = ?)
                ORDER BY a.first_seen_at, a.published_at, a.id""",
            (_ts(since), *ids, channel, channel),
        )
        return [int(r[0]) for r in rows]

    # -- backfill -----------------------------------------------------------------------------
    def settled_feeds(self, channel: str) -> dict[int, str]:
        """{feed id: the feed URL its backlog was settled for} of the channel."""
        rows = self._read("SELECT feed_id, url FROM followed_feeds WHERE channel = ?", (channel,))
        return {int(r[0]): str(r[1]) for r in rows}

    def feed_backlog(self, channel: str, feed_id: int, *, since: datetime) -> list[ArticleRecord]:
        """Stories the feed brought first (it is their main source), first seen at or after
        `since`, that the channel has neither posted nor held back."""
        return self._articles(
            """a.feed_id = ? AND a.first_seen_at >= ?
               AND a.id NOT IN (SELECT article_id FROM posts WHERE channel = ?)
               AND a.id NOT IN (SELECT article_id FROM held_back WHERE channel = ?)""",
            (feed_id, _ts(since), channel, channel),
        )

    def hold_back(self, channel: str, article_ids: Iterable[int]) -> None:
        """Never post these stories in `channel` (they stay stored for /quote and /ask)."""
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO held_back (channel, article_id) VALUES (?, ?)",
                [(channel, a) for a in article_ids],
            )

    def settle_feed(
        self, channel: str, feed_id: int, url: str, held_back: Iterable[int], now: datetime
    ) -> None:
        """Hold back the feed's old stories for the channel and mark the pair settled (one
        transaction: a crash between the two cannot post the backlog)."""
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO held_back (channel, article_id) VALUES (?, ?)",
                [(channel, a) for a in held_back],
            )
            db.execute(
                """INSERT INTO followed_feeds (channel, feed_id, url, settled_at)
                   VALUES (?, ?, ?, ?) ON CONFLICT(channel, feed_id) DO UPDATE SET
                   url = excluded.url, settled_at = excluded.settled_at""",
                (channel, feed_id, url, _ts(now)),
            )

    # -- failing-feed notices -----------------------------------------------------------------
    def feed_notices(self, feed_id: int) -> set[str]:
        """The places ("slack:C0123") told that this feed is failing and not yet that it is back."""
        rows = self._read("SELECT place FROM feed_notices WHERE feed_id = ?", (feed_id,))
        return {str(r[0]) for r in rows}

    def set_feed_notice(self, place: str, feed_id: int, now: datetime) -> None:
        with self._tx() as db:
            db.execute(
                """INSERT OR REPLACE INTO feed_notices (place, feed_id, notified_at)
                   VALUES (?, ?, ?)""",
                (place, feed_id, _ts(now)),
            )

    def clear_feed_notice(self, place: str, feed_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM feed_notices WHERE place = ? AND feed_id = ?", (place, feed_id))

    def post_count(self, channel: str) -> int:
        row = self._read("SELECT count(*) FROM posts WHERE channel = ?", (channel,))
        return int(row.fetchone()[0])

    def latest_posted_digest(self, channel: str) -> int | None:
        """The newest digest of `channel` that reached the channel (at least one item posted)."""
        row = self._read(
            "SELECT max(digest_id) FROM posts WHERE channel = ?", (channel,)
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def digest_items(self, digest_id: int) -> list[tuple[int, int]]:
        """(number, article_id) of a digest's items that were posted, in number order."""
        rows = self._read(
            """SELECT i.number, i.article_id FROM digest_items i
               JOIN digests d ON d.id = i.digest_id
               JOIN posts p ON p.channel = d.channel AND p.article_id = i.article_id
                 AND p.digest_id = i.digest_id
               WHERE i.digest_id = ? ORDER BY i.number""",
            (digest_id,),
        )
        return [(r[0], r[1]) for r in rows]

    def digest_channel(self, digest_id: int) -> str | None:
        row = self._read("SELECT channel FROM digests WHERE id = ?", (digest_id,)).fetchone()
        return None if row is None else str(row[0])

    def digest_for_message(self, message_ref: str) -> int | None:
        row = self._read(
            "SELECT digest_id FROM message_refs WHERE message_ref = ?", (message_ref,)
        ).fetchone()
        return None if row is None else int(row[0])

    def last_fire(self, channel: str) -> datetime | None:
        row = self._read(
            "SELECT last_fire_at FROM channel_state WHERE channel = ?", (channel,)
        ).fetchone()
        return None if row is None else _dt(row[0])

    def set_last_fire(self, channel: str, when: datetime) -> None:
        with self._tx() as db:
            db.execute(
                """INSERT INTO channel_state (channel, last_fire_at) VALUES (?, ?)
                   ON CONFLICT(channel) DO UPDATE SET last_fire_at = excluded.last_fire_at""",
                (channel, _ts(when)),
            )

    # -- retention ----------------------------------------------------------------------------
    def prune(self, *, older_than: datetime) -> int:
        """Delete articles first seen before `older_than` (with their quotes and posts)."""
        cutoff = _ts(older_than)
        with self._tx() as db:
            # The delete triggers unindex what they delete: index this transaction's rows first.
            self._writes.index(db)
            # Remember the removed entries' ids: feeds often list old entries for weeks.
            db.execute(
                """INSERT OR IGNORE INTO seen_guids (feed_id, guid, seen_at)
                   SELECT s.feed_id, s.guid, s.seen_at FROM article_sources s
                   JOIN articles a ON a.id = s.article_id WHERE a.first_seen_at < ?""",
                (cutoff,),
            )
            cur = db.execute("DELETE FROM articles WHERE first_seen_at < ?", (cutoff,))
            db.execute("DELETE FROM digests WHERE created_at < ?", (cutoff,))
            # Entry ids are tiny: keep them a year longer before forgetting them too.
            forget = _ts(older_than - SEEN_GUIDS_KEPT)
            db.execute("DELETE FROM seen_guids WHERE seen_at < ?", (forget,))
            return cur.rowcount


class _WriteState:
    """The open transaction's state: `batch()` depth and the full-text rows still to index.

    New articles and quotes are indexed in one statement each just before the commit, outside
    every savepoint: FTS5 flushes its pending rows to a new segment at each savepoint, so
    indexing row by row between savepoints would make one tiny segment per article.
    """

    def __init__(self) -> None:
        self.depth = 0  # > 0 inside batch(): writes become savepoints
        self.articles_fts: list[tuple[int, str, str]] = []  # (rowid, title, text)
        self.quotes_fts: list[tuple[int, str, str]] = []  # (rowid, text, speaker or '')

    def mark(self) -> tuple[int, int]:
        return len(self.articles_fts), len(self.quotes_fts)

    def forget_since(self, mark: tuple[int, int]) -> None:
        """A rolled-back savepoint: its rows are gone, so are their index rows."""
        del self.articles_fts[mark[0] :]
        del self.quotes_fts[mark[1] :]

    def index(self, db: sqlite3.Connection) -> None:
        if self.articles_fts:
            db.executemany(
                "INSERT INTO articles_fts(rowid, title, text) VALUES (?, ?, ?)", self.articles_fts
            )
        if self.quotes_fts:
            db.executemany(
                "INSERT INTO quotes_fts(rowid, text, speaker) VALUES (?, ?, ?)", self.quotes_fts
            )
        self.forget_since((0, 0))

    def commit(self, db: sqlite3.Connection) -> None:
        """Index the pending rows and commit; roll everything back if either fails."""
        try:
            self.index(db)
            db.execute("COMMIT")
        except BaseException:
            self.rollback(db)
            raise

    def rollback(self, db: sqlite3.Connection) -> None:
        self.forget_since((0, 0))
        if db.in_transaction:
            db.execute("ROLLBACK")


class _Rows(list):  # type: ignore[type-arg]
    """A read's rows, all fetched while its connection was held; `fetchone`/`fetchall` as on a
    cursor."""

    def fetchone(self) -> sqlite3.Row | None:
        return self[0] if self else None

    def fetchall(self) -> list[sqlite3.Row]:
        return list(self)


class _Transaction:
    """`with store._tx() as db:` — one immediate transaction under the store's lock (a savepoint
    when inside `store.batch()`)."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock, writes: _WriteState) -> None:
        self._db = db
        self._lock = lock
        self._writes = writes
        self._nested = False
        self._mark = (0, 0)

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        self._nested = bool(self._writes.depth)
        self._mark = self._writes.mark()
        try:
            self._db.execute("SAVEPOINT tx" if self._nested else "BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        return self._db

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if self._nested:
                if exc_type:
                    self._db.execute("ROLLBACK TO tx")
                    self._writes.forget_since(self._mark)
                self._db.execute("RELEASE tx")
            elif exc_type:
                self._writes.rollback(self._db)
            else:
                self._writes.commit(self._db)
        finally:
            self._lock.release()
