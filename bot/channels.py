"""Every channel the bot serves: the config file's [[channels]] and those set up in chat.

Channels set up in chat (`/feeds set ...`, bot.channel_commands) live in the database, so a
workspace that installed the app itself, or a Discord server, can have digests without an entry
in the config file. They are read from the database on every call and never cached: a change
made through another instance (several behind one load balancer) counts at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import ChannelSettings, ConfigError, Settings, chat_channel_settings
from bot.store import Store
from bot.store.workspaces import ChatChannelRecord

log = logging.getLogger(__name__)


def chat_channel_name(platform: str, workspace: str, target: str) -> str:
    """The store's key of a chat channel: `slack@T0123:C0456`. A config-file name cannot hold
    '@', so the two never meet."""
    return f"{platform}@{workspace}:{target}"


def settings_of(record: ChatChannelRecord, settings: Settings) -> ChannelSettings:
    """A chat channel's settings, checked as a [[channels]] entry is (ConfigError if not)."""
    return chat_channel_settings(
        name=record.name,
        platform=record.platform,
        target=record.target,
        values=record.values,
        feeds=settings.feeds,
    )


@dataclass(frozen=True, slots=True)
class ChannelBook:
    settings: Settings
    store: Store

    def all(self) -> list[ChannelSettings]:
        """The config file's channels, then the chat channels of platforms that allow them."""
        return [*self.settings.channels, *self.chat()]

    def chat(self) -> list[ChannelSettings]:
        channels = []
        for record in self.store.chat_channels():
            if not self.settings.chat_channels(record.platform):
                continue  # the operator turned chat channels off: the rows wait, unused
            try:
                channels.append(settings_of(record, self.settings))
            except ConfigError as exc:
                # e.g. it names a feed the config file no longer has: say so, serve the rest
                log.error("chat channel %s is skipped: %s", record.name, exc)
        return channels

    def named(self, name: str) -> ChannelSettings | None:
        return next((c for c in self.all() if c.name == name), None)

    def channel_for(self, platform: str, target: str) -> ChannelSettings | None:
        """The channel that commands typed in `target` belong to (the config file first)."""
        found = self.settings.channel_for(platform, target)
        if found is not None or not self.settings.chat_channels(platform):
            return found
        record = self.store.chat_channel(platform, target)
        if record is None:
            return None
        try:
            return settings_of(record, self.settings)
        except ConfigError as exc:
            log.error("chat channel %s is skipped: %s", record.name, exc)
            return None
