"""Block Kit rendering: layout, Slack's limits, splitting, and mrkdwn safety (no network)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fakes.slack_server import validate_blocks

from bot.models import Digest, DigestItem, Quote, Reply, Source
from bot.platforms.slack_render import (
    MAX_BLOCKS,
    ZWJ,
    escape_mrkdwn,
    format_time,
    link,
    render_digest,
    render_reply,
    safe_url,
    without_images,
)

WHEN = datetime(2026, 11, 28, 8, 14, tzinfo=UTC)


def make_item(number: int, **overrides: object) -> DigestItem:
    values: dict[str, object] = {
        "number": number,
        "article_id": 100 + number,
        "title": f"Story {number}",
        "url": f"https://example.com/story/{number}",
        "source": "Reuters",
        "published": WHEN,
        "summary": ("The council voted on Tuesday.", "The measure passed 7 to 2."),
        "quotes": (Quote("We will keep going", speaker="Jane Burns", speaker_title="mayor"),),
        "also_covered_by": (Source("AP", f"https://ap.example/{number}"),),
    }
    values.update(overrides)
    return DigestItem(**values)  # type: ignore[arg-type]


def make_digest(count: int, **overrides: object) -> Digest:
    return Digest(
        channel="news",
        title="Morning brief",
        created=WHEN,
        timezone="Europe/Berlin",
        items=tuple(make_item(n, **overrides) for n in range(1, count + 1)),
        id=7,
    )


def digest_of(*items: DigestItem) -> Digest:
    return Digest("news", "Morning brief", WHEN, "Europe/Berlin", items, id=7)


def all_text(blocks: list[dict]) -> str:
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [e.get("text", "") for e in block.get("elements", ())]
    return "\n".join(parts)


def test_digest_layout() -> None:
    [message] = render_digest(make_digest(2))
    assert validate_blocks(message.blocks) is None
    assert message.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Morning brief", "emoji": True},
    }
    section = message.blocks[1]["text"]["text"]
    assert section.splitlines()[0] == "*1. <https://example.com/story/1|Story 1>*"
    assert "Reuters \u00b7 28 Nov 09:14 CET" in section
    assert "The council voted on Tuesday. The measure passed 7 to 2." in section
    assert "\n>\u201cWe will keep going\u201d \u2014 *Jane Burns*, mayor" in section
    assert message.blocks[2]["elements"][0]["text"] == (
        "Also covered by: <https://ap.example/1|AP>"
    )
    assert message.blocks[3] == {"type": "divider"}
    assert [i.number for i in message.items] == [1, 2]
    assert message.text.startswith("Morning brief\n1. Story 1 (Reuters)")


def test_time_is_shown_in_the_channel_zone() -> None:
    assert format_time(WHEN, "Europe/Berlin") == "28 Nov 09:14 CET"
    assert format_time(WHEN, "America/New_York") == "28 Nov 03:14 EST"
    assert format_time(WHEN, "Not/AZone") == "28 Nov 08:14 UTC"


def test_long_digest_is_split_without_cutting_items() -> None:
    messages = render_digest(make_digest(30))
    assert len(messages) >= 2
    numbers = [item.number for m in messages for item in m.items]
    assert numbers == list(range(1, 31))
    for index, message in enumerate(messages, start=1):
        assert validate_blocks(message.blocks) is None
        assert len(message.blocks) <= MAX_BLOCKS
        assert message.blocks[0]["type"] == "header"
        if index > 1:
            assert message.blocks[0]["text"]["text"] == f"Morning brief ({index}/{len(messages)})"
        # every item's own section is in the message that records it
        text = all_text(message.blocks)
        for item in message.items:
            assert f"*{item.number}. <" in text
        assert len(message.text) <= 3000


def test_over_long_fields_are_truncated_with_an_ellipsis() -> None:
    item = make_item(
        1,
        title="T" * 5000,
        summary=("word " * 2000,),
        quotes=(Quote("q" * 5000, speaker="S" * 300),),
        also_covered_by=tuple(Source(f"Outlet {n}", f"https://o{n}.example/x") for n in range(400)),
    )
    digest = Digest("news", "H" * 400, WHEN, "UTC", (item,))
    [message] = render_digest(digest)
    assert validate_blocks(message.blocks) is None
    assert message.blocks[0]["text"]["text"].endswith("\u2026")
    section = message.blocks[1]["text"]["text"]
    assert len(section) <= 3000 and "\u2026" in section
    also = message.blocks[2]["elements"][0]["text"]
    assert len(also) <= 3000 and re.search(r" and \d+ more$", also)
    # only whole links: every `<` is closed
    assert also.count("<") == also.count(">")


def test_many_huge_items_still_fit_per_message() -> None:
    messages = render_digest(make_digest(12, summary=("x" * 5000,)))
    assert [i.number for m in messages for i in m.items] == list(range(1, 13))
    for message in messages:
        assert validate_blocks(message.blocks) is None
        assert sum(len(t) for t in all_text(message.blocks).splitlines()) <= 12500


HOSTILE = "<!channel> <!here> <!everyone> <@U123> <!subteam^S1|team> @here @channel @everyone & co"


def test_feed_text_cannot_mention_anyone() -> None:
    item = make_item(
        1,
        title=HOSTILE,
        source=HOSTILE,
        summary=(HOSTILE,),
        quotes=(Quote(HOSTILE, speaker=HOSTILE, speaker_title=HOSTILE),),
        also_covered_by=(Source(HOSTILE, "https://x.example/a"),),
    )
    digest = Digest("news", HOSTILE, WHEN, "UTC", (item,))
    for message in render_digest(digest):
        for text in (all_text(message.blocks), message.text):
            assert "<!" not in text and "<@" not in text
            assert not re.search(r"@(here|channel|everyone)", text)
            assert "&lt;!channel&gt;" in text
            assert f"@{ZWJ}here" in text
            assert "&amp; co" in text


def test_escape_mrkdwn() -> None:
    assert escape_mrkdwn("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert escape_mrkdwn("mail me@here.com") == "mail me@here.com"
    assert escape_mrkdwn("@Here now") == f"@{ZWJ}Here now"
    assert escape_mrkdwn("(@channel)") == f"(@{ZWJ}channel)"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x?a=1&b=2", "https://a.example/x?a=1&amp;b=2"),
        ("https://a.example/x|<!channel>", "https://a.example/x%7C%3C!channel%3E"),
        ("https://a.example/a b", "https://a.example/a%20b"),
        ("javascript:alert(1)", None),
        ("ftp://a.example/", None),
        ("not a url", None),
    ],
)
def test_safe_url(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_link_cannot_break_out() -> None:
    text = link("https://a.example/x|evil>", "Title > with | bar <!here>")
    assert text == "<https://a.example/x%7Cevil%3E|Title &gt; with | bar &lt;!here&gt;>"
    # the URL part ends at the first `|`, the link at the only `>`
    assert text.count(">") == 1
    assert link("javascript:alert(1)", "T <x>") == "T &lt;x&gt;"


def test_reply_rendering() -> None:
    reply = Reply(
        text="Council votes",
        title="Council votes <now>",
        url="https://a.example/1",
        sentences=("One.", "Two."),
        quotes=(Quote("Yes", speaker="Burns"),),
        sources=(Source("AP", "https://ap.example/1"),),
    )
    [message] = render_reply(reply)
    assert validate_blocks(message.blocks) is None
    texts = [b.get("text", {}).get("text") for b in message.blocks]
    assert texts[0] == "*<https://a.example/1|Council votes &lt;now&gt;>*"
    assert texts[1] == "One. Two."
    assert texts[2] == ">\u201cYes\u201d \u2014 *Burns*"
    assert message.blocks[3]["elements"][0]["text"] == "Sources: <https://ap.example/1|AP>"


def test_plain_and_error_replies() -> None:
    [message] = render_reply(Reply(text="No such feed: <x>", error=True))
    assert message.blocks[0]["text"]["text"] == ":warning: No such feed: &lt;x&gt;"
    [long] = render_reply(Reply(text="word & " * 2000))
    assert validate_blocks(long.blocks) is None
    assert len(long.blocks) >= 4
    assert all(not b["text"]["text"].endswith("&am") for b in long.blocks)


def test_reply_with_a_digest_renders_the_digest() -> None:
    messages = render_reply(Reply(text="digest", digest=make_digest(3)))
    assert messages[0].blocks[0]["type"] == "header"
    assert [i.number for i in messages[0].items] == [1, 2, 3]


def test_empty_digest() -> None:
    [message] = render_digest(make_digest(0))
    assert validate_blocks(message.blocks) is None
    assert message.items == ()


def test_quote_without_speaker_and_multiline_fields() -> None:
    item = make_item(
        1,
        title="Line one\nline two",
        source="Wire\nService",
        quotes=(Quote("First line\nsecond line"),),
    )
    [message] = render_digest(Digest("news", "Brief\nof the day", WHEN, "UTC", (item,)))
    assert message.blocks[0]["text"]["text"] == "Brief of the day"
    lines = message.blocks[1]["text"]["text"].splitlines()
    assert lines[0] == "*1. <https://example.com/story/1|Line one line two>*"
    assert lines[1].startswith("Wire Service \u00b7 ")
    assert lines[-2:] == [">\u201cFirst line", ">second line\u201d"]


# -- story pictures ------------------------------------------------------------------------------
def test_the_stories_picture_is_the_sections_image_accessory() -> None:
    item = make_item(1, image="https://img.example/bridge.jpg", title="<!here> Bridge & co")
    [message] = render_digest(digest_of(item))
    section = next(b for b in message.blocks if b["type"] == "section")
    accessory = section["accessory"]
    assert accessory["type"] == "image"
    assert accessory["image_url"] == "https://img.example/bridge.jpg"
    # the alt text is plain text and cannot mention anyone
    assert accessory["alt_text"].endswith("Bridge & co") and "<!here>" not in accessory["alt_text"]
    assert validate_blocks(message.blocks) is None


@pytest.mark.parametrize(
    "image",
    [
        None,
        "http://img.example/bridge.jpg",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "https://img.example/" + "x" * 3000,
    ],
)
def test_only_https_pictures_of_a_sane_length_are_shown(image: str | None) -> None:
    [message] = render_digest(digest_of(make_item(1, image=image)))
    assert all("accessory" not in b for b in message.blocks)


def test_without_images_takes_the_pictures_off_and_keeps_the_rest() -> None:
    digest = digest_of(make_item(1, image="https://img.example/a.jpg"), make_item(2))
    [message] = render_digest(digest)
    plain = without_images(message)
    assert plain is not None and plain.items == message.items and plain.text == message.text
    assert all("accessory" not in b for b in plain.blocks)
    assert len(plain.blocks) == len(message.blocks)
    assert without_images(plain) is None


@pytest.mark.parametrize(
    ("accessory", "problem"),
    [
        ({"type": "image", "image_url": "https://i.example/a.jpg"}, "alt_text"),
        ({"type": "image", "alt_text": "a"}, "image_url"),
        ({"type": "image", "image_url": "ftp://i.example/a.jpg", "alt_text": "a"}, "http(s)"),
        ({"type": "image", "image_url": "https://i.example/a", "alt_text": "a" * 2001}, "alt_text"),
        ({"type": "button"}, "unexpected accessory"),
    ],
)
def test_the_fake_refuses_an_image_accessory_slack_would_refuse(
    accessory: dict, problem: str
) -> None:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "accessory": accessory}
    assert problem in (validate_blocks([block]) or "")


@pytest.mark.parametrize(
    "name,title,shown",
    [
        ("Brian Schatz", "Sen.", "*Sen. Brian Schatz*"),  # as the article wrote it
        ("Priya Raman", "Dr.", "*Dr. Priya Raman*"),
        ("Bob Casey", "Sen., a Clinton backer", "*Sen. Bob Casey*, a Clinton backer"),
        ("Ann Lee", "the mayor of Springfield", "*Ann Lee*, the mayor of Springfield"),
        ("Donald Trump", "President", "*Donald Trump*, President"),
        ("Jane Roe", "U.S.", "*Jane Roe*, U.S."),  # not a title before a name
    ],
)
def test_an_abbreviated_title_reads_before_the_name(name: str, title: str, shown: str) -> None:
    [message] = render_digest(digest_of(make_item(1, quotes=(Quote("Yes", name, title),))))
    assert f"\u201cYes\u201d \u2014 {shown}" in all_text(message.blocks)
