"""Plain, platform-neutral values that flow between the core and the chat platforms.

Nothing here imports slack_bolt or discord: platforms turn their events into `Command`s and
render `Digest` / `Reply` values in their own format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from bot.textsafe import display_safe, display_safe_or_none


def _clean(obj: object, *names: str) -> None:
    """Apply display_safe to the named text fields of a frozen value (see bot.textsafe)."""
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, tuple):
            cleaned: object = tuple(display_safe(v) if isinstance(v, str) else v for v in value)
        else:
            cleaned = display_safe_or_none(value)
        object.__setattr__(obj, name, cleaned)


# Dr. Sen. Rep. Gov. Gen. Prof.: the shape summarizers.names.with_appositive keeps in front of a
# role ("Sen., a Clinton backer"); repeated here so the main process need not import summarizers.
_ABBREVIATED_TITLE = re.compile(r"[A-Z][a-z]{1,4}\.")


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation and who said it (speaker may be unknown)."""

    text: str
    speaker: str | None = None
    speaker_title: str | None = None

    def __post_init__(self) -> None:
        _clean(self, "text", "speaker", "speaker_title")

    def attribution(self) -> tuple[str, str | None]:
        """(name, title) as shown: an abbreviated title reads before the name, as the article
        wrote it ("Sen. Brian Schatz", not "Brian Schatz, Sen."), and a role after it follows
        the name ("Sen., a Clinton backer": "Sen. Bob Casey", "a Clinton backer"); any other
        title follows it ("Ann Lee", "the mayor of Springfield"). ("", None) when the speaker is
        unknown."""
        name = (self.speaker or "").strip()
        title = (self.speaker_title or "").strip() or None
        if name and title:
            lead, _, role = title.partition(", ")  # "Sen., a Clinton backer" (summarizers)
            if _ABBREVIATED_TITLE.fullmatch(lead):
                return f"{lead} {name}", role.strip() or None
        return name, title if name else None

    def attributed_to(self) -> str:
        """ "Sen. Brian Schatz" or "Ann Lee, the mayor of Springfield" ("" when unknown)."""
        name, title = self.attribution()
        return f"{name}, {title}" if title else name


@dataclass(frozen=True, slots=True)
class Source:
    """A feed that carried a story, with that feed's link to it."""

    name: str
    url: str

    def __post_init__(self) -> None:
        _clean(self, "name", "url")


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One numbered story in a digest. `published` is timezone-aware (UTC)."""

    number: int
    article_id: int
    title: str
    url: str
    source: str
    published: datetime
    summary: tuple[str, ...]
    quotes: tuple[Quote, ...] = ()
    also_covered_by: tuple[Source, ...] = ()
    image: str | None = None  # https URL of the story's picture: the platform shows it

    def __post_init__(self) -> None:
        _clean(self, "title", "url", "source", "summary")


@dataclass(frozen=True, slots=True)
class Digest:
    """What one channel is shown at one digest time.

    `timezone` is the channel's IANA zone: renderers show item times in it.
    `id` is the store's digest id once the digest has been saved (follow-ups refer to it).
    `item_template` is the channel's template for each item's text (bot.templates), if any.
    """

    channel: str
    title: str
    created: datetime
    timezone: str
    items: tuple[DigestItem, ...]
    id: int | None = None
    item_template: str | None = None

    def __post_init__(self) -> None:
        _clean(self, "title")


@dataclass(frozen=True, slots=True)
class Command:
    """A chat command, as the core sees it.

    `name` is one of summarize | quote | ask | digest | feeds; `args` is the raw argument text.
    `platform` + `target` identify where it was typed (e.g. "slack", "C0123"); the core maps that
    to a configured channel. `digest_id` is set when the command came from a digest's thread.
    `workspace` is the Slack workspace (team id) or Discord server (guild id) it came from.
    """

    name: str
    args: str = ""
    platform: str = "console"
    target: str = ""
    user_id: str = ""
    user_is_admin: bool = False
    digest_id: int | None = None
    workspace: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """A neutral answer to a command; each platform renders it.

    `text` is plain text (no markup), always present and enough on its own. The optional parts let a
    platform render richer output: a headline with a link, sentences, quotes and source links, or a
    whole digest (for /digest). `error` replies are shown only to the user who asked (ephemeral)
    where the platform can do that.
    """

    text: str
    title: str | None = None
    url: str | None = None
    sentences: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    sources: tuple[Source, ...] = ()
    digest: Digest | None = None
    error: bool = False
    ephemeral: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _clean(self, "text", "title", "url", "sentences")
