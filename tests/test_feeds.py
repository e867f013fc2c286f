"""bot.feeds: fixture files that state their own expected result, plus served-over-HTTP cases.

Each file in tests/fixtures/feeds/ carries directives (in an XML comment, a JSON "_expect"
key, or a sidecar ``<name>.expect``):
    URL: the feed URL (base for relative links)      Content-Type: the header served with it
    Expect: a Python expression over feed, entries, e0, e1, e2, outlines -- must be true
    Error: a regex the FeedError reason must match
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from httpserver import LocalServer, compressed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.feeds import FeedEntry, FeedError, OpmlOutline, ParsedFeed, parse_feed, parse_opml
from bot.net import Fetcher

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
_DIRECTIVE = re.compile(r"^\W*(URL|Content-Type|Expect|Error|Description):\s*(.*)$", re.M)


def _directives(path: Path) -> list[tuple[str, str]]:
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        text = sidecar.read_text("utf-8")
    else:
        raw = path.read_bytes()
        text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else None
        text = text or raw.decode("utf-8", "replace")
    found = [(k, v.strip()) for k, v in _DIRECTIVE.findall(text)]
    # JSON fixtures keep their directives in JSON strings (no '"' inside): cut and unescape.
    if path.suffix == ".json":
        found = [(k, v.split('"', 1)[0].replace("\\\\", "\\")) for k, v in found]
    return found


def _feed_fixtures() -> list[Path]:
    return sorted(
        p
        for p in FIXTURES.iterdir()
        if p.is_file() and not p.name.endswith(".expect") and p.suffix != ".opml"
    )


def _one(directives: list[tuple[str, str]], key: str) -> str | None:
    return next((v for k, v in directives if k == key), None)


@pytest.mark.parametrize("path", _feed_fixtures(), ids=lambda p: p.name)
def test_feed_fixture(path: Path):
    d = _directives(path)
    expects = [v for k, v in d if k == "Expect"]
    error = _one(d, "Error")
    assert expects or error, f"{path.name} states no expected result"
    url = _one(d, "URL") or "https://example.com/feed"
    start = time.monotonic()
    if error:
        with pytest.raises(FeedError) as info:
            parse_feed(path.read_bytes(), url=url, content_type=_one(d, "Content-Type"))
        assert re.search(error, info.value.reason), info.value.reason
        assert str(info.value) == info.value.reason
        return
    feed = parse_feed(path.read_bytes(), url=url, content_type=_one(d, "Content-Type"))
    assert time.monotonic() - start < 5
    assert isinstance(feed, ParsedFeed)
    entries = feed.entries
    env = {
        "feed": feed,
        "entries": entries,
        "datetime": datetime,
        "UTC": UTC,
        **{f"e{i}": entries[i] for i in range(min(3, len(entries)))},
    }
    for expect in expects:
        assert eval(expect, {}, env), f"{path.name}: {expect}\n{entries!r}"
    for e in entries:
        _check_entry_invariants(e)


def _check_entry_invariants(e: FeedEntry) -> None:
    assert e.guid  # always some identity
    assert e.url is None or e.url.startswith(("http://", "https://"))
    assert e.published is None or e.published.utcoffset().total_seconds() == 0
    assert isinstance(e.text, str) and "<p>" not in e.text
    assert e.title is None or "\n" not in e.title
    assert e.image is None or e.image.startswith("https://")


def test_opml_fixture():
    path = FIXTURES / "opml_nested.opml"
    outlines = parse_opml(path.read_bytes())
    assert all(isinstance(o, OpmlOutline) for o in outlines)
    for k, v in _directives(path):
        if k == "Expect":
            assert eval(v, {}, {"outlines": outlines}), v


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "^empty OPML file$"),
        (b"<opml><body><outline", "^malformed OPML at line 1$"),
        (b'<?xml version="1.0"?><rss version="2.0"></rss>', "^not an OPML file$"),
        (b"<opml><head/></opml>", "^OPML file has no body$"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><opml><body/></opml>', "entity"),
    ],
)
def test_opml_errors(data: bytes, reason: str):
    with pytest.raises(FeedError, match=reason):
        parse_opml(data)


def test_opml_deep_nesting_does_not_recurse():
    depth = 5000
    data = (
        b"<opml><body>"
        + b'<outline text="f">' * depth
        + b'<outline text="Deep" xmlUrl="https://deep.example.com/rss"/>'
        + b"</outline>" * depth
        + b"</body></opml>"
    )
    [only] = parse_opml(data)
    assert only.name == "Deep" and only.tags == ("f",)


def test_feed_error_pickles():
    import pickle

    err = pickle.loads(pickle.dumps(FeedError("not a feed (got HTML)")))
    assert err.reason == "not a feed (got HTML)"


def test_teaser_rule():
    def rss(desc: str, content: str = "") -> bytes:
        enc = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
        return (
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>t</title><item><title>x</title><link>https://e.com/1</link>"
            f"<description><![CDATA[{desc}]]></description>{enc}</item></channel></rss>"
        ).encode()

    long = "word " * 150
    assert parse_feed(rss("short"), url="https://e.com/").entries[0].is_teaser
    assert not parse_feed(rss(long), url="https://e.com/").entries[0].is_teaser
    assert parse_feed(rss(long + " Read more"), url="https://e.com/").entries[0].is_teaser
    assert parse_feed(rss(long + "[…]"), url="https://e.com/").entries[0].is_teaser
    full = parse_feed(rss("short", f"<p>{long}</p>"), url="https://e.com/").entries[0]
    assert not full.is_teaser and full.text.startswith("word word")


def test_huge_feed_with_many_entries_parses():
    items = "".join(
        f"<item><title>T{i}</title><link>https://e.com/{i}</link>"
        f"<description>Body {i}</description></item>"
        for i in range(2000)
    )
    body = f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    feed = parse_feed(body, url="https://e.com/")
    assert len(feed.entries) == 2000 and feed.entries[-1].url == "https://e.com/1999"


def test_deeply_nested_elements_are_refused_quickly():
    body = (
        b'<rss version="2.0"><channel><title>Deep</title><item><title>x</title><description>'
        + b"<x>" * 100_000
        + b"</x>" * 100_000
        + b"</description></item></channel></rss>"
    )
    start = time.monotonic()
    with pytest.raises(FeedError, match="^feed is nested too deeply$"):
        parse_feed(body, url="https://e.com/")
    assert time.monotonic() - start < 1  # feedparser alone would take seconds


def test_deeply_nested_html_in_a_description():
    nested = "&lt;div&gt;" * 20_000 + "deep text" + "&lt;/div&gt;" * 20_000
    body = (
        '<rss version="2.0"><channel><title>t</title><item><title>x</title>'
        f"<link>https://e.com/1</link><description>{nested}</description></item></channel></rss>"
    ).encode()
    entry = parse_feed(body, url="https://e.com/").entries[0]
    assert "deep text" in entry.text


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    async with LocalServer() as srv:
        yield srv


async def test_fetch_and_parse_every_fixture_over_http(server: LocalServer):
    """Serve each fixture gzip-compressed with its Content-Type, fetch it, parse it."""
    async with Fetcher(allow_private=True, timeout=2) as f:
        for path in _feed_fixtures():
            d = _directives(path)
            ctype = _one(d, "Content-Type") or "application/xml"
            url = server.add("/" + path.name, compressed(path.read_bytes(), content_type=ctype))
            resp = await f.get(url)
            assert resp.body == path.read_bytes()
            served = resp.headers["Content-Type"]
            if _one(d, "Error"):
                with pytest.raises(FeedError):
                    parse_feed(resp.body, url=resp.url, content_type=served)
            else:
                feed = parse_feed(resp.body, url=resp.url, content_type=served)
                for e in feed.entries:
                    _check_entry_invariants(e)


async def test_relative_links_resolve_against_final_url(server: LocalServer):
    body = (
        b'<rss version="2.0"><channel><title>t</title><link>/home</link>'
        b"<item><title>x</title><link>stories/1</link></item></channel></rss>"
    )
    url = server.route("/feeds/main.xml", body=body, content_type="application/rss+xml")
    async with Fetcher(allow_private=True) as f:
        resp = await f.get(url)
    feed = parse_feed(resp.body, url=resp.url, content_type=resp.content_type)
    assert feed.link == server.url("/home")
    assert feed.entries[0].url == server.url("/feeds/stories/1")


def test_html_served_as_rss_content_type_is_still_refused():
    body = b"<!-- generated --><!DOCTYPE html><html><body><p>hi</p></body></html>"
    with pytest.raises(FeedError, match=r"^not a feed \(got HTML\)$"):
        parse_feed(body, url="https://e.com/", content_type="application/rss+xml")


@pytest.mark.parametrize(
    ("body", "ctype", "reason"),
    [
        (b"\x1f\x8b\x08\x00junk", None, "gzip-compressed"),
        (b"%PDF-1.7 ...", None, "PDF"),
        (b"<rss>", "image/png", "image/png"),
        (b"   \n\t ", None, "^empty response$"),
        (b"{not json", "application/json", "^malformed JSON"),
        (b"[1, 2, 3]", "application/feed+json", "not a JSON Feed"),
        (b"just some words", "text/plain", "^not a feed"),
    ],
)
def test_unusable_bodies(body: bytes, ctype: str | None, reason: str):
    with pytest.raises(FeedError, match=reason):
        parse_feed(body, url="https://e.com/", content_type=ctype)


def _rss_item(link: str, title: str = "x") -> bytes:
    return (
        f'<rss version="2.0"><channel><title>t</title><item><title>{title}</title>'
        f"<link>{link}</link><description>d</description></item></channel></rss>"
    ).encode()


def test_local_file_feed_may_link_local_pages_but_remote_feeds_may_not():
    demo = parse_feed(_rss_item("pages/story1.html"), url="file:///opt/newsbrief/demo/world.xml")
    assert demo.entries[0].url == "file:///opt/newsbrief/demo/pages/story1.html"
    remote = parse_feed(_rss_item("file:///etc/passwd"), url="https://evil.example.com/rss")
    assert remote.entries[0].url is None
    js = parse_feed(_rss_item("javascript:alert(1)"), url="https://e.com/rss")
    assert js.entries[0].url is None


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("a/1", "https://e.com/news/a/1"),
        ("/top", "https://e.com/top"),
        ("../up", "https://e.com/up"),
        ("//cdn.e.org/x", "https://cdn.e.org/x"),
        ("?page=2", "https://e.com/news/feed.rss?page=2"),
        ("http:///e.net/x", "http://e.net/x"),
    ],
)
def test_relative_links_resolve_against_the_feed_url(link: str, expected: str):
    # Without xml:base feedparser gets no base (it would join URLs at every element) and the
    # link is made absolute by _http_url: the same result as feedparser's resolution.
    feed = parse_feed(_rss_item(link), url="https://e.com/news/feed.rss")
    assert feed.entries[0].url == expected


def test_relative_xml_base_resolves_against_the_feed_url():
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/"><title>t</title>'
        b'<entry xml:base="2026/"><title>x</title><link href="post"/><id>1</id>'
        b"<summary>s</summary></entry></feed>"
    )
    feed = parse_feed(atom, url="https://e.com/feeds/atom.xml")
    assert feed.entries[0].url == "https://e.com/blog/2026/post"


def test_double_escaped_title_is_unescaped_once():
    feed = parse_feed(_rss_item("https://e.com/1", "Tom &amp;amp; Jerry &amp;#8217;s"), url="x:")
    assert feed.entries[0].title == "Tom & Jerry \u2019s"


# --------------------------------------------------------------------------- fuzzing

_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80
)


@_FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_parse_feed_bytes(body: bytes):
    try:
        feed = parse_feed(body, url="https://fuzz.example.com/feed")
    except FeedError as exc:
        assert exc.reason
    else:
        for e in feed.entries:
            _check_entry_invariants(e)


@_FUZZ
@given(
    st.lists(
        st.fixed_dictionaries(
            {"title": _xml_text, "link": _xml_text, "desc": _xml_text, "date": _xml_text}
        ),
        max_size=5,
    ),
    st.sampled_from(["utf-8", "iso-8859-1", "windows-1252", "utf-16"]),
)
def test_fuzz_rss_fields(items: list[dict[str, str]], encoding: str):
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    parts = "".join(
        f"<item><title>{esc(i['title'])}</title><link>{esc(i['link'])}</link>"
        f"<description>{esc(i['desc'])}</description><pubDate>{esc(i['date'])}</pubDate></item>"
        for i in items
    )
    doc = f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
    doc += f"<title>t</title>{parts}</channel></rss>"
    body = doc.encode(encoding, "replace")
    try:
        feed = parse_feed(body, url="https://fuzz.example.com/feed")
    except FeedError:
        return
    for e in feed.entries:
        _check_entry_invariants(e)


_json_scalars = st.none() | st.booleans() | st.integers() | st.text()


@_FUZZ
@given(
    st.recursive(
        st.dictionaries(
            st.text(max_size=10), st.none() | st.booleans() | st.integers() | st.text()
        ),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner),
        max_leaves=20,
    ),
    st.sampled_from(["https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1"]),
)
def test_fuzz_json_feed(extra: object, version: str):
    import json

    doc = {"version": version, "title": "t", "items": [extra, {"id": 1, "extra": extra}]}
    if isinstance(extra, dict):
        doc["items"].append({**extra, "id": "x"})
    try:
        feed = parse_feed(json.dumps(doc).encode(), url="https://fuzz.example.com/feed.json")
    except FeedError:
        return
    for e in feed.entries:
        _check_entry_invariants(e)


@_FUZZ
@given(st.binary(max_size=1000))
def test_fuzz_parse_opml(data: bytes):
    try:
        outlines = parse_opml(b"<opml><body>" + data + b"</body></opml>")
    except FeedError:
        return
    assert all(o.url.startswith(("http://", "https://")) for o in outlines)


def test_text_is_the_fuller_of_content_and_summary():
    long = "A sentence of the story that is long enough. " * 12
    body = (
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>t</title><item><title>x</title><link>https://e.com/1</link>"
        f"<description>{long}</description>"
        "<content:encoded><![CDATA[<p>Read more</p>]]></content:encoded></item></channel></rss>"
    ).encode()
    entry = parse_feed(body, url="https://e.com/").entries[0]
    assert entry.text == long.strip() and not entry.is_teaser


def test_fast_cp1252_table_translates_exactly_like_feedparsers_dict():
    import feedparser.html
    import feedparser.mixin

    import bot.feeds  # noqa: F401 - installs the table

    assert isinstance(feedparser.mixin._cp1252, list)  # the speed-up is in place
    every = "".join(map(chr, range(0x110000)))
    assert every.translate(feedparser.mixin._cp1252) == every.translate(feedparser.html._cp1252)
    feed = parse_feed(
        _rss_item("https://e.com/1", "caf\u00e9 \u0093quoted\u0094 \u201cok\u201d \U0001f600"),
        url="https://e.com/rss",
    )
    assert feed.entries[0].title == "caf\u00e9 \u201cquoted\u201d \u201cok\u201d \U0001f600"
