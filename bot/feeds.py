"""Feed parsing: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed 1.x (by hand), OPML import.

Pure functions over bytes: fetching is :mod:`bot.net`. Every input either parses into
:class:`ParsedFeed` or raises :class:`FeedError` with a short reason a user can read; anything
else escaping from here is a bug.
"""

from __future__ import annotations

import calendar
import codecs
import contextlib
import hashlib
import html
import json
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from bot.errors import ReasonError
from bot.extract import html_to_text
from bot.images import image_url
from bot.textsafe import display_safe

log = logging.getLogger(__name__)

#: Entries whose best text is shorter than this and that carry no full content are teasers.
TEASER_CHARS = 400
_TITLE_WORDS = 12
_TITLE_MAX = 120


class FeedError(ReasonError):
    """The bytes are not a usable feed; ``reason`` is short and safe to show to users."""


@dataclass(frozen=True)
class FeedEntry:
    guid: str | None
    """The feed's id; when missing, the link, else ``sha1:`` + a hash of the content."""
    url: str | None
    """Absolute http(s) link, or None."""
    title: str | None
    """Plain text; when missing, the first words of the text (None only if there is no text)."""
    summary_html: str
    """The feed's summary HTML as the feed sent it, NOT sanitized and with relative links left
    as they are: never render it (use ``text``)."""
    content_html: str
    """Full content when the feed has it, else "". The feed's HTML, NOT sanitized (scripts,
    event handlers and relative links left in): never render it; use ``text``."""
    text: str
    """Best plain text: content if present, else summary (scripts and styles dropped, entities
    decoded). Paragraphs separated by blank lines. This is what the pipeline analyzes."""
    published: datetime | None
    """Aware UTC (published, else updated); None if missing or unparseable. Future kept."""
    author: str | None
    is_teaser: bool
    image: str | None = None
    """The story's picture (https only, see bot.images), from an image enclosure,
    media:thumbnail, media:content or itunes:image; a link for the chat platform, never
    fetched."""


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    entries: list[FeedEntry]
    format: str
    """feedparser's version ("rss20", "rss10", "rss091u", "atom10", ...) or "json10"/"json11"."""


@dataclass(frozen=True)
class OpmlOutline:
    name: str
    url: str
    tags: tuple[str, ...]
    """From the parent outlines' titles and the ``category`` attribute, in order, no repeats."""
    html_url: str | None = None


# --------------------------------------------------------------------------- feedparser speed-up

#: Code points covered by the list table below (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic,
#: general punctuation such as curly quotes, currency signs). Others take the dict-speed path.
_CP1252_TABLE_SIZE = 0x2200


def _fast_cp1252_table() -> None:
    """Swap feedparser's C1-to-cp1252 ``str.translate`` table for an equivalent list.

    feedparser runs ``text.translate(_cp1252)`` on the text of every element it pops. With its
    dict, every character of a non-ASCII text is a failed dict lookup that raises KeyError
    inside CPython: a quarter of parse_feed's time on typical news feeds (curly quotes). A list
    indexed by code point maps the same characters 3x faster; code points past its end raise
    IndexError, which translate also treats as "unchanged". Built from feedparser's own table,
    so the result is identical (tests/test_feeds.py checks); a feedparser without it is left
    alone.
    """
    try:
        import feedparser.mixin as mixin
    except ImportError:  # pragma: no cover - feedparser reorganized
        return
    table = getattr(mixin, "_cp1252", None)
    if not isinstance(table, dict) or not all(
        isinstance(k, int) and 0 <= k < _CP1252_TABLE_SIZE and isinstance(v, str) and len(v) == 1
        for k, v in table.items()
    ):
        return
    fast = list(range(_CP1252_TABLE_SIZE))
    for code, char in table.items():
        fast[code] = ord(char)
    mixin._cp1252 = fast  # type: ignore[attr-defined]


_fast_cp1252_table()


# --------------------------------------------------------------------------- sniffing

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"RIFF", "binary media"),
    (b"\x00\x00\x01\x00", "an icon"),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")
_HTML_START = re.compile(rb"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF|channel)[\s>]", re.I)
_NON_FEED_TYPES = ("image/", "audio/", "video/", "font/")


def _binary_kind(body: bytes, content_type: str | None) -> str | None:
    head = body[:1024]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype.startswith(_NON_FEED_TYPES) or ctype in ("application/pdf", "application/zip"):
        return ctype
    if any(head.startswith(bom) for bom in _BOMS):
        return None
    if b"\x00" in head and head[:2] not in (b"<\x00", b"\x00<"):  # UTF-16 without a BOM
        return "binary data"
    return None


def _looks_like_html(body: bytes) -> bool:
    head = body[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    # Skip an XML declaration and leading comments (no regex: no backtracking on junk).
    for opener, closer in ((b"<?xml", b"?>"), (b"<!--", b"-->")):
        while head.startswith(opener):
            end = head.find(closer)
            if end < 0:
                break
            head = head[end + len(closer) :].lstrip()
    return bool(_HTML_START.match(head)) and not _FEED_ROOT.search(body[:20000])


# --------------------------------------------------------------------------- encodings

_XML_DECL_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])([^"']*)\2""")
_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8"})
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift-jis": "cp932",
    "euc-kr": "cp949",
}


def _normalize_encoding(body: bytes, http_charset: str | None) -> bytes:
    """Return the body as UTF-8 with a declaration that says so, decoding what the feed
    really is rather than what it claims.

    Real feeds lie: UTF-8 bytes under ``encoding="iso-8859-1"`` or ``charset=iso-8859-1``,
    Latin-1 bytes under ``utf-8``, or UTF-8 with a few broken bytes. Bytes that decode as
    UTF-8 are UTF-8; otherwise the declared encodings are tried, then mostly-UTF-8 with
    replacement characters, then Windows-1252. UTF-16/32 (BOM) is left to feedparser.
    """
    if body.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or body[:2] in (
        b"<\x00",
        b"\x00<",
    ):
        return body
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    match = _XML_DECL_ENCODING.match(body[:500])
    declared = match.group(3).decode("ascii", "replace").strip().lower() if match else None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_guess(body, [declared, (http_charset or "").lower() or None])
        body = text.encode("utf-8")
    if match and declared not in _UTF8_NAMES:
        body = _XML_DECL_ENCODING.sub(rb"\1\2utf-8\2", body, count=1)
    return body


def _decode_guess(body: bytes, declared: list[str | None]) -> str:
    for name in declared:
        if not name or name in _UTF8_NAMES:
            continue
        # Supersets first: labels on real feeds understate what the bytes use.
        for candidate in (_SUPERSETS.get(name.replace("_", "-")), name):
            if not candidate:
                continue
            try:
                codecs.lookup(candidate)
                return body.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    loose = body.decode("utf-8", "replace")
    bad = loose.count("\ufffd")
    good = sum(1 for ch in loose if ord(ch) > 127) - bad
    if good >= 4 * bad:
        log.debug("feed: mostly UTF-8 with %d bad bytes", bad)
        return loose
    return body.decode("cp1252", "replace")


# --------------------------------------------------------------------------- parse_feed


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a fetched feed. ``url`` is the feed's final URL, the base for relative links."""
    if not body or not body.strip():
        raise FeedError("empty response")
    kind = _binary_kind(body, content_type)
    if kind:
        raise FeedError(f"not a feed (got {kind})")
    ctype = (content_type or "").split(";")[0].strip().lower()
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if ctype in ("application/feed+json", "application/json") or stripped.startswith(b"{"):
        return _parse_json_feed(body, url=url)
    utf16 = body[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
    if not utf16 and not stripped.startswith(b"<"):
        raise FeedError("not a feed (no RSS, Atom or JSON Feed found)")
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if _too_deep(body):
        # feedparser would grind through it in pure Python for many seconds.
        raise FeedError("feed is nested too deeply")
    # Not the served content-type: feedparser would let its charset override the real one.
    headers = {"content-type": "application/xml"}
    if not url.lower().startswith("file:") and _BASE_ATTR.search(body):
        # Only a feed with xml:base needs feedparser to track an absolute base (it joins URLs
        # at every element: a tenth of its time). Without one, links come out as written and
        # _http_url makes them absolute against the feed URL, which gives the same result.
        # (file:/// bases are never passed: feedparser mangles them; _http_url copes.)
        headers["content-location"] = url
    try:
        # No sanitizing and no link rewriting inside the entry HTML (a third of feedparser's
        # time): the HTML is only ever turned into plain text (html_to_text drops scripts and
        # styles), never rendered, and entry links are made absolute by _http_url.
        parsed = feedparser.parse(
            _normalize_encoding(body, charset),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser should not raise, but a crash here must not spread
        log.warning("feedparser crashed on %s: %r", url, exc)
        raise FeedError("could not parse the feed") from exc
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    bozo = parsed.get("bozo_exception")
    if bozo is not None:
        log.debug("feed %s is bozo: %r", url, bozo)
    if not entries:
        if _looks_like_html(body):
            raise FeedError("not a feed (got HTML)")
        if bozo is not None and callable(getattr(bozo, "getLineNumber", None)):
            raise FeedError(_bozo_reason(bozo))
        if not version:
            raise FeedError("not a feed (no RSS, Atom or JSON Feed found)")
    elif not version and _looks_like_html(body):
        raise FeedError("not a feed (got HTML)")
    feed = parsed.get("feed") or {}
    out = [_entry_from_feedparser(e, url) for e in entries]
    return ParsedFeed(
        title=_detail_text(feed, "title"),
        link=_http_url(feed.get("link"), url),
        entries=out,
        format=version or "unknown",
    )


_BASE_ATTR = re.compile(rb"""base\s*=\s*["']""")


def _too_deep(body: bytes) -> bool:
    """Elements nested past libxml2's default limit (256): no real feed comes close.

    A C-speed pre-check (well under a millisecond for a normal feed); everything else about
    the XML, including errors, is left to feedparser.
    """
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=True, load_dtd=False
    )
    with contextlib.suppress(etree.LxmlError, ValueError):
        etree.fromstring(body, parser)
    return any(
        e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message
        for e in parser.error_log
    )


def _bozo_reason(exc: BaseException) -> str:
    get_line = getattr(exc, "getLineNumber", None)
    msg = str(getattr(exc, "getMessage", lambda: exc)()) or type(exc).__name__
    if callable(get_line):
        try:
            return f"malformed XML at line {get_line()}: {msg}"
        except Exception:  # noqa: BLE001 - a broken locator must not hide the real error
            pass
    return f"malformed feed: {msg}"


def _entry_from_feedparser(e: Any, feed_url: str) -> FeedEntry:
    summary_html = e.get("summary") or ""
    content_html = ""
    contents = e.get("content") or []
    parts = []
    for c in contents:
        value = c.get("value") or ""
        if not value.strip():
            continue
        if (c.get("type") or "").lower() == "text/plain":
            value = _plain_to_html(value)
        parts.append(value)
    if parts:
        content_html = "\n".join(parts)
    if summary_html and (e.get("summary_detail") or {}).get("type") == "text/plain":
        summary_html = _plain_to_html(summary_html)
    url = _http_url(e.get("link"), feed_url)
    author = None
    detail = e.get("author_detail") or {}
    author = _clean_line(detail.get("name") or e.get("author") or "") or None
    # dict.get: FeedParserDict.get would remap updated<->published with a warning.
    published = _struct_to_dt(dict.get(e, "published_parsed")) or _struct_to_dt(
        dict.get(e, "updated_parsed")
    )
    return _make_entry(
        guid=(e.get("id") or "").strip() or None,
        url=url,
        title=_detail_text(e, "title"),
        summary_html=summary_html,
        content_html=content_html,
        published=published,
        author=author,
        image=_feedparser_image(e, url or feed_url),
    )


def _feedparser_image(e: Any, base: str) -> str | None:
    """The entry's first usable picture: media:thumbnail, then image media:content, then an
    image enclosure, then itunes:image."""
    candidates: list[Any] = [t.get("url") for t in _dicts(e.get("media_thumbnail"))]
    for media in _dicts(e.get("media_content")):
        kind = str(media.get("medium") or media.get("type") or "").lower()
        if kind == "image" or kind.startswith("image/"):
            candidates.append(media.get("url"))
    for link in _dicts(e.get("links")):
        if link.get("rel") == "enclosure" and str(link.get("type") or "").startswith("image/"):
            candidates.append(link.get("href"))
    image = e.get("image")
    if isinstance(image, dict):
        candidates.append(image.get("href"))
    return next((u for u in (image_url(c, base) for c in candidates) if u), None)


def _dicts(value: Any) -> list[Any]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _make_entry(
    *,
    guid: str | None,
    url: str | None,
    title: str | None,
    summary_html: str,
    content_html: str,
    published: datetime | None,
    author: str | None,
    image: str | None = None,
) -> FeedEntry:
    content_text = html_to_text(content_html) if content_html else ""
    # html_to_text never makes its input longer, so a summary whose HTML is no longer than the
    # content's text cannot be the fuller one: skip converting it (most full-content entries).
    summary_text = html_to_text(summary_html) if len(summary_html) > len(content_text) else ""
    # The fuller of the two: some feeds put a stub in content and the story in the summary.
    text = content_text if len(content_text) >= len(summary_text) else summary_text
    if not content_text:
        content_html = ""
    if not title:
        title = _title_from_text(text)
    if not guid:
        if url:
            guid = url
        else:
            digest = hashlib.sha1(
                "\x1f".join((title or "", text)).encode("utf-8", "replace")
            ).hexdigest()
            guid = f"sha1:{digest}"
    full = len(content_text) >= TEASER_CHARS
    is_teaser = not full and (len(text) < TEASER_CHARS or _ends_like_teaser(text))
    return FeedEntry(
        guid=guid,
        url=url,
        title=title,
        summary_html=summary_html,
        content_html=content_html,
        text=text,
        published=published,
        author=author,
        is_teaser=is_teaser,
        image=image,
    )


_TEASER_END = re.compile(
    r"(\.\.\.|…|\[…\]|\[\.\.\.\]|read more|continue reading|weiterlesen|lire la suite|"
    r"leer más|devamını oku)\W*$",
    re.IGNORECASE,
)


def _ends_like_teaser(text: str) -> bool:
    return bool(_TEASER_END.search(text[-60:]))


def _title_from_text(text: str) -> str | None:
    words = text.split()
    if not words:
        return None
    title = " ".join(words[:_TITLE_WORDS])
    if len(title) > _TITLE_MAX:
        title = title[:_TITLE_MAX].rsplit(" ", 1)[0]
    if len(words) > _TITLE_WORDS or len(title) < len(" ".join(words)):
        title = title.rstrip(" ,;:-") + "…"
    return title


def _detail_text(obj: Any, key: str) -> str | None:
    value = obj.get(key)
    if not value:
        return None
    detail = obj.get(f"{key}_detail") or {}
    if (detail.get("type") or "").lower() in ("text/html", "application/xhtml+xml"):
        value = html_to_text(value)
    elif _ENTITY.search(value):
        value = html.unescape(value)  # double-escaped titles ("Tom &amp; Jerry") are common
    return _clean_line(value) or None


_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")


def _clean_line(value: str) -> str:
    return " ".join(display_safe(str(value)).split())


def _plain_to_html(text: str) -> str:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paras)


def _http_url(link: Any, base: str) -> str | None:
    """``link`` made absolute against ``base``; only http(s) -- or file: when the feed itself
    is a local file (the bundled demo) -- so a remote feed can never point us at local files."""
    if not link or not isinstance(link, str):
        return None
    link = link.strip()
    try:
        absolute = urljoin(base, link) if base else link
        parts = urlsplit(absolute)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme == "file" and base.lower().startswith("file:"):
        return absolute
    if scheme not in ("http", "https") or not parts.netloc:
        return None
    return absolute


def _struct_to_dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None


# --------------------------------------------------------------------------- JSON Feed

_JSONFEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/(\d+)(?:\.(\d+))?/?$")


def _parse_json_feed(body: bytes, *, url: str) -> ParsedFeed:
    try:
        data = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        log.debug("feed %s: bad JSON: %r", url, exc)
        line = getattr(exc, "lineno", None)
        raise FeedError(f"malformed JSON at line {line}" if line else "malformed JSON") from exc
    if not isinstance(data, dict):
        raise FeedError("not a feed (JSON but not a JSON Feed)")
    match = _JSONFEED_VERSION.match(str(data.get("version") or ""))
    if not match:
        raise FeedError("not a feed (JSON but not a JSON Feed)")
    major, minor = match.group(1), match.group(2) or "0"
    base = _str(data.get("feed_url")) or url
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError("malformed JSON Feed: no items list")
    feed_author = _json_author(data)
    entries = [_json_entry(item, base, feed_author) for item in items if isinstance(item, dict)]
    return ParsedFeed(
        title=_clean_line(_str(data.get("title")) or "") or None,
        link=_http_url(_str(data.get("home_page_url")), url),
        entries=entries,
        format=f"json{major}{minor}",
    )


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _json_author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [_clean_line(_str(a.get("name")) or "") for a in authors if isinstance(a, dict)]
        names = [n for n in names if n]
        if names:
            return ", ".join(names)
    author = obj.get("author")  # JSON Feed 1.0
    if isinstance(author, dict):
        return _clean_line(_str(author.get("name")) or "") or None
    return None


def _json_entry(item: dict[str, Any], base: str, feed_author: str | None) -> FeedEntry:
    # As for RSS/Atom: the HTML is kept as sent (not sanitized), only ever turned into text.
    content_html = _str(item.get("content_html")) or ""
    content_text = _str(item.get("content_text")) or ""
    if not content_html and content_text:
        content_html = _plain_to_html(content_text)
    summary = _str(item.get("summary")) or ""
    summary_html = _plain_to_html(summary) if summary else ""
    title = _str(item.get("title"))
    published = _iso_dt(item.get("date_published")) or _iso_dt(item.get("date_modified"))
    url = _http_url(_str(item.get("url")), base) or _http_url(_str(item.get("external_url")), base)
    return _make_entry(
        guid=(_str(item.get("id")) or "").strip() or None,
        url=url,
        title=_clean_line(html.unescape(title)) if title else None,
        summary_html=summary_html,
        content_html=content_html,
        published=published,
        author=_json_author(item) or feed_author,
        image=image_url(_str(item.get("image")), url or base)
        or image_url(_str(item.get("banner_image")), url or base),
    )


def _iso_dt(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


# --------------------------------------------------------------------------- OPML


def parse_opml(data: bytes) -> list[OpmlOutline]:
    """Feeds in an OPML file (nested outlines become tags). Only http(s) feed URLs are kept."""
    if not data or not data.strip():
        raise FeedError("empty OPML file")
    if b"<!ENTITY" in data[:10000].upper():
        raise FeedError("OPML with entity declarations is not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise FeedError(f"malformed OPML at line {line}" if line else "malformed OPML") from exc
    if _local(root.tag).lower() != "opml":
        raise FeedError("not an OPML file")
    body = next((c for c in root if _local(c.tag).lower() == "body"), None)
    if body is None:
        raise FeedError("OPML file has no body")
    out: list[OpmlOutline] = []
    seen: set[str] = set()
    # Iterative pre-order walk (document order); folders without xmlUrl become tags.
    found: list[tuple[dict[str, str], tuple[str, ...]]] = []
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [(c, ()) for c in reversed(_outlines(body))]
    while stack:
        elem, tags = stack.pop()
        attrs = {k.lower(): v for k, v in elem.attrib.items()}
        label = _clean_line(attrs.get("title") or attrs.get("text") or "")
        if attrs.get("xmlurl"):
            found.append((attrs, tags))
            child_tags = tags
        else:
            child_tags = tags + ((label,) if label else ())
        stack.extend((c, child_tags) for c in reversed(_outlines(elem)))
    for attrs, tags in found:
        url = _http_url(attrs["xmlurl"].strip(), "")
        if not url:
            log.info("opml: skipping non-http feed URL %r", attrs["xmlurl"][:200])
            continue
        if url in seen:
            continue
        seen.add(url)
        name = _clean_line(attrs.get("title") or attrs.get("text") or "") or url
        cats = []
        for cat in (attrs.get("category") or "").split(","):
            cats.extend(p.strip() for p in cat.split("/") if p.strip())
        all_tags = tuple(dict.fromkeys(t for t in (*tags, *cats) if t))
        out.append(
            OpmlOutline(
                name=name,
                url=url,
                tags=all_tags,
                html_url=_http_url((attrs.get("htmlurl") or "").strip(), ""),
            )
        )
    return out


def _outlines(elem: ET.Element) -> list[ET.Element]:
    return [c for c in elem if _local(c.tag).lower() == "outline"]


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
