"""A local fake Discord: REST (aiohttp) and a gateway WebSocket, for the real discord.py client.

Point discord.py at it with `DiscordPlatform(api_url=fake.api_url, gateway_url=fake.gateway_url)`.
It records every call, enforces Discord's message limits (answering 400 with Discord's error shape
as the real service would), and lets its data trigger error paths:

- `FORBIDDEN_CHANNEL_ID` answers 403 Missing Permissions to everything;
- `RATE_LIMITED_CHANNEL_ID` answers its first message post with a 429 (with `Via`, `Retry-After`
  and `X-RateLimit-*` headers and a tiny reset), then accepts;
- every channel's message posts share a per-route rate-limit bucket, as Discord's do: each answer
  carries `X-RateLimit-Limit/-Remaining/-Reset/-Reset-After/-Bucket`, and a post beyond the
  bucket gets 429 with those, `Retry-After` and `Via` (discord.py treats a 429 without `Via` as
  a Cloudflare ban). Discord's real bucket is 5 messages per 5 s; the fake's window
  (`fake.bucket_window`, default 0.2 s) is shorter so tests stay fast. `fake.rate_limited` lists
  the refused posts' channel ids;
- `fake.fail_after[channel_id] = n` accepts n messages in that channel, then answers 403;
- `fake.forbid_threads = True` refuses thread creation with 403;
- the token `BAD_TOKEN` answers 401 Unauthorized;
- `fake.gateway_down = True` refuses gateway connections (503 before the WebSocket upgrade);
- `await fake.deny_embed_links(channel_id)` takes Embed Links from the bot in that channel (a
  permission overwrite, announced by CHANNEL_UPDATE unless `tell_bot=False`): as Discord does, a
  message posted there is accepted with its embeds removed (`embeds: []` in the answer).

Commands are stored per scope like Discord does: a bulk overwrite of one guild's commands leaves
the global set (and other guilds') as they were; `fake.visible_commands(guild)` is what members
of that guild see in the command picker.

Tests wait on `await fake.wait_for(predicate)` (an asyncio.Condition) rather than sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1420070400000

APP_ID = 1100000000000000001
BOT_USER_ID = APP_ID  # a bot user shares its application's id
GUILD_ID = 1200000000000000001
CHANNEL_ID = 1300000000000000001
OTHER_CHANNEL_ID = 1300000000000000002
RATE_LIMITED_CHANNEL_ID = 1300000000000000429
FORBIDDEN_CHANNEL_ID = 1300000000000000403  # not in the guild cache: GET answers 403 too
BAD_TOKEN = "revoked-token"  # answers 401 like a reset token
MEMBER_ID = 1400000000000000001
ADMIN_ID = 1400000000000000002

# Permission bits (https://discord.com/developers/docs/topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_GUILD = 1 << 5
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
USE_APPLICATION_COMMANDS = 1 << 31
MEMBER_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | USE_APPLICATION_COMMANDS
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_GUILD
# The bot's managed role: what the invite URL asks for.
BOT_ROLE_ID = 1500000000000000001
BOT_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | READ_MESSAGE_HISTORY
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)

# Discord's limits, enforced on every message the fake accepts.
CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_NAME_MAX = 256
URL_MAX = 2048
CHOICES_MAX = 25

EPHEMERAL = 1 << 6


@dataclass
class Call:
    """One REST request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class InteractionLog:
    """Everything the client did in answer to one interaction."""

    id: int
    token: str
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted_original: bool = False
    # Whether each follow-up is shown only to the asker, as Discord decides it: the first
    # follow-up after a deferral that nothing resolved inherits the deferral's flags.
    followup_private: list[bool] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        """True once the final visible answer exists (a message, a follow-up or choices)."""
        for cb in self.callbacks:
            if cb["type"] in (4, 8):
                return True
        return bool(self.followups or self.edits)


class FakeDiscordError(web.HTTPException):
    pass


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly `application/json`: discord.py does not parse a body whose type carries a charset.
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=json.dumps(data).encode(), headers=hdrs)


def _error(status: int, code: int, message: str, errors: Any = None) -> web.Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return _json(body, status)


def _too_long(path: list[str], limit: int) -> dict[str, Any]:
    """Discord's nested Invalid Form Body shape for one field."""
    node: dict[str, Any] = {
        "_errors": [
            {"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}
        ]
    }
    for key in reversed(path):
        node = {key: node}
    return node


def _media_url_errors(media: Any) -> dict[str, Any] | None:
    """A thumbnail or image needs an http(s) (or attachment://) URL of at most 2,048 chars."""
    url = media.get("url") if isinstance(media, dict) else None
    if not isinstance(url, str) or not url:
        return {"_errors": [{"code": "BASE_TYPE_REQUIRED"}]}
    if len(url) > URL_MAX:
        return _too_long([], URL_MAX)
    if not url.startswith(("http://", "https://", "attachment://")):
        return {"_errors": [{"code": "URL_TYPE_INVALID_URL"}]}
    return None


def message_limit_errors(data: dict[str, Any]) -> dict[str, Any] | None:
    """Invalid Form Body `errors` for a message payload; None when Discord would accept it."""
    content = data.get("content") or ""
    if len(content) > CONTENT_MAX:
        return _too_long(["content"], CONTENT_MAX)
    embeds = data.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        return _too_long(["embeds"], EMBEDS_MAX)
    total = 0
    for i, embed in enumerate(embeds):
        idx = str(i)
        for key, limit in EMBED_LIMITS.items():
            value = embed.get(key) or ""
            total += len(value)
            if len(value) > limit:
                return _too_long(["embeds", idx, key], limit)
        url = embed.get("url")
        if url is not None and not str(url).startswith(("http://", "https://")):
            return {"embeds": {idx: {"url": {"_errors": [{"code": "URL_TYPE_INVALID_URL"}]}}}}
        for media in ("thumbnail", "image"):
            if media in embed and (problem := _media_url_errors(embed[media])):
                return {"embeds": {idx: {media: {"url": problem}}}}
        fields = embed.get("fields") or []
        if len(fields) > FIELDS_MAX:
            return _too_long(["embeds", idx, "fields"], FIELDS_MAX)
        for j, fld in enumerate(fields):
            name, value = fld.get("name") or "", fld.get("value") or ""
            if not name or not value:
                return {"embeds": {idx: {"fields": {str(j): {"_errors": [{"code": "REQUIRED"}]}}}}}
            if len(name) > FIELD_NAME_MAX:
                return _too_long(["embeds", idx, "fields", str(j), "name"], FIELD_NAME_MAX)
            if len(value) > FIELD_VALUE_MAX:
                return _too_long(["embeds", idx, "fields", str(j), "value"], FIELD_VALUE_MAX)
            total += len(name) + len(value)
        footer = (embed.get("footer") or {}).get("text") or ""
        if len(footer) > FOOTER_MAX:
            return _too_long(["embeds", idx, "footer", "text"], FOOTER_MAX)
        author = (embed.get("author") or {}).get("name") or ""
        if len(author) > AUTHOR_NAME_MAX:
            return _too_long(["embeds", idx, "author", "name"], AUTHOR_NAME_MAX)
        total += len(footer) + len(author)
    if total > EMBED_TOTAL_MAX:
        return _too_long(["embeds"], EMBED_TOTAL_MAX)
    if not content and not embeds:
        return {"_errors": [{"code": "EMPTY_MESSAGE", "message": "Cannot send an empty message"}]}
    return None


class FakeDiscord:
    """The fake server. Use as `async with FakeDiscord() as fake:`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.unhandled: list[Call] = []
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.rejected: list[tuple[Call, dict[str, Any]]] = []
        self.threads: dict[int, dict[str, Any]] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, InteractionLog] = {}
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.gateway_connections = 0
        self.gateway_down = False
        self.gateway_refused = 0
        self.fail_after: dict[int, int] = {}
        self.no_history: set[int] = set()  # channels whose history the bot may not read
        self.forbid_threads = False
        self.embed_links_denied: set[int] = set()  # channels where the bot lacks Embed Links
        self.deleted: list[int] = []  # ids of messages the bot deleted
        self.bucket_limit = 5  # messages per channel per window
        self.bucket_window = 0.2  # seconds
        self.rate_limited: list[int] = []
        self._buckets: dict[int, tuple[int, float]] = {}  # channel -> (remaining, reset at)
        self._rate_limited_once: set[int] = set()
        self._nonces: dict[tuple[int, str], dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._seq = 0
        self._session = 0
        self._ws: web.WebSocketResponse | None = None
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- set-up ----------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def snowflake(self) -> int:
        now_ms = int(time.time() * 1000)
        return ((now_ms - DISCORD_EPOCH_MS) << 22) | (next(self._ids) & 0x3FFFFF)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until predicate() is truthy (re-checked after every call the fake records)."""
        async with self._changed:
            return await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- payloads --------------------------------------------------------------------------------

    @staticmethod
    def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
        return {
            "id": str(user_id),
            "username": name,
            "discriminator": "0",
            "global_name": name,
            "avatar": None,
            "bot": bot,
            "flags": 0,
            "public_flags": 0,
        }

    def bot_user(self) -> dict[str, Any]:
        return {
            **self.user(BOT_USER_ID, "newsbrief", bot=True),
            "verified": True,
            "mfa_enabled": False,
        }

    def text_channel(self, channel_id: int, name: str) -> dict[str, Any]:
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": name,
            "position": 0,
            "permission_overwrites": (
                [
                    {
                        "id": str(BOT_USER_ID),
                        "type": 1,  # a member overwrite
                        "allow": "0",
                        "deny": str(EMBED_LINKS),
                    }
                ]
                if channel_id in self.embed_links_denied
                else []
            ),
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "default_auto_archive_duration": 1440,
        }

    def guild_payload(self) -> dict[str, Any]:
        return {
            "id": str(GUILD_ID),
            "name": "Newsroom",
            "icon": None,
            "owner_id": str(ADMIN_ID),
            "unavailable": False,
            "member_count": 3,
            "large": False,
            "joined_at": "2026-11-01T00:00:00+00:00",
            "features": [],
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
            "afk_timeout": 300,
            "roles": [
                {
                    "id": str(GUILD_ID),
                    "name": "@everyone",
                    "permissions": str(MEMBER_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                },
                {
                    "id": str(BOT_ROLE_ID),
                    "name": "newsbrief",
                    "permissions": str(BOT_PERMISSIONS),
                    "position": 1,
                    "color": 0,
                    "hoist": False,
                    "managed": True,
                    "mentionable": False,
                    "flags": 0,
                    "tags": {"bot_id": str(BOT_USER_ID)},
                },
            ],
            "emojis": [],
            "stickers": [],
            # Discord always sends the bot's own member (the one discord.py caches as guild.me).
            "members": [
                {
                    "user": self.bot_user(),
                    "roles": [str(BOT_ROLE_ID)],
                    "joined_at": "2026-11-01T00:00:00+00:00",
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "pending": False,
                }
            ],
            "presences": [],
            "voice_states": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "channels": [
                self.text_channel(CHANNEL_ID, "news"),
                self.text_channel(OTHER_CHANNEL_ID, "world"),
                self.text_channel(RATE_LIMITED_CHANNEL_ID, "busy"),
            ],
        }

    def message_payload(
        self, channel_id: int, data: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        return {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id),
            "author": self.bot_user(),
            "content": data.get("content") or "",
            "timestamp": "2026-11-28T12:00:00.000000+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": data.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": data.get("flags") or 0,
            "components": [],
            **({"nonce": data["nonce"]} if "nonce" in data else {}),
            **extra,
        }

    def thread_payload(self, thread_id: int, parent_id: int, name: str) -> dict[str, Any]:
        return {
            "id": str(thread_id),
            "type": 11,
            "guild_id": str(GUILD_ID),
            "parent_id": str(parent_id),
            "owner_id": str(BOT_USER_ID),
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": "2026-11-28T12:00:00+00:00",
                "locked": False,
            },
        }

    # -- gateway ---------------------------------------------------------------------------------

    async def _send(self, payload: dict[str, Any]) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.send_str(json.dumps(payload))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH (op 0) event to the connected client."""
        self._seq += 1
        await self._send({"op": 0, "s": self._seq, "t": event, "d": data})

    async def deny_embed_links(self, channel_id: int, *, tell_bot: bool = True) -> None:
        """Take Embed Links from the bot in a channel; the bot's cache hears of it by
        CHANNEL_UPDATE unless `tell_bot` is False (a change it has not seen yet)."""
        self.embed_links_denied.add(channel_id)
        if tell_bot:
            [channel] = [c for c in self.guild_payload()["channels"] if int(c["id"]) == channel_id]
            await self.dispatch("CHANNEL_UPDATE", channel)

    async def drop_gateway(self) -> None:
        """Drop the gateway connection the way a network blip or a Discord restart does."""
        assert self._ws is not None
        await self._ws.close(code=4000, message=b"fake: dropped")

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if self.gateway_down:
            self.gateway_refused += 1
            await self._notify()
            return web.Response(status=503, text="gateway unavailable")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        self.gateway_connections += 1
        await self._send({"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": 45000}})
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                break
            frame = json.loads(message.data)
            op, data = frame.get("op"), frame.get("d")
            if op == 1:
                await self._send({"op": 11, "s": None, "t": None, "d": None})
            elif op == 2:
                self.identifies.append(data)
                await self._ready(data)
            elif op == 6:
                self.resumes.append(data)
                await self.dispatch("RESUMED", {})
            await self._notify()
        await self._notify()
        return ws

    async def _ready(self, identify: dict[str, Any]) -> None:
        self._session += 1
        self._seq = 0
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": self.bot_user(),
                "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                "session_id": f"session-{self._session}",
                "resume_gateway_url": self.gateway_url,
                "shard": identify.get("shard") or [0, 1],
                "application": {"id": str(APP_ID), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "user_settings": {},
            },
        )
        await self.dispatch("GUILD_CREATE", self.guild_payload())

    # -- interactions ----------------------------------------------------------------------------

    def command_id(self, name: str) -> tuple[str, int | None]:
        """The synced command's id and guild (None = global); fails when it was never synced."""
        for scope, commands in self.commands.items():
            for command in commands:
                if command["name"] == name:
                    return command["id"], scope
        raise AssertionError(f"/{name} was never synced to the fake Discord")

    def visible_commands(self, guild_id: int = GUILD_ID) -> list[str]:
        """The command names members of a guild see: the global set plus the guild's own, each
        as often as Discord lists it (a name in both sets shows twice)."""
        scopes = (None, guild_id)
        return sorted(c["name"] for scope in scopes for c in self.commands.get(scope, []))

    def member(self, user_id: int, permissions: int) -> dict[str, Any]:
        return {
            "user": self.user(user_id, f"user{user_id % 1000}"),
            "roles": [],
            "joined_at": "2026-11-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "permissions": str(permissions),
        }

    async def interaction(
        self,
        name: str,
        options: list[dict[str, Any]] | None = None,
        *,
        autocomplete: bool = False,
        channel_id: int = CHANNEL_ID,
        thread_id: int | None = None,
        user_id: int = MEMBER_ID,
        permissions: int = MEMBER_PERMISSIONS,
    ) -> InteractionLog:
        """Dispatch INTERACTION_CREATE for slash command `name` (type 2, or 4 = autocomplete)."""
        command_id, scope = self.command_id(name)
        interaction_id = self.snowflake()
        token = f"itoken-{interaction_id}"
        if thread_id is not None:
            channel = self.thread_payload(thread_id, channel_id, "follow-ups")
        else:
            channel = self.text_channel(channel_id, "news")
        data: dict[str, Any] = {
            "id": command_id,
            "name": name,
            "type": 1,
            "options": options or [],
        }
        if scope is not None:
            data["guild_id"] = str(scope)
        log = InteractionLog(id=interaction_id, token=token)
        self.interactions[token] = log
        await self.dispatch(
            "INTERACTION_CREATE",
            {
                "id": str(interaction_id),
                "application_id": str(APP_ID),
                "type": 4 if autocomplete else 2,
                "token": token,
                "version": 1,
                "guild_id": str(GUILD_ID),
                "channel_id": channel["id"],
                "channel": channel,
                "member": self.member(user_id, permissions),
                "data": data,
                "app_permissions": str(MEMBER_PERMISSIONS),
                "locale": "en-US",
                "guild_locale": "en-US",
                "entitlements": [],
                "authorizing_integration_owners": {"0": str(GUILD_ID)},
                "context": 0,
                "attachment_size_limit": 10 * 1024 * 1024,
            },
        )
        return log

    async def answered(self, log: InteractionLog, timeout: float = 5.0) -> InteractionLog:
        await self.wait_for(lambda: log.answered, timeout)
        return log

    # -- REST ------------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
        path = "/" + request.match_info["tail"]
        call = Call(request.method, path, dict(request.query), body, dict(request.headers))
        self.calls.append(call)
        try:
            response = await self._route(call)
        finally:
            await self._notify()
        if response is None:
            self.unhandled.append(call)
            return _error(404, 0, "404: Not Found")
        return response

    async def _route(self, call: Call) -> web.StreamResponse | None:
        parts = call.path.strip("/").split("/")
        method = call.method
        auth = call.headers.get("Authorization", "")
        if parts[0] not in ("interactions", "webhooks") and (
            not auth.startswith("Bot ") or auth == f"Bot {BAD_TOKEN}"
        ):
            return _error(401, 0, "401: Unauthorized")
        match parts:
            case ["users", "@me"] if method == "GET":
                return _json(self.bot_user())
            case ["oauth2", "applications", "@me"] if method == "GET":
                return _json(self.application())
            case ["gateway", "bot"] if method == "GET":
                return _json(
                    {
                        "url": self.gateway_url,
                        "shards": 1,
                        "session_start_limit": {
                            "total": 1000,
                            "remaining": 1000,
                            "reset_after": 0,
                            "max_concurrency": 1,
                        },
                    }
                )
            case ["applications", app_id, "commands"] if method == "PUT":
                return self._sync(app_id, None, call.body)
            case ["applications", _, "commands"] if method == "GET":
                return _json(self.commands.get(None, []))
            case ["applications", _, "guilds", guild_id, "commands"] if method == "GET":
                if int(guild_id) != GUILD_ID:
                    return _error(403, 50001, "Missing Access")
                return _json(self.commands.get(int(guild_id), []))
            case ["applications", app_id, "guilds", guild_id, "commands"] if method == "PUT":
                if int(guild_id) != GUILD_ID:  # a server the bot is not in (or lacks the scope)
                    return _error(403, 50001, "Missing Access")
                return self._sync(app_id, int(guild_id), call.body)
            case ["channels", channel_id] if method == "GET":
                return self._get_channel(int(channel_id))
            case ["channels", channel_id, "messages"] if method == "POST":
                return self._post_message(int(channel_id), call)
            case ["channels", channel_id, "messages"] if method == "GET":
                return self._history(int(channel_id), call.query)
            case ["channels", channel_id, "messages", message_id] if method == "DELETE":
                return self._delete_message(int(channel_id), int(message_id))
            case ["channels", channel_id, "messages", message_id, "threads"] if method == "POST":
                return self._start_thread(int(channel_id), int(message_id), call.body)
            case ["interactions", _, token, "callback"] if method == "POST":
                return self._callback(token, call)
            case ["webhooks", _, token] if method == "POST":
                return self._followup(token, call)
            case ["webhooks", _, token, "messages", "@original"] if method == "PATCH":
                return self._edit_original(token, call)
            case ["webhooks", _, token, "messages", "@original"] if method == "DELETE":
                self.interactions[token].deleted_original = True
                return web.Response(status=204)
        return None

    def application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "newsbrief",
            "icon": None,
            "description": "News briefings",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self.user(ADMIN_ID, "owner"),
            "team": None,
            "summary": "",
            "rpc_origins": [],
            "interactions_endpoint_url": None,
        }

    def _sync(self, app_id: str, guild_id: int | None, body: Any) -> web.Response:
        """A bulk overwrite replaces one scope's commands and no other: switching a bot from
        global to guild commands (or back) leaves the old set in place, as Discord does."""
        assert int(app_id) == APP_ID, app_id
        stored = []
        for command in body:
            name = command["name"]
            if not (1 <= len(name) <= 32 and name == name.lower()):
                return _error(400, 50035, "Invalid Form Body", {"name": name})
            if not 1 <= len(command.get("description", "")) <= 100:
                return _error(400, 50035, "Invalid Form Body", {"description": name})
            stored.append(
                {
                    **command,
                    "id": str(self.snowflake()),
                    "application_id": app_id,
                    "version": str(self.snowflake()),
                    **({"guild_id": str(guild_id)} if guild_id else {}),
                }
            )
        self.commands[guild_id] = stored
        return _json(stored)

    def _get_channel(self, channel_id: int) -> web.Response:
        if channel_id == FORBIDDEN_CHANNEL_ID:
            return _error(403, 50001, "Missing Access")
        for channel in self.guild_payload()["channels"]:
            if int(channel["id"]) == channel_id:
                return _json(channel)
        return _error(404, 10003, "Unknown Channel")

    def _post_message(self, channel_id: int, call: Call) -> web.Response:
        if channel_id == FORBIDDEN_CHANNEL_ID:
            return _error(403, 50013, "Missing Permissions")
        if channel_id == RATE_LIMITED_CHANNEL_ID and channel_id not in self._rate_limited_once:
            self._rate_limited_once.add(channel_id)
            return _json(
                {"message": "You are being rate limited.", "retry_after": 0.05, "global": False},
                429,
                {
                    "Via": "1.1 google",
                    "Retry-After": "0.05",
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + 0.05:.3f}",
                    "X-RateLimit-Reset-After": "0.05",
                    "X-RateLimit-Bucket": "fake-bucket",
                    "X-RateLimit-Scope": "user",
                },
            )
        bucket = self._bucket(channel_id)
        if bucket is None:
            self.rate_limited.append(channel_id)
            reset_after = self._buckets[channel_id][1] - time.monotonic()
            return _json(
                {
                    "message": "You are being rate limited.",
                    "retry_after": reset_after,
                    "global": False,
                },
                429,
                {
                    "Via": "1.1 google",
                    "Retry-After": f"{reset_after:.3f}",
                    **self._bucket_headers(channel_id),
                },
            )
        posted = self.messages.setdefault(channel_id, [])
        limit = self.fail_after.get(channel_id)
        if limit is not None and len(posted) >= limit:
            return _error(403, 50013, "Missing Permissions")
        data = call.body or {}
        errors = message_limit_errors(data)
        if errors is not None:
            self.rejected.append((call, errors))
            return _error(400, 50035, "Invalid Form Body", errors)
        nonce = data.get("nonce")
        if nonce is not None and data.get("enforce_nonce"):
            seen = self._nonces.get((channel_id, str(nonce)))
            if seen is not None:
                return _json(seen)
        shown = data
        if channel_id in self.embed_links_denied:  # Discord drops the embeds, keeps the rest
            shown = {**data, "embeds": []}
        message = self.message_payload(channel_id, shown, guild_id=str(GUILD_ID))
        message["_request"] = data
        posted.append(message)
        if nonce is not None:
            self._nonces[(channel_id, str(nonce))] = {
                k: v for k, v in message.items() if k != "_request"
            }
        return _json(
            {k: v for k, v in message.items() if k != "_request"},
            headers=self._bucket_headers(channel_id),
        )

    def _bucket(self, channel_id: int) -> int | None:
        """Take one post from the channel's bucket: the posts left, or None when it is empty."""
        now = time.monotonic()
        remaining, reset_at = self._buckets.get(channel_id, (self.bucket_limit, 0.0))
        if now >= reset_at:
            remaining, reset_at = self.bucket_limit, now + self.bucket_window
        if remaining <= 0:
            self._buckets[channel_id] = (remaining, reset_at)
            return None
        self._buckets[channel_id] = (remaining - 1, reset_at)
        return remaining - 1

    def _bucket_headers(self, channel_id: int) -> dict[str, str]:
        remaining, reset_at = self._buckets[channel_id]
        reset_after = max(reset_at - time.monotonic(), 0.0)
        return {
            "X-RateLimit-Limit": str(self.bucket_limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": "fake-channel-messages",
        }

    def _delete_message(self, channel_id: int, message_id: int) -> web.Response:
        """A bot may always delete its own messages."""
        posted = self.messages.get(channel_id, [])
        kept = [m for m in posted if int(m["id"]) != message_id]
        if len(kept) == len(posted):
            return _error(404, 10008, "Unknown Message")
        self.messages[channel_id] = kept
        self.deleted.append(message_id)
        return web.Response(status=204)

    def _history(self, channel_id: int, query: Mapping[str, str]) -> web.Response:
        """GET channel messages: newest first; with `after`, the oldest `limit` after it."""
        if channel_id in self.no_history:
            return _error(403, 50001, "Missing Access")
        limit = int(query.get("limit", 50))
        after, before = int(query.get("after", 0)), int(query.get("before", 1 << 63))
        kept = [
            {k: v for k, v in m.items() if k != "_request"}
            for m in self.messages.get(channel_id, [])
            if after < int(m["id"]) < before
        ]
        kept = kept[:limit] if "after" in query else kept[-limit:]
        return _json(list(reversed(kept)))

    def _start_thread(self, channel_id: int, message_id: int, body: Any) -> web.Response:
        if self.forbid_threads:
            return _error(403, 50013, "Missing Permissions")
        if not any(int(m["id"]) == message_id for m in self.messages.get(channel_id, [])):
            return _error(404, 10008, "Unknown Message")
        if message_id in self.threads:
            return _error(400, 160004, "A thread has already been created for this message")
        name = body.get("name", "")
        if not 1 <= len(name) <= 100:
            return _error(400, 50035, "Invalid Form Body", _too_long(["name"], 100))
        # Discord gives a thread started from a message that message's id.
        thread = self.thread_payload(message_id, channel_id, name)
        thread["_request"] = body
        self.threads[message_id] = thread
        return _json({k: v for k, v in thread.items() if k != "_request"})

    def _callback(self, token: str, call: Call) -> web.Response:
        log = self.interactions[token]
        if log.callbacks:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body = call.body or {}
        kind, data = body.get("type"), body.get("data") or {}
        if kind == 8:
            choices = data.get("choices", [])
            if len(choices) > CHOICES_MAX or any(not 1 <= len(c["name"]) <= 100 for c in choices):
                return _error(400, 50035, "Invalid Form Body", {"choices": "invalid"})
        elif kind == 4:
            errors = message_limit_errors(data)
            if errors is not None:
                self.rejected.append((call, errors))
                return _error(400, 50035, "Invalid Form Body", errors)
        log.callbacks.append(body)
        interaction: dict[str, Any] = {"id": str(log.id), "type": 2}
        result: dict[str, Any] = {"interaction": interaction}
        if kind in (4, 5):
            message = self.message_payload(CHANNEL_ID, data)
            interaction.update(
                response_message_id=message["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=bool((data.get("flags") or 0) & EPHEMERAL),
            )
            result["resource"] = {"type": kind, "message": message}
        return _json(result)

    def _followup(self, token: str, call: Call) -> web.Response:
        log = self.interactions[token]
        if not log.callbacks:
            return _error(404, 10015, "Unknown Webhook")
        data = call.body or {}
        errors = message_limit_errors(data)
        if errors is not None:
            self.rejected.append((call, errors))
            return _error(400, 50035, "Invalid Form Body", errors)
        private = bool((data.get("flags") or 0) & EPHEMERAL)
        deferral = log.callbacks[0]
        if deferral["type"] == 5 and not (log.followups or log.edits or log.deleted_original):
            private = bool(((deferral.get("data") or {}).get("flags") or 0) & EPHEMERAL)
        log.followups.append(data)
        log.followup_private.append(private)
        return _json(self.message_payload(CHANNEL_ID, data, webhook_id=str(APP_ID)))

    def _edit_original(self, token: str, call: Call) -> web.Response:
        log = self.interactions[token]
        data = call.body or {}
        errors = message_limit_errors(data)
        if errors is not None:
            self.rejected.append((call, errors))
            return _error(400, 50035, "Invalid Form Body", errors)
        log.edits.append(data)
        return _json(self.message_payload(CHANNEL_ID, data, webhook_id=str(APP_ID)))


def sent_embeds(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """All embeds of a channel's recorded messages, in order."""
    return [embed for message in messages for embed in message["embeds"]]
