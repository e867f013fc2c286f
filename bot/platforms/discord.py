"""Discord: digests as embeds, slash commands and follow-up threads, through discord.py 2.x.

The core never imports discord; this module turns interactions into neutral `Command`s and renders
neutral `Digest`/`Reply` values (see discord_render.py). Only the `guilds` intent is used: slash
commands arrive as interactions, which need no intent at all, and the guild cache lets a digest
channel be found by id.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Collection
from datetime import datetime
from typing import Any, Literal

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.models import Command, Digest, Reply
from bot.platforms import discord_messages as msg
from bot.platforms.base import (
    ChatPlatform,
    CommandHandler,
    PlatformError,
    PostedMessage,
    RecordPosted,
    story_key,
)
from bot.platforms.discord_render import (
    CHOICE_MAX,
    CHOICES_MAX,
    OutMessage,
    alert_messages,
    digest_messages,
    fit,
    invite_url,
    message_nonce,
    reply_messages,
    thread_name,
)

__all__ = [
    "DiscordPlatform",
    "fetch_application_id",
    "invite_url",
    "normalize_api_url",
    "resolve_invite_url",
]

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
DEFAULT_API_URL = "https://discord.com/api/v10"
# Discord's follow-up threads archive after a day without messages.
THREAD_ARCHIVE_MINUTES = 1440
# A rate limit longer than this fails the post (items stay pending) instead of blocking the bot.
MAX_RATELIMIT_WAIT = 120.0
# Commands whose answers concern only the asker (confirmations, lists): always private, whether
# the answer comes at once or after a deferral (Discord fixes a deferred answer's visibility
# when it is deferred, so the choice cannot wait for the reply). Errors are private everywhere.
PRIVATE_COMMANDS = frozenset({"digest", "feeds"})
# Commands only make sense in a server channel (a DM has no configured digest channel).
GUILD_CONTEXT = app_commands.AppCommandContext(guild=True)
GUILD_INSTALL = app_commands.AppInstallationType(guild=True)
_POST_ERRORS = (discord.HTTPException, discord.RateLimited, aiohttp.ClientError, TimeoutError)
# Servers whose leftover guild commands are looked for at start (one request each).
MAX_GUILDS_CHECKED = 25
HISTORY_LIMIT = 200  # recent messages read when looking for our unrecorded digest messages


_NETWORK_ERRORS = (
    OSError,
    aiohttp.ClientError,
    discord.GatewayNotFound,
    discord.ConnectionClosed,
    TimeoutError,
)


def network_reason(exc: BaseException) -> str:
    """The network error behind `exc`, in one line. When discord.py fails to open its first
    gateway connection it gives up with an unrelated AttributeError raised while handling the
    real error, which is kept as its context."""
    seen: BaseException | None = exc
    while seen is not None and not isinstance(seen, _NETWORK_ERRORS):
        seen = seen.__cause__ or seen.__context__
    found = seen or exc
    return f"{type(found).__name__}: {found}" if str(found) else type(found).__name__


class QuietReconnects(logging.Filter):
    """One line, not two tracebacks, per failed gateway connection at the default log level.

    discord.py logs each failed (re)connection with its traceback and the chained network error.
    Below DEBUG this filter keeps discord.py's line and adds the reason instead; at DEBUG the
    record passes as it is. A failure before the first connection is left out: discord.py stops
    there, and start() reports the reason as a PlatformError.
    """

    LOGGERS = ("discord.client", "discord.shard")
    MESSAGES = ("Attempting a reconnect", "Failed to connect for shard_id")

    def __init__(self, client: discord.Client) -> None:
        super().__init__()
        self.client = client

    def install(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self)

    def remove(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or not str(record.msg).startswith(self.MESSAGES):
            return True
        if logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
            return True
        if record.name == "discord.client" and self.client.ws is None:
            return False  # the first connection: start() raises with the reason
        error = record.exc_info[1]
        record.msg, record.args = "%s (%s)", (record.getMessage(), network_reason(error))
        record.exc_info, record.exc_text = None, None
        return True


def normalize_api_url(api_url: str | None) -> str:
    """`https://proxy.example` or `https://proxy.example/api/v10` -> the REST base with version."""
    if not api_url:
        return DEFAULT_API_URL
    url = api_url.rstrip("/")
    tail = url.rsplit("/", 2)
    if len(tail) == 3 and tail[1] == "api" and tail[2].startswith("v"):
        return url
    return f"{url}/api/v10"


async def fetch_application_id(
    token: str, *, api_url: str | None = None, proxy: str | None = None
) -> int:
    """The application id of the bot behind `token` (GET /oauth2/applications/@me)."""
    url = f"{normalize_api_url(api_url)}/oauth2/applications/@me"
    headers = {"Authorization": f"Bot {token.strip()}"}
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(url, headers=headers, proxy=proxy) as response,
        ):
            if response.status == 401:
                raise PlatformError(msg.REASON_BAD_TOKEN, hint=msg.HINT_BAD_TOKEN, retryable=False)
            if response.status >= 400:
                raise PlatformError(f"Discord answered {response.status} to {url}")
            data = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise PlatformError(f"Could not reach Discord at {url}: {exc}") from exc
    return int(data["id"])


async def resolve_invite_url(
    *, token: str | None, app_id: int | None = None, api_url: str | None = None
) -> str:
    """The invite URL for `app_id`, or for the application behind `token` when no id is given."""
    if app_id is None:
        if not token:
            raise PlatformError(msg.REASON_NO_APP_ID, hint=msg.HINT_NO_APP_ID, retryable=False)
        app_id = await fetch_application_id(token, api_url=api_url)
    return invite_url(app_id)


class DiscordPlatform(ChatPlatform):
    """One Discord bot connection serving every configured Discord channel."""

    name = "discord"

    def __init__(
        self,
        *,
        token: str,
        api_url: str | None = None,
        gateway_url: str | None = None,
        guild_ids: Collection[int] = (),
        shard_count: int | None = None,
        proxy: str | None = None,
        guild_ready_timeout: float = 2.0,
        defer_after: float = 1.5,
        ready_timeout: float = 60.0,
    ) -> None:
        """`defer_after`: answer directly when the core replies within this many seconds,
        otherwise defer (Discord allows 3 s for the first response) and answer by follow-up."""
        if not token or not token.strip():
            raise ValueError("a Discord bot token is required (DISCORD_TOKEN)")
        self._token = token.strip()
        self.api_url = normalize_api_url(api_url)
        self.gateway_url = yarl.URL(gateway_url) if gateway_url else None
        self.guild_ids = tuple(int(g) for g in guild_ids)
        self.defer_after = defer_after
        self.ready_timeout = ready_timeout
        self._handler: CommandHandler | None = None
        self._history_warned: set[str] = set()  # channels whose history we may not read
        self._connect_task: asyncio.Task[None] | None = None
        self._saved_globals: tuple[str, yarl.URL] | None = None
        # Nonces of digest messages Discord took without their embeds (and we deleted): a repost
        # of the same stories must not get that message back from Discord's nonce check.
        self._spent_nonces: set[str] = set()

        # newsbrief never joins voice: silence discord.py's warnings about voice libraries.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        intents = discord.Intents.none()
        intents.guilds = True
        options: dict[str, Any] = {
            "intents": intents,
            "allowed_mentions": NO_MENTIONS,
            "proxy": proxy,
            "guild_ready_timeout": guild_ready_timeout,
            "max_ratelimit_timeout": MAX_RATELIMIT_WAIT,
            # Nothing reads messages or members back: keep no caches of them.
            "max_messages": None,
            "member_cache_flags": discord.MemberCacheFlags.none(),
            "chunk_guilds_at_startup": False,
        }
        self.client: discord.Client
        if shard_count:
            self.client = discord.AutoShardedClient(shard_count=shard_count, **options)
        else:
            self.client = discord.Client(**options)
        self.tree = app_commands.CommandTree(self.client)
        self._register_commands()
        self._quiet_reconnects = QuietReconnects(self.client)

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, handler: CommandHandler) -> None:
        self._handler = handler
        self._apply_urls()
        try:
            await self.client.login(self._token)
        except discord.LoginFailure as exc:
            raise PlatformError(
                msg.REASON_BAD_TOKEN, hint=msg.HINT_BAD_TOKEN, retryable=False
            ) from exc
        except _POST_ERRORS as exc:
            raise PlatformError(msg.REASON_LOGIN.format(error=exc), hint=msg.HINT_RETRY) from exc
        self._quiet_reconnects.install()
        self._connect_task = asyncio.create_task(
            self.client.connect(reconnect=True), name="discord-gateway"
        )
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._connect_task},
            timeout=self.ready_timeout,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if ready not in done:
            ready.cancel()
            if self._connect_task in done and self._connect_task.exception() is not None:
                exc = self._connect_task.exception()
                gateway = self.gateway_url or DiscordWebSocket.DEFAULT_GATEWAY
                raise PlatformError(
                    msg.REASON_GATEWAY.format(gateway=gateway, error=network_reason(exc)),
                    hint=msg.HINT_GATEWAY,
                ) from exc
            raise PlatformError("Discord gateway did not become ready in time")
        await self.sync_commands()

    async def stop(self) -> None:
        await self.client.close()
        if self._connect_task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._connect_task, timeout=5)
            self._connect_task = None
        self._quiet_reconnects.remove()
        self._restore_urls()

    def _apply_urls(self) -> None:
        """Point discord.py at the configured REST base and gateway (process-wide settings)."""
        if self._saved_globals is None:
            self._saved_globals = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        Route.BASE = self.api_url
        if self.gateway_url is not None:
            DiscordWebSocket.DEFAULT_GATEWAY = self.gateway_url

    def _restore_urls(self) -> None:
        if self._saved_globals is not None:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self._saved_globals
            self._saved_globals = None

    async def sync_commands(self) -> None:
        """Register the slash commands: per configured guild (instant), else globally.

        Discord keeps global and guild commands apart, and a server shows both: a bot switched
        from one to the other would list every command twice. So guild sync also empties the
        global set (once a guild took the commands), and global sync empties the command sets
        that the bot's servers still hold from an earlier guild sync.
        A refused sync is logged with what to do and does not stop the bot: digests still post.
        """
        if not self.guild_ids:
            if await self._sync(None):
                await self._clear_guild_commands()
            return
        synced = False
        for guild_id in self.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self._sync(guild) or synced
        if synced:
            await self._clear_global_commands()
        else:
            log.warning(msg.LOG_GLOBAL_KEPT)

    async def _sync(self, guild: discord.abc.Snowflake | None) -> bool:
        where = f"in guild {guild.id}" if guild else "globally"
        try:
            synced = await self.tree.sync(guild=guild)
        except _POST_ERRORS as exc:
            log.error(msg.LOG_SYNC_FAILED, where, exc, msg.HINT_SYNC)
            return False
        log.info(msg.LOG_SYNCED, len(synced), where)
        return True

    async def _clear_global_commands(self) -> None:
        """Overwrite the global set with nothing; the tree keeps its definitions (the guilds'
        copies answer the commands)."""
        commands = self.tree.get_commands()
        self.tree.clear_commands(guild=None)
        try:
            await self._sync(None)
        finally:
            for command in commands:
                self.tree.add_command(command)

    async def _clear_guild_commands(self) -> None:
        """Empty the guild command sets left in the bot's servers by an earlier guild sync."""
        guilds = self.client.guilds
        if len(guilds) > MAX_GUILDS_CHECKED:
            log.info(msg.LOG_GUILDS_NOT_CHECKED, len(guilds), MAX_GUILDS_CHECKED)
        for guild in guilds[:MAX_GUILDS_CHECKED]:
            try:
                if not await self.tree.fetch_commands(guild=guild):
                    continue
                self.tree.clear_commands(guild=guild)
                await self.tree.sync(guild=guild)
            except _POST_ERRORS as exc:
                log.warning(msg.LOG_GUILD_CLEAR_FAILED, guild.id, exc)
                continue
            log.info(msg.LOG_GUILD_CLEARED, guild.id)

    # -- digests ---------------------------------------------------------------------------------

    async def post_digest(self, target: str, digest: Digest, record: RecordPosted) -> None:
        channel, label = await self._channel(target)
        if not self._can_embed(channel):
            raise self._no_embed_links(label)
        first: discord.Message | None = None
        try:
            for out in digest_messages(digest):
                if not out.items:
                    continue
                nonce = message_nonce(target, digest, out.items)
                sent = await self._send_embeds(channel, label, out.content, out.embeds, nonce)
                await record(out.items, str(sent.id))
                first = first or sent
        finally:
            # Even when a later part failed, the posted part gets its follow-up thread.
            if first is not None:
                await self._open_thread(first, digest, label)

    async def post_alert(self, target: str, alert: Digest, record: RecordPosted) -> None:
        """Each story as one embed, with no follow-up thread (a thread per alert would double
        the messages). discord.py waits out the channel's rate-limit bucket between messages,
        as Discord's X-RateLimit headers tell it, so a burst goes out at Discord's pace."""
        channel, label = await self._channel(target)
        if not self._can_embed(channel):
            raise self._no_embed_links(label)
        for out in alert_messages(alert):
            nonce = message_nonce(target, alert, out.items)
            sent = await self._send_embeds(channel, label, None, out.embeds, nonce)
            await record(out.items, str(sent.id))

    async def _send_embeds(
        self,
        channel: discord.abc.Messageable,
        label: str,
        content: str | None,
        embeds: list[discord.Embed],
        nonce: str,
    ) -> discord.Message:
        """Send one message of stories; a PlatformError if Discord refused it or took it
        without its embeds (no Embed Links: bare titles, not stories), which is then removed so
        its stories stay queued."""
        nonce = self._nonce(nonce)
        try:
            sent = await channel.send(
                content=content, embeds=embeds, allowed_mentions=NO_MENTIONS, nonce=nonce
            )
        except _POST_ERRORS as exc:
            raise self._post_error(exc, label) from exc
        if embeds and not sent.embeds:
            self._spent_nonces.add(nonce)
            await self._delete_quietly(sent, label)
            raise self._no_embed_links(label)
        return sent

    async def post_notice(self, target: str, notice: Reply) -> None:
        channel, label = await self._channel(target)
        for out in reply_messages(notice):
            try:
                await channel.send(**_message_kwargs(out), allowed_mentions=NO_MENTIONS)
            except _POST_ERRORS as exc:
                raise self._post_error(exc, label) from exc

    async def recent_digest_messages(self, target: str, since: datetime) -> list[PostedMessage]:
        """Our digest messages in `target` since `since`: the bot's own messages (not command
        replies), each item an embed linking its story."""
        found: list[PostedMessage] = []
        try:
            channel, _ = await self._channel(target)
            me = self.client.user
            async for message in channel.history(limit=HISTORY_LIMIT, after=since):
                if me is None or message.author.id != me.id:
                    continue
                if message.interaction_metadata is not None or message.webhook_id is not None:
                    continue  # a reply to a command (a /summarize embed links a story too)
                stories = frozenset(story_key(e.url) for e in message.embeds if e.url)
                if stories:
                    found.append(PostedMessage(str(message.id), stories))
        except (*_POST_ERRORS, PlatformError) as exc:
            if target not in self._history_warned:
                self._history_warned.add(target)
                log.warning(msg.LOG_HISTORY_UNAVAILABLE, target, exc)
        return found

    async def _channel(self, target: str) -> tuple[discord.abc.Messageable, str]:
        if self._handler is None or self.client.is_closed():
            raise PlatformError(msg.REASON_NOT_STARTED)
        try:
            channel_id = int(target)
        except ValueError:
            raise PlatformError(
                f"{target!r} is not a Discord channel id",
                hint="put the channel id (Developer Mode → Copy Channel ID) in the config",
                retryable=False,
            ) from None
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except _POST_ERRORS as exc:
                raise self._post_error(exc, f"channel {channel_id}") from exc
        if not isinstance(channel, discord.abc.Messageable):
            raise PlatformError(
                f"Discord channel {channel_id} is not a text channel",
                hint="point the config at a text channel",
                retryable=False,
            )
        name = getattr(channel, "name", None)
        return channel, f"#{name}" if name else f"channel {channel_id}"

    def _nonce(self, nonce: str) -> str:
        """`nonce`, or a fresh one derived from it if a stripped message used it already."""
        while nonce in self._spent_nonces:
            nonce = hashlib.sha256(nonce.encode()).hexdigest()[: len(nonce)]
        return nonce

    @staticmethod
    def _can_embed(channel: discord.abc.Messageable) -> bool:
        """False when the cached permissions say the bot lacks Embed Links in `channel` (True
        when they cannot tell: the answer to the post is checked as well)."""
        guild = getattr(channel, "guild", None)
        me = guild.me if guild is not None else None
        if me is None or not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            return True
        return channel.permissions_for(me).embed_links

    def _no_embed_links(self, label: str) -> PlatformError:
        reason = msg.REASON_NO_EMBED_LINKS.format(channel=label)
        hint = msg.HINT_EMBED_LINKS.format(channel=label)
        log.warning(msg.LOG_POST_REFUSED, label, reason, hint)
        return PlatformError(reason, hint=hint, retryable=False)

    async def _delete_quietly(self, message: discord.Message, label: str) -> None:
        try:
            await message.delete()
        except _POST_ERRORS as exc:
            log.warning(msg.LOG_DELETE_FAILED, message.id, label, exc)

    def _post_error(self, exc: BaseException, label: str) -> PlatformError:
        hint = msg.HINT_PERMISSIONS.format(channel=label)
        if isinstance(exc, discord.Forbidden):
            reason, retryable = msg.REASON_FORBIDDEN.format(channel=label), False
        elif isinstance(exc, discord.NotFound):
            reason, retryable = msg.REASON_NOT_FOUND.format(channel=label), False
        elif isinstance(exc, discord.RateLimited):
            reason = msg.REASON_RATE_LIMITED.format(channel=label, seconds=exc.retry_after)
            retryable, hint = True, msg.HINT_RETRY
        elif isinstance(exc, discord.HTTPException):
            reason = msg.REASON_HTTP.format(status=exc.status, channel=label, text=exc.text)
            retryable = exc.status >= 500 or exc.status == 429
            hint = msg.HINT_RETRY
        else:
            reason = msg.REASON_NETWORK.format(channel=label, error=exc)
            retryable, hint = True, msg.HINT_RETRY
        # A warning: the caller (the core's poster) logs the failed digest as an error.
        log.warning(msg.LOG_POST_REFUSED, label, reason, hint)
        return PlatformError(reason, hint=hint, retryable=retryable)

    async def _open_thread(self, message: discord.Message, digest: Digest, label: str) -> None:
        """Open the follow-up thread; its id is the starter message's id, which `record` got."""
        try:
            thread = await message.create_thread(
                name=thread_name(digest), auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            # The digest itself is posted and recorded; a missing thread only loses follow-ups.
            log.warning(msg.LOG_THREAD_FAILED, label, exc, msg.HINT_THREADS.format(channel=label))
            return
        if thread.id != message.id:
            log.warning("Discord thread %s does not share its starter message's id", thread.id)

    # -- slash commands --------------------------------------------------------------------------

    def _register_commands(self) -> None:
        tree = self.tree

        @tree.command(name="summarize", description=msg.CMD_SUMMARIZE)
        @app_commands.describe(url_or_text=msg.CMD_SUMMARIZE_ARG)
        @app_commands.guild_only()
        @app_commands.allowed_installs(guilds=True, users=False)
        async def summarize(interaction: discord.Interaction, url_or_text: str) -> None:
            await self._run(interaction, "summarize", url_or_text)

        @tree.command(name="quote", description=msg.CMD_QUOTE)
        @app_commands.describe(query=msg.CMD_QUOTE_ARG)
        @app_commands.guild_only()
        @app_commands.allowed_installs(guilds=True, users=False)
        async def quote(interaction: discord.Interaction, query: str) -> None:
            await self._run(interaction, "quote", query)

        @quote.autocomplete("query")
        async def quote_speakers(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return self._speaker_choices(current)

        @tree.command(name="ask", description=msg.CMD_ASK)
        @app_commands.describe(item=msg.CMD_ASK_ITEM, question=msg.CMD_ASK_QUESTION)
        @app_commands.guild_only()
        @app_commands.allowed_installs(guilds=True, users=False)
        async def ask(
            interaction: discord.Interaction,
            question: str,
            item: app_commands.Range[int, 1, 999] | None = None,
        ) -> None:
            # Discord lists required options first, so the optional item comes second.
            if item is not None:
                await self._run(interaction, "ask", f"{item} {question}")
            elif self._where(interaction)[1] is None:  # not in a digest's thread: which story?
                await self._respond(interaction, Reply(text=msg.ASK_NEEDS_ITEM, error=True))
            else:  # in a digest's thread: about all of its stories
                await self._run(interaction, "ask", question)

        @ask.autocomplete("item")
        async def ask_items(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[int]]:
            return self._item_choices(interaction, current)

        @tree.command(name="digest", description=msg.CMD_DIGEST)
        @app_commands.guild_only()
        @app_commands.allowed_installs(guilds=True, users=False)
        async def digest(interaction: discord.Interaction) -> None:
            await self._run(interaction, "digest", "")

        # Discord only lets top-level commands carry default permissions, so the whole group is
        # hidden from members without Manage Server (admins can open /feeds to roles in Server
        # Settings → Integrations); add/remove are checked again here regardless.
        feeds = app_commands.Group(
            name="feeds",
            description=msg.CMD_FEEDS,
            allowed_contexts=GUILD_CONTEXT,
            allowed_installs=GUILD_INSTALL,
            default_permissions=discord.Permissions(manage_guild=True),
        )

        @feeds.command(name="list", description=msg.CMD_FEEDS_LIST)
        async def feeds_list(interaction: discord.Interaction) -> None:
            await self._run(interaction, "feeds", "list")

        @feeds.command(name="filter", description=msg.CMD_FEEDS_FILTER)
        @app_commands.describe(action=msg.CMD_FEEDS_FILTER_ACTION, entry=msg.CMD_FEEDS_FILTER_ENTRY)
        async def feeds_filter(
            interaction: discord.Interaction,
            action: Literal["include", "exclude", "remove", "clear"] | None = None,
            entry: str = "",
        ) -> None:
            if action is None:
                await self._run(interaction, "feeds", "filter")
            else:
                await self._run(interaction, "feeds", f"filter {action} {entry}", admin_only=True)

        @feeds.command(name="add", description=msg.CMD_FEEDS_ADD)
        @app_commands.describe(url=msg.CMD_FEEDS_ADD_ARG)
        async def feeds_add(interaction: discord.Interaction, url: str) -> None:
            await self._run(interaction, "feeds", f"add {url}", admin_only=True)

        @feeds.command(name="remove", description=msg.CMD_FEEDS_REMOVE)
        @app_commands.describe(feed=msg.CMD_FEEDS_REMOVE_ARG)
        async def feeds_remove(interaction: discord.Interaction, feed: str) -> None:
            await self._run(interaction, "feeds", f"remove {feed}", admin_only=True)

        @feeds.command(name="settings", description=msg.CMD_FEEDS_SETTINGS)
        async def feeds_settings(interaction: discord.Interaction) -> None:
            await self._run(interaction, "feeds", "settings")

        @feeds.command(name="set", description=msg.CMD_FEEDS_SET)
        @app_commands.describe(key=msg.CMD_FEEDS_SET_KEY, value=msg.CMD_FEEDS_SET_VALUE)
        async def feeds_set(
            interaction: discord.Interaction,
            key: Literal[
                "digest_cron",
                "timezone",
                "mode",
                "max_items",
                "backfill",
                "title",
                "item_template",
                "feeds",
                "tags",
            ],
            value: str,
        ) -> None:
            await self._run(interaction, "feeds", f"set {key} {value}", admin_only=True)

        @feeds.command(name="stop", description=msg.CMD_FEEDS_STOP)
        async def feeds_stop(interaction: discord.Interaction) -> None:
            await self._run(interaction, "feeds", "stop", admin_only=True)

        tree.add_command(feeds)

    def _where(self, interaction: discord.Interaction) -> tuple[str, int | None]:
        """The configured channel a command belongs to, and the digest when typed in its thread."""
        channel = interaction.channel
        if isinstance(channel, discord.Thread) and channel.parent_id is not None:
            digest_id = None
            if self._handler is not None:
                # A thread opened on a message has that message's id (see _open_thread).
                digest_id = self._handler.digest_for_message(self.name, str(channel.id))
            return str(channel.parent_id), digest_id
        return str(interaction.channel_id or ""), None

    @staticmethod
    def _is_admin(interaction: discord.Interaction) -> bool:
        perms = interaction.permissions
        return bool(perms.manage_guild or perms.administrator)

    async def _run(
        self, interaction: discord.Interaction, name: str, args: str, *, admin_only: bool = False
    ) -> None:
        """Build the neutral Command, let the core answer, render its Reply."""
        if interaction.guild_id is None:
            await self._respond(interaction, Reply(text=msg.NOT_IN_SERVER, error=True))
            return
        is_admin = self._is_admin(interaction)
        if admin_only and not is_admin:
            await self._respond(interaction, Reply(text=msg.NEEDS_MANAGE_SERVER, error=True))
            return
        target, digest_id = self._where(interaction)
        command = Command(
            name=name,
            args=args.strip(),
            platform=self.name,
            target=target,
            user_id=str(interaction.user.id),
            user_is_admin=is_admin,
            digest_id=digest_id,
            workspace=str(interaction.guild_id),
        )
        task = asyncio.create_task(self._handle(command))
        done: set[asyncio.Task[Reply]] = set()
        if self.defer_after > 0:
            done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done:
            # Slow work: acknowledge within Discord's 3 s, answer by follow-up later. Discord fixes
            # the answer's visibility at this point, so guess it from the command.
            private = name in PRIVATE_COMMANDS
            await interaction.response.defer(thinking=True, ephemeral=private)
            interaction.extras["deferred_private"] = private
        await self._respond(interaction, await task, private=name in PRIVATE_COMMANDS)

    async def _handle(self, command: Command) -> Reply:
        assert self._handler is not None
        try:
            return await self._handler.handle(command)
        except Exception:
            log.exception(msg.LOG_COMMAND_CRASHED, command.name, command.target)
            return Reply(text=msg.INTERNAL_ERROR, error=True)

    async def _respond(
        self, interaction: discord.Interaction, reply: Reply, *, private: bool = False
    ) -> None:
        """Send `reply`; only the asker sees it when it is an error, the core says so, or the
        command is `private` (see PRIVATE_COMMANDS)."""
        ephemeral = reply.error or reply.ephemeral or private
        messages = reply_messages(reply)
        if not interaction.response.is_done():
            first, *rest = messages
            await interaction.response.send_message(
                **_message_kwargs(first), ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
            )
        else:
            rest = messages
            if interaction.extras.get("deferred_private"):
                # The first follow-up inherits the deferral's privacy; keep the rest with it.
                ephemeral = True
            elif ephemeral:
                # A public "thinking…" placeholder cannot turn private: remove it, answer anew.
                await interaction.delete_original_response()
        for out in rest:
            await interaction.followup.send(
                **_message_kwargs(out), ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
            )

    def _speaker_choices(self, current: str) -> list[app_commands.Choice[str]]:
        if self._handler is None:
            return []
        try:
            names = self._handler.known_speakers(current.strip(), limit=CHOICES_MAX)
        except Exception:
            log.exception("known_speakers failed")
            return []
        choices = [
            app_commands.Choice(name=fit(n, CHOICE_MAX), value=n[:CHOICE_MAX])
            for n in names
            if n.strip()
        ]
        return choices[:CHOICES_MAX]

    def _item_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if self._handler is None:
            return []
        target, _ = self._where(interaction)
        try:
            items = self._handler.latest_digest_items(self.name, target)
        except Exception:
            log.exception("latest_digest_items failed")
            return []
        needle = current.strip().lower()
        choices = [
            app_commands.Choice(name=fit(f"{number}. {title}", CHOICE_MAX), value=number)
            for number, title in items
            if not needle or needle in str(number) or needle in title.lower()
        ]
        return choices[:CHOICES_MAX]


def _message_kwargs(out: OutMessage) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if out.content:
        kwargs["content"] = out.content
    if out.embeds:
        kwargs["embeds"] = out.embeds
    return kwargs
