"""Slack for many workspaces: slack-bolt's OAuth flow on newsbrief's own database.

`StoreInstallationStore` keeps each workspace's bot installation and `StoreStateStore` the OAuth
`state` values in the store (bot.store.workspaces), not in files or memory: every instance behind
one load balancer sees the same installations, and a state issued by one instance's
/slack/install is accepted by another's /slack/oauth_redirect, once, until it expires.
newsbrief asks for bot scopes only, so an installation is its bot (no user tokens are kept).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from logging import Logger
from typing import Any

from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock, system_clock
from bot.store import Store
from bot.store.workspaces import SlackBotRecord

log = logging.getLogger(__name__)
AUTHORIZATION_URL = "https://slack.com/oauth/v2/authorize"
STATE_EXPIRATION_SECONDS = 600
# Called with (enterprise id, team id) once a workspace's installation is gone.
WorkspaceRemoved = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SlackOAuthConfig:
    """What the OAuth flow needs; the secret comes from the environment (bot.platforms.factory)."""

    client_id: str
    client_secret: str
    store: Store
    scopes: Sequence[str]
    redirect_uri: str | None = None
    install_path: str = "/slack/install"
    redirect_uri_path: str = "/slack/oauth_redirect"
    authorization_url: str = AUTHORIZATION_URL
    state_expiration_seconds: int = STATE_EXPIRATION_SECONDS
    clock: Clock = system_clock

    def __repr__(self) -> str:  # never show the secret
        return f"SlackOAuthConfig(client_id={self.client_id!r}, scopes={list(self.scopes)!r})"


class StoreInstallationStore(AsyncInstallationStore):
    """Bot installations in the store, one per workspace (a reinstall replaces it)."""

    def __init__(
        self, *, store: Store, clock: Clock, removed: WorkspaceRemoved | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.removed = removed

    @property
    def logger(self) -> Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self.async_save_bot(installation.to_bot(), installer=installation.user_id)

    async def async_save_bot(self, bot: Bot, installer: str | None = None) -> None:
        if not bot.bot_token:
            log.warning("Slack installation without a bot token ignored (team %s)", bot.team_id)
            return
        self.store.save_slack_bot(
            SlackBotRecord(
                enterprise_id=bot.enterprise_id or "",
                team_id=bot.team_id or "",
                enterprise_name=bot.enterprise_name,
                team_name=bot.team_name,
                app_id=bot.app_id,
                bot_id=bot.bot_id or "",
                bot_user_id=bot.bot_user_id or "",
                bot_token=bot.bot_token,
                bot_scopes=tuple(bot.bot_scopes or ()),
                bot_refresh_token=bot.bot_refresh_token,
                bot_token_expires_at=bot.bot_token_expires_at,
                is_enterprise_install=bool(bot.is_enterprise_install),
                installer_user_id=installer,
                installed_at=self.clock(),
            )
        )
        log.info("Slack workspace %s (%s) installed newsbrief", bot.team_id, bot.team_name)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        record = self._record(enterprise_id, team_id, is_enterprise_install)
        return None if record is None else _bot(record)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        record = self._record(enterprise_id, team_id, is_enterprise_install)
        if record is None or (user_id is not None and user_id != record.installer_user_id):
            return None
        return _installation(record)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """The bot's token was revoked or the app uninstalled: forget the installation, and let
        the core stop serving the workspace's channels."""
        deleted = self.store.delete_slack_bot(enterprise_id or "", team_id or "")
        if deleted:
            log.info("Slack workspace %s removed newsbrief; its installation is deleted", team_id)
        if self.removed is not None:
            await self.removed(enterprise_id or "", team_id or "")

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        # Only bot tokens are kept: a user's revoked token leaves nothing to delete, and the
        # whole installation goes with async_delete_bot (app_uninstalled calls both).
        return None

    def _record(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> SlackBotRecord | None:
        team = "" if is_enterprise_install else team_id or ""
        return self.store.slack_bot(enterprise_id or "", team)


class StoreStateStore(AsyncOAuthStateStore):
    """OAuth `state` values in the store: each accepted once, before it expires."""

    def __init__(self, *, store: Store, expiration_seconds: int, clock: Clock) -> None:
        self.store = store
        self.expiration = timedelta(seconds=expiration_seconds)
        self.clock = clock

    @property
    def logger(self) -> Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = self.clock()
        self.store.issue_oauth_state(state, expires_at=now + self.expiration, now=now)
        return state

    async def async_consume(self, state: str) -> bool:
        if not state:
            return False
        accepted = self.store.consume_oauth_state(state, now=self.clock())
        if not accepted:
            log.warning("Slack OAuth: an unknown or expired state was refused")
        return accepted


def oauth_flow(
    config: SlackOAuthConfig, *, client: AsyncWebClient, removed: WorkspaceRemoved | None
) -> AsyncOAuthFlow:
    """bolt's OAuth flow on the store: /slack/install redirects straight to Slack's consent page
    (with a fresh state, also set as a cookie), /slack/oauth_redirect finishes the install."""
    installation_store = StoreInstallationStore(
        store=config.store, clock=config.clock, removed=removed
    )
    settings = AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(config.scopes),
        user_scopes=[],
        redirect_uri=config.redirect_uri,
        install_path=config.install_path,
        install_page_rendering_enabled=False,
        redirect_uri_path=config.redirect_uri_path,
        authorization_url=config.authorization_url,
        installation_store=installation_store,
        installation_store_bot_only=True,
        state_store=StoreStateStore(
            store=config.store,
            expiration_seconds=config.state_expiration_seconds,
            clock=config.clock,
        ),
        state_expiration_seconds=config.state_expiration_seconds,
        logger=logging.getLogger("bot.platforms.slack.bolt"),
    )
    return AsyncOAuthFlow(
        client=client, logger=logging.getLogger("bot.platforms.slack.bolt"), settings=settings
    )


def _installation(record: SlackBotRecord) -> Installation:
    return Installation(
        app_id=record.app_id,
        enterprise_id=record.enterprise_id or None,
        enterprise_name=record.enterprise_name,
        team_id=record.team_id or None,
        team_name=record.team_name,
        bot_token=record.bot_token,
        bot_id=record.bot_id,
        bot_user_id=record.bot_user_id,
        bot_scopes=list(record.bot_scopes),
        bot_refresh_token=record.bot_refresh_token,
        bot_token_expires_at=record.bot_token_expires_at,
        user_id=record.installer_user_id or "",
        is_enterprise_install=record.is_enterprise_install,
        installed_at=record.installed_at.timestamp(),
    )


def _bot(record: SlackBotRecord) -> Bot:
    return _installation(record).to_bot()
