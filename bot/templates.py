"""A channel's item template: how the text of each digest story reads, on any platform.

The template is the admin's (trusted) text with placeholders for the story's values, which come
from feeds (not trusted):

    {title} {link} {summary} {quote} {speaker} {source} {time}

Each platform escapes the values for its markup (Slack mrkdwn, Discord markdown, plain text on
the console) and gives a length limit; `render` fits the result into it by cutting the longest
values to a common length (short ones stay whole), never inside a value's escape or a link
(a link that cannot fit is left out whole), and never leaving a mention behind. A line whose
placeholders have no value for the story (no quote, no speaker) is left out, so an empty
"— {speaker}" never shows. `{{` and `}}` are literal braces.

The numbered, linked headline (what `/ask 3` refers to), the picture and "also covered by" stay
where each platform puts them; the template sets the story's text below the headline.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import DigestItem

PLACEHOLDERS = ("title", "link", "summary", "quote", "speaker", "source", "time")
MAX_TEMPLATE_CHARS = 1000
ZWSP = "\u200b"
# Mentions an admin might paste by habit; `<` (Slack's <!here>, <@U...>, Discord's <@id>) is
# refused on its own, since a value placed after it could complete one.
_LITERAL_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)


class TemplateError(ValueError):
    """A template that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Segment:
    text: str  # literal text, or the placeholder's name
    field: bool = False


@dataclass(frozen=True, slots=True)
class ItemTemplate:
    lines: tuple[tuple[Segment, ...], ...]


@dataclass(frozen=True, slots=True)
class Value:
    """A placeholder's value, already escaped for the platform. `cuttable`: False for links,
    which are shown whole or not at all."""

    text: str
    cuttable: bool = True


@lru_cache(maxsize=64)
def parse_template(text: str) -> ItemTemplate:
    """Check and split a template; TemplateError says what is wrong."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateError(f"expected at most {MAX_TEMPLATE_CHARS} characters, got {len(text)}")
    lines = []
    for line in text.strip("\n").split("\n"):
        segments: list[Segment] = []
        try:
            parsed = list(string.Formatter().parse(line))
        except ValueError as exc:
            raise TemplateError(f"{exc} (write {{{{ and }}}} for literal braces)") from None
        for literal, name, spec, conversion in parsed:
            if literal:
                _check_literal(literal)
                segments.append(Segment(literal))
            if name is None:
                continue
            if name not in PLACEHOLDERS or spec or conversion:
                shown = "{" + name + (f"!{conversion}" if conversion else "")
                shown += (f":{spec}" if spec else "") + "}"
                raise TemplateError(
                    f"unknown placeholder {shown} (expected "
                    + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                    + ")"
                )
            segments.append(Segment(name, field=True))
        lines.append(tuple(segments))
    if not any(s.field for line in lines for s in line):
        raise TemplateError("expected at least one placeholder such as {summary}")
    return ItemTemplate(tuple(lines))


def _check_literal(literal: str) -> None:
    if "<" in literal:
        raise TemplateError(
            "'<' is not allowed (Slack reads it as the start of a link or a mention; "
            "{link} makes the link)"
        )
    if match := _LITERAL_MENTION.search(literal):
        raise TemplateError(f"a template must not mention anyone ({match.group()!r})")


def render(
    template: ItemTemplate,
    values: Mapping[str, Value | None],
    *,
    limit: int,
    cut: Callable[[str, int], str],
) -> str:
    """The template filled with `values`, at most `limit` characters.

    `cut(text, n)` shortens an escaped value to at most n characters at a safe place (it may add
    an ellipsis and return "" when n is tiny).
    """
    segments = _segments(template, values)
    texts = {name: value.text for name, value in values.items() if value is not None}

    def cuttable(segment: Segment) -> bool:
        return segment.field and values[segment.text].cuttable  # type: ignore[union-attr]

    # Links (never cut) that cannot fit even with every other value emptied are left out whole.
    for index in reversed(range(len(segments))):
        fixed = sum(len(texts[s.text] if s.field else s.text) for s in segments if not cuttable(s))
        if fixed <= limit:
            break
        if segments[index].field and not cuttable(segments[index]):
            segments[index] = Segment("")
    _cap_longest(segments, texts, limit, cut, cuttable)
    out: list[str] = []
    used = 0
    for segment in segments:
        piece = texts[segment.text] if segment.field else segment.text
        if segment.field:
            piece = _no_mention_across(out[-1] if out else "", piece)
        if used + len(piece) > limit:
            if cuttable(segment) and limit - used > 1:
                out.append(cut(piece, limit - used))
            break
        out.append(piece)
        used += len(piece)
    return "\n".join(line.rstrip() for line in "".join(out).split("\n")).strip()


def _cap_longest(
    segments: list[Segment],
    texts: dict[str, str],
    limit: int,
    cut: Callable[[str, int], str],
    cuttable: Callable[[Segment], bool],
) -> None:
    """Cut the longest values to one common length, the largest that fits: short values stay
    whole (a quote survives a huge summary) and no value is emptied while others are long."""
    uses: dict[str, int] = {}
    room = limit
    for segment in segments:
        if cuttable(segment):
            uses[segment.text] = uses.get(segment.text, 0) + 1
        else:
            room -= len(texts[segment.text] if segment.field else segment.text)

    def need(cap: int) -> int:
        return sum(min(len(texts[name]), cap) * count for name, count in uses.items())

    if not uses or need(max(len(texts[name]) for name in uses)) <= room:
        return
    low, high = 0, max(len(texts[name]) for name in uses)
    while low < high:  # the largest cap whose total fits
        middle = (low + high + 1) // 2
        low, high = (middle, high) if need(middle) <= room else (low, middle - 1)
    for name in uses:
        if len(texts[name]) > low:
            texts[name] = cut(texts[name], low) if low > 1 else ""


def _segments(template: ItemTemplate, values: Mapping[str, Value | None]) -> list[Segment]:
    """The kept lines' segments, joined by newline segments."""
    segments: list[Segment] = []
    for line in template.lines:
        fields = [s.text for s in line if s.field]
        if any(values.get(f) is None or not values[f].text for f in fields):  # type: ignore[union-attr]
            continue
        if segments:
            segments.append(Segment("\n"))
        segments.extend(line)
    return segments


def _length(segments: list[Segment], texts: Mapping[str, str]) -> int:
    return sum(len(texts[s.text]) if s.field else len(s.text) for s in segments)


def _no_mention_across(before: str, value: str) -> str:
    """`@` in the template right before a value such as "here" would spell a mention."""
    if before.endswith("@") and value and not value.startswith(ZWSP):
        value = ZWSP + value
    if value.endswith("@"):
        value += ZWSP
    return value


def format_time(when: datetime, timezone: str) -> str:
    """`28 Nov 09:14 CET` in the channel's zone (UTC when the zone is unknown)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    local = when.astimezone(zone)
    return f"{local.day} {local:%b %H:%M %Z}".strip()


def raw_values(item: DigestItem, timezone: str) -> dict[str, str | None]:
    """The item's values before any platform escaping; None when the story has none."""
    quote = item.quotes[0] if item.quotes else None
    speaker = quote.attributed_to() if quote is not None else None
    summary = " ".join(" ".join(item.summary).split())
    return {
        "title": " ".join(item.title.split()) or None,
        "link": item.url or None,
        "summary": summary or None,
        "quote": " ".join(quote.text.split()) if quote is not None else None,
        "speaker": " ".join(speaker.split()) if speaker else None,
        "source": " ".join(item.source.split()) or None,
        "time": format_time(item.published, timezone),
    }
