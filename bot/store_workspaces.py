"""Store methods for serving many workspaces: Slack installations, OAuth states, and channels set
up in chat. `SqliteStore` mixes them in; the tables are migration 8 of bot.store.

The SQL is plain and portable on purpose (standard types, `ON CONFLICT ... DO UPDATE`, no FTS,
no SQLite-only functions, times as ISO-8601 UTC text like the rest of the store), so a server
database's store can run the same statements with its own placeholders. Tokens are kept as
Slack issued them (the database file is the secret) and never appear in a record's repr.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

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


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


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


class _Store(Protocol):
    _db: sqlite3.Connection

    def _tx(self) -> Any: ...


class WorkspaceStoreMixin:
    """Installations, OAuth states and chat-managed channels (see the module docstring)."""

    # -- Slack installations ------------------------------------------------------------------
    def save_slack_bot(self: _Store, bot: SlackBotRecord) -> None:
        """Keep `bot` as its workspace's installation (a reinstall replaces the old one)."""
        with self._tx() as db:
            db.execute(
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
                     installed_at = excluded.installed_at""",
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
                    int(bot.is_enterprise_install),
                    bot.installer_user_id,
                    _ts(bot.installed_at),
                ),
            )

    def slack_bot(self: _Store, enterprise_id: str, team_id: str) -> SlackBotRecord | None:
        row = self._db.execute(
            "SELECT * FROM slack_bots WHERE enterprise_id = ? AND team_id = ?",
            (enterprise_id, team_id),
        ).fetchone()
        return None if row is None else _slack_bot(row)

    def slack_bots(self: _Store) -> list[SlackBotRecord]:
        rows = self._db.execute("SELECT * FROM slack_bots ORDER BY enterprise_id, team_id")
        return [_slack_bot(r) for r in rows]

    def delete_slack_bot(self: _Store, enterprise_id: str, team_id: str) -> bool:
        with self._tx() as db:
            cur = db.execute(
                "DELETE FROM slack_bots WHERE enterprise_id = ? AND team_id = ?",
                (enterprise_id, team_id),
            )
            return cur.rowcount > 0

    # -- OAuth states -------------------------------------------------------------------------
    def issue_oauth_state(self: _Store, state: str, *, expires_at: datetime, now: datetime) -> None:
        """Remember `state` until `expires_at` (and forget the states that have expired)."""
        with self._tx() as db:
            db.execute("DELETE FROM oauth_states WHERE expires_at <= ?", (_ts(now),))
            db.execute(
                "INSERT INTO oauth_states (state, expires_at) VALUES (?, ?)",
                (state, _ts(expires_at)),
            )

    def consume_oauth_state(self: _Store, state: str, *, now: datetime) -> bool:
        """True once for a state issued and not yet expired; False for any other."""
        with self._tx() as db:
            cur = db.execute(
                "DELETE FROM oauth_states WHERE state = ? AND expires_at > ?", (state, _ts(now))
            )
            return cur.rowcount == 1

    # -- channels set up in chat --------------------------------------------------------------
    def chat_channels(self: _Store, platform: str | None = None) -> list[ChatChannelRecord]:
        if platform is None:
            rows = self._db.execute("SELECT * FROM chat_channels ORDER BY name")
        else:
            rows = self._db.execute(
                "SELECT * FROM chat_channels WHERE platform = ? ORDER BY name", (platform,)
            )
        return [_chat_channel(r) for r in rows]

    def chat_channel(self: _Store, platform: str, target: str) -> ChatChannelRecord | None:
        row = self._db.execute(
            "SELECT * FROM chat_channels WHERE platform = ? AND target = ?", (platform, target)
        ).fetchone()
        return None if row is None else _chat_channel(row)

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
        with self._tx() as db:
            db.execute(
                f"""INSERT INTO chat_channels (name, platform, workspace, target, {names_sql},
                      updated_by, updated_at)
                    VALUES (?, ?, ?, ?, {", ".join("?" * len(columns))}, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET {updates},
                      updated_by = excluded.updated_by, updated_at = excluded.updated_at""",
                (name, platform, workspace, target, *params, updated_by, _ts(now)),
            )

    def delete_chat_channels(self: _Store, names: Sequence[str]) -> None:
        """Forget chat channels with their chat subscriptions (a chat feed no channel follows any
        more stops being polled) and digest clock; what they posted stays until retention."""
        if not names:
            return
        marks = ",".join("?" * len(names))
        with self._tx() as db:
            feed_ids = [
                r[0]
                for r in db.execute(
                    f"SELECT DISTINCT feed_id FROM subscriptions WHERE channel IN ({marks})", names
                )
            ]
            db.execute(f"DELETE FROM subscriptions WHERE channel IN ({marks})", names)
            db.execute(f"DELETE FROM channel_state WHERE channel IN ({marks})", names)
            db.execute(f"DELETE FROM chat_channels WHERE name IN ({marks})", names)
            for feed_id in feed_ids:
                left = db.execute(
                    "SELECT count(*) FROM subscriptions WHERE feed_id = ?", (feed_id,)
                ).fetchone()[0]
                if not left:
                    db.execute(
                        "UPDATE feeds SET active = 0 WHERE id = ? AND origin = 'chat'", (feed_id,)
                    )

    # -- one poster per channel across instances ----------------------------------------------
    def claim_channel(
        self: _Store, channel: str, *, owner: str, until: datetime, now: datetime
    ) -> bool:
        """Take the channel's posting lease for `owner` until `until`: True unless another owner
        holds an unexpired one (a crashed instance's lease runs out by itself)."""
        with self._tx() as db:
            cur = db.execute(
                """INSERT INTO channel_leases (channel, owner, expires_at) VALUES (?, ?, ?)
                   ON CONFLICT (channel) DO UPDATE SET owner = excluded.owner,
                     expires_at = excluded.expires_at
                   WHERE channel_leases.expires_at <= ? OR channel_leases.owner = excluded.owner""",
                (channel, owner, _ts(until), _ts(now)),
            )
            return cur.rowcount == 1

    def release_channel(self: _Store, channel: str, *, owner: str) -> None:
        with self._tx() as db:
            db.execute(
                "DELETE FROM channel_leases WHERE channel = ? AND owner = ?", (channel, owner)
            )

    def workspace_channel_names(self: _Store, platform: str, workspace: str) -> list[str]:
        rows = self._db.execute(
            "SELECT name FROM chat_channels WHERE platform = ? AND workspace = ? ORDER BY name",
            (platform, workspace),
        )
        return [str(r[0]) for r in rows]


def _column_value(key: str, value: Any) -> Any:
    if value is None:
        return None
    return json.dumps(list(value)) if key in LIST_KEYS else value


def _slack_bot(row: sqlite3.Row) -> SlackBotRecord:
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
        installed_at=datetime.fromisoformat(row["installed_at"]),
    )


def _chat_channel(row: sqlite3.Row) -> ChatChannelRecord:
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
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )
