"""Property-based tests: hostile or random input never raises anything but the documented
errors, quote offsets always hold, summaries are always sentences of the input."""

from __future__ import annotations

import contextlib
import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import summarizers
from bot.config import ConfigError, parse_settings
from bot.extract import ExtractError, extract_article, html_to_text
from bot.feeds import FeedError, parse_feed, parse_opml
from summarizers.text import clean_article_text, split_sentences

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Text that looks like news: words, punctuation, quote marks of every kind, abbreviations.
NEWS_ALPHABET = st.sampled_from(
    list("abcdefghij ABCDEFG .,;:!?'\"“”„«»‘’-—()$%0123456789\n")
    + [
        "Mr. ",
        "U.S. ",
        "Dr. ",
        " said ",
        " says ",
        "\n\n",
        "$10.9bn",
        "3.5%",
        " according to ",
        "Burns",
        "Nicholas ",
        " told ",
        " he ",
        " she ",
        "Updated on 2 May 2024",
        "By Jane Doe",
    ]
)
news_text = st.lists(NEWS_ALPHABET, max_size=300).map("".join)
any_text = st.one_of(news_text, st.text(max_size=400))


@FAST
@given(any_text)
def test_quote_offsets_always_match_the_text(text: str) -> None:
    for quote in summarizers.extract_quotes(text):
        assert text[quote.start : quote.end] == quote.text
        assert quote.text.strip()


@FAST
@given(any_text, st.integers(min_value=1, max_value=5))
def test_summary_sentences_are_sentences_of_the_input(text: str, count: int) -> None:
    summary = summarizers.summarize(text, sentences=count)
    assert len(summary.sentences) <= count
    for sentence in summary.sentences:
        assert sentence in text


@FAST
@given(news_text, st.sampled_from(["lead", None]))
def test_picked_sentences_hold_their_quotations_whole_and_do_not_end_open(
    text: str, method: str | None
) -> None:
    for sentence in summarizers.summarize(text, sentences=20, method=method).sentences:
        assert sum(sentence.count(mark) for mark in '"“”„«»') % 2 == 0, sentence
        assert sentence.rstrip("\"'”’»)")[-1:] not in {",", ":", ";", "-", "—"}, sentence
        assert not sentence.startswith(("- ", "— ")), sentence


@FAST
@given(any_text, st.integers(min_value=20, max_value=400))
def test_max_chars_is_never_exceeded(text: str, budget: int) -> None:
    summary = summarizers.summarize(text, sentences=3, max_chars=budget)
    assert sum(len(s) for s in summary.sentences) + max(len(summary.sentences) - 1, 0) <= budget


@FAST
@given(any_text)
def test_sentence_split_offsets_and_cleaning_never_raise(text: str) -> None:
    for sentence in split_sentences(text, "english"):
        assert text[sentence.start : sentence.end] == sentence.text
    cleaned = clean_article_text(text, title=text[:30] or None)
    assert isinstance(cleaned, str)


@FAST
@given(any_text)
def test_key_quotes_are_quotes_of_the_text(text: str) -> None:
    found = {(q.start, q.end) for q in summarizers.extract_quotes(text)}
    for quote in summarizers.key_quotes(text, k=2):
        assert (quote.start, quote.end) in found


XML_PIECES = st.sampled_from(
    [
        "<?xml version='1.0'?>",
        "<rss version='2.0'>",
        "<channel>",
        "<item>",
        "<title>",
        "</title>",
        "<link>http://x.example/a</link>",
        "<guid>g</guid>",
        "</item>",
        "</channel>",
        "</rss>",
        "<feed xmlns='http://www.w3.org/2005/Atom'>",
        "<entry>",
        "</entry>",
        "</feed>",
        "<description><![CDATA[<p>hi</p>]]></description>",
        "&amp;",
        "&bogus;",
        "<",
        ">",
        "\x00",
        "<pubDate>not a date</pubDate>",
        "<pubDate>Tue, 24 Nov 2099 09:00:00 GMT</pubDate>",
        '{"version": "https://jsonfeed.org/version/1.1", "items": [',
        "]}",
        "text",
        "\xff\xfe",
    ]
)
feed_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(XML_PIECES, max_size=40).map(lambda p: "".join(p).encode("utf-8", "surrogatepass")),
)


@FAST
@given(
    feed_bytes,
    st.sampled_from(
        [None, "application/rss+xml", "text/html", "application/feed+json", "image/png"]
    ),
)
def test_parse_feed_raises_only_feed_error(body: bytes, content_type: str | None) -> None:
    try:
        parsed = parse_feed(body, url="http://feeds.example/f.xml", content_type=content_type)
    except FeedError as exc:
        assert exc.reason
        return
    for entry in parsed.entries:
        assert entry.title is None or isinstance(entry.title, str)
        assert entry.published is None or entry.published.tzinfo is not None


@FAST
@given(feed_bytes)
def test_parse_opml_raises_only_feed_error(body: bytes) -> None:
    with contextlib.suppress(FeedError):
        parse_opml(body)


HTML_PIECES = st.sampled_from(
    [
        "<html>",
        "<body>",
        "<article>",
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<script>x()</script>",
        "<nav>menu</nav>",
        "The minister said the plan would work. ",
        '"We will win," she said. ',
        "<h1>Headline</h1>",
        "</body>",
        "</html>",
        "<",
        "&nbsp;",
        "\x00",
        "<table><tr><td>",
    ]
)


@FAST
@given(st.one_of(st.binary(max_size=200), st.lists(HTML_PIECES, max_size=60).map("".join)))
def test_extract_raises_only_extract_error(page: bytes | str) -> None:
    try:
        result = extract_article(page, url="http://news.example/a")
    except ExtractError as exc:
        assert exc.reason
        return
    assert result.text.strip()
    assert isinstance(html_to_text(page if isinstance(page, str) else ""), str)


toml_values = st.recursive(
    st.one_of(
        st.integers(-5, 100000),
        st.text(max_size=20),
        st.booleans(),
        st.floats(allow_nan=False, allow_infinity=False),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)
config_keys = st.sampled_from(
    [
        "name",
        "url",
        "poll_minutes",
        "tags",
        "full_text",
        "platform",
        "target",
        "feeds",
        "digest_cron",
        "timezone",
        "max_items",
        "include",
        "exclude",
        "path",
        "mode",
        "api_url",
    ]
)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(
            ["storage", "feeds", "channels", "slack", "discord", "fetch", "summary", "bogus"]
        ),
        st.one_of(
            toml_values,
            st.lists(st.dictionaries(config_keys, toml_values, max_size=6), max_size=3),
            st.dictionaries(config_keys, toml_values, max_size=5),
        ),
        max_size=5,
    )
)
def test_config_raises_only_config_error(data: dict) -> None:
    try:
        parse_settings(data, base_dir=Path("/tmp"))
    except ConfigError as exc:
        assert str(exc) and "\n" not in str(exc)


@FAST
@given(st.text(max_size=200))
def test_config_text_raises_only_config_error(text: str) -> None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    with contextlib.suppress(ConfigError):
        parse_settings(data, base_dir=Path("/tmp"))
