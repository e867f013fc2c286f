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
from bot.platforms.slack_oauth import SlackOAuthConfig, oauth_flow
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
# Subcommands of /feeds that change the channel (the core enforces the admin rule).
ADMIN_FEEDS_SUBCOMMANDS = frozenset({"add", "remove", "set", "stop"})
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


# Slack tokens and OAuth secrets as slack_sdk's DEBUG lines may show them (oauth.v2.access's
# answer carries a workspace's new bot token; its request, the client secret).
_SECRETS = re.compile(
    r"\b(?:xox[a-z]|xapp)-[A-Za-z0-9_-]+"
    r"|(?P<key>['\"](?:client_secret|refresh_token|access_token)['\"]: ['\"])[^'\"]+"
)


class _RedactSecrets(logging.Filter):
    """Cut tokens and secrets out of the Slack client's log lines (bolt's per-request clients
    share this logger), so not even DEBUG logs carry one."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        redacted = _SECRETS.sub(lambda m: (m.group("key") or "") + "(redacted)", text)
        if redacted != text:
            record.msg, record.args = redacted, ()
        return True


SDK_LOG = logging.getLogger("bot.platforms.slack.sdk")
SDK_LOG.addFilter(_RedactSecrets())


def build_client(*, token: str | None, api_url: str) -> AsyncWebClient:
    """An AsyncWebClient that retries 429s (after Retry-After), connection errors and 5xx, and
    logs to SDK_LOG (secrets redacted)."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return AsyncWebClient(
        token=token,
        logger=SDK_LOG,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=3, interval_calculator=backoff),
            AsyncServerErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
        ],
    )


class SlackPlatform(ChatPlatform):
    """Slack. `start()` connects and registers commands; `post_digest()` posts.

    install "single": one workspace, one bot token. install "oauth" (HTTP mode only): any
    workspace installs the app through /slack/install; each request and each post uses the bot
    token of its own workspace, found in the store (bot.platforms.slack_oauth), so nothing about
    an installation lives in this process's memory.
    """

    name = "slack"

    def __init__(
        self,
        *,
        bot_token: str | None = None,
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
        install: str = "single",
        oauth: SlackOAuthConfig | None = None,
    ) -> None:
        """`*_env`: the environment variables the secrets came from, named in operator hints.
        `oauth`: the OAuth settings and the store, for install = "oauth"."""
        if mode not in ("socket", "http"):
            raise ValueError(msg.ERR_BAD_MODE.format(mode=mode))
        if install not in ("single", "oauth"):
            raise ValueError(msg.ERR_BAD_INSTALL.format(install=install))
        if install == "oauth" and mode != "http":
            raise ValueError(msg.ERR_OAUTH_NEEDS_HTTP)
        if install == "oauth" and oauth is None:
            raise ValueError(msg.ERR_OAUTH_SETTINGS_REQUIRED)
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
        self.install = install
        self._oauth = oauth if install == "oauth" else None
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
        # With install = "oauth" this client has no token: each call passes its workspace's.
        self.client = client or build_client(token=bot_token, api_url=api_url)
        self.app: AsyncApp | None = None
        self._handler: CommandHandler | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._history_warned: set[str] = set()  # channels whose history we may not read
        self._bot_id: str | None = None  # from auth.test: tells our messages from other apps'
        self._pacer = ChannelPacer(post_interval)

    def __repr__(self) -> str:  # never show tokens
        return (
            f"SlackPlatform(mode={self.mode!r}, install={self.install!r}, api_url={self.api_url!r})"
        )

    # -----------------------------------------------------------------------------------------
    # lifecycle

    async def start(self, handler: CommandHandler) -> None:
        self._handler = handler
        if self._oauth is None:
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
        else:
            app = AsyncApp(
                client=self.client,
                signing_secret=self._signing_secret or "",
                oauth_flow=oauth_flow(
                    self._oauth, client=self.client, removed=self._workspace_removed
                ),
                installation_store_bot_only=True,
                logger=logging.getLogger("bot.platforms.slack.bolt"),
            )
            # app_uninstalled and tokens_revoked delete the installation (and, through
            # _workspace_removed, the workspace's channels)
            app.enable_token_revocation_listeners()
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
        client, _ = self._workspace_client(target)
        for message in render_digest(digest):
            # The stories' keys ride along as message metadata: after a crash between Slack
            # taking the message and the bot recording it, recent_digest_messages finds them.
            metadata = {
                "event_type": DIGEST_EVENT,
                "event_payload": {"stories": story_keys(message.items)},
            }
            response = await self._post(target, message, client=client, metadata=metadata)
            channel = response.get("channel") or target
            await record(message.items, f"{channel}:{response['ts']}")

    async def post_alert(self, target: str, alert: Digest, record: RecordPosted) -> None:
        """Each story as its own message, at most one a second per channel (POST_INTERVAL), so a
        burst of alerts is never answered with 429s. Its story key rides along as for digests."""
        client, _ = self._workspace_client(target)
        for message in render_alert(alert):
            metadata = {
                "event_type": DIGEST_EVENT,
                "event_payload": {"stories": story_keys(message.items)},
            }
            async with self._pacer.lock(target):
                await self._pacer.wait(target)
                response = await self._post(target, message, client=client, metadata=metadata)
            channel = response.get("channel") or target
            await record(message.items, f"{channel}:{response['ts']}")

    async def post_notice(self, target: str, notice: Reply) -> None:
        client, _ = self._workspace_client(target)
        for message in render_reply(notice):
            async with self._pacer.lock(target):
                await self._pacer.wait(target)
                await self._post(target, message, client=client)

    async def recent_digest_messages(self, target: str, since: datetime) -> list[PostedMessage]:
        """Our digest messages in `target` since `since`, from conversations.history."""
        found: list[PostedMessage] = []
        cursor: str | None = None
        try:
            client, bot_id = self._workspace_client(target)
        except PlatformError:
            return found  # not installed there: nothing can be posted either
        try:
            for _ in range(HISTORY_PAGES):
                page = await client.conversations_history(
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
                    if bot_id and message.get("bot_id") != bot_id:
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

    def _workspace_client(self, channel: str) -> tuple[AsyncWebClient, str | None]:
        """The client that posts to `channel` and our bot's id there. With install = "oauth"
        that is the bot of the workspace whose chat channel it is (read from the store on each
        call: another instance may have installed or removed it)."""
        if self._oauth is None:
            return self.client, self._bot_id
        store = self._oauth.store
        chat = store.chat_channel(self.name, channel)
        bot = store.slack_bot("", chat.workspace) if chat is not None else None
        if bot is None:
            hint = msg.HINT_NOT_INSTALLED.format(
                channel=channel, install_path=self._oauth.install_path
            )
            log.error(msg.LOG_REFUSED, f"a message for {channel}", "not installed", hint)
            raise PlatformError(
                msg.REASON_NOT_INSTALLED.format(channel=channel), hint=hint, retryable=False
            )
        return build_client(token=bot.bot_token, api_url=self.api_url), bot.bot_id

    async def _post(
        self,
        channel: str,
        message: SlackMessage,
        *,
        client: AsyncWebClient | None = None,
        **extra: Any,
    ) -> Any:
        try:
            response = await (client or self.client).chat_postMessage(
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
                return await self._post(channel, plain, client=client, **extra)
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
        elif error in _AUTH_ERRORS and self._oauth is not None:
            hint = hint or msg.HINT_AUTH_OAUTH.format(install_path=self._oauth.install_path)
            retryable = False
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
        async def listener(
            ack: Any, body: dict[str, Any], respond: Any, client: AsyncWebClient
        ) -> None:
            await ack()
            # bolt's per-request client carries the token of the workspace the command came from
            await self._run_command(neutral, body, respond, client)

        listener.__name__ = f"slack_command_{neutral}"
        return listener

    async def _run_command(
        self, neutral: str, body: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        args = typed_text(body.get("text") or "").strip()
        user_id = body.get("user_id", "")
        needs_admin = _needs_admin(neutral, args)
        command = Command(
            name=neutral,
            args=args,
            platform="slack",
            target=body.get("channel_id", ""),
            user_id=user_id,
            user_is_admin=await self._is_admin(user_id, client) if needs_admin else False,
            workspace=body.get("team_id", ""),
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

    async def _is_admin(self, user_id: str, client: AsyncWebClient) -> bool:
        """Configured admin ids, or the workspace's admins and owners (users.info)."""
        if not user_id:
            return False
        if user_id in self.admin_user_ids:
            return True
        try:
            response = await client.users_info(user=user_id)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            log.warning(msg.LOG_USERS_INFO_FAILED, user_id, type(exc).__name__)
            return False
        user = response.get("user") or {}
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    # -----------------------------------------------------------------------------------------
    # mentions

    async def _on_mention(
        self, event: dict[str, Any], context: Any, client: AsyncWebClient
    ) -> None:
        # bolt has already acknowledged the event; the answer may take a while
        try:
            team_id = str(context.get("team_id") or event.get("team") or "")
            await self._answer_mention(event, context.get("bot_user_id"), client, team_id)
        except PlatformError:
            pass  # already logged with its hint
        except Exception:
            log.exception(msg.LOG_MENTION_CRASHED)

    async def _answer_mention(
        self,
        event: dict[str, Any],
        bot_user_id: str | None,
        client: AsyncWebClient,
        team_id: str = "",
    ) -> None:
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
            await self._send_in_thread(client, channel, reply_ts, user_id, help_reply, markup=True)
            return
        if not question:
            await self._send_in_thread(
                client,
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
            workspace=team_id,
        )
        reply = await self._handle(command, msg.LOG_MENTION_CRASHED)
        await self._send_in_thread(client, channel, reply_ts, user_id, reply)

    async def _send_in_thread(
        self,
        client: AsyncWebClient,
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
                    await client.chat_postEphemeral(
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
                await self._post(channel, message, client=client, thread_ts=thread_ts)

    # -----------------------------------------------------------------------------------------
    # uninstalls

    async def _workspace_removed(self, enterprise_id: str, team_id: str) -> None:
        """The app was uninstalled from a workspace (or its bot token revoked): the core forgets
        the workspace's chat channels, so nothing is posted there any more."""
        if self._handler is None or not team_id:
            return
        try:
            self._handler.forget_workspace(self.name, team_id)
        except Exception:
            log.exception(msg.LOG_WORKSPACE_REMOVED_FAILED, team_id)


def _needs_admin(neutral: str, args: str) -> bool:
    """/feeds actions that change the channel (the core checks the admin flag): add, remove,
    set, stop, and filter with an entry to change (bare `filter` only shows them)."""
    words = args.split()
    if neutral != "feeds" or not words:
        return False
    action = words[0].lower()
    return action in ADMIN_FEEDS_SUBCOMMANDS or (action == "filter" and len(words) > 1)


def _image_download_failed(exc: SlackApiError) -> bool:
    """Slack refused blocks because of an image it could not fetch or accept."""
    if exc.response.get("error") != "invalid_blocks":
        return False
    details = list(exc.response.get("errors") or [])
    details += (exc.response.get("response_metadata") or {}).get("messages") or []
    return any("image" in str(detail) for detail in details)
