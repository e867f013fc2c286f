"""The neutral command handlers that Slack, Discord and the CLI share.

Two kinds of failure (model: errbot core): a `UserError` carries a sentence shown to the user as
is; anything else is logged with its traceback and the user gets a short generic reply.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from functools import partial
from urllib.parse import urlsplit

from bot import messages as msg
from bot.analyze import Analysis, SummaryOptions, analyze_page, analyze_text
from bot.answer import answer
from bot.channel_commands import ChatChannelCommands
from bot.channels import ChannelBook
from bot.clock import Clock, system_clock
from bot.config import ChannelSettings, Settings
from bot.digest import channel_feed_ids
from bot.errors import UserError
from bot.extract import ExtractError
from bot.feeds import FeedError, parse_feed
from bot.models import Command, Quote, Reply, Source
from bot.net import BlockedURLError, Fetcher, FetchError
from bot.posting import DigestPoster, message_key
from bot.store import ArticleRecord, FeedRecord, Store
from bot.textsafe import display_safe

log = logging.getLogger(__name__)
_URL_RE = re.compile(r"^([a-z][a-z0-9+.-]*://\S+|www\.\S+)$", re.IGNORECASE)
_SLACK_LINK_RE = re.compile(r"^<([^<>|\s]+)(?:\|[^<>]*)?>$")  # Slack sends links as <url|label>
_ITEM_RE = re.compile(r"^#?(\d{1,3})[\s.:,)]+(.*)$", re.DOTALL)
MIN_WORDS_TO_SUMMARIZE = 12


class CommandHandlers:
    """Implements bot.platforms.base.CommandHandler for every platform.

    `url_fetcher` fetches user-supplied URLs and must refuse private addresses (the default
    Fetcher does). `feeds_changed` lets the scheduler add or drop poll jobs, `channels_changed`
    digest jobs (a channel set up or changed in chat).
    """

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        poster: DigestPoster,
        url_fetcher: Fetcher,
        options: SummaryOptions,
        executor: Executor | None = None,
        clock: Clock = system_clock,
        feeds_changed: Callable[[], None] | None = None,
        channels_changed: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.poster = poster
        self.url_fetcher = url_fetcher
        self.options = options
        self.executor = executor
        self.clock = clock
        self.feeds_changed = feeds_changed
        self.channels_changed = channels_changed

    @property
    def channels(self) -> ChannelBook:
        """The config file's channels and those set up in chat (read fresh each time)."""
        return ChannelBook(settings=self.settings, store=self.store)

    @property
    def chat_channels(self) -> ChatChannelCommands:
        return ChatChannelCommands(
            settings=self.settings,
            store=self.store,
            clock=self.clock,
            changed=self.channels_changed,
        )

    async def handle(self, command: Command) -> Reply:
        handler = {
            "summarize": self.summarize,
            "quote": self.quote,
            "ask": self.ask,
            "digest": self.digest,
            "feeds": self.feeds,
        }.get(command.name)
        try:
            if handler is None:
                raise UserError(msg.UNKNOWN_COMMAND.format(name=command.name))
            return await handler(command)
        except UserError as exc:
            return Reply(text=str(exc), error=True, ephemeral=True)
        except Exception:
            log.exception(
                "command /%s failed (platform %s, channel %s)",
                command.name,
                command.platform,
                command.target,
            )
            return Reply(text=msg.INTERNAL_ERROR, error=True, ephemeral=True)

    # -- lookups for autocomplete and threads ----------------------------------------------------
    def known_speakers(self, prefix: str, limit: int = 25) -> list[str]:
        return [display_safe(s) for s in self.store.speakers(prefix.strip(), limit)]

    def latest_digest_items(self, platform: str, target: str) -> list[tuple[int, str]]:
        channel = self.channels.channel_for(platform, target)
        digest_id = self.store.latest_posted_digest(channel.name) if channel else None
        if digest_id is None:
            return []
        return [(n, display_safe(a.title)) for n, a in self._digest_articles(digest_id)]

    def digest_for_message(self, platform: str, message_ref: str) -> int | None:
        return self.store.digest_for_message(message_key(platform, message_ref))

    def forget_workspace(self, platform: str, workspace: str) -> None:
        """The app left a Slack workspace or Discord server: its chat channels are removed
        (with their chat subscriptions), so their digest jobs stop and nothing is posted there."""
        names = self.chat_channels.forget_workspace(platform, workspace)
        if names:
            log.info("%s workspace %s left: removed its channels %s", platform, workspace, names)

    # -- /summarize ---------------------------------------------------------------------------
    async def summarize(self, command: Command) -> Reply:
        arg = command.args.strip()
        if not arg:
            raise UserError(msg.SUMMARIZE_USAGE)
        if link := _SLACK_LINK_RE.match(arg):
            arg = link.group(1)
        if _URL_RE.match(arg):
            url = arg if "://" in arg else f"https://{arg}"
            analysis = await self._summarize_url(url)
            return _summary_reply(analysis, url=url)
        if _word_count(arg) < MIN_WORDS_TO_SUMMARIZE:
            raise UserError(msg.SUMMARIZE_TOO_SHORT)
        analysis = await self._run(partial(analyze_text, arg, title="", options=self.options))
        return _summary_reply(analysis, url=None)

    async def _summarize_url(self, url: str) -> Analysis:
        try:  # the fetcher checks the address (and every redirect) against its policy
            response = await self.url_fetcher.get(url)
        except BlockedURLError as exc:
            raise UserError(msg.SUMMARIZE_BLOCKED.format(reason=exc.reason)) from None
        except FetchError as exc:
            raise UserError(msg.SUMMARIZE_FETCH_FAILED.format(reason=exc.reason)) from None
        try:
            return await self._run(
                partial(
                    analyze_page, response.body, url=response.url, title=None, options=self.options
                )
            )
        except ExtractError as exc:
            raise UserError(msg.SUMMARIZE_NOT_ARTICLE.format(reason=exc.reason)) from None

    async def _run(self, job: Callable[[], Analysis]) -> Analysis:
        return await asyncio.get_running_loop().run_in_executor(self.executor, job)

    # -- /quote -------------------------------------------------------------------------------
    async def quote(self, command: Command) -> Reply:
        query = command.args.strip()
        if not query:
            raise UserError(msg.QUOTE_USAGE)
        hits = self.store.search_quotes(query, limit=5)
        if not hits:
            raise UserError(msg.QUOTE_NONE.format(query=query))
        lines = [f"{_quote_line(h.quote)} ({h.article_title})" for h in hits]
        return Reply(
            text="\n".join(lines),
            quotes=tuple(h.quote for h in hits),
            sources=tuple(Source(h.article_title, h.article_url) for h in hits),
        )

    # -- /ask ---------------------------------------------------------------------------------
    async def ask(self, command: Command) -> Reply:
        text = command.args.strip()
        number: int | None = None
        if match := _ITEM_RE.match(text):
            number, text = int(match.group(1)), match.group(2).strip()
        if not text:
            raise UserError(msg.ASK_USAGE)
        digest_id = command.digest_id
        if digest_id is None:
            channel = self.channels.channel_for(command.platform, command.target)
            if channel is None:
                raise UserError(msg.ASK_NO_CHANNEL)
            digest_id = self.store.latest_posted_digest(channel.name)
        if digest_id is None:
            raise UserError(msg.ASK_NO_DIGEST)
        items = self._digest_articles(digest_id)
        if not items:
            raise UserError(msg.ASK_NO_DIGEST)
        if number is not None:
            chosen = [a for n, a in items if n == number]
            if not chosen:
                raise UserError(msg.ASK_NO_ITEM.format(number=number, last=items[-1][0]))
            where = f"item {number}"
        else:
            chosen = [a for _, a in items]
            where = "this digest's stories"
        found = answer(text, chosen, language=self.options.language)
        if found.empty:
            raise UserError(msg.ASK_NO_ANSWER.format(where=where))
        articles = list(
            dict.fromkeys([a for _, a in found.quotes] + [a for _, a in found.sentences])
        )
        lines = [_quote_line(q) for q, _ in found.quotes] + [s for s, _ in found.sentences]
        lines += [f"Source: {a.title} <{a.url}>" for a in articles]
        return Reply(
            text="\n".join(lines),
            title=chosen[0].title if len(chosen) == 1 else None,
            url=chosen[0].url if len(chosen) == 1 else None,
            sentences=tuple(s for s, _ in found.sentences),
            quotes=tuple(q for q, _ in found.quotes),
            sources=tuple(Source(a.title, a.url) for a in articles),
        )

    def _digest_articles(self, digest_id: int) -> list[tuple[int, ArticleRecord]]:
        result = []
        for number, article_id in self.store.digest_items(digest_id):
            article = self.store.article(article_id)
            if article is not None:
                result.append((number, article))
        return result

    # -- /digest ------------------------------------------------------------------------------
    async def digest(self, command: Command) -> Reply:
        unset = (
            msg.CHANNEL_NOT_SET_UP
            if self.settings.chat_channels(command.platform)
            else msg.DIGEST_NO_CHANNEL.format(platform=command.platform, target=command.target)
        )
        channel = self._channel(command, unset)
        if channel.alerts:
            return Reply(text=msg.DIGEST_ALERTS_CHANNEL, ephemeral=True)
        outcome = await self.poster.post(channel)
        if outcome.error:
            raise UserError(msg.DIGEST_FAILED.format(reason=outcome.error))
        if outcome.digest is None:
            return Reply(text=msg.DIGEST_NOTHING_NEW, ephemeral=True)
        stories = "story" if outcome.posted == 1 else "stories"
        return Reply(
            text=msg.DIGEST_POSTED.format(count=outcome.posted, stories=stories), ephemeral=True
        )

    def _channel(self, command: Command, error: str) -> ChannelSettings:
        channel = self.channels.channel_for(command.platform, command.target)
        if channel is None:
            raise UserError(error)
        return channel

    # -- /feeds -------------------------------------------------------------------------------
    async def feeds(self, command: Command) -> Reply:
        action, _, rest = command.args.strip().partition(" ")
        action = action.lower() or "list"
        chat = self.chat_channels
        if action == "list":
            return self._feeds_list(command)
        if action == "filter":
            return chat.filter(command, rest) if rest.strip() else self._feeds_filter(command)
        if action == "settings":
            return chat.show(command, self.channels.channel_for(command.platform, command.target))
        if action == "set":
            return chat.set(command, rest)
        if action == "stop":
            return chat.stop(command)
        if action not in ("add", "remove"):
            unknown = (
                msg.FEEDS_UNKNOWN_ACTION_CHAT
                if self.settings.chat_channels(command.platform)
                else msg.FEEDS_UNKNOWN_ACTION
            )
            raise UserError(unknown.format(action=action))
        if not command.user_is_admin:
            raise UserError(msg.FEEDS_ADMIN_ONLY)
        channel = self.channels.channel_for(command.platform, command.target)
        if channel is None and action == "add" and self.settings.chat_channels(command.platform):
            channel = chat.ensure(command)  # an admin's first feed starts the channel's digest
        if channel is None:
            raise UserError(msg.FEEDS_NO_CHANNEL)
        if action == "add":
            return await self._feeds_add(channel, rest.strip(), command.user_id)
        return self._feeds_remove(channel, rest.strip())

    def _channel_feeds(self, channel: ChannelSettings | None) -> list[FeedRecord]:
        feeds = self.store.feeds()
        if channel is None:
            return feeds
        ids = channel_feed_ids(channel, feeds, self.store.subscribed_feed_ids(channel.name))
        return [f for f in feeds if f.id in ids]

    def _feeds_list(self, command: Command) -> Reply:
        channel = self.channels.channel_for(command.platform, command.target)
        feeds = self._channel_feeds(channel)
        if not feeds:
            return Reply(text=msg.FEEDS_NONE, ephemeral=True)
        lines = [feed_status_line(f, self.clock()) for f in feeds]
        return Reply(
            text="\n".join(lines),
            sources=tuple(Source(f.name, f.url) for f in feeds),
            ephemeral=True,
        )

    def _feeds_filter(self, command: Command) -> Reply:
        """The channel's include/exclude entries, as the config file sets them (read-only)."""
        channel = self._channel(command, msg.FEEDS_NO_CHANNEL)
        in_config = self.settings.channel_for(command.platform, command.target) is not None
        header = msg.FILTERS_HEADER if in_config else msg.FILTERS_HEADER_CHAT
        return Reply(text=filters_text(channel, header=header), ephemeral=True)

    async def _feeds_add(self, channel: ChannelSettings, args: str, user_id: str) -> Reply:
        url, _, name = args.partition(" ")
        if not url:
            raise UserError(msg.FEEDS_ADD_USAGE)
        try:
            url = url if "://" in url else f"https://{url}"
            response = await self.url_fetcher.get(url)
            parsed = parse_feed(response.body, url=response.url, content_type=response.content_type)
        except BlockedURLError as exc:
            raise UserError(msg.SUMMARIZE_BLOCKED.format(reason=exc.reason)) from None
        except (FetchError, FeedError) as exc:
            raise UserError(msg.FEEDS_NOT_A_FEED.format(reason=exc.reason)) from None
        name = _feed_name(name.strip() or parsed.title or urlsplit(url).hostname or url)
        # A URL another channel already follows is that feed, whatever it is called here: one
        # feed is fetched once however many channels follow it.
        same_url = next((f for f in self.store.feeds(active_only=False) if f.url == url), None)
        name = same_url.name if same_url is not None else name
        existing = self.store.feed(name)
        if existing is not None and existing.url != url:
            raise UserError(msg.FEEDS_NAME_TAKEN.format(name=name))
        self.store.add_chat_feed(name, url, channel=channel.name, added_by=user_id)
        log.info("feed %s (%s) added to channel %s by %s", name, url, channel.name, user_id)
        if self.feeds_changed:
            self.feeds_changed()
        return Reply(text=msg.FEEDS_ADDED.format(name=name, count=len(parsed.entries)))

    def _feeds_remove(self, channel: ChannelSettings, name: str) -> Reply:
        if not name:
            raise UserError(msg.FEEDS_REMOVE_USAGE)
        feed = next(
            (f for f in self._channel_feeds(channel) if f.name.lower() == name.lower()), None
        )
        if feed is None:
            raise UserError(msg.FEEDS_UNKNOWN.format(name=name))
        if feed.origin == "config":
            raise UserError(msg.FEEDS_IN_CONFIG.format(name=feed.name))
        self.store.unsubscribe(channel.name, feed.id)
        if self.feeds_changed:
            self.feeds_changed()
        return Reply(text=msg.FEEDS_REMOVED.format(name=feed.name))


def feed_status_line(feed: FeedRecord, now: datetime) -> str:
    if feed.failures:
        state = f"failing: {feed.last_error} ({feed.failures} in a row)"
    elif feed.last_success_at:
        minutes = int((now - feed.last_success_at).total_seconds() // 60)
        state = (
            f"ok, fetched {minutes} min ago"
            if minutes < 120
            else f"ok, fetched {minutes // 60} h ago"
        )
    else:
        state = "not fetched yet"
    return display_safe(f"{feed.name} — {state} — {feed.url}")


def filters_text(channel: ChannelSettings, *, header: str = msg.FILTERS_HEADER) -> str:
    """What /feeds filter shows: each include and exclude entry on a line of its own."""
    if not channel.include and not channel.exclude:
        return msg.FILTERS_NONE
    lines = [header]
    if channel.include:
        lines.append(msg.FILTERS_INCLUDE)
        lines += [f"  {entry}" for entry in channel.include]
    if channel.exclude:
        lines.append(msg.FILTERS_EXCLUDE)
        lines += [f"  {entry}" for entry in channel.exclude]
    return "\n".join(lines)


def _feed_name(raw: str) -> str:
    cleaned = re.sub(r"[^\w .&'-]", "", raw).strip()[:64]
    return cleaned or "feed"


def _quote_line(quote: Quote) -> str:
    name, _ = quote.attribution()
    return f"“{quote.text}”" + (f" — {name}" if name else "")


def _word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def no_summary_reason(analysis: Analysis, *, what: str) -> str:
    """Why a text gave no summary: too little of it, or no sentence fit to show (every
    candidate was a fragment, a list item or a quotation with no speaker)."""
    if _word_count(analysis.text) < MIN_WORDS_TO_SUMMARIZE:
        return msg.SUMMARIZE_TOO_SHORT
    return msg.SUMMARIZE_NO_PROSE.format(what=what)


def _summary_reply(analysis: Analysis, *, url: str | None) -> Reply:
    key = analysis.quotes[: analysis.key_quote_count]
    lines = ([analysis.title] if url else []) + list(analysis.summary)
    lines += [_quote_line(q) for q in key]
    return Reply(
        text="\n".join(lines)
        if analysis.summary
        else no_summary_reason(analysis, what="page" if url else "text"),
        title=analysis.title if url else None,
        url=url,
        sentences=analysis.summary,
        quotes=key,
        error=not analysis.summary,
    )
