"""A story's picture: only ever a link for Slack or Discord to show, never fetched by the bot.

The URL comes from the feed (an image enclosure, media:thumbnail, media:content, itunes:image,
a JSON Feed item's image) or from the article page's og:image, and both are outside input: only
absolute https URLs of a bounded length, without credentials, whitespace or control characters,
are kept. The chat platform fetches the picture itself (Slack and Discord proxy images), so the
bot never opens a connection to wherever a feed points.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

#: Longer URLs are dropped (Discord's embed URL limit is 2,048; Slack's image_url is 3,000).
MAX_IMAGE_URL = 2000
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f<>\"\\^`{|}]")


def image_url(value: object, base: str | None = None) -> str | None:
    """`value` as a safe https image URL (made absolute against `base`), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    url = value.strip()
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not parts.hostname or parts.username is not None:
        return None
    if port == 0 or len(url) > MAX_IMAGE_URL or _UNSAFE.search(url):
        return None
    return url
