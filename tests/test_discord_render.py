"""Discord rendering (pure): embeds within Discord's limits, escaping, splitting, invite URL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import discord
import pytest
from fakes.discord_server import message_limit_errors
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Digest, DigestItem, Quote, Reply, Source
from bot.platforms.discord import normalize_api_url
from bot.platforms.discord_render import (
    BOT_PERMISSIONS,
    digest_messages,
    fit,
    fit_escaped,
    invite_url,
    message_nonce,
    reply_messages,
    safe_url,
    split_text,
    thread_name,
)

WHEN = datetime(2026, 11, 28, 8, 14, tzinfo=UTC)


def payload(out: Any) -> dict[str, Any]:
    return {"content": out.content, "embeds": [e.to_dict() for e in out.embeds]}


def make_digest(items: list[DigestItem], title: str = "Morning brief") -> Digest:
    return Digest(
        channel="news", title=title, created=WHEN, timezone="Europe/Berlin", items=tuple(items)
    )


def test_invite_url_has_exactly_the_needed_scopes_and_permissions() -> None:
    url = invite_url(1100000000000000001)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    query = parse_qs(parts.query)
    assert query["client_id"] == ["1100000000000000001"]
    assert query["scope"] == ["bot applications.commands"]
    needed = discord.Permissions(
        view_channel=True,
        send_messages=True,
        embed_links=True,
        create_public_threads=True,
        send_messages_in_threads=True,
        read_message_history=True,
    )
    assert int(query["permissions"][0]) == needed.value  # these six bits and no other
    assert discord.Permissions(**dict.fromkeys(BOT_PERMISSIONS, True)) == needed
    assert query["permissions"] == [str(1024 + 2048 + 16384 + 65536 + (1 << 35) + (1 << 38))]


def test_normalize_api_url() -> None:
    assert normalize_api_url(None) == "https://discord.com/api/v10"
    assert normalize_api_url("https://proxy.example/") == "https://proxy.example/api/v10"
    assert normalize_api_url("http://127.0.0.1:9/api/v10/") == "http://127.0.0.1:9/api/v10"


def test_fit_and_escaping() -> None:
    assert fit("short", 10) == "short"
    assert fit("x" * 20, 10) == "x" * 9 + "…"
    assert fit_escaped("*bold* and_more", 100) == r"\*bold\* and\_more"
    cut = fit_escaped("_" * 300, 256)
    assert len(cut) <= 256 and cut.endswith("…") and not cut.endswith("\\…")
    assert fit_escaped("see https://a.example/x_y_z", 100) == "see https://a.example/x_y_z"


def test_safe_url_only_links_http() -> None:
    assert safe_url("https://a.example/x") == "https://a.example/x"
    for bad in ("javascript:alert(1)", "ftp://a.example", "https:///x", "https://a b", None, ""):
        assert safe_url(bad) is None
    assert safe_url("https://a.example/" + "x" * 3000) is None


def test_thread_name_uses_the_channel_time_zone() -> None:
    late = Digest(
        channel="news",
        title="t",
        created=datetime(2026, 11, 28, 23, 30, tzinfo=UTC),
        timezone="Asia/Tokyo",
        items=(),
    )
    assert thread_name(late) == "Digest 29 Nov — follow-ups"
    assert thread_name(make_digest([])) == "Digest 28 Nov — follow-ups"


def test_nonce_is_stable_for_the_same_items_and_short() -> None:
    d = make_digest([])
    a = message_nonce("1", d, [])
    assert a == message_nonce("1", d, []) and len(a) <= 25
    assert a != message_nonce("2", d, [])


def test_split_text_never_exceeds_the_limit() -> None:
    text = ("word " * 900).strip() + "\n" + "x" * 2500
    pieces = split_text(text, 2000)
    assert all(len(p) <= 2000 for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_plain_long_reply_is_split_into_several_messages() -> None:
    messages = reply_messages(Reply(text="line of feed text\n" * 300))
    assert len(messages) == 3
    assert all(message_limit_errors(payload(m)) is None for m in messages)


def test_error_reply_is_plain_text() -> None:
    [out] = reply_messages(Reply(text="No such feed. Try /feeds list.", error=True, title="x"))
    assert out.content == "No such feed. Try /feeds list." and out.embeds == []


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000)
speakers = st.none() | st.text(max_size=300)
quotes = st.builds(Quote, texts, speakers, st.none() | st.text(max_size=80))
sources = st.builds(Source, st.text(max_size=120), st.just("https://o.example/a"))


images = st.sampled_from(
    [None, "https://i.example/a.jpg", "http://i.example/a.jpg", "javascript:x", "", "https://"]
) | st.text(max_size=40)


@st.composite
def digest_items(draw: st.DrawFn) -> list[DigestItem]:
    count = draw(st.integers(min_value=0, max_value=40))
    return [
        DigestItem(
            number=n,
            article_id=n,
            title=draw(st.text(max_size=400)),
            url=draw(st.sampled_from(["https://a.example/x", "not a url", ""])),
            source=draw(st.text(max_size=300)),
            published=WHEN,
            summary=tuple(draw(st.lists(texts, max_size=4))),
            quotes=tuple(draw(st.lists(quotes, max_size=2))),
            also_covered_by=tuple(draw(st.lists(sources, max_size=30))),
            image=draw(images),
        )
        for n in range(1, count + 1)
    ]


@settings(max_examples=60, deadline=None)
@given(items=digest_items(), title=st.text(max_size=2500))
def test_any_digest_splits_into_messages_discord_accepts(
    items: list[DigestItem], title: str
) -> None:
    messages = digest_messages(make_digest(items, title))
    carried = [i.number for m in messages for i in m.items]
    assert carried == [i.number for i in items]
    for out in messages:
        assert len(out.embeds) == len(out.items)
        if out.items:
            assert message_limit_errors(payload(out)) is None


@settings(max_examples=40, deadline=None)
@given(
    text=texts,
    title=st.none() | st.text(max_size=400),
    sentences=st.lists(texts, max_size=5),
    reply_quotes=st.lists(quotes, max_size=12),
    reply_sources=st.lists(sources, max_size=60),
)
def test_any_reply_renders_within_limits(
    text: str,
    title: str | None,
    sentences: list[str],
    reply_quotes: list[Quote],
    reply_sources: list[Source],
) -> None:
    reply = Reply(
        text=text,
        title=title,
        sentences=tuple(sentences),
        quotes=tuple(reply_quotes),
        sources=tuple(reply_sources),
    )
    for out in reply_messages(reply):
        assert message_limit_errors(payload(out)) is None


# -- story pictures ------------------------------------------------------------------------------
def picture_item(image: str | None) -> DigestItem:
    return DigestItem(1, 1, "Bridge", "https://n.example/1", "Courier", WHEN, ("S.",), image=image)


def test_the_stories_picture_is_the_embeds_thumbnail() -> None:
    [out] = digest_messages(make_digest([picture_item("https://img.example/bridge.jpg")]))
    data = payload(out)
    assert data["embeds"][0]["thumbnail"] == {"url": "https://img.example/bridge.jpg"}
    assert message_limit_errors(data) is None


@pytest.mark.parametrize(
    "image",
    [None, "http://img.example/a.jpg", "javascript:alert(1)", "https://i.example/" + "x" * 2100],
)
def test_only_https_pictures_of_a_sane_length_become_thumbnails(image: str | None) -> None:
    [out] = digest_messages(make_digest([picture_item(image)]))
    assert "thumbnail" not in payload(out)["embeds"][0]


@pytest.mark.parametrize(
    ("thumbnail", "code"),
    [
        ({"url": "javascript:alert(1)"}, "URL_TYPE_INVALID_URL"),
        ({"url": "https://i.example/" + "x" * 2048}, "BASE_TYPE_MAX_LENGTH"),
        ({}, "BASE_TYPE_REQUIRED"),
    ],
)
def test_the_fake_refuses_a_thumbnail_discord_would_refuse(thumbnail: dict, code: str) -> None:
    errors = message_limit_errors({"embeds": [{"title": "t", "thumbnail": thumbnail}]})
    assert code in str(errors)
