"""Build the Slack and Discord platforms from settings; secrets come from the environment only.

Kept apart from bot.app so that a console-only setup never imports slack_bolt or discord.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urljoin

from bot.config import ConfigError, Settings, SlackSettings, secret
from bot.platforms.base import ChatPlatform
from bot.store import Store


def slack_platform(settings: Settings, store: Store) -> ChatPlatform:
    """`store` keeps the workspaces' installations and OAuth states (install = "oauth")."""
    from bot.platforms.slack import SlackPlatform

    slack = settings.slack
    if slack.oauth:
        return _slack_oauth_platform(settings, store)
    try:
        return SlackPlatform(
            bot_token=secret(slack.bot_token_env),
            app_token=secret(slack.app_token_env) if slack.mode == "socket" else None,
            signing_secret=secret(slack.signing_secret_env) if slack.mode == "http" else None,
            bot_token_env=slack.bot_token_env,
            app_token_env=slack.app_token_env,
            **_slack_options(slack),
        )
    except ValueError as exc:
        raise ConfigError(f"slack: {exc}") from None


def _slack_options(slack: SlackSettings) -> dict[str, Any]:
    """The SlackPlatform settings that are the same for one workspace's token and for OAuth."""
    return {
        "mode": slack.mode,
        "api_url": slack.api_url,
        "http_host": slack.http_host,
        "http_port": slack.http_port,
        "http_path": slack.http_path,
        "command_names": slack.commands or None,
        "admin_user_ids": slack.admin_user_ids,
        "signing_secret_env": slack.signing_secret_env,
    }


def _slack_oauth_platform(settings: Settings, store: Store) -> ChatPlatform:
    from bot.platforms.slack import SlackPlatform
    from bot.platforms.slack_oauth import SlackOAuthConfig

    slack = settings.slack
    oauth = SlackOAuthConfig(
        client_id=secret(slack.client_id_env),
        client_secret=secret(slack.client_secret_env),
        store=store,
        scopes=slack.scopes,
        redirect_uri=slack.redirect_uri,
        install_path=slack.install_path,
        redirect_uri_path=slack.redirect_uri_path,
        # Slack's consent page sits next to its Web API: https://slack.com/oauth/v2/authorize
        authorization_url=urljoin(slack.api_url, "../oauth/v2/authorize"),
    )
    try:
        return SlackPlatform(
            signing_secret=secret(slack.signing_secret_env),
            install="oauth",
            oauth=oauth,
            **_slack_options(slack),
        )
    except ValueError as exc:
        raise ConfigError(f"slack: {exc}") from None


def discord_platform(settings: Settings) -> ChatPlatform:
    from bot.platforms.discord import DiscordPlatform

    discord = settings.discord
    try:
        return DiscordPlatform(
            token=secret(discord.token_env),
            api_url=discord.api_url,
            guild_ids=discord.guild_ids,
            shard_count=discord.shard_count,
            gateway_url=discord.gateway_url,
        )
    except ValueError as exc:
        raise ConfigError(f"discord: {exc}") from None


async def discord_invite_url(settings: Settings, *, app_id: int | None) -> str:
    from bot.platforms.discord import resolve_invite_url

    token = os.environ.get(settings.discord.token_env) or None
    return await resolve_invite_url(token=token, app_id=app_id, api_url=settings.discord.api_url)
