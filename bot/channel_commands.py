"""`/feeds settings | set | filter ... | stop`: channels set up in chat, kept in the database.

Each change is checked exactly as a [[channels]] entry of the config file is (bot.config's
validators), so a bad value gets the same sentence, naming the key (``timezone: unknown time zone
'Europe/Berln'``); nothing is saved then. Channels written in the config file are shown but not
changed here: the file stays the operator's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import messages as msg
from bot.channels import chat_channel_name, settings_of
from bot.clock import Clock
from bot.config import ChannelSettings, ConfigError, Settings, chat_channel_settings
from bot.errors import UserError
from bot.models import Command, Reply
from bot.store import Store

# Keys /feeds set takes (the [[channels]] keys a chat channel may change), with short aliases.
SETTABLE = (
    "digest_cron",
    "timezone",
    "mode",
    "max_items",
    "backfill",
    "title",
    "item_template",
    "feeds",
    "tags",
)
ALIASES = {"cron": "digest_cron", "tz": "timezone", "items": "max_items"}
_INT_KEYS = frozenset({"max_items", "backfill"})
_LIST_KEYS = frozenset({"feeds", "tags"})
FILTER_KINDS = ("include", "exclude")


@dataclass
class ChatChannelCommands:
    settings: Settings
    store: Store
    clock: Clock
    changed: Callable[[], None] | None = None

    # -- lookups ------------------------------------------------------------------------------
    def existing(self, command: Command) -> ChannelSettings | None:
        """The chat channel the command was typed in, if it was set up."""
        record = self.store.chat_channel(command.platform, command.target)
        return None if record is None else settings_of(record, self.settings)

    def _editable(self, command: Command) -> None:
        """Refuse when the channel is in the config file, chat channels are off, or the user is
        no admin (in that order: the first reason is the one that helps)."""
        configured = self.settings.channel_for(command.platform, command.target)
        if configured is not None:
            raise UserError(msg.CHANNEL_IN_CONFIG.format(name=configured.name))
        if not self.settings.chat_channels(command.platform) or not command.workspace:
            raise UserError(
                msg.CHANNEL_CHAT_OFF.format(platform=command.platform, target=command.target)
            )
        if not command.user_is_admin:
            raise UserError(msg.CHANNEL_ADMIN_ONLY)

    def _save(self, command: Command, values: Mapping[str, Any]) -> ChannelSettings:
        """Check `values` as a [[channels]] entry and keep them; UserError (nothing saved) if
        the config would refuse them."""
        name = chat_channel_name(command.platform, command.workspace, command.target)
        try:
            channel = chat_channel_settings(
                name=name,
                platform=command.platform,
                target=command.target,
                values=values,
                feeds=self.settings.feeds,
            )
        except ConfigError as exc:
            raise UserError(msg.CHANNEL_BAD_VALUE.format(error=exc)) from None
        self.store.save_chat_channel(
            name=name,
            platform=command.platform,
            workspace=command.workspace,
            target=command.target,
            values=values,
            updated_by=command.user_id,
            now=self.clock(),
        )
        if self.changed is not None:
            self.changed()
        return channel

    def _values(self, command: Command) -> dict[str, Any]:
        record = self.store.chat_channel(command.platform, command.target)
        return dict(record.values) if record is not None else {}

    # -- /feeds add in a channel not set up yet -----------------------------------------------
    def ensure(self, command: Command) -> ChannelSettings:
        """The chat channel of `command`, set up with the defaults if it is new (an admin's
        /feeds add starts a digest there)."""
        self._editable(command)
        return self.existing(command) or self._save(command, {})

    # -- /feeds settings ----------------------------------------------------------------------
    def show(self, command: Command, channel: ChannelSettings | None) -> Reply:
        if channel is None:
            if not self.settings.chat_channels(command.platform):
                raise UserError(
                    msg.CHANNEL_CHAT_OFF.format(platform=command.platform, target=command.target)
                )
            raise UserError(msg.CHANNEL_NOT_SET_UP)
        configured = self.settings.channel_for(command.platform, command.target)
        header = (
            msg.CHANNEL_SETTINGS_HEADER_CONFIG.format(name=channel.name)
            if configured is not None
            else msg.CHANNEL_SETTINGS_HEADER_CHAT
        )
        return Reply(
            text="\n".join([header, *settings_lines(channel, self.clock())]), ephemeral=True
        )

    # -- /feeds set <key> <value> -------------------------------------------------------------
    def set(self, command: Command, rest: str) -> Reply:
        self._editable(command)
        keys = ", ".join(SETTABLE)
        key, _, raw = rest.strip().partition(" ")
        key, raw = ALIASES.get(key.lower(), key.lower()), raw.strip()
        if not key or not raw:
            raise UserError(msg.CHANNEL_SET_USAGE.format(keys=keys))
        if key not in SETTABLE:
            raise UserError(msg.CHANNEL_UNKNOWN_KEY.format(key=key, keys=keys))
        values = self._values(command)
        if raw == "-":
            values.pop(key, None)
            self._save(command, values)
            return Reply(text=msg.CHANNEL_RESET.format(key=key), ephemeral=True)
        values[key] = _typed(key, raw)
        channel = self._save(command, values)
        shown = ", ".join(values[key]) if key in _LIST_KEYS else str(values[key])
        lines = [msg.CHANNEL_SAVED.format(key=key, value=shown)]
        if key in ("digest_cron", "timezone", "mode") and not channel.alerts:
            lines += [
                line for line in settings_lines(channel, self.clock()) if "digest_cron" in line
            ]
        return Reply(text="\n".join(lines), ephemeral=True)

    # -- /feeds filter include|exclude|remove <entry>, /feeds filter clear --------------------
    def filter(self, command: Command, rest: str) -> Reply:
        self._editable(command)
        action, _, entry = rest.strip().partition(" ")
        action, entry = action.lower(), entry.strip()
        values = self._values(command)
        include, exclude = list(values.get("include", ())), list(values.get("exclude", ()))
        if action == "clear" and not entry:
            values.pop("include", None)
            values.pop("exclude", None)
            self._save(command, values)
            return Reply(text=msg.FILTER_CLEARED, ephemeral=True)
        if action not in (*FILTER_KINDS, "remove") or not entry:
            raise UserError(msg.FILTER_USAGE)
        if action == "remove":
            if entry not in include and entry not in exclude:
                raise UserError(msg.FILTER_NOT_FOUND.format(entry=entry))
            include = [e for e in include if e != entry]
            exclude = [e for e in exclude if e != entry]
            reply = msg.FILTER_REMOVED.format(entry=entry)
        else:
            target = include if action == "include" else exclude
            if entry not in target:
                target.append(entry)
            reply = msg.FILTER_ADDED.format(kind=action, entry=entry)
        values["include"], values["exclude"] = tuple(include), tuple(exclude)
        self._save(command, {k: v for k, v in values.items() if v != ()})
        return Reply(text=reply, ephemeral=True)

    # -- /feeds stop --------------------------------------------------------------------------
    def stop(self, command: Command) -> Reply:
        self._editable(command)
        record = self.store.chat_channel(command.platform, command.target)
        if record is None:
            raise UserError(msg.CHANNEL_NOT_SET_UP)
        self.store.delete_chat_channels([record.name])
        if self.changed is not None:
            self.changed()
        return Reply(text=msg.CHANNEL_STOPPED, ephemeral=True)

    # -- the app left a workspace -------------------------------------------------------------
    def forget_workspace(self, platform: str, workspace: str) -> list[str]:
        names = self.store.workspace_channel_names(platform, workspace)
        self.store.delete_chat_channels(names)
        if names and self.changed is not None:
            self.changed()
        return names


def _typed(key: str, raw: str) -> Any:
    """The chat text as the config file would hold it: numbers for numeric keys (anything else
    is passed on as text, so the config's own check words the error), lists for feeds/tags."""
    if key in _INT_KEYS:
        return int(raw) if re.fullmatch(r"[+-]?\d{1,9}", raw) else raw
    if key in _LIST_KEYS:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def settings_lines(channel: ChannelSettings, now: datetime) -> list[str]:
    """What /feeds settings shows, one `key: value` a line."""
    lines = [f"mode: {channel.mode}"]
    if not channel.alerts:
        next_fire = channel.trigger().get_next_fire_time(None, now)
        when = (
            msg.CHANNEL_NEXT_DIGEST.format(
                when=f"{next_fire.astimezone(ZoneInfo(channel.timezone)):%a %d %b %H:%M}"
            )
            if next_fire is not None
            else ""
        )
        lines.append(f"digest_cron: {channel.digest_cron}{when}")
    lines += [
        f"timezone: {channel.timezone}",
        f"max_items: {channel.max_items}",
        f"backfill: {channel.backfill}",
    ]
    if channel.title:
        lines.append(f"title: {channel.title}")
    if channel.item_template:
        lines.append(f"item_template: {channel.item_template}")
    if channel.feeds or channel.tags:
        if channel.feeds:
            lines.append(f"feeds: {', '.join(channel.feeds)}")
        if channel.tags:
            lines.append(f"tags: {', '.join(channel.tags)}")
    else:
        lines.append(f"feeds: {msg.CHANNEL_ALL_CONFIG_FEEDS}")
    lines.append(f"include: {len(channel.include)} entries, exclude: {len(channel.exclude)}")
    return lines
