"""The console 'platform': digests and replies as plain text on a stream (stdout by default)."""

from __future__ import annotations

import sys
import textwrap
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.models import Digest, DigestItem, Quote, Reply
from bot.platforms.base import ChatPlatform, CommandHandler, RecordPosted
from bot.templates import Value, parse_template, raw_values, render

WIDTH = 100


def quote_text(quote: Quote) -> str:
    who = quote.attributed_to()
    return f"“{quote.text}”" + (f" — {who}" if who else "")


def render_item(item: DigestItem, timezone: str, template: str | None = None) -> str:
    if template:
        return templated_item(item, timezone, template)
    when = item.published.astimezone(ZoneInfo(timezone))
    wrap = textwrap.TextWrapper(width=WIDTH, initial_indent="   ", subsequent_indent="   ")
    lines = [
        f"{item.number}. {item.title}",
        f"   {item.source} · {when:%a %d %b %H:%M %Z} · {item.url}",
    ]
    if item.summary:
        lines += wrap.wrap(" ".join(item.summary))
    for quote in item.quotes:
        lines += textwrap.wrap(
            quote_text(quote), width=WIDTH, initial_indent="   > ", subsequent_indent="     "
        )
    if item.also_covered_by:
        names = ", ".join(dict.fromkeys(s.name for s in item.also_covered_by))
        lines.append(f"   Also covered by: {names}")
    return "\n".join(lines)


def templated_item(item: DigestItem, timezone: str, template: str) -> str:
    """The numbered title, then the channel's item template as plain text, indented."""
    values = {k: Value(v) if v else None for k, v in raw_values(item, timezone).items()}
    body = render(parse_template(template), values, limit=100_000, cut=lambda t, n: t[:n])
    lines = [f"{item.number}. {item.title}", *(f"   {line}" for line in body.splitlines())]
    if item.also_covered_by:
        names = ", ".join(dict.fromkeys(s.name for s in item.also_covered_by))
        lines.append(f"   Also covered by: {names}")
    return "\n".join(lines)


def render_digest(digest: Digest) -> str:
    header = f"{digest.title} ({digest.timezone})"
    body = "\n\n".join(render_item(i, digest.timezone, digest.item_template) for i in digest.items)
    return f"{header}\n{'=' * len(header)}\n\n{body}\n"


def render_alert(alert: Digest) -> str:
    """Each story of an alert on its own, without the digest's header and numbers."""
    blocks = []
    for item in alert.items:
        lines = render_item(item, alert.timezone).splitlines()
        lines[0] = f"New: {item.title}"
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def render_reply(reply: Reply) -> str:
    if reply.digest is not None:
        return render_digest(reply.digest)
    return ("Error: " if reply.error else "") + reply.text


class ConsolePlatform(ChatPlatform):
    """Prints digests. Each digest is one 'message', so it is recorded once it is written."""

    name = "console"

    def __init__(self, *, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    async def start(self, handler: CommandHandler) -> None:
        self.handler = handler

    async def stop(self) -> None:
        self.stream.flush()

    async def post_digest(self, target: str, digest: Digest, record: RecordPosted) -> None:
        self.stream.write(render_digest(digest) + "\n")
        self.stream.flush()
        await record(digest.items, f"{digest.channel}:{digest.id}")

    async def post_alert(self, target: str, alert: Digest, record: RecordPosted) -> None:
        self.stream.write(render_alert(alert) + "\n")
        self.stream.flush()
        await record(alert.items, f"{alert.channel}:{alert.id}")

    async def post_notice(self, target: str, notice: Reply) -> None:
        self.stream.write(render_reply(notice) + "\n\n")
        self.stream.flush()
