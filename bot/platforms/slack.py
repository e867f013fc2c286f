"""Slack through slack-bolt's AsyncApp: digests in Block Kit, slash commands, thread mentions.

Socket Mode (default) needs a bot token and an app-level token; HTTP mode serves the bolt app's
aiohttp web app and verifies every request with the signing secret. The Web API base URL is
configurable, and the client is injectable so tests point it at a local fake Slack.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.models import Command, Digest, Reply
from bot.platforms import slack_messages as msg
from bot.platforms.base import (
    ChatPlatform,
    CommandHandler,
    PlatformError,
    PostedMessage,
    RecordPosted,
    story_keys,
)
from bot.platforms.pacing import ChannelPacer
from bot.platforms.slack_input import typed_text
from bot.platforms.slack_render import (
    SlackMessage,
    render_alert,
    render_digest,
    render_reply,
    without_images,
)

log = logging.getLogger(__name__)

DEFAULT_COMMAND_NAMES: Mapping[str, str] = {
    "summarize": "/summarize",
    "quote": "/quote",
    "ask": "/ask",
    "digest": "/digest",
    "feeds": "/feeds",
}
# Subcommands of /feeds that change subscriptions (the core enforces the admin rule).
ADMIN_FEEDS_SUBCOMMANDS = frozenset({"add", "remove"})
# A response_url accepts at most five messages.
MAX_RESPONSES = 5

_CHANNEL_ERRORS = {"channel_not_found", "not_in_channel", "is_archived"}
_AUTH_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
_SCOPE_ERRORS = {"missing_scope", "no_permission", "restricted_action"}
DIGEST_EVENT = "newsbrief_digest"  # the metadata event type of our digest messages
HISTORY_PAGES = 5  # conversations.history pages read when looking for our unrecorded messages
_USER_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Slack takes about one message a second per channel; alerts and notices keep to it.
POST_INTERVAL = 1.0


def build_client(*, token: str, api_url: str) -> AsyncWebClient:
    """An AsyncWebClient that retries 429s (after Retry-After), connection errors and 5xx."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return AsyncWebClient(
        token=token,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=3, interval_calculator=backoff),
            AsyncServerErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
        ],
    )


class SlackPlatform(ChatPlatform):
    """One Slack workspace. `start()` connects and registers commands; `post_digest()` posts."""

    name = "slack"

    def __init__(
        self,
        *,
        bot_token: str,
        app_token: str | None = None,
        signing_secret: str | None = None,
        mode: str = "socket",
        api_url: str = "https://slack.com/api/",
        http_host: str = "0.0.0.0",
        http_port: int = 3000,
        http_path: str = "/slack/events",
        command_names: Mapping[str, str] | None = None,
        admin_user_ids: Collection[str] = (),
        client: AsyncWebClient | None = None,
        bot_token_env: str = "SLACK_BOT_TOKEN",
        app_token_env: str = "SLACK_APP_TOKEN",
        signing_secret_env: str = "SLACK_SIGNING_SECRET",
        post_interval: float = POST_INTERVAL,
    ) -> None:
        """`*_env`: the environment variables the secrets came from, named in operator hints."""
        if mode not in ("socket", "http"):
            raise ValueError(msg.ERR_BAD_MODE.format(mode=mode))
        if mode == "socket" and not app_token:
            raise ValueError(
                msg.ERR_APP_TOKEN_REQUIRED.format(
                    app_env=app_token_env, secret_env=signing_secret_env
                )
            )
        if mode == "http" and not signing_secret:
            raise ValueError(msg.ERR_SIGNING_SECRET_REQUIRED.format(secret_env=signing_secret_env))
        self.bot_token_env = bot_token_env
        self.app_token_env = app_token_env
        self._app_token = app_token
        self._signing_secret = signing_secret
        self.mode = mode
        self.api_url = api_url
        self.http_host = http_host
        self.http_port = http_port
        self.http_path = http_path
        names = dict(DEFAULT_COMMAND_NAMES)
        names.update(command_names or {})
        self.command_names: dict[str, str] = {
            neutral: slash if slash.startswith("/") else "/" + slash
            for neutral, slash in names.items()
        }
        self.admin_user_ids = frozenset(admin_user_ids)
        self.client = client or build_client(token=bot_token, api_url=api_url)
        self.app: AsyncApp | None = None
        self._handler: CommandHandler | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._history_warned: set[str] = set()  # channels whose history we may not read
        self._bot_id: str | None = None  # from auth.test: tells our messages from other apps'
        self._pacer = ChannelPacer(post_interval)

    def __repr__(self) -> str:  # never show tokens
        return f"SlackPlatform(mode={self.mode!r}, api_url={self.api_url!r})"

    # -----------------------------------------------------------------------------------------
    # lifecycle

    async def start(self, handler: CommandHandler) -> None:
        self._handler = handler
        try:
            identity = await self.client.auth_test()
        except SlackApiError as exc:
            raise self._platform_error(exc, what=f"auth.test ({self.bot_token_env})") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise PlatformError(
                msg.REASON_CONNECTION, hint=msg.HINT_CONNECTION.format(api_url=self.api_url)
            ) from exc
        self._bot_id = identity.get("bot_id")
        app = AsyncApp(
            client=self.client,
            signing_secret=self._signing_secret or "",
            request_verification_enabled=self.mode == "http",
            logger=logging.getLogger("bot.platforms.slack.bolt"),
        )
        for neutral, slash in self.command_names.items():
            app.command(slash)(self._make_command_listener(neutral))
        app.event("app_mention")(self._on_mention)
        self.app = app
        if self.mode == "socket":
            # Open the first connection URL ourselves: a bad app token then fails start() at
            # once instead of the socket client retrying forever.
            try:
                opened = await self.client.apps_connections_open(app_token=self._app_token or "")
            except SlackApiError as exc:
                raise self._platform_error(
                    exc,
                    what=f"apps.connections.open ({self.app_token_env})",
                    hint=msg.HINT_APP_TOKEN.format(env=self.app_token_env),
                ) from exc
            self._socket = AsyncSocketModeHandler(
                app, app_token=self._app_token, web_client=self.client
            )
            self._socket.client.wss_uri = opened["url"]
            await self._socket.connect_async()
        else:
            self._runner = web.AppRunner(app.web_app(path=self.http_path, port=self.http_port))
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.http_host, self.http_port)
            await site.start()
            # with port 0 the OS picks one: report the real port
            for address in self._runner.addresses:
                if isinstance(address, tuple) and len(address) >= 2:
                    self.http_port = int(address[1])
                    break
        log.info(msg.LOG_STARTED, self.mode)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -----------------------------------------------------------------------------------------
    # digests

    async def post_digest(self, target: str, digest: Digest, record: RecordPosted) -> None:
        for message in render_digest(digest):
            # The stories' keys ride along as message metadata: after a crash between Slack
            # taking the message and the bot recording it, recent_digest_messages finds them.
            metadata = {
                "event_type": DIGEST_EVENT,
                "event_payload": {"stories": story_keys(message.items)},
            }
            response = await self._post(target, message, metadata=metadata)
            channel = response.get("channel") or target
            await record(message.items, f"{channel}:{response['ts']}")

    async def post_alert(self, target: str, alert: Digest, record: RecordPosted) -> None:
        """Each story as its own message, at most one a second per channel (POST_INTERVAL), so a
        burst of alerts is never answered with 429s. Its story key rides along as for digests."""
        for message in render_alert(alert):
            metadata = {
                "event_type": DIGEST_EVENT,
                "event_payload": {"stories": story_keys(message.items)},
            }
            async with self._pacer.lock(target):
                await self._pacer.wait(target)
                response = await self._post(target, message, metadata=metadata)
            channel = response.get("channel") or target
            await record(message.items, f"{channel}:{response['ts']}")

    async def post_notice(self, target: str, notice: Reply) -> None:
        for message in render_reply(notice):
            async with self._pacer.lock(target):
                await self._pacer.wait(target)
                await self._post(target, message)

    async def recent_digest_messages(self, target: str, since: datetime) -> list[PostedMessage]:
        """Our digest messages in `target` since `since`, from conversations.history."""
        found: list[PostedMessage] = []
        cursor: str | None = None
        try:
            for _ in range(HISTORY_PAGES):
                page = await self.client.conversations_history(
                    channel=target,
                    oldest=f"{since.timestamp():.6f}",
                    limit=200,
                    include_all_metadata=True,
                    cursor=cursor,
                )
                for message in page.get("messages") or []:
                    meta = message.get("metadata") or {}
                    stories = (meta.get("event_payload") or {}).get("stories")
                    if meta.get("event_type") != DIGEST_EVENT or not isinstance(stories, list):
                        continue
                    if self._bot_id and message.get("bot_id") != self._bot_id:
                        continue  # another app's digest (a second newsbrief install)
                    ref = f"{target}:{message.get('ts')}"
                    found.append(PostedMessage(ref, frozenset(map(str, stories))))
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SlackApiError as exc:
            error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            if target not in self._history_warned:
                self._history_warned.add(target)
                log.warning(msg.LOG_HISTORY_UNAVAILABLE, target, error)
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning(msg.LOG_HISTORY_UNAVAILABLE, target, exc)
        return found

    async def _post(self, channel: str, message: SlackMessage, **extra: Any) -> Any:
        try:
            response = await self.client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks,
                unfurl_links=False,
                unfurl_media=False,
                link_names=False,
                parse="none",
                **extra,
            )
            self._pacer.sent(channel)
            return response
        except SlackApiError as exc:
            if _image_download_failed(exc) and (plain := without_images(message)) is not None:
                log.warning(msg.LOG_IMAGES_DROPPED, channel)
                return await self._post(channel, plain, **extra)
            raise self._platform_error(
                exc, what=f"a message for {channel}", channel=channel
            ) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            hint = msg.HINT_CONNECTION.format(api_url=self.api_url)
            log.error(msg.LOG_REFUSED, f"a message for {channel}", msg.REASON_CONNECTION, hint)
            raise PlatformError(msg.REASON_CONNECTION, hint=hint) from exc

    def _platform_error(
        self, exc: SlackApiError, *, what: str, channel: str = "", hint: str = ""
    ) -> PlatformError:
        """Turn a Slack API error into a PlatformError and log it with an operator hint."""
        error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
        retryable = True
        if error in _CHANNEL_ERRORS:
            template = msg.HINT_ARCHIVED if error == "is_archived" else msg.HINT_NOT_IN_CHANNEL
            hint, retryable = hint or template.format(channel=channel), False
        elif error in _AUTH_ERRORS:
            hint, retryable = hint or msg.HINT_AUTH.format(env=self.bot_token_env), False
        elif error in _SCOPE_ERRORS:
            hint, retryable = hint or msg.HINT_SCOPE, False
        else:
            hint = hint or msg.HINT_OTHER.format(error=error)
        log.error(msg.LOG_REFUSED, what, error, hint)
        return PlatformError(error, hint=hint, retryable=retryable)

    # -----------------------------------------------------------------------------------------
    # slash commands

    def _make_command_listener(self, neutral: str) -> Any:
        async def listener(ack: Any, body: dict[str, Any], respond: Any) -> None:
            await ack()
            await self._run_command(neutral, body, respond)

        listener.__name__ = f"slack_command_{neutral}"
        return listener

    async def _run_command(self, neutral: str, body: dict[str, Any], respond: Any) -> None:
        args = typed_text(body.get("text") or "").strip()
        user_id = body.get("user_id", "")
        command = Command(
            name=neutral,
            args=args,
            platform="slack",
            target=body.get("channel_id", ""),
            user_id=user_id,
            user_is_admin=await self._is_admin(user_id) if _needs_admin(neutral, args) else False,
        )
        reply = await self._handle(command, msg.LOG_COMMAND_CRASHED, neutral)
        messages = render_reply(reply)
        if len(messages) > MAX_RESPONSES:
            log.warning(msg.LOG_TOO_MANY_PARTS, len(messages))
        response_type = "ephemeral" if (reply.error or reply.ephemeral) else "in_channel"
        for message in messages[:MAX_RESPONSES]:
            try:
                sent = await respond(
                    text=message.text, blocks=message.blocks, response_type=response_type
                )
            except (TimeoutError, aiohttp.ClientError) as exc:
                log.warning(msg.LOG_RESPOND_FAILED, type(exc).__name__)
                return
            if sent.status_code != 200:
                log.warning(msg.LOG_RESPOND_FAILED, f"HTTP {sent.status_code} {sent.body[:200]}")
                return

    async def _handle(self, command: Command, log_message: str, *args: Any) -> Reply:
        assert self._handler is not None
        try:
            return await self._handler.handle(command)
        except Exception:
            log.exception(log_message, *args)
            return Reply(text=msg.INTERNAL_ERROR, error=True)

    async def _is_admin(self, user_id: str) -> bool:
        """Configured admin ids, or the workspace's admins and owners (users.info)."""
        if not user_id:
            return False
        if user_id in self.admin_user_ids:
            return True
        try:
            response = await self.client.users_info(user=user_id)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            log.warning(msg.LOG_USERS_INFO_FAILED, user_id, type(exc).__name__)
            return False
        user = response.get("user") or {}
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    # -----------------------------------------------------------------------------------------
    # mentions

    async def _on_mention(self, event: dict[str, Any], context: Any) -> None:
        # bolt has already acknowledged the event; the answer may take a while
        try:
            await self._answer_mention(event, context.get("bot_user_id"))
        except PlatformError:
            pass  # already logged with its hint
        except Exception:
            log.exception(msg.LOG_MENTION_CRASHED)

    async def _answer_mention(self, event: dict[str, Any], bot_user_id: str | None) -> None:
        assert self._handler is not None
        channel = event.get("channel", "")
        user_id = event.get("user", "")
        thread_ts = event.get("thread_ts")
        text = event.get("text") or ""
        if bot_user_id:
            text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
        else:
            text = _USER_MENTION.sub(" ", text, count=1)
        question = " ".join(typed_text(text).split())
        digest_id = (
            self._handler.digest_for_message("slack", f"{channel}:{thread_ts}")
            if thread_ts
            else None
        )
        # Answer in the mention's thread, or in the channel when it has none: Slack shows no
        # ephemeral message in a thread that does not exist (the mention's own ts has no replies).
        reply_ts = thread_ts or None
        if digest_id is None:
            ask = self.command_names.get("ask", "/ask")
            help_reply = Reply(text=msg.MENTION_HELP.format(ask=ask), ephemeral=True)
            await self._send_in_thread(channel, reply_ts, user_id, help_reply, markup=True)
            return
        if not question:
            await self._send_in_thread(
                channel,
                reply_ts,
                user_id,
                Reply(text=msg.MENTION_EMPTY, ephemeral=True),
                markup=True,
            )
            return
        command = Command(
            name="ask",
            args=question,
            platform="slack",
            target=channel,
            user_id=user_id,
            digest_id=digest_id,
        )
        reply = await self._handle(command, msg.LOG_MENTION_CRASHED)
        await self._send_in_thread(channel, reply_ts, user_id, reply)

    async def _send_in_thread(
        self,
        channel: str,
        thread_ts: str | None,
        user_id: str,
        reply: Reply,
        *,
        markup: bool = False,
    ) -> None:
        """Errors and help go only to the asker (ephemeral); answers go to the thread.
        `thread_ts` None: the channel itself."""
        if markup:  # our own mrkdwn string, not outside text
            block = {"type": "section", "text": {"type": "mrkdwn", "text": reply.text}}
            messages = [SlackMessage(text=reply.text, blocks=[block])]
        else:
            messages = render_reply(reply)
        for message in messages:
            if reply.error or reply.ephemeral:
                try:
                    await self.client.chat_postEphemeral(
                        channel=channel,
                        user=user_id,
                        text=message.text,
                        blocks=message.blocks,
                        thread_ts=thread_ts,
                        link_names=False,
                        parse="none",
                    )
                except SlackApiError as exc:
                    raise self._platform_error(
                        exc, what=f"an ephemeral message in {channel}", channel=channel
                    ) from exc
            else:
                await self._post(channel, message, thread_ts=thread_ts)


def _needs_admin(neutral: str, args: str) -> bool:
    words = args.split(maxsplit=1)
    return neutral == "feeds" and bool(words) and words[0].lower() in ADMIN_FEEDS_SUBCOMMANDS


def _image_download_failed(exc: SlackApiError) -> bool:
    """Slack refused blocks because of an image it could not fetch or accept."""
    if exc.response.get("error") != "invalid_blocks":
        return False
    details = list(exc.response.get("errors") or [])
    details += (exc.response.get("response_metadata") or {}).get("messages") or []
    return any("image" in str(detail) for detail in details)
