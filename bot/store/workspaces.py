"""Store methods for serving many workspaces: Slack installations, OAuth states, and channels set
up in chat. Both stores (`SqliteStore`, `PostgresStore`) mix in the one implementation; the
tables are migration 8 of each store's MIGRATIONS.

The SQL is plain and portable on purpose (standard types, `ON CONFLICT ... DO UPDATE`, no FTS, no
database's own functions, no ORDER BY on text: collations differ, so lists are sorted here). It
is written with `?` placeholders; each store gives its `SqlDialect` (its placeholder, and how it
stores a time: ISO-8601 UTC text in SQLite, TIMESTAMPTZ in Postgres, both to the second), its
transactions (`_tx()`) and its reads (`_mapped_rows`). Tokens are kept as Slack issued them (the
database is the secret) and never appear in a record's repr.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

# A chat channel's settings, as [[channels]] keys, and the column each is kept in.
CHANNEL_COLUMNS: Mapping[str, str] = {
    "mode": "mode",
    "digest_cron": "digest_cron",
    "timezone": "timezone",
    "max_items": "max_items",
    "backfill": "backfill",
    "title": "title",
    "item_template": "item_template",
    "feeds": "feed_names",
    "tags": "feed_tags",
    "include": "include_filters",
    "exclude": "exclude_filters",
}
LIST_KEYS = frozenset({"feeds", "tags", "include", "exclude"})


@dataclass(frozen=True, slots=True)
class SqlDialect:
    """What differs between the databases for these statements."""

    placeholder: str  # the driver's parameter mark: "?" (sqlite3) or "%s" (psycopg)
    time_param: Callable[[datetime], object]  # a time as the database stores it
    time_value: Callable[[Any], datetime]  # and back

    def sql(self, statement: str) -> str:
        """`statement`, written with `?` marks (and no literal '?' or '%'), for this driver."""
        return statement.replace("?", self.placeholder) if self.placeholder != "?" else statement


@dataclass(frozen=True, slots=True)
class SlackBotRecord:
    """One workspace's bot installation (for an org-wide install, team_id is '')."""

    enterprise_id: str
    team_id: str
    bot_id: str
    bot_user_id: str
    bot_token: str = field(repr=False)
    installed_at: datetime
    enterprise_name: str | None = None
    team_name: str | None = None
    app_id: str | None = None
    bot_scopes: tuple[str, ...] = ()
    bot_refresh_token: str | None = field(default=None, repr=False)
    bot_token_expires_at: int | None = None  # unix seconds, with token rotation
    is_enterprise_install: bool = False
    installer_user_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChatChannelRecord:
    """A channel set up in chat. `values` holds the [[channels]] keys set for it (the rest keep
    the config file's defaults); list values are tuples."""

    name: str
    platform: str
    workspace: str  # Slack team id, Discord server (guild) id
    target: str
    values: Mapping[str, Any]
    updated_by: str
    updated_at: datetime


class Row(Protocol):
    """A row read by name (sqlite3.Row, psycopg's dict_row)."""

    def __getitem__(self, key: str, /) -> Any: ...


class WorkspaceStore(Protocol):
    """The workspace part of the store interface (bot.store.base.Store extends it)."""

    def save_slack_bot(self, bot: SlackBotRecord) -> None: ...
    def slack_bot(self, enterprise_id: str, team_id: str) -> SlackBotRecord | None: ...
    def slack_bots(self) -> list[SlackBotRecord]: ...
    def delete_slack_bot(self, enterprise_id: str, team_id: str) -> bool: ...
    def issue_oauth_state(self, state: str, *, expires_at: datetime, now: datetime) -> None: ...
    def consume_oauth_state(self, state: str, *, now: datetime) -> bool: ...
    def chat_channels(self, platform: str | None = None) -> list[ChatChannelRecord]: ...
    def chat_channel(self, platform: str, target: str) -> ChatChannelRecord | None: ...
    def save_chat_channel(
        self,
        *,
        name: str,
        platform: str,
        workspace: str,
        target: str,
        values: Mapping[str, Any],
        updated_by: str,
        now: datetime,
    ) -> None: ...
    def delete_chat_channels(self, names: Sequence[str]) -> None: ...
    def claim_channel(
        self, channel: str, *, owner: str, until: datetime, now: datetime
    ) -> bool: ...
    def release_channel(self, channel: str, *, owner: str) -> None: ...
    def workspace_channel_names(self, platform: str, workspace: str) -> list[str]: ...


class _Store(Protocol):
    """What a store gives the mixin: its dialect, transactions and reads."""

    _dialect: ClassVar[SqlDialect]

    def _tx(self) -> AbstractContextManager[Any]:
        """A transaction: a connection whose `execute(sql, params)` returns a DB-API cursor."""

    def _mapped_rows(self, sql: str, params: Sequence[object]) -> Sequence[Row]:
        """The rows of a read, by column name (`sql` in the driver's own placeholders)."""


class WorkspaceStoreMixin:
    """Installations, OAuth states and chat-managed channels (see the module docstring)."""

    # -- Slack installations ------------------------------------------------------------------
    def save_slack_bot(self: _Store, bot: SlackBotRecord) -> None:
        """Keep `bot` as its workspace's installation (a reinstall replaces the old one)."""
        sql = self._dialect.sql(
            """INSERT INTO slack_bots (enterprise_id, team_id, enterprise_name, team_name,
                 app_id, bot_id, bot_user_id, bot_token, bot_scopes, bot_refresh_token,
                 bot_token_expires_at, is_enterprise_install, installer_user_id, installed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (enterprise_id, team_id) DO UPDATE SET
                 enterprise_name = excluded.enterprise_name, team_name = excluded.team_name,
                 app_id = excluded.app_id, bot_id = excluded.bot_id,
                 bot_user_id = excluded.bot_user_id, bot_token = excluded.bot_token,
                 bot_scopes = excluded.bot_scopes,
                 bot_refresh_token = excluded.bot_refresh_token,
                 bot_token_expires_at = excluded.bot_token_expires_at,
                 is_enterprise_install = excluded.is_enterprise_install,
                 installer_user_id = coalesce(excluded.installer_user_id,
                                              slack_bots.installer_user_id),
                 installed_at = excluded.installed_at"""
        )
        with self._tx() as db:
            db.execute(
                sql,
                (
                    bot.enterprise_id,
                    bot.team_id,
                    bot.enterprise_name,
                    bot.team_name,
                    bot.app_id,
                    bot.bot_id,
                    bot.bot_user_id,
                    bot.bot_token,
                    ",".join(bot.bot_scopes),
                    bot.bot_refresh_token,
                    bot.bot_token_expires_at,
                    bool(bot.is_enterprise_install),  # SQLite keeps 1/0, Postgres a BOOLEAN
                    bot.installer_user_id,
                    self._dialect.time_param(bot.installed_at),
                ),
            )

    def slack_bot(self: _Store, enterprise_id: str, team_id: str) -> SlackBotRecord | None:
        rows = self._mapped_rows(
            self._dialect.sql("SELECT * FROM slack_bots WHERE enterprise_id = ? AND team_id = ?"),
            (enterprise_id, team_id),
        )
        return _slack_bot(rows[0], self._dialect) if rows else None

    def slack_bots(self: _Store) -> list[SlackBotRecord]:
        bots = [
            _slack_bot(r, self._dialect) for r in self._mapped_rows("SELECT * FROM slack_bots", ())
        ]
        return sorted(bots, key=lambda b: (b.enterprise_id, b.team_id))

    def delete_slack_bot(self: _Store, enterprise_id: str, team_id: str) -> bool:
        with self._tx() as db:
            cur = db.execute(
                self._dialect.sql("DELETE FROM slack_bots WHERE enterprise_id = ? AND team_id = ?"),
                (enterprise_id, team_id),
            )
            return cur.rowcount > 0

    # -- OAuth states -------------------------------------------------------------------------
    def issue_oauth_state(self: _Store, state: str, *, expires_at: datetime, now: datetime) -> None:
        """Remember `state` until `expires_at` (and forget the states that have expired)."""
        sql = self._dialect.sql
        with self._tx() as db:
            db.execute(
                sql("DELETE FROM oauth_states WHERE expires_at <= ?"),
                (self._dialect.time_param(now),),
            )
            db.execute(
                sql("INSERT INTO oauth_states (state, expires_at) VALUES (?, ?)"),
                (state, self._dialect.time_param(expires_at)),
            )

    def consume_oauth_state(self: _Store, state: str, *, now: datetime) -> bool:
        """True once for a state issued and not yet expired; False for any other."""
        with self._tx() as db:
            cur = db.execute(
                self._dialect.sql("DELETE FROM oauth_states WHERE state = ? AND expires_at > ?"),
                (state, self._dialect.time_param(now)),
            )
            return cur.rowcount == 1

    # -- channels set up in chat --------------------------------------------------------------
    def chat_channels(self: _Store, platform: str | None = None) -> list[ChatChannelRecord]:
        if platform is None:
            rows = self._mapped_rows("SELECT * FROM chat_channels", ())
        else:
            rows = self._mapped_rows(
                self._dialect.sql("SELECT * FROM chat_channels WHERE platform = ?"), (platform,)
            )
        return sorted((_chat_channel(r, self._dialect) for r in rows), key=lambda c: c.name)

    def chat_channel(self: _Store, platform: str, target: str) -> ChatChannelRecord | None:
        rows = self._mapped_rows(
            self._dialect.sql("SELECT * FROM chat_channels WHERE platform = ? AND target = ?"),
            (platform, target),
        )
        return _chat_channel(rows[0], self._dialect) if rows else None

    def save_chat_channel(
        self: _Store,
        *,
        name: str,
        platform: str,
        workspace: str,
        target: str,
        values: Mapping[str, Any],
        updated_by: str,
        now: datetime,
    ) -> None:
        """Create or replace a chat channel's settings (`values`: [[channels]] keys)."""
        unknown = set(values) - set(CHANNEL_COLUMNS)
        if unknown:
            raise ValueError(f"not a chat channel setting: {', '.join(sorted(unknown))}")
        columns = list(CHANNEL_COLUMNS.values())
        names_sql = ", ".join(columns)
        params = [_column_value(key, values.get(key)) for key in CHANNEL_COLUMNS]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
        sql = self._dialect.sql(
            f"""INSERT INTO chat_channels (name, platform, workspace, target, {names_sql},
                  updated_by, updated_at)
                VALUES (?, ?, ?, ?, {", ".join("?" * len(columns))}, ?, ?)
                ON CONFLICT (name) DO UPDATE SET {updates},
                  updated_by = excluded.updated_by, updated_at = excluded.updated_at"""
        )
        with self._tx() as db:
            db.execute(
                sql,
                (
                    name,
                    platform,
                    workspace,
                    target,
                    *params,
                    updated_by,
                    self._dialect.time_param(now),
                ),
            )

    def delete_chat_channels(self: _Store, names: Sequence[str]) -> None:
        """Forget chat channels with their chat subscriptions (a chat feed no channel follows any
        more stops being polled) and digest clock; what they posted stays until retention."""
        if not names:
            return
        names = list(names)
        marks = ",".join("?" * len(names))
        sql = self._dialect.sql
        with self._tx() as db:
            feed_ids = [
                r[0]
                for r in db.execute(
                    sql(f"SELECT DISTINCT feed_id FROM subscriptions WHERE channel IN ({marks})"),
                    names,
                ).fetchall()
            ]
            db.execute(sql(f"DELETE FROM subscriptions WHERE channel IN ({marks})"), names)
            db.execute(sql(f"DELETE FROM channel_state WHERE channel IN ({marks})"), names)
            db.execute(sql(f"DELETE FROM chat_channels WHERE name IN ({marks})"), names)
            for feed_id in feed_ids:
                left = db.execute(
                    sql("SELECT count(*) FROM subscriptions WHERE feed_id = ?"), (feed_id,)
                ).fetchone()[0]
                if not left:
                    db.execute(
                        sql("UPDATE feeds SET active = ? WHERE id = ? AND origin = 'chat'"),
                        (False, feed_id),
                    )

    # -- one poster per channel across instances ----------------------------------------------
    def claim_channel(
        self: _Store, channel: str, *, owner: str, until: datetime, now: datetime
    ) -> bool:
        """Take the channel's posting lease for `owner` until `until`: True unless another owner
        holds an unexpired one (a crashed instance's lease runs out by itself).

        One statement, atomic on both databases: SQLite writes one at a time; Postgres's
        `ON CONFLICT DO UPDATE` locks the existing row and tests the WHERE on its newest
        committed version, so of two processes claiming at once exactly one gets the lease."""
        with self._tx() as db:
            cur = db.execute(
                self._dialect.sql(
                    """INSERT INTO channel_leases (channel, owner, expires_at) VALUES (?, ?, ?)
                       ON CONFLICT (channel) DO UPDATE SET owner = excluded.owner,
                         expires_at = excluded.expires_at
                       WHERE channel_leases.expires_at <= ?
                         OR channel_leases.owner = excluded.owner"""
                ),
                (channel, owner, self._dialect.time_param(until), self._dialect.time_param(now)),
            )
            return cur.rowcount == 1

    def release_channel(self: _Store, channel: str, *, owner: str) -> None:
        with self._tx() as db:
            db.execute(
                self._dialect.sql("DELETE FROM channel_leases WHERE channel = ? AND owner = ?"),
                (channel, owner),
            )

    def workspace_channel_names(self: _Store, platform: str, workspace: str) -> list[str]:
        rows = self._mapped_rows(
            self._dialect.sql(
                "SELECT name FROM chat_channels WHERE platform = ? AND workspace = ?"
            ),
            (platform, workspace),
        )
        return sorted(str(r["name"]) for r in rows)


def _column_value(key: str, value: Any) -> Any:
    if value is None:
        return None
    return json.dumps(list(value)) if key in LIST_KEYS else value


def _slack_bot(row: Row, dialect: SqlDialect) -> SlackBotRecord:
    return SlackBotRecord(
        enterprise_id=row["enterprise_id"],
        team_id=row["team_id"],
        enterprise_name=row["enterprise_name"],
        team_name=row["team_name"],
        app_id=row["app_id"],
        bot_id=row["bot_id"],
        bot_user_id=row["bot_user_id"],
        bot_token=row["bot_token"],
        bot_scopes=tuple(s for s in row["bot_scopes"].split(",") if s),
        bot_refresh_token=row["bot_refresh_token"],
        bot_token_expires_at=row["bot_token_expires_at"],
        is_enterprise_install=bool(row["is_enterprise_install"]),
        installer_user_id=row["installer_user_id"],
        installed_at=dialect.time_value(row["installed_at"]),
    )


def _chat_channel(row: Row, dialect: SqlDialect) -> ChatChannelRecord:
    values: dict[str, Any] = {}
    for key, column in CHANNEL_COLUMNS.items():
        value = row[column]
        if value is not None:
            values[key] = tuple(json.loads(value)) if key in LIST_KEYS else value
    return ChatChannelRecord(
        name=row["name"],
        platform=row["platform"],
        workspace=row["workspace"],
        target=row["target"],
        values=values,
        updated_by=row["updated_by"],
        updated_at=dialect.time_value(row["updated_at"]),
    )
