"""bot.extract: article extraction with trafilatura (offline) and html_to_text."""

from __future__ import annotations

import pickle
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from httpserver import LocalServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.extract import (
    _CONTROL,
    ExtractedPage,
    ExtractError,
    _join,
    _lxml_pieces,
    _stream_pieces,
    extract_article,
    html_to_text,
)
from bot.net import Fetcher

URL = "https://news.example.org/world/2026/11/27/river-deal"

PARAGRAPHS = [
    "Ministers from four countries agreed on Friday to share the water of the Amu river, "
    "ending a dispute that had lasted for a decade and strained relations across the region.",
    '"This is a good day for the farmers on both banks," said Maria Lopes, who chaired the '
    "talks in Geneva. She added that the agreement would be reviewed every five years.",
    "The deal still needs to be ratified by each parliament. Opposition parties in two of the "
    "countries have already said they will vote against it unless the quotas are revised.",
    "Environmental groups welcomed the agreement but warned that the river's delta was "
    "shrinking faster than any of the governments had admitted in public so far.",
]


def article_page(*, extra_head: str = "", body_prefix: str = "", charset: str = "utf-8") -> str:
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(30))
    related = "".join(
        f'<li><a href="/related/{i}">Related story number {i} you may also like</a></li>'
        for i in range(15)
    )
    comments = "".join(
        f'<div class="comment"><p>Reader {i}: I totally disagree with this, first!!</p></div>'
        for i in range(10)
    )
    paras = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="{charset}">
<title>Ministers agree on river deal | Example News</title>
<meta property="og:site_name" content="Example News">
<meta name="author" content="Ana Pereira">
<meta property="article:published_time" content="2026-11-27T09:30:00+01:00">
<script>var tracking = "do not extract me";</script>
<style>body {{ color: red }}</style>
{extra_head}
</head><body>
{body_prefix}
<header><nav><ul>{nav}</ul></nav></header>
<main><article>
<h1>Ministers agree on river deal</h1>
<p class="byline">By Ana Pereira</p>
{paras}
</article>
<aside class="related"><h2>Related</h2><ul>{related}</ul></aside>
<section id="comments"><h2>Comments</h2>{comments}</section>
</main>
<footer><p>Copyright 2026 Example News. All rights reserved.</p></footer>
</body></html>"""


def test_extracts_main_text_and_metadata():
    page = extract_article(article_page().encode(), url=URL)
    assert isinstance(page, ExtractedPage) and page.url == URL
    for p in PARAGRAPHS:
        assert p in page.text
    assert "\n\n" in page.text  # paragraphs kept, blank-line separated
    assert "Section 3" not in page.text  # navigation
    assert "Related story number" not in page.text
    assert "first!!" not in page.text  # comments
    assert "do not extract me" not in page.text and "color: red" not in page.text
    assert "All rights reserved" not in page.text
    assert page.title and "Ministers agree on river deal" in page.title
    assert page.author == "Ana Pereira"
    assert page.published == datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    assert page.sitename == "Example News"


@pytest.mark.parametrize(
    ("meta", "image"),
    [
        (
            '<meta property="og:image" content="https://cdn.example/river.jpg">',
            "https://cdn.example/river.jpg",
        ),
        (
            '<meta property="og:image" content="/pics/river.jpg">',
            "https://news.example.org/pics/river.jpg",
        ),
        ('<meta property="og:image" content="http://cdn.example/river.jpg">', None),
        ('<meta property="og:image" content="javascript:alert(1)">', None),
        ("", None),
    ],
)
def test_the_pages_picture_is_its_https_og_image(meta: str, image: str | None):
    page = extract_article(article_page(extra_head=meta).encode(), url=URL)
    assert page.image == image


def test_accepts_str_and_legacy_charsets():
    html = article_page(charset="iso-8859-1").replace("Geneva", "Genève")
    from_bytes = extract_article(html.encode("iso-8859-1"), url=URL)
    assert "Genève" in from_bytes.text
    assert "Genève" in extract_article(html, url=URL).text


@pytest.mark.parametrize(
    ("data", "ctype", "reason"),
    [
        (b"", None, "^page is empty$"),
        (b"  \n\t", None, "^page is empty$"),
        ("", None, "^page is empty$"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, r"^not HTML \(image/png\)$"),
        (b"%PDF-1.4\n%\xe2\xe3", None, r"^not HTML \(application/pdf\)$"),
        (b"\x00\x01\x02\x03" * 100, None, r"^not HTML \(binary data\)$"),
        (b"<html><body><p>hi</p></body></html>", "image/png", r"^not HTML \(image/png\)$"),
        (b"{}", "application/json", r"^not HTML \(application/json\)$"),
    ],
)
def test_not_an_article_page(data: bytes | str, ctype: str | None, reason: str):
    with pytest.raises(ExtractError, match=reason):
        extract_article(data, url=URL, content_type=ctype)


def test_html_content_type_with_charset_is_fine():
    page = extract_article(article_page(), url=URL, content_type="text/html; charset=UTF-8")
    assert PARAGRAPHS[0] in page.text


def test_login_wall():
    html = """<html><head><title>Sign in</title></head><body>
    <h1>Subscribe to keep reading</h1><p>Log in to read this story.</p>
    <form action="/login"><input type="email" name="e"><input type="password" name="p">
    <button>Sign in</button></form></body></html>"""
    with pytest.raises(ExtractError, match="^page asks for a login$"):
        extract_article(html, url=URL)


def test_index_page_has_no_article_text():
    links = "".join(f'<li><a href="/s/{i}">Headline {i}</a></li>' for i in range(200))
    html = f"<html><head><title>Home</title></head><body><ul>{links}</ul></body></html>"
    with pytest.raises(ExtractError, match="^page has no article text$"):
        extract_article(html, url="https://news.example.org/")


@pytest.mark.parametrize("depth", [100_000])
def test_deeply_nested_junk_neither_crashes_nor_hangs(depth: int):
    html = "<html><body>" + "<div>" * depth + "<p>tiny</p>" + "</div>" * depth + "</body></html>"
    start = time.monotonic()
    with pytest.raises(ExtractError):
        extract_article(html, url=URL)
    assert time.monotonic() - start < 20


def test_deeply_nested_unclosed_tags():
    html = "<html><body>" + "<span><b><i>" * 40_000 + "x"
    start = time.monotonic()
    with pytest.raises(ExtractError):
        extract_article(html.encode(), url=URL)
    assert time.monotonic() - start < 20


def test_article_inside_moderate_nesting_is_still_found():
    # libxml2 stops building the tree at depth 256; real pages stay far below that.
    wrapped = "<div>" * 200 + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>" * 200
    html = f"<html><head><title>T</title></head><body><article>{wrapped}</article></body></html>"
    page = extract_article(html, url=URL)
    assert PARAGRAPHS[1] in page.text


def test_big_realistic_page_is_quick():
    filler = "".join(
        f'<div class="promo"><a href="/p/{i}">Promo {i}</a><script>x{i}()</script></div>'
        for i in range(1500)
    )
    html = article_page(body_prefix=filler)
    assert len(html) > 100_000
    start = time.monotonic()
    page = extract_article(html, url=URL)
    assert PARAGRAPHS[2] in page.text and "Promo 7" not in page.text
    assert time.monotonic() - start < 10


def test_results_and_errors_pickle_for_process_pools():
    page = extract_article(article_page(), url=URL)
    assert pickle.loads(pickle.dumps(page)) == page
    err = pickle.loads(pickle.dumps(ExtractError("page has no article text")))
    assert err.reason == "page has no article text" and str(err) == err.reason


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    async with LocalServer() as srv:
        yield srv


async def test_fetch_then_extract(server: LocalServer):
    url = server.route("/story", body=article_page(), content_type="text/html; charset=utf-8")
    zero = server.route("/zero", body=b"", content_type="text/html")
    async with Fetcher(allow_private=True) as f:
        resp = await f.get(url, accept="text/html")
        page = extract_article(resp.body, url=resp.url, content_type=resp.content_type)
        assert PARAGRAPHS[3] in page.text
        empty = await f.get(zero)
    with pytest.raises(ExtractError, match="^page is empty$"):
        extract_article(empty.body, url=empty.url, content_type=empty.content_type)


# --------------------------------------------------------------------------- html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One &amp; <b>two</b></p><p>Three</p>", "One & two\n\nThree"),
        ("Line<br>break<br/>again", "Line\nbreak\nagain"),
        ("<div>a<div>b</div>c</div>", "a\n\nb\n\nc"),
        ("<ul><li>x</li><li>y</li></ul>", "x\n\ny"),
        ("<script>evil()</script><style>p{}</style><p>kept</p>", "kept"),
        ("<p>  lots   of\n\n  space </p>", "lots of space"),
        ("plain text\n\nsecond para &eacute;", "plain text\n\nsecond para é"),
        ("a < b and c > d", "a < b and c > d"),
        ("<p>unclosed <b>bold <i>italic", "unclosed bold italic"),
        ("<!-- comment --><p>after</p>", "after"),
        ("<img src=x onerror=alert(1)>caption", "caption"),
        ("", ""),
        ("   ", ""),
        ("<p></p><div> </div>", ""),
        ("&lt;b&gt;escaped&lt;/b&gt;", "<b>escaped</b>"),
        ("<p>ctrl\x00\x1fchars\x7f</p>", "ctrlchars"),
        ("<html><head><title>T</title></head><body><p>a</p><p>b</p></body></html>", "a\n\nb"),
        ("<p>a<!-- hidden --> b</p>", "a b"),
        ('<a title="x>y" href="/">link</a> text', "link text"),
    ],
)
def test_html_to_text(html: str, text: str):
    assert html_to_text(html) == text
    # The fast (lxml) and the deep-nesting (streaming) paths agree.
    fast = _lxml_pieces(html) if "<" in html else None
    if fast is not None:
        assert _join(fast) == _join(_stream_pieces(_CONTROL.sub("", html)))


def test_html_to_text_deep_nesting():
    depth = 100_000
    html = "<div>" * depth + "deep" + "</div>" * depth
    start = time.monotonic()
    assert html_to_text(html) == "deep"
    assert html_to_text("<b>" * depth + "open") == "open"
    assert time.monotonic() - start < 10


# --------------------------------------------------------------------------- fuzzing

_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_tags = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<br>", "<script>", "</script>", "<b>"])


@_FUZZ
@given(st.lists(st.text(max_size=20) | _tags, max_size=40))
def test_fuzz_html_to_text(pieces: list[str]):
    text = html_to_text("".join(pieces))
    assert isinstance(text, str)
    assert "\n\n\n" not in text and text == text.strip()


_entities = st.sampled_from(["&amp;", "&nGt;", "&#x1F600;", "&#150;", "&nbsp;", "&lt;", "&amp"])


@_FUZZ
@given(st.lists(st.text(max_size=20) | _tags | _entities, max_size=40))
def test_html_to_text_never_lengthens(pieces: list[str]):
    # bot.feeds relies on it to skip converting a summary that cannot beat the content.
    html = "".join(pieces)
    assert len(html_to_text(html)) <= len(html)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000) | st.lists(st.text(max_size=30) | _tags, max_size=60).map("".join))
def test_fuzz_extract_article(data: bytes | str):
    try:
        page = extract_article(data, url=URL)
    except ExtractError as exc:
        assert exc.reason
    else:
        assert len(page.text) >= 200
