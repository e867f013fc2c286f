"""`newsbrief doctor`: is the config sound, the database healthy, and do the tokens work?"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

import aiohttp

from bot.config import ConfigError, Settings, looks_like_token, secret
from bot.logs import MASK, secret_env_names
from bot.store import SCHEMA_VERSION, StoreError, open_store

Check = Callable[[], Awaitable[str]]


async def run_checks(settings: Settings, *, out: TextIO | None = None) -> int:
    """Print one line per check; exit status 1 when any check failed."""
    out = out or sys.stdout
    checks: list[tuple[str, Check]] = [
        ("config", lambda: _config(settings)),
        ("database", lambda: _database(settings)),
    ]
    platforms = {c.platform for c in settings.channels}
    if "slack" in platforms:
        checks.append(("slack token", lambda: _slack(settings)))
    if "discord" in platforms:
        checks.append(("discord token", lambda: _discord(settings)))
    failed = 0
    for name, check in checks:
        try:
            detail = await check()
            line = f"ok    {name}: {detail}"
        except (ConfigError, StoreError, DoctorError) as exc:
            failed += 1
            line = f"FAIL  {name}: {exc}"
        out.write(_without_secrets(line, settings) + "\n")
    return 1 if failed else 0


def _without_secrets(line: str, settings: Settings) -> str:
    """A last guard: the configured secrets' values never reach the output."""
    for env_name in secret_env_names(settings):
        value = os.environ.get(env_name, "").strip() if not looks_like_token(env_name) else ""
        if len(value) >= 6:
            line = line.replace(value, MASK)
    return line


class DoctorError(Exception):
    """A failed check; the message says what is wrong (never a secret)."""


async def _config(settings: Settings) -> str:
    return f"{settings.source}: {len(settings.feeds)} feeds, {len(settings.channels)} channels"


async def _database(settings: Settings) -> str:
    store = open_store(settings.storage)
    where = store.location
    try:
        if not store.integrity_ok():
            check = "PRAGMA integrity_check" if settings.storage.url is None else "its checks"
            raise DoctorError(f"{where} fails {check}; restore a backup")
        failing = [f.name for f in store.feeds() if f.failures]
        detail = f"{where} (schema {SCHEMA_VERSION}, {store.article_count()} articles)"
        if failing:
            detail += f"; failing feeds: {', '.join(failing)} (see newsbrief feeds list)"
        return detail
    finally:
        store.close()


async def _slack(settings: Settings) -> str:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    # Without a session, the client opens and closes one per call: nothing to clean up.
    client = AsyncWebClient(
        token=secret(settings.slack.bot_token_env), base_url=settings.slack.api_url
    )
    try:
        auth = await client.auth_test()
    except SlackApiError as exc:
        raise DoctorError(
            f"Slack refused {settings.slack.bot_token_env}: {exc.response.get('error')}"
        ) from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DoctorError(f"cannot reach {settings.slack.api_url}: {exc}") from None
    return f"workspace {auth.get('team')}, bot user {auth.get('user')}"


async def _discord(settings: Settings) -> str:
    from bot.platforms.discord import normalize_api_url

    token = secret(settings.discord.token_env)
    url = f"{normalize_api_url(settings.discord.api_url)}/users/@me"
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(url, headers={"Authorization": f"Bot {token}"}) as response,
        ):
            if response.status == 401:
                raise DoctorError(f"Discord refused {settings.discord.token_env} (401)")
            if response.status >= 400:
                raise DoctorError(f"Discord answered {response.status} to {url}")
            me = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DoctorError(f"cannot reach {url}: {exc}") from None
    return f"bot user {me.get('username')} ({me.get('id')})"
