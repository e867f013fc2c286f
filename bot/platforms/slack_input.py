"""Text as Slack delivers it (slash commands, mentions) -> the text the user typed.

Slack sends user text with `&`, `<` and `>` escaped as `&amp;`, `&lt;` and `&gt;`, and links,
users and channels in its own `<...>` markup. The core works on what the user typed (a link is
fetched as written, a name is searched as written); the renderer escapes once on the way out.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_LINK = re.compile(r"(?:https?|mailto):", re.IGNORECASE)


def unescape(text: str) -> str:
    """Undo Slack's escaping once: `&amp;lt;` is the `&lt;` a user typed, not `<`."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def _markup(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if _LINK.match(target):
        return target.removeprefix("mailto:") if target.lower().startswith("mailto:") else target
    if label and target[:1] in "@#":
        return target[0] + label.lstrip("@#")
    return match.group(0)  # <!here>, <!subteam^...>, a user without a label: left as they are


def typed_text(text: str) -> str:
    """What the user typed: `<url|label>` and `<url>` become the URL, `<#C1|news>` `#news`,
    `<@U1|ann>` `@ann`, then the three entities are unescaped (once)."""
    return unescape(_MARKUP.sub(_markup, text))
