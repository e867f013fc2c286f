"""A fake Slack for tests: Web API, response_url webhooks and a Socket Mode WebSocket.

A real aiohttp server on 127.0.0.1 (model: bolt-python's tests/mock_web_api_server). It records
every call, enforces Slack's message limits (failing with `invalid_blocks` like Slack does), and
lets data trigger the error paths:

- channel `C_NOTFOUND` -> channel_not_found, `C_NOTIN` -> not_in_channel,
  `C_ARCHIVED` -> is_archived
- channel `C_RATELIMIT` -> the first chat.postMessage gets 429 with `Retry-After: 0`, then ok
- every channel: chat.postMessage is rate limited as Slack does it, about one message a second
  per channel with short bursts tolerated: a token bucket of `rate_burst` messages refilled one
  per `rate_interval` seconds. Beyond it: 429 with `Retry-After` in whole seconds, rounded up
  as Slack sends it (0 when `rate_interval` is under a second, so tests stay fast).
  `fake.rate_limited` lists the refused posts' channels.
- channel `C_FAILAFTER<n>` -> the first n posts are accepted, then channel_not_found
- `fake.refuse[channel] = "not_in_channel"` refuses every post to that channel until removed
- users `U_ADMIN` / `U_OWNER` are a workspace admin / owner in users.info
- bot token `xoxb-invalid` -> invalid_auth on every method
- an image on host `unreachable.example` -> invalid_blocks, "downloading image failed" (Slack
  fetches every image of a message before it accepts it)

It also does to the bot what Slack does: text a user typed arrives HTML-escaped (`&`, `<`, `>`),
with `@newsbrief` as `<@U_BOT>` and links in Slack's `<url>` markup (`slack_typed`); an ephemeral
message posted with a `thread_ts` that is not the parent of an existing thread is accepted but
nobody sees it (`Call.visible` is False).

Installing in many workspaces (OAuth v2), as Slack does it: `GET /oauth/v2/authorize` is the
consent page; the workspace `fake.authorize_as` approves and the browser is sent to the app's
redirect URL with a one-time `code` and the app's `state`. `oauth.v2.access` (client id and
secret as HTTP Basic auth, as slack_sdk sends them) trades the code, once, for that workspace's
bot token (`invalid_code` for an unknown or used code, `invalid_client_id` /
`bad_client_secret`, `bad_redirect_uri` if it differs from the authorize step's). Each
workspace's token then acts for that workspace only (auth.test answers its team and bot), and
`fake.uninstall(team)` / `fake.revoke_bot(team)` revoke its tokens (`token_revoked` on every
method) and return the `app_uninstalled` / `tokens_revoked` event Slack sends the app.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from aiohttp import WSMsgType, web

BOT_USER_ID = "U_BOT"
TEAM_ID = "T_TEST"
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_TEXT = 40000
_URL = re.compile(r"https?://[^\s<>]+")
MAX_IMAGE_URL = 3000
MAX_ALT_TEXT = 2000
UNREACHABLE_IMAGE_HOST = "unreachable.example"
_CHANNEL_ERRORS = {
    "C_NOTFOUND": "channel_not_found",
    "C_NOTIN": "not_in_channel",
    "C_ARCHIVED": "is_archived",
}


@dataclass
class Call:
    """One request the fake received: a Web API method or a response_url post."""

    method: str  # "chat.postMessage", ... or "response_url"
    args: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    error: str | None = None
    response: dict[str, Any] = field(default_factory=dict)
    visible: bool = True  # False: Slack took it, but no one sees it (ephemeral, no such thread)

    @property
    def token(self) -> str:
        """The token the app called with."""
        return self.headers.get("authorization", "").removeprefix("Bearer ") or str(
            self.args.get("token", "")
        )

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.args.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks


def slack_typed(typed: str, *, link_urls: bool = True) -> str:
    """What Slack sends an app for text a user typed: `&`, `<`, `>` HTML-escaped, the bot picked
    from the autocomplete (`@newsbrief`) as `<@U_BOT>`, and (in messages, and in slash commands
    whose links Slack formats) each URL as `<url>`, the URL's own `&` escaped too."""
    text = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("@newsbrief", f"<@{BOT_USER_ID}>")
    if link_urls:
        text = _URL.sub(lambda m: f"<{m.group()}>", text)
    return text


def validate_blocks(blocks: Any) -> str | None:
    """Why Slack would reject these blocks, or None."""
    if not isinstance(blocks, list):
        return "blocks must be a list"
    if len(blocks) > MAX_BLOCKS:
        return f"{len(blocks)} blocks > {MAX_BLOCKS}"
    for index, block in enumerate(blocks):
        kind = block.get("type")
        text = block.get("text")
        if kind == "header":
            if not text or text.get("type") != "plain_text":
                return f"block {index}: header text must be plain_text"
            if not 1 <= len(text.get("text", "")) <= MAX_HEADER_TEXT:
                return f"block {index}: header text length {len(text.get('text', ''))}"
        elif kind == "section":
            if not text or text.get("type") not in ("mrkdwn", "plain_text"):
                return f"block {index}: section needs a text object"
            if not 1 <= len(text.get("text", "")) <= MAX_SECTION_TEXT:
                return f"block {index}: section text length {len(text.get('text', ''))}"
            if "accessory" in block and (problem := _accessory_problem(block["accessory"])):
                return f"block {index}: {problem}"
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
                return f"block {index}: {len(elements)} context elements"
            for element in elements:
                if element.get("type") in ("mrkdwn", "plain_text") and not (
                    1 <= len(element.get("text", "")) <= MAX_SECTION_TEXT
                ):
                    return f"block {index}: context element text length"
        elif kind != "divider":
            return f"block {index}: unexpected type {kind!r}"
    return None


def _accessory_problem(accessory: Any) -> str | None:
    """Why Slack would reject a section's accessory (only images are used), or None."""
    if not isinstance(accessory, dict) or accessory.get("type") != "image":
        return f"unexpected accessory {accessory!r}"
    url, alt = accessory.get("image_url"), accessory.get("alt_text")
    if not isinstance(url, str) or not 1 <= len(url) <= MAX_IMAGE_URL:
        return "accessory image needs an image_url of 1-3000 characters"
    if not url.startswith(("http://", "https://")):
        return "accessory image_url must be http(s)"
    if not isinstance(alt, str) or not 1 <= len(alt) <= MAX_ALT_TEXT:
        return "accessory image needs an alt_text of 1-2000 characters"
    return None


def unreachable_images(blocks: list[dict[str, Any]]) -> list[str]:
    """Slack downloads every image while it accepts a message; these ones it cannot get."""
    return [
        f"downloading image failed [json-pointer:/blocks/{index}/accessory/image_url]"
        for index, block in enumerate(blocks)
        if urlsplit(str((block.get("accessory") or {}).get("image_url", ""))).hostname
        == UNREACHABLE_IMAGE_HOST
    ]


@dataclass
class FakeSlack:
    """Start with `await fake.start()`; `fake.api_url` goes into AsyncWebClient(base_url=...)."""

    calls: list[Call] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            "U_ADMIN": {"id": "U_ADMIN", "is_admin": True, "is_owner": False},
            "U_OWNER": {"id": "U_OWNER", "is_admin": False, "is_owner": True},
        }
    )
    # channel -> Slack error for every chat.postMessage to it (tests switch it on and off)
    refuse: dict[str, str] = field(default_factory=dict)
    # channels whose conversations.history the app may not read (missing_scope)
    no_history: set[str] = field(default_factory=set)
    # channel -> the messages Slack took, oldest first: {"ts", "at", "text", "metadata", "bot_id"}
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # (channel, ts) of messages that have replies: the threads that exist
    threads: set[tuple[str, str]] = field(default_factory=set)
    port: int = 0
    # Slack's "1 message per second per channel, short bursts allowed" (tests make it faster)
    rate_interval: float = 1.0
    rate_burst: int = 5
    rate_limited: list[str] = field(default_factory=list)
    # OAuth: the app's credentials, its Redirect URL, and the workspace whose user approves
    client_id: str = "111.222"
    client_secret: str = "oauth-client-secret"
    redirect_url: str = ""
    authorize_as: str = TEAM_ID
    # bot token -> team id of the workspaces that installed the app (revoked ones removed)
    installed_tokens: dict[str, str] = field(default_factory=dict)
    revoked_tokens: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._envelopes = itertools.count(1)
        self._posts: dict[str, int] = {}
        self._rate_limited: set[str] = set()
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, at)
        self._sockets: list[web.WebSocketResponse] = []
        self.socket_connected = asyncio.Event()
        self._codes: dict[str, tuple[str, str]] = {}  # code -> (team, redirect_uri)
        self._code_numbers = itertools.count(1)

    # ------------------------------------------------------------------------------------------
    # lifecycle

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{token}", self._response_url)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/oauth/v2/authorize", self._authorize)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, token: str = "r1") -> str:
        return f"{self.base}/response/{token}"

    # ------------------------------------------------------------------------------------------
    # inspection

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def accepted(self, method: str) -> list[Call]:
        return [c for c in self.calls_to(method) if c.status == 200 and c.error is None]

    def seen_ephemerals(self) -> list[Call]:
        """The ephemeral messages Slack took and showed to their user."""
        return [c for c in self.accepted("chat.postEphemeral") if c.visible]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until predicate() is truthy (re-checked after every recorded request)."""

        async def waiter() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(waiter(), timeout)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------------------------------
    # Web API

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        raw = await request.text()
        if raw:
            if request.content_type == "application/json":
                args.update(json.loads(raw))
            else:
                args.update(parse_qsl(raw))
        headers = {k.lower(): v for k, v in request.headers.items()}
        token = headers.get("authorization", "").removeprefix("Bearer ") or args.get("token", "")
        call = Call(method=method, args=args, headers=headers)
        if method == "oauth.v2.access":
            status, body, extra_headers = 200, self._oauth_access(args, headers), {}
        else:
            status, body, extra_headers = self._answer(method, args, token)
        call.status, call.response = status, body
        call.error = None if body.get("ok") else body.get("error")
        if method == "chat.postEphemeral" and call.error is None:
            call.visible = self._ephemeral_visible(args)
        await self._record(call)
        return web.json_response(body, status=status, headers=extra_headers)

    def _answer(
        self, method: str, args: dict[str, Any], token: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if token == "xoxb-invalid":
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if token in self.revoked_tokens:
            return 200, {"ok": False, "error": "token_revoked"}, {}
        if method == "auth.test":
            team = self.installed_tokens.get(token, TEAM_ID)
            body = {
                "ok": True,
                "url": f"https://{team.lower()}.slack.com/",
                "team": "Test" if team == TEAM_ID else f"Team {team}",
                "user": "newsbrief",
                "team_id": team,
                "user_id": BOT_USER_ID if team == TEAM_ID else f"U_BOT_{team}",
                "bot_id": "B_BOT" if team == TEAM_ID else f"B_{team}",
                "is_enterprise_install": False,
            }
            return 200, body, {}
        if method == "apps.connections.open":
            if not token.startswith("xapp-"):
                return 200, {"ok": False, "error": "invalid_auth"}, {}
            return 200, {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}, {}
        if method == "users.info":
            user = self.users.get(args.get("user", ""), {"id": args.get("user"), "is_admin": False})
            return 200, {"ok": True, "user": user}, {}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            return self._post(method, args)
        if method == "conversations.history":
            return self._history(args)
        return 200, {"ok": False, "error": "unknown_method"}, {}

    def _post(
        self, method: str, args: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        channel = str(args.get("channel", ""))
        if channel in _CHANNEL_ERRORS:
            return 200, {"ok": False, "error": _CHANNEL_ERRORS[channel]}, {}
        if channel in self.refuse:
            return 200, {"ok": False, "error": self.refuse[channel]}, {}
        if channel == "C_RATELIMIT" and channel not in self._rate_limited:
            self._rate_limited.add(channel)
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"}
        if channel.startswith("C_FAILAFTER"):
            allowed = int(channel.removeprefix("C_FAILAFTER"))
            if self._posts.get(channel, 0) >= allowed:
                return 200, {"ok": False, "error": "channel_not_found"}, {}
        problem = self._check_message(args)
        if problem:
            return 200, {"ok": False, "error": "invalid_blocks", "detail": problem}, {}
        if method == "chat.postMessage" and (wait := self._take_token(channel)) is not None:
            self.rate_limited.append(channel)
            seconds = math.ceil(wait) if self.rate_interval >= 1 else 0
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(seconds)}
        blocks = args.get("blocks") or []
        failed = unreachable_images(json.loads(blocks) if isinstance(blocks, str) else blocks)
        if failed:
            body = {"ok": False, "error": "invalid_blocks", "errors": failed}
            return 200, {**body, "response_metadata": {"messages": [f"[ERROR] {failed[0]}"]}}, {}
        self._posts[channel] = self._posts.get(channel, 0) + 1
        ts = f"1795000000.{next(self._ts):06d}"
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": ts}, {}
        if args.get("thread_ts"):
            self.threads.add((channel, str(args["thread_ts"])))
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        self.history.setdefault(channel, []).append(
            {
                "ts": ts,
                "at": time.time(),
                "text": args.get("text") or "",
                "metadata": metadata,
                "bot_id": "B_BOT",
            }
        )
        return 200, {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}, {}

    def _ephemeral_visible(self, args: dict[str, Any]) -> bool:
        """Slack shows an ephemeral message in a thread only if the thread exists already; one
        sent with the ts of a message that has no replies is shown nowhere."""
        thread_ts = args.get("thread_ts")
        return not thread_ts or (str(args.get("channel", "")), str(thread_ts)) in self.threads

    def _take_token(self, channel: str) -> float | None:
        """Take one message from the channel's bucket; None if allowed, else seconds to wait."""
        now = time.monotonic()
        tokens, at = self._buckets.get(channel, (float(self.rate_burst), now))
        tokens = min(float(self.rate_burst), tokens + (now - at) / self.rate_interval)
        if tokens < 1:
            self._buckets[channel] = (tokens, now)
            return (1 - tokens) * self.rate_interval
        self._buckets[channel] = (tokens - 1, now)
        return None

    def _history(self, args: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        """conversations.history: newest first, metadata only when asked for, one page. `oldest`
        is compared with when the fake took the message (its ts values are fixed for tests)."""
        channel = str(args.get("channel", ""))
        if channel in self.no_history:
            return 200, {"ok": False, "error": "missing_scope", "needed": "channels:history"}, {}
        if channel in _CHANNEL_ERRORS:
            return 200, {"ok": False, "error": _CHANNEL_ERRORS[channel]}, {}
        oldest = float(args.get("oldest") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = []
        for message in reversed(self.history.get(channel, [])):
            if message["at"] <= oldest:
                continue
            shown = {"type": "message", "ts": message["ts"], "text": message["text"]}
            if message.get("bot_id"):
                shown["bot_id"] = message["bot_id"]
            if with_metadata and message["metadata"]:
                shown["metadata"] = message["metadata"]
            messages.append(shown)
        return 200, {"ok": True, "messages": messages, "has_more": False}, {}

    @staticmethod
    def _check_message(args: dict[str, Any]) -> str | None:
        text = args.get("text") or ""
        blocks = args.get("blocks")
        if not text and not blocks:
            return "no text"
        if len(text) > MAX_TEXT:
            return "text too long"
        if blocks is not None:
            if isinstance(blocks, str):
                blocks = json.loads(blocks)
            return validate_blocks(blocks)
        return None

    # ------------------------------------------------------------------------------------------
    # OAuth v2 (installing in many workspaces)

    async def _authorize(self, request: web.Request) -> web.Response:
        """The consent page, approved at once by `authorize_as`: back to the app's redirect URL
        with a one-time code and the app's own state."""
        query = dict(request.query)
        await self._record(
            Call(method="oauth/v2/authorize", args=query, headers=dict(request.headers))
        )
        if query.get("client_id") != self.client_id:
            return web.Response(status=400, text="invalid_client_id")
        redirect = query.get("redirect_uri") or self.redirect_url
        code = f"code-{next(self._code_numbers)}-{self.authorize_as}"
        self._codes[code] = (self.authorize_as, query.get("redirect_uri", ""))
        params = {"code": code, "state": query.get("state", "")}
        raise web.HTTPFound(f"{redirect}?{urlencode(params)}")

    def _oauth_access(self, args: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        basic = headers.get("authorization", "")
        if basic.startswith("Basic "):
            client_id, _, client_secret = (
                base64.b64decode(basic.removeprefix("Basic ")).decode().partition(":")
            )
        if client_id != self.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != self.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        code = str(args.get("code", ""))
        if code not in self._codes:
            return {"ok": False, "error": "invalid_code"}
        team, redirect = self._codes.pop(code)  # a code works once
        if redirect and args.get("redirect_uri") != redirect:
            return {"ok": False, "error": "bad_redirect_uri"}
        token = f"xoxb-{team}-{next(self._code_numbers)}"
        self.installed_tokens[token] = team
        return {
            "ok": True,
            "app_id": "A_TEST",
            "authed_user": {"id": f"U_INSTALLER_{team}"},
            "scope": "app_mentions:read,chat:write,commands",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": f"U_BOT_{team}",
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def tokens_of(self, team: str) -> list[str]:
        return [t for t, owner in self.installed_tokens.items() if owner == team]

    def _revoke(self, team: str) -> None:
        for token in self.tokens_of(team):
            del self.installed_tokens[token]
            self.revoked_tokens.add(token)

    def uninstall(self, team: str) -> dict[str, Any]:
        """The workspace removes the app: its tokens stop working; the event Slack sends."""
        self._revoke(team)
        return self._event(team, {"type": "app_uninstalled"})

    def revoke_bot(self, team: str) -> dict[str, Any]:
        """An admin revokes the bot token: the `tokens_revoked` event Slack sends."""
        self._revoke(team)
        event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [f"U_BOT_{team}"]}}
        return self._event(team, event)

    @staticmethod
    def _event(team: str, event: dict[str, Any]) -> dict[str, Any]:
        return {
            "token": "verification-token",
            "team_id": team,
            "api_app_id": "A_TEST",
            "event": {**event, "event_ts": "1795000400.000100"},
            "type": "event_callback",
            "event_id": f"Ev{team}{event['type']}",
            "event_time": 1795000400,
            "authorizations": [{"team_id": team, "user_id": f"U_BOT_{team}", "is_bot": True}],
        }

    # ------------------------------------------------------------------------------------------
    # response_url

    async def _response_url(self, request: web.Request) -> web.Response:
        args = await request.json()
        headers = {k.lower(): v for k, v in request.headers.items()}
        call = Call(method="response_url", args=args, headers=headers)
        problem = self._check_message(args)
        if problem:
            call.status, call.error = 400, "invalid_blocks"
            await self._record(call)
            return web.Response(status=400, text="invalid_blocks")
        call.args["token"] = request.match_info["token"]
        await self._record(call)
        return web.Response(text="ok")

    # ------------------------------------------------------------------------------------------
    # Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(
            json.dumps(
                {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A_TEST"}}
            )
        )
        self.socket_connected.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                if "envelope_id" in data:
                    self.acks[data["envelope_id"]] = data
                    await self._record(Call(method="socket_ack", args=data, headers={}))
        return ws

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Send a `slash_commands` / `events_api` envelope; returns its envelope id."""
        await asyncio.wait_for(self.socket_connected.wait(), 5)
        envelope_id = f"env-{next(self._envelopes)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "accepts_response_payload": kind == "slash_commands",
            "payload": payload,
        }
        if kind == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        await self._sockets[-1].send_str(json.dumps(envelope))
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        return await self.wait_for(lambda: self.acks.get(envelope_id), timeout)

    # ------------------------------------------------------------------------------------------
    # payload builders

    def slash_payload(
        self,
        command: str,
        text: str = "",
        *,
        channel: str = "C_NEWS",
        user: str = "U_USER",
        response_token: str = "r1",
        link_urls: bool = False,
        team: str = TEAM_ID,
    ) -> dict[str, str]:
        """A slash command as Slack sends it for `text` as the user typed it (escaped; with
        `link_urls`, links in Slack's `<url>` markup as with escaping turned on)."""
        return {
            "token": "verification-token",
            "team_id": team,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "news",
            "user_id": user,
            "user_name": "someone",
            "command": command,
            "text": slack_typed(text, link_urls=link_urls),
            "api_app_id": "A_TEST",
            "is_enterprise_install": "false",
            "response_url": self.response_url(response_token),
            "trigger_id": "trigger-1",
        }

    def mention_payload(
        self,
        text: str,
        *,
        channel: str = "C_NEWS",
        user: str = "U_USER",
        ts: str = "1795000100.000100",
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        """The app_mention event for a message the user typed (`@newsbrief who said it?`).
        Slack adds `thread_ts` only to a reply in a thread, and that reply makes the thread exist.
        """
        if thread_ts:
            self.threads.add((channel, thread_ts))
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user,
            "text": slack_typed(text),
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return {
            "token": "verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A_TEST",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{ts.replace('.', '')}",
            "event_time": int(float(ts)),
            "authorizations": [
                {
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
