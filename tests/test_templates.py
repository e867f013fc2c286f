"""Per-channel item templates: checked at load time, rendered safely on every platform."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.discord_server import message_limit_errors
from fakes.slack_server import validate_blocks
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, parse_settings
from bot.models import Digest, DigestItem, Quote, Source
from bot.platforms import console, discord_render, slack_render
from bot.templates import TemplateError, Value, parse_template, raw_values, render

WHEN = datetime(2026, 11, 28, 8, 14, tzinfo=UTC)
TEMPLATE = "{summary}\n> “{quote}” — {speaker}\n_{source} · {time}_ · {link}"
HOSTILE = "<!channel> <!here> <@U0123> <!subteam^S1|team> @everyone @here <@&1234567890123456789>"


def item(**changes: object) -> DigestItem:
    values: dict[str, object] = {
        "number": 3,
        "article_id": 30,
        "title": "Harbour bridge to be replaced",
        "url": "https://news.example/bridge",
        "source": "Port Courier",
        "published": WHEN,
        "summary": ("The authority voted on Tuesday.", "The span opens in 2029."),
        "quotes": (Quote("It is time to stop", "Ines Calloway", "harbour master"),),
        "also_covered_by": (Source("Daily Planet", "https://planet.example/b"),),
    }
    values.update(changes)
    return DigestItem(**values)  # type: ignore[arg-type]


def digest(*items: DigestItem, template: str | None = TEMPLATE) -> Digest:
    return Digest(
        "news", "Morning brief", WHEN, "Europe/Berlin", items, id=1, item_template=template
    )


def slack_text(d: Digest) -> str:
    [message] = slack_render.render_digest(d)
    assert validate_blocks(message.blocks) is None
    return message.blocks[1]["text"]["text"]


def discord_description(d: Digest) -> str:
    [out] = discord_render.digest_messages(d)
    data = {"content": out.content, "embeds": [e.to_dict() for e in out.embeds]}
    assert message_limit_errors(data) is None
    return out.embeds[0].description or ""


# -- checking a template -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{titel}", "unknown placeholder {titel} (expected {title}, {link}, {summary}"),
        ("{title.__class__}", "unknown placeholder {title.__class__}"),
        ("{summary:>30}", "unknown placeholder {summary:>30}"),
        ("{summary!r}", "unknown placeholder {summary!r}"),
        ("{0}", "unknown placeholder {0}"),
        ("{summary", "expected '}'"),
        ("}{summary}", "Single '}'"),
        ("Read it: <{link}|here>", "'<' is not allowed"),
        ("@here {summary}", "must not mention anyone ('@here')"),
        ("plain words only", "expected at least one placeholder"),
        ("{summary}" + "x" * 1000, "expected at most 1000 characters"),
    ],
)
def test_a_bad_template_is_refused_with_the_reason(template: str, problem: str) -> None:
    with pytest.raises(TemplateError) as raised:
        parse_template(template)
    assert problem in str(raised.value)


def test_a_bad_template_is_a_config_error_naming_its_key(tmp_path: Path) -> None:
    data = {
        "feeds": [{"name": "World", "url": "https://e.org/w.rss"}],
        "channels": [{"name": "a"}, {"name": "b", "item_template": "{summary} {sorce}"}],
    }
    with pytest.raises(ConfigError) as raised:
        parse_settings(data, base_dir=tmp_path)
    assert str(raised.value).startswith("channels[1].item_template: unknown placeholder {sorce}")
    data["channels"][1]["item_template"] = "{{literal}} {summary}"
    settings = parse_settings(data, base_dir=tmp_path)
    assert settings.channels[1].item_template == "{{literal}} {summary}"


# -- rendering -----------------------------------------------------------------------------------
def test_lines_whose_values_are_missing_are_left_out() -> None:
    values = {"summary": Value("Summary."), "quote": Value("Words"), "speaker": None}
    template = parse_template("{summary}\n“{quote}” — {speaker}\nEnd {quote}")
    assert render(template, values, limit=100, cut=lambda t, n: t[:n]) == "Summary.\nEnd Words"


def test_the_longest_value_is_cut_and_links_are_never_cut() -> None:
    values = {
        "summary": Value("s" * 500),
        "quote": Value("Keep these words"),
        "link": Value("<https://e.org/x>", cuttable=False),
    }
    template = parse_template("{summary}\n> {quote}\n{link}")
    text = render(template, values, limit=200, cut=lambda t, n: t[: n - 1] + "…")
    assert len(text) <= 200
    assert text.endswith("> Keep these words\n<https://e.org/x>")
    assert text.startswith("sss") and "…" in text


def test_a_link_that_does_not_fit_is_left_out_whole() -> None:
    values = {"quote": Value("q" * 40), "link": Value("<https://e.org/" + "x" * 60 + ">", False)}
    text = render(parse_template("{quote} {link}"), values, limit=60, cut=lambda t, n: t[:n])
    assert text == "q" * 40


def test_an_at_sign_before_a_value_cannot_spell_a_mention() -> None:
    values = {"source": Value("here"), "summary": Value("everyone")}
    text = render(parse_template("@{source} @{summary}"), values, limit=99, cut=lambda t, n: t)
    assert "@here" not in text and "@everyone" not in text


def test_slack_item_with_a_template() -> None:
    text = slack_text(digest(item()))
    assert text.splitlines() == [
        "*3. <https://news.example/bridge|Harbour bridge to be replaced>*",
        "The authority voted on Tuesday. The span opens in 2029.",
        "> “It is time to stop” — Ines Calloway, harbour master",
        "_Port Courier · 28 Nov 09:14 CET_ · <https://news.example/bridge>",
    ]


def test_discord_item_with_a_template() -> None:
    [out] = discord_render.digest_messages(digest(item()))
    embed = out.embeds[0]
    assert embed.title == "3. Harbour bridge to be replaced" and embed.url.endswith("/bridge")
    assert (embed.description or "").splitlines() == [
        "The authority voted on Tuesday. The span opens in 2029.",
        "> “It is time to stop” — Ines Calloway, harbour master",
        "_Port Courier · 28 Nov 09:14 CET_ · https://news.example/bridge",
    ]


def test_console_item_with_a_template() -> None:
    text = console.render_digest(digest(item(quotes=())))
    assert (
        "3. Harbour bridge to be replaced\n"
        "   The authority voted on Tuesday. The span opens in 2029.\n"
        "   _Port Courier · 28 Nov 09:14 CET_ · https://news.example/bridge\n"
        "   Also covered by: Daily Planet"
    ) in text


def test_no_feed_value_can_mention_anyone_or_make_a_link() -> None:
    hostile = item(
        title=HOSTILE,
        source=HOSTILE,
        summary=(HOSTILE, "[click](https://evil.example)"),
        quotes=(Quote(HOSTILE, HOSTILE, HOSTILE),),
        url="javascript:alert(1)",
    )
    template = "*{title}* {summary}\n{quote} — {speaker} · {source}\n{link}"
    slack = slack_text(digest(hostile, template=template))
    assert slack.count("!channel") == 7  # headline + every value (speaker twice), escaped
    assert not re.search(r"<[!@#]", slack) and not re.search(r"(?<![\w.])@(here|everyone)", slack)
    assert "javascript" not in slack
    discord = discord_description(digest(hostile, template=template))
    assert not re.search(r"@(everyone|here|&?\d{17,20})", discord)
    assert discord.count("!channel") == 6
    assert "\\[click](" in discord and "javascript" not in discord  # an escaped bracket: no link


def test_a_huge_story_still_fits_each_platform() -> None:
    huge = item(
        title="T" * 500,
        summary=("word " * 2000,),
        quotes=(Quote("q" * 5000, "S" * 500, "t" * 500),),
        source="s" * 500,
    )
    template = "{title}\n{summary}\n> “{quote}” — {speaker}\n{source} · {time} · {link}\n{summary}"
    slack = slack_text(digest(huge, template=template))
    assert len(slack) <= slack_render.MAX_SECTION_TEXT and slack.rstrip().endswith("…")
    assert "<https://news.example/bridge>" in slack
    messages = discord_render.digest_messages(digest(*(huge,) * 3, template=template))
    assert sum(len(out.embeds) for out in messages) == 3
    for out in messages:
        data = {"content": out.content, "embeds": [e.to_dict() for e in out.embeds]}
        assert message_limit_errors(data) is None
        assert all("“q" in (e.description or "") for e in out.embeds)


templates = st.lists(
    st.sampled_from(
        ["{title}", "{link}", "{summary}", "{quote}", "{speaker}", "{source}", "{time}"]
        + ["*", "_", "> ", "\n", " · ", "@", "&", ">", "[", "](", ")", "`", "\\", "~~", "||"]
    ),
    min_size=1,
    max_size=14,
).map("".join)
texts = st.text(max_size=1500) | st.sampled_from([HOSTILE, "here", "everyone", "@", "&amp;"])


@settings(max_examples=80, deadline=None)
@given(
    template=templates,
    title=texts,
    summary=st.lists(texts, max_size=3),
    quote=texts,
    speaker=st.none() | texts,
    source=texts,
    url=st.sampled_from(["https://n.example/a", "https://n.example/(x)[y]", "not a url", ""]),
)
def test_any_template_and_any_values_stay_within_limits_and_mention_no_one(
    template: str,
    title: str,
    summary: list[str],
    quote: str,
    speaker: str | None,
    source: str,
    url: str,
) -> None:
    try:
        parse_template(template)
    except TemplateError:
        return
    story = item(
        title=title,
        summary=tuple(summary),
        quotes=(Quote(quote, speaker),),
        source=source,
        url=url,
    )
    d = digest(story, story, template=template)
    for message in slack_render.render_digest(d):
        assert validate_blocks(message.blocks) is None
        for block in message.blocks[1:]:
            text = block.get("text", {}).get("text", "")
            assert not re.search(r"<[!@#]", text)
            assert not re.search(r"(?<![\w.])@(here|everyone|channel)\b", text)
    for out in discord_render.digest_messages(d):
        data = {"content": out.content, "embeds": [e.to_dict() for e in out.embeds]}
        assert message_limit_errors(data) is None
        for embed in out.embeds:
            assert not re.search(r"@(everyone|here)\b", embed.description or "")


def test_the_speaker_placeholder_puts_an_abbreviated_title_first() -> None:
    senator = item(quotes=(Quote("It is time", "Brian Schatz", "Sen."),))
    assert raw_values(senator, "UTC")["speaker"] == "Sen. Brian Schatz"
    assert raw_values(item(), "UTC")["speaker"] == "Ines Calloway, harbour master"
