"""Neutral digests and replies -> Slack Block Kit, within Slack's limits and safe for mrkdwn.

Every piece of outside text (feed titles, summaries, quotes, source names, URLs, user input echoed
back by the core) goes through `escape_mrkdwn` or `link`, so no `<!channel>`, `<!here>`,
`<@U...>` or `<!subteam^...>` can be produced by a feed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from bot.images import image_url
from bot.models import Digest, DigestItem, Quote, Reply, Source
from bot.platforms import slack_messages as msg
from bot.platforms.textsplit import split_text
from bot.templates import Value, format_time, parse_template, raw_values, render

# Slack's documented limits (https://api.slack.com/reference/block-kit/blocks).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_CONTEXT_TEXT = 3000
MAX_ALT_TEXT = 2000
# Our own, "sensible" limits: Slack accepts ~40k characters, but a message that long is unreadable
# and notifications only show the start of the fallback text.
MAX_MESSAGE_CHARS = 12000
MAX_FALLBACK_TEXT = 3000
MAX_REPLY_QUOTES = 10
MAX_REPLY_TEXT_SECTIONS = 10

# Per-field budgets inside one item's section (the rest goes to the summary).
_TITLE_BUDGET = 400
_SOURCE_BUDGET = 120
_QUOTE_BUDGET = 800

ELLIPSIS = "\u2026"
ZWJ = "\u200d"

Block = dict[str, Any]

_BARE_MENTION = re.compile(r"(?<![\w.])@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_ANGLE_MENTION = re.compile(r"<(?=[!@#])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")
_URL_UNSAFE = re.compile(r"[\s<>|\"`\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One chat.postMessage / respond() payload and the digest items it carries."""

    text: str
    blocks: list[Block]
    items: tuple[DigestItem, ...] = field(default=())


# ---------------------------------------------------------------------------------------------
# escaping


def escape_mrkdwn(text: str) -> str:
    """Escape outside text for Slack mrkdwn: `&`, `<`, `>` and bare @channel/@here/@everyone."""
    text = _CONTROL.sub("", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BARE_MENTION.sub("@" + ZWJ, text)


def neutralise_plain(text: str) -> str:
    """For plain_text fields (not parsed as mrkdwn): break `<!x>`, `<@U>` and bare @here."""
    text = _ANGLE_MENTION.sub("<" + ZWJ, _CONTROL.sub("", text))
    return _BARE_MENTION.sub("@" + ZWJ, text)


def one_line(text: str) -> str:
    """Collapse newlines and runs of spaces (titles and names must not break the layout)."""
    return " ".join(text.split())


def truncate(text: str, limit: int) -> str:
    """Cut already-escaped text to `limit` characters with an ellipsis, never mid-entity."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL_ENTITY.sub("", text[: max(limit - 1, 0)]).rstrip()
    return cut + ELLIPSIS


def safe_url(url: str) -> str | None:
    """An http(s) URL made safe to sit inside `<url|label>`, or None if it is not one."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    url = _URL_UNSAFE.sub(lambda m: quote(m.group(), safe=""), url)
    return url.replace("&", "&amp;")


def link(url: str, label: str, *, label_limit: int = _TITLE_BUDGET) -> str:
    """`<url|label>` with both parts escaped; just the label when the URL is not http(s)."""
    text = truncate(escape_mrkdwn(one_line(label)) or escape_mrkdwn(url), label_limit)
    href = safe_url(url)
    if href is None:
        return text
    return f"<{href}|{text}>"


# ---------------------------------------------------------------------------------------------
# small block builders


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)}}


def _header(text: str) -> Block:
    plain = truncate(neutralise_plain(one_line(text)) or "newsbrief", MAX_HEADER_TEXT)
    return {"type": "header", "text": {"type": "plain_text", "text": plain, "emoji": True}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _divider() -> Block:
    return {"type": "divider"}


def _block_chars(block: Block) -> int:
    text = block.get("text")
    total = len(text["text"]) if isinstance(text, dict) else 0
    for element in block.get("elements", ()):
        total += len(element.get("text", ""))
    return total


def format_quote(quote: Quote, budget: int = _QUOTE_BUDGET) -> str:
    """A mrkdwn block quote: `> “words” — *Speaker*, title`."""
    who = ""
    name, title = quote.attribution()
    if name:
        who = f" \u2014 *{escape_mrkdwn(one_line(name))}*"
        if title:
            who += f", {escape_mrkdwn(one_line(title))}"
        who = truncate(who, budget // 3)
    words = truncate(escape_mrkdwn(quote.text.strip()), max(budget - len(who) - 8, 20))
    lines = f"\u201c{words}\u201d{who}".splitlines() or [""]
    return "\n".join(f">{line}" for line in lines)


def sources_line(prefix: str, sources: Sequence[Source], limit: int = MAX_CONTEXT_TEXT) -> str:
    """`prefix <url|A>, <url|B> and 3 more`, whole links only, within `limit` characters."""
    parts: list[str] = []
    used = len(prefix)
    for index, source in enumerate(sources):
        piece = link(source.url, source.name, label_limit=100)
        rest = len(sources) - index - 1
        reserve = len(msg.AND_MORE.format(count=rest)) + 2 if rest else 0
        if used + len(piece) + 2 + reserve > limit:
            return prefix + ", ".join(parts) + msg.AND_MORE.format(count=len(sources) - index)
        parts.append(piece)
        used += len(piece) + 2
    return prefix + ", ".join(parts)


# ---------------------------------------------------------------------------------------------
# digests


def item_blocks(item: DigestItem, timezone: str, template: str | None = None) -> list[Block]:
    """One numbered story: title link, source · time, summary, key quote; then also-covered.
    With the channel's item template, the template's text follows the title link instead."""
    head = f"*{item.number}. {link(item.url, item.title)}*"
    if template:
        body = templated_text(item, timezone, template, MAX_SECTION_TEXT - len(head) - 1)
        text = f"{head}\n{body}" if body else head
    else:
        text = _default_text(item, timezone, head)
    blocks = [with_thumbnail(_section(text), item)]
    if item.also_covered_by:
        blocks.append(_context(sources_line(msg.ALSO_COVERED_BY, item.also_covered_by)))
    return blocks


def _default_text(item: DigestItem, timezone: str, head: str) -> str:
    meta = (
        f"{truncate(escape_mrkdwn(one_line(item.source)), _SOURCE_BUDGET)} \u00b7 "
        f"{format_time(item.published, timezone)}"
    )
    quote = format_quote(item.quotes[0]) if item.quotes else ""
    fixed = len(head) + len(meta) + len(quote) + 3
    summary = truncate(
        escape_mrkdwn(" ".join(s.strip() for s in item.summary)), MAX_SECTION_TEXT - fixed
    )
    return "\n".join(part for part in (head, meta, summary, quote) if part)


def templated_text(item: DigestItem, timezone: str, template: str, limit: int) -> str:
    """The channel's item template filled with the story's values, escaped for mrkdwn (so no
    value can make a link, a mention or markup) and cut to `limit` between values."""
    values: dict[str, Value | None] = {
        name: Value(escape_mrkdwn(raw)) if raw else None
        for name, raw in raw_values(item, timezone).items()
    }
    href = safe_url(item.url)
    values["link"] = Value(f"<{href}>", cuttable=False) if href else None
    text = render(parse_template(template), values, limit=limit, cut=truncate)
    return _BARE_MENTION.sub("@" + ZWJ, text)


def with_thumbnail(section: Block, item: DigestItem) -> Block:
    """The story's picture as the section's image accessory (Slack fetches it, not the bot)."""
    url = image_url(item.image)
    if url is None:
        return section
    alt = truncate(neutralise_plain(one_line(item.title)), MAX_ALT_TEXT) or "story picture"
    return {**section, "accessory": {"type": "image", "image_url": url, "alt_text": alt}}


def without_images(message: SlackMessage) -> SlackMessage | None:
    """The message with its image accessories taken off; None when it has none.

    Slack downloads an accessory's image while it accepts the message and refuses the whole
    message (invalid_blocks, "downloading image failed") when it cannot: the stories then go
    out without their pictures rather than not at all."""
    if not any("accessory" in b for b in message.blocks):
        return None
    blocks = [{k: v for k, v in b.items() if k != "accessory"} for b in message.blocks]
    return SlackMessage(text=message.text, blocks=blocks, items=message.items)


def _fallback(title: str, items: Sequence[DigestItem]) -> str:
    lines = [escape_mrkdwn(title)]
    lines += [
        f"{item.number}. {escape_mrkdwn(item.title)} ({escape_mrkdwn(item.source)})"
        for item in items
    ]
    return truncate("\n".join(lines), MAX_FALLBACK_TEXT)


def render_digest(digest: Digest) -> list[SlackMessage]:
    """Split a digest over as few messages as Slack's limits allow; an item is never cut."""
    if not digest.items:
        return [
            SlackMessage(
                text=_fallback(digest.title, ()),
                blocks=[_header(digest.title), _section(msg.DIGEST_EMPTY)],
            )
        ]
    groups: list[tuple[list[Block], list[DigestItem]]] = [([], [])]
    chars = 0
    for item in digest.items:
        blocks = item_blocks(item, digest.timezone, digest.item_template)
        size = sum(_block_chars(b) for b in blocks)
        current, items = groups[-1]
        # header + (divider + item blocks) per item
        if items and (
            1 + len(current) + 1 + len(blocks) > MAX_BLOCKS or chars + size > MAX_MESSAGE_CHARS
        ):
            groups.append(([], []))
            current, items = groups[-1]
            chars = 0
        if items:
            current.append(_divider())
        current.extend(blocks)
        items.append(item)
        chars += size
    total = len(groups)
    messages = []
    for part, (blocks, items) in enumerate(groups, start=1):
        title = (
            digest.title
            if part == 1
            else msg.DIGEST_CONTINUED.format(title=digest.title, part=part, total=total)
        )
        messages.append(
            SlackMessage(
                text=_fallback(title, items), blocks=[_header(title), *blocks], items=tuple(items)
            )
        )
    return messages


def render_alert(alert: Digest) -> list[SlackMessage]:
    """One message per story: the digest item's blocks, without the item number."""
    messages = []
    for item in alert.items:
        blocks = item_blocks(item, alert.timezone)
        head = blocks[0]["text"]
        numbered = f"*{item.number}. "
        if head["text"].startswith(numbered):
            head["text"] = "*" + head["text"][len(numbered) :]
        fallback = f"{escape_mrkdwn(one_line(item.title))} ({escape_mrkdwn(one_line(item.source))})"
        messages.append(
            SlackMessage(text=truncate(fallback, MAX_FALLBACK_TEXT), blocks=blocks, items=(item,))
        )
    return messages


# ---------------------------------------------------------------------------------------------
# replies


def _chunks(text: str, size: int) -> list[str]:
    """Split escaped text into pieces of at most `size`, never inside an entity such as &amp;."""
    return split_text(text, size, keep_whole=_PARTIAL_ENTITY)


def render_reply(reply: Reply) -> list[SlackMessage]:
    """Render a neutral Reply; a reply carrying a digest renders as that digest."""
    if reply.digest is not None:
        return render_digest(reply.digest)
    prefix = msg.ERROR_PREFIX if reply.error else ""
    blocks: list[Block] = []
    if reply.title:
        title = link(reply.url, reply.title) if reply.url else escape_mrkdwn(reply.title)
        blocks.append(_section(f"{prefix}*{title}*"))
        prefix = ""
    if reply.sentences:
        body = escape_mrkdwn(" ".join(s.strip() for s in reply.sentences))
        blocks += [_section(c) for c in _chunks(body, MAX_SECTION_TEXT)[:MAX_REPLY_TEXT_SECTIONS]]
    for said in reply.quotes[:MAX_REPLY_QUOTES]:
        blocks.append(_section(format_quote(said, budget=MAX_SECTION_TEXT - 10)))
    if not (reply.title or reply.sentences or reply.quotes):
        body = prefix + escape_mrkdwn(reply.text.strip())
        blocks += [_section(c) for c in _chunks(body, MAX_SECTION_TEXT)[:MAX_REPLY_TEXT_SECTIONS]]
    if reply.sources:
        blocks.append(_context(sources_line(msg.SOURCES, reply.sources)))
    blocks = blocks[:MAX_BLOCKS] or [_section(escape_mrkdwn(reply.text) or " ")]
    text = truncate(escape_mrkdwn(reply.text.strip()), MAX_FALLBACK_TEXT) or " "
    return [SlackMessage(text=text, blocks=blocks)]
