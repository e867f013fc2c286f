"""Article pages to text (trafilatura) and feed HTML to plain text.

Both are synchronous and CPU-bound on purpose: callers run :func:`extract_article` in a thread
or process pool. No network access happens here, ever. Arguments, results and errors pickle.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from bot.errors import ReasonError
from bot.images import image_url

log = logging.getLogger(__name__)

#: Less extracted text than this is not an article (a login wall, an index page, an error page).
MIN_ARTICLE_CHARS = 200
#: Pages above this are refused before parsing (the fetcher's limit is normally lower).
MAX_PAGE_BYTES = 10_000_000
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/xml", "application/xml", "text/plain")


class ExtractError(ReasonError):
    """The page gave no article text; ``reason`` is short and safe to show to users."""


@dataclass(frozen=True)
class ExtractedPage:
    url: str
    title: str | None
    text: str
    """Main text, paragraphs separated by blank lines (headline and bylines not removed)."""
    published: datetime | None
    """Aware UTC; a date without a time becomes midnight UTC."""
    author: str | None
    sitename: str | None = None
    image: str | None = None
    """The page's og:image (or twitter:image), https only (bot.images); never fetched."""


_MAGIC = (
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"%PDF", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
)
_PASSWORD_FIELD = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.I)


def extract_article(
    html: bytes | str, *, url: str, content_type: str | None = None
) -> ExtractedPage:
    """Main text and metadata of an article page, favouring precision over recall.

    Raises :class:`ExtractError` for anything that is not an article: empty, binary, not HTML,
    too little text (login walls, index pages), or junk the parser cannot handle.
    """
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype and not ctype.startswith(_HTML_TYPES) and not ctype.endswith("+xml"):
        raise ExtractError(f"not HTML ({ctype})")
    raw = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    if not raw or not raw.strip():
        raise ExtractError("page is empty")
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            raise ExtractError(f"not HTML ({kind})")
    if b"\x00" in raw[:1024] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError("not HTML (binary data)")
    if len(raw) > MAX_PAGE_BYTES:
        raise ExtractError("page is too large")

    import trafilatura  # heavy import, only where needed

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_links=False,
            include_images=False,
            with_metadata=True,
            date_extraction_params={
                "extensive_search": False,
                "original_date": True,
                "outputformat": "%Y-%m-%dT%H:%M:%S%z",
                # A date in the URL has no time of day: only a fallback for the page's own.
                "deferred_url_extractor": True,
            },
        )
    except RecursionError as exc:
        log.warning("extract %s: recursion error", url)
        raise ExtractError("page is too deeply nested") from exc
    except Exception as exc:
        log.warning("extract %s: trafilatura failed", url, exc_info=True)
        raise ExtractError("could not read the page") from exc
    text = _paragraphs(getattr(doc, "text", None) or "") if doc is not None else ""
    if len(text) < MIN_ARTICLE_CHARS:
        log.info("extract %s: %d chars of text", url, len(text))
        if _PASSWORD_FIELD.search(raw[:500_000]):
            raise ExtractError("page asks for a login")
        raise ExtractError("page has no article text")
    assert doc is not None
    return ExtractedPage(
        url=url,
        title=_one_line(doc.title),
        text=text,
        published=_parse_date(doc.date),
        author=_one_line(doc.author),
        sitename=_one_line(doc.sitename),
        image=image_url(getattr(doc, "image", None), url),
    )


def _paragraphs(text: str) -> str:
    paras = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(p for p in paras if p)


def _one_line(value: Any) -> str | None:
    if not value or not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _parse_date(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            dt = datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


# --------------------------------------------------------------------------- html_to_text

_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "caption", "dd", "details", "dialog"),
        *("div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2"),
        *("h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre"),
        *("section", "summary", "table", "tbody", "thead", "tfoot", "tr", "ul"),
    }
)
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "applet"}
    | {"select"}
)
# Private-use characters as markers (lxml text may not hold control characters).
_PARA = "\ue000"
_LINE = "\ue001"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
_TAG_LIKE = re.compile(r"<[a-zA-Z/!?]")


class _TextParser(HTMLParser):
    """Streams text out of HTML; no tree, no recursion, so any nesting depth is fine."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "br":
            self.out.append(_LINE)
        elif tag in _BLOCK_TAGS:
            self.out.append(_PARA)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append(_LINE)
        elif tag in _BLOCK_TAGS:
            self.out.append(_PARA)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.out.append(_PARA)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (a feed summary or content), paragraphs kept.

    Blocks become paragraphs separated by a blank line, ``<br>`` a line break; scripts and
    styles are dropped; entities decoded. Text with no tags at all is taken as plain text.
    lxml does the work (fast); input nested deeper than libxml2 allows falls back to a
    streaming parser, which has no depth limit and never recurses.
    """
    if not html or not html.strip():
        return ""
    if not _TAG_LIKE.search(html):
        text = htmllib.unescape(html)
        paras = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
        return "\n\n".join(p for p in paras if p)
    html = _CONTROL.sub("", html)
    pieces = _lxml_pieces(html)
    if pieces is None:
        pieces = _stream_pieces(html)
    return _join(pieces)


def _join(pieces: list[str]) -> str:
    paragraphs = []
    for block in "".join(pieces).split(_PARA):
        lines = (" ".join(line.split()) for line in block.split(_LINE))
        para = "\n".join(line for line in lines if line)
        if para:
            paragraphs.append(para)
    return "\n\n".join(paragraphs)


def _lxml_pieces(html: str) -> list[str] | None:
    from lxml import etree
    from lxml import html as lhtml

    # A parser per call: lxml parsers must not be shared between threads.
    parser = lhtml.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
    try:
        root = lhtml.fragment_fromstring(html, create_parent="div", parser=parser)
    except (etree.LxmlError, ValueError, TypeError):
        return None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        return None  # too deep: libxml2 dropped content
    try:
        for el in list(root.iter(*_SKIP_TAGS)):
            if el is not root:
                el.drop_tree()  # keeps the tail text
        # Mark block boundaries in the tree itself, then let lxml's C itertext do the walk.
        for el in root.iter(*_BLOCK_TAGS, "br"):
            if el.tag == "br":
                el.tail = _LINE + (el.tail or "")
            else:
                el.text = _PARA + (el.text or "")
                el.tail = _PARA + (el.tail or "")
        return list(root.itertext())
    except ValueError:  # text lxml will not store back; the streaming parser copes
        return None


def _stream_pieces(html: str) -> list[str]:
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is a last resort for pathological input
        log.debug("html_to_text: parser failed", exc_info=True)
        return [re.sub(r"<[^>]*>", " ", htmllib.unescape(html))]
    return parser.out
