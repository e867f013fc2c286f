"""Neutral digests and replies -> Discord embeds, within Discord's message limits (pure, no I/O).

Discord rejects a whole message (400) when one limit is exceeded, so every piece of feed text is
cut to its field's limit here, and a digest is split over as many messages as the per-message
limits (10 embeds, 6,000 characters across embeds) require, never splitting one item.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote as percent_encode
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.images import image_url
from bot.models import Digest, DigestItem, Quote, Reply, Source
from bot.platforms import discord_messages as msg
from bot.platforms.textsplit import split_text
from bot.templates import Value, parse_template, raw_values, render

# Discord's documented limits (https://discord.com/developers/docs/resources/message).
CONTENT_MAX = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL_MAX = 6000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
FOOTER_BUDGET = 300  # our own cap: source + a few "also covered by" names
URL_MAX = 2048
THREAD_NAME_MAX = 100
CHOICES_MAX = 25
CHOICE_MAX = 100
NONCE_MAX = 25

EMBED_COLOUR = discord.Colour(0x2B6CB0)
# What a templated {link} keeps as is; everything else (brackets, parentheses, <>) is escaped.
_URL_SAFE = ":/?#@!$&'*+,;=%-._~"

# The permissions the bot asks for when invited, and why each one is needed.
BOT_PERMISSIONS: dict[str, str] = {
    "view_channel": "see the digest channel at all (without it every post is 'Missing Access')",
    "send_messages": "post the digest messages",
    "embed_links": "show digest items as embeds (without it Discord strips them)",
    "create_public_threads": "open the follow-up thread on each digest",
    "send_messages_in_threads": "post in the follow-up thread",
    "read_message_history": "see the digest message a follow-up thread starts from",
}
OAUTH_SCOPES = ("bot", "applications.commands")


def bot_permissions() -> discord.Permissions:
    """Exactly the permissions in BOT_PERMISSIONS, nothing more."""
    return discord.Permissions(**dict.fromkeys(BOT_PERMISSIONS, True))


def invite_url(application_id: int) -> str:
    """The OAuth2 URL that adds the bot to a server with the scopes and permissions it needs."""
    query = urlencode(
        {
            "client_id": str(int(application_id)),
            "scope": " ".join(OAUTH_SCOPES),
            "permissions": str(bot_permissions().value),
        }
    )
    return f"https://discord.com/oauth2/authorize?{query}"


def fit(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with an ellipsis when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - len(msg.ELLIPSIS)].rstrip()
    return cut + msg.ELLIPSIS


def fit_escaped(text: str, limit: int) -> str:
    """Escape markdown in `text`, then cut it to `limit` without leaving a dangling escape."""
    escaped = escape_markdown(text.strip())
    if len(escaped) <= limit:
        return escaped
    raw = text.strip()
    while raw:
        overflow = len(escape_markdown(raw)) + len(msg.ELLIPSIS) - limit
        if overflow <= 0:
            return escape_markdown(raw).rstrip() + msg.ELLIPSIS
        raw = raw[: len(raw) - overflow].rstrip()
    return msg.ELLIPSIS


def safe_url(url: str | None) -> str | None:
    """An http(s) URL Discord accepts for an embed link, or None (Discord 400s on other URLs)."""
    if not url or len(url) > URL_MAX:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return None
    return url


def quote_line(quote: Quote, limit: int = DESCRIPTION_MAX) -> str:
    """`> “…” — Speaker, title` with feed text escaped; the quote is cut, the speaker kept."""
    who = ""
    if name := quote.attributed_to():
        who = f" — {fit_escaped(name, max(limit // 4, 1))}"
    room = max(limit - len(who) - len("> “”"), 1)
    return f"> “{fit_escaped(quote.text, room)}”{who}"


def _description(
    sentences: Sequence[str], quotes: Sequence[Quote], limit: int, max_quotes: int = 1
) -> str:
    """Summary first, then up to `max_quotes` quotes; the summary is cut to leave room for them."""
    lines: list[str] = []
    # Quotes get half the room when there is a summary to show, all of it otherwise.
    budget = limit // 2 if any(s.strip() for s in sentences) else limit
    used = 0
    for quote in quotes[:max_quotes]:
        line = quote_line(quote, budget - 2) if not lines else quote_line(quote)
        if used + len(line) + 2 > budget:
            break
        lines.append(line)
        used += len(line) + 2
    summary = fit_escaped(" ".join(s.strip() for s in sentences if s.strip()), limit - used)
    return "\n\n".join(part for part in (summary, *lines) if part)


def _sources_text(sources: Sequence[Source]) -> str:
    return ", ".join(s.name.strip() for s in sources if s.name.strip())


def _footer(source: str, also: Sequence[Source]) -> str:
    """ "Source · Also covered by: A, B and 12 more", kept short (it repeats on every item)."""
    names = [s.name.strip() for s in also if s.name.strip()]
    footer = source.strip()
    shown: list[str] = []
    for index, name in enumerate(names):
        rest = len(names) - index - 1
        more = msg.AND_MORE.format(count=rest) if rest else ""
        candidate = msg.ALSO_COVERED_BY.format(names=", ".join([*shown, name]) + more)
        if len(footer) + len(candidate) > FOOTER_BUDGET and shown:
            break
        shown.append(name)
    if shown:
        hidden = len(names) - len(shown)
        more = msg.AND_MORE.format(count=hidden) if hidden else ""
        also_text = msg.ALSO_COVERED_BY.format(names=", ".join(shown) + more)
        footer = " · ".join(p for p in (footer, also_text) if p)
    return fit(footer, FOOTER_BUDGET)


def item_embed(
    item: DigestItem, timezone: str = "UTC", template: str | None = None
) -> discord.Embed:
    """One digest item: linked numbered title, summary + key quote, source/time in the footer;
    with the channel's item template, the template's text is the description instead.

    Each embed is kept under the 6,000 characters a whole message may carry, so any single item
    always fits in a message of its own.
    """
    title = fit_escaped(f"{item.number}. {item.title}", TITLE_MAX)
    footer = _footer(item.source, item.also_covered_by)
    room = min(DESCRIPTION_MAX, EMBED_TOTAL_MAX - len(title) - len(footer))
    if template:
        description = templated_description(item, timezone, template, room)
    else:
        description = _description(item.summary, item.quotes, room)
    embed = discord.Embed(
        title=title,
        url=safe_url(item.url),
        description=description or None,
        colour=EMBED_COLOUR,
        timestamp=item.published,
    )
    if footer:
        embed.set_footer(text=footer)
    add_thumbnail(embed, item)
    return embed


def templated_description(item: DigestItem, timezone: str, template: str, limit: int) -> str:
    """The channel's item template filled with the story's values, with markdown and mentions
    escaped (no value can make a link, a mention or markup), cut to `limit` between values."""
    values: dict[str, Value | None] = {
        name: Value(escape_mentions(escape_markdown(raw))) if raw else None
        for name, raw in raw_values(item, timezone).items()
    }
    url = safe_url(item.url)
    # Brackets, parentheses and angle brackets percent-encoded: the URL can neither end a
    # markdown link the template wraps it in nor start one of its own.
    values["link"] = Value(percent_encode(url, safe=_URL_SAFE), cuttable=False) if url else None
    return render(parse_template(template), values, limit=limit, cut=_cut_markdown)


def _cut_markdown(text: str, limit: int) -> str:
    """Escaped text cut to `limit` with an ellipsis, never ending on a lone escape backslash."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(msg.ELLIPSIS), 0)]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut.rstrip() + msg.ELLIPSIS


def add_thumbnail(embed: discord.Embed, item: DigestItem) -> None:
    """The story's picture as the embed's thumbnail (Discord fetches it, not the bot)."""
    url = image_url(item.image)
    if url is not None and len(url) <= URL_MAX:
        embed.set_thumbnail(url=url)


@dataclass
class OutMessage:
    """One Discord message to send: content and/or embeds, plus the digest items it carries."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    items: list[DigestItem] = field(default_factory=list)


def embeds_total(embeds: Sequence[discord.Embed]) -> int:
    return sum(len(e) for e in embeds)


def digest_messages(digest: Digest) -> list[OutMessage]:
    """Split a digest into messages within Discord's limits, one embed per item, in order."""
    chunks: list[OutMessage] = []
    current = OutMessage()
    for item in digest.items:
        embed = item_embed(item, digest.timezone, digest.item_template)
        if current.embeds and (
            len(current.embeds) >= EMBEDS_PER_MESSAGE
            or embeds_total(current.embeds) + len(embed) > EMBED_TOTAL_MAX
        ):
            chunks.append(current)
            current = OutMessage()
        current.embeds.append(embed)
        current.items.append(item)
    if current.embeds or not chunks:
        chunks.append(current)
    title = digest.title.strip()
    for index, chunk in enumerate(chunks, start=1):
        text = (
            title
            if index == 1
            else msg.DIGEST_CONTINUED.format(title=title, part=index, total=len(chunks))
        )
        chunk.content = fit_escaped(text, CONTENT_MAX) if text else None
    return chunks


def alert_messages(alert: Digest) -> list[OutMessage]:
    """One message per story: the digest item's embed, titled without the item number."""
    messages = []
    for item in alert.items:
        embed = item_embed(item)
        embed.title = fit_escaped(item.title, TITLE_MAX)
        messages.append(OutMessage(embeds=[embed], items=[item]))
    return messages


def local_time(when: datetime, timezone: str) -> datetime:
    try:
        return when.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return when


def thread_name(digest: Digest) -> str:
    """e.g. "Digest 28 Nov — follow-ups" (the date in the channel's time zone)."""
    day = local_time(digest.created, digest.timezone)
    return fit(msg.THREAD_NAME.format(date=f"{day.day} {day:%b}"), THREAD_NAME_MAX)


def message_nonce(target: str, digest: Digest, items: Sequence[DigestItem]) -> str:
    """A nonce that is the same when the same items are posted again to the same channel.

    Discord drops a message whose nonce it saw from the same author in the last few minutes
    (with enforce_nonce), so a retried post is not duplicated. The nonce depends on the channel
    and the stories only, not on the digest: after a crash between Discord accepting a message
    and the bot recording it, the restarted bot composes a new digest of the unrecorded stories,
    and its first message, carrying the same stories, must get the same nonce to be dropped.
    (A message's stories are never posted to the channel again once recorded.)
    """
    key = "|".join([target, *(str(i.article_id) for i in items)])
    return hashlib.sha256(key.encode()).hexdigest()[:NONCE_MAX]


def reply_messages(reply: Reply) -> list[OutMessage]:
    """Render a neutral Reply as one or more Discord messages (all within limits)."""
    text = reply.text.strip() or msg.EMPTY_REPLY
    if reply.digest is not None:
        messages = digest_messages(reply.digest)
        if reply.digest.items or not messages[0].content:
            messages[0].content = fit_escaped(text, CONTENT_MAX)
        return messages
    rich = not reply.error and (reply.title or reply.sentences or reply.quotes or reply.sources)
    if not rich:
        return [
            OutMessage(content=escape_markdown(piece)) for piece in split_text(text, CONTENT_MAX)
        ]
    # `text` is the plain rendering of the parts; show it only when there are no sentences or
    # quotes to show instead (it would repeat them).
    body = reply.sentences or (() if reply.quotes else (text,))
    embed = discord.Embed(
        title=fit_escaped(reply.title, TITLE_MAX) if reply.title else None,
        url=safe_url(reply.url) if reply.title else None,
        description=_description(body, reply.quotes, DESCRIPTION_MAX, max_quotes=10) or None,
        colour=EMBED_COLOUR,
    )
    unique = {(s.name.strip(), s.url): s for s in reply.sources if s.name.strip()}.values()
    links = [
        f"[{escape_markdown(s.name.strip()).replace(']', '')}]({s.url})"
        if safe_url(s.url)
        else escape_markdown(s.name.strip())
        for s in unique
    ]
    value = ""
    for link in links:
        candidate = f"{value} · {link}" if value else link
        if len(candidate) > FIELD_VALUE_MAX:
            break
        value = candidate
    if value:
        embed.add_field(name=msg.SOURCES_FIELD, value=value, inline=False)
    return [OutMessage(embeds=[embed])]
