"""Config: TOML -> validated, immutable settings; one clear error per bad file; cron as cron."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import pytest

from bot import cli
from bot.config import (
    COMMANDS,
    ConfigError,
    Settings,
    _Reader,
    cron_trigger,
    load_settings,
    parse_settings,
    secret,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.toml"

GOOD = """
[storage]
path = "data/news.db"
retention_days = 10

[fetch]
timeout_seconds = 5
concurrency = 4

[summary]
sentences = 2
method = "lead"
language = "de"

[[feeds]]
name = "World"
url = "https://example.org/world.rss"
poll_minutes = 30
tags = ["world", "politics"]

[[feeds]]
name = "Local"
url = "file:feeds/local.xml"
full_text = false

[[channels]]
name = "newsroom"
platform = "slack"
target = "C0123"
feeds = ["World"]
digest_cron = "0 8 * * 1-5"
timezone = "Europe/Berlin"
max_items = 5
include = ["harbour bridge"]
exclude = ["sport"]

[[channels]]
name = "console"
tags = ["politics"]

[slack]
mode = "http"
admin_user_ids = ["U1"]

[slack.commands]
summarize = "/nb-summarize"

[discord]
guild_ids = [42]
"""


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return message


# -- good files ----------------------------------------------------------------------------------
def test_demo_config_loads_without_a_file(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.source == "<built-in demo>"
    assert len(settings.feeds) >= 3
    assert [c.platform for c in settings.channels] == ["console"]
    # The demo's database lives in the user's data folder (here: the test's XDG_DATA_HOME).
    assert settings.storage.path.is_relative_to(tmp_path / "xdg-data")
    for feed in settings.feeds:
        assert feed.url.startswith("file://")
        assert Path(url2pathname(urlsplit(feed.url).path)).is_file(), feed.url


def test_full_file_loads_into_immutable_settings(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    settings = load_settings(path)
    assert settings.storage.path == tmp_path / "data" / "news.db"
    assert settings.storage.retention_days == 10
    assert settings.fetch.timeout_seconds == 5.0 and settings.fetch.concurrency == 4
    assert settings.summary.method == "lead" and settings.summary.sentences == 2
    world, local = settings.feeds
    assert world.tags == ("world", "politics") and world.poll_minutes == 30
    assert local.url == (tmp_path / "feeds" / "local.xml").as_uri() and not local.full_text
    newsroom = settings.channel("newsroom")
    assert newsroom.feeds == ("World",) and newsroom.include == ("harbour bridge",)
    assert settings.channel("console").platform == "console"
    assert settings.channel_for("slack", "C0123") is newsroom
    assert settings.slack.mode == "http"
    assert settings.slack.commands["summarize"] == "/nb-summarize"
    assert settings.slack.commands["quote"] == "/quote"
    assert settings.discord.guild_ids == (42,)

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.channels[0].max_items = 99  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.storage = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.slack.commands["summarize"] = "/other"  # type: ignore[index]
    assert isinstance(settings.feeds, tuple) and isinstance(world.tags, tuple)


def test_modes_backfill_defaults_and_one_chat_channel_with_both(tmp_path: Path) -> None:
    text = (
        FEED
        + '[[channels]]\nname = "digest"\nplatform = "slack"\ntarget = "C1"\nmax_items = 6\n'
        + '[[channels]]\nname = "breaking"\nplatform = "slack"\ntarget = "C1"\n'
        + 'mode = "alerts"\ntags = ["world"]\n'
        + '[[channels]]\nname = "alerts-only"\nplatform = "slack"\ntarget = "C2"\n'
        + 'mode = "alerts"\nbackfill = 4\n'
        + "[alerts]\nfeed_failures = 5\n"
    )
    settings = load_settings(write(tmp_path, text))
    digest, breaking, alerts_only = settings.channels
    assert (digest.mode, digest.backfill) == ("digest", 6)  # digest: max_items
    assert (breaking.mode, breaking.backfill) == ("alerts", 0)  # alerts: nothing old
    assert alerts_only.backfill == 4
    # Commands typed in a chat channel with both entries belong to its digest entry.
    assert settings.channel_for("slack", "C1") is digest
    assert settings.channel_for("slack", "C2") is alerts_only
    assert settings.alerts.feed_failures == 5
    assert load_settings(write(tmp_path, FEED)).alerts.feed_failures == 3


def test_unknown_channel_name_is_a_config_error(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match="no channel named 'nope'.*newsroom, console"):
        settings.channel("nope")


# -- bad files: one ConfigError naming the key path and what was expected -------------------------
FEED = '[[feeds]]\nname = "World"\nurl = "https://example.org/w.rss"\ntags = ["world"]\n'
BERLN = '[[channels]]\nname = "a"\n[[channels]]\nname = "b"\ntimezone = "Europe/Berln"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            FEED + BERLN,
            "channels[1].timezone: unknown time zone 'Europe/Berln'",
        ),
        (
            FEED + '[[channels]]\nname = "a"\ntimezone = "Europe"\n',
            "channels[0].timezone: unknown time zone 'Europe'",
        ),
        (
            FEED + '[[channels]]\nname = "a"\ndigest_cron = "0 25 * * *"\n',
            "channels[0].digest_cron: invalid cron expression '0 25 * * *'",
        ),
        (
            FEED + '[[channels]]\nname = "a"\ndigest_cron = "every morning"\n',
            "channels[0].digest_cron: invalid cron expression 'every morning': expected 5 fields",
        ),
        (
            FEED + '[[channels]]\nname = "a"\ndigest_cron = "0 8 * * 8"\n',
            "channels[0].digest_cron: invalid cron expression '0 8 * * 8': day of week 8",
        ),
        (
            FEED + '[[channels]]\nname = "a"\ndigest_cron = "0 8 1 * 1"\n',
            "channels[0].digest_cron: invalid cron expression '0 8 1 * 1': restricting both",
        ),
        (FEED + "colour = 'blue'\n", "feeds[0].colour: unknown key (expected one of: name, url"),
        ("[storage]\npaht = 'x.db'\n" + FEED, "storage.paht: unknown key (expected one of: path"),
        ("wat = 1\n" + FEED, "wat: unknown key"),
        (FEED.replace('tags = ["world"]', "poll_minutes = '15'"), "feeds[0].poll_minutes: "),
        (FEED.replace('tags = ["world"]', "poll_minutes = 0"), "feeds[0].poll_minutes: expected"),
        (FEED.replace('tags = ["world"]', "full_text = 1"), "feeds[0].full_text: expected true"),
        (FEED.replace('tags = ["world"]', "tags = 'world'"), "feeds[0].tags: expected a list"),
        (FEED.replace('tags = ["world"]', "tags = ['']"), "feeds[0].tags[0]: expected a non-empty"),
        ("[fetch]\ntimeout_seconds = nan\n" + FEED, "fetch.timeout_seconds: expected a number"),
        (
            "[summary]\nmethod = 'magic'\n" + FEED,
            "summary.method: expected one of lederank, newsrank, lead",
        ),
        ("[summary]\nlanguage = 'klingon'\n" + FEED, "summary.language: expected a supported"),
        ("[summary]\nmax_text_chars = 10_000_000\n" + FEED, "summary.max_text_chars: expected"),
        (FEED + FEED, "feeds[1].name: duplicate name 'World'"),
        (
            FEED + '[[channels]]\nname = "a"\n[[channels]]\nname = "a"\n',
            "channels[1].name: duplicate name 'a'",
        ),
        (
            FEED + '[[channels]]\nname = "a"\nfeeds = ["World", "Wrold"]\n',
            "channels[0].feeds[1]: unknown feed 'Wrold'",
        ),
        (
            FEED + '[[channels]]\nname = "a"\ntags = ["wrld"]\n',
            "channels[0].tags[0]: no feed has the tag 'wrld'",
        ),
        (
            FEED + '[[channels]]\nname = "a"\nplatform = "slack"\n',
            "channels[0].target: a slack channel needs its channel id",
        ),
        (
            FEED + '[[channels]]\nname = "a"\nplatform = "discord"\ntarget = "general"\n',
            "channels[0].target: expected a Discord channel id (digits",
        ),
        (
            FEED + '[[channels]]\nname = "a"\nplatform = "slack"\ntarget = "#general"\n',
            "channels[0].target: expected a Slack channel id like C0123ABCDEF, not a channel name",
        ),
        (
            FEED + '[[channels]]\nname = "a"\nmode = "instant"\n',
            "channels[0].mode: expected one of digest, alerts, got 'instant'",
        ),
        (
            FEED + '[[channels]]\nname = "a"\nbackfill = -1\n',
            "channels[0].backfill: expected between 0 and 200, got -1",
        ),
        (
            FEED + "[alerts]\nfeed_failures = 'three'\n",
            "alerts.feed_failures: expected an integer, got 'three'",
        ),
        (
            FEED + '[[channels]]\nname = "a"\nplatform = "slack"\ntarget = "C1"\n'
            '[[channels]]\nname = "b"\nplatform = "slack"\ntarget = "C1"\n',
            "channels[1].target: 'C1' already has a digest entry ('a'); a chat channel can have "
            "one digest and one alerts entry",
        ),
        (
            FEED + '[[channels]]\nname = "a"\nplatform = "teams"\n',
            "channels[0].platform: expected one of console, slack, discord, got 'teams'",
        ),
        (
            FEED.replace("https://example.org/w.rss", "ftp://example.org/w.rss"),
            "feeds[0].url: expected an http(s):// or file:// URL, got 'ftp://example.org/w.rss'",
        ),
        (
            FEED.replace("https://example.org/w.rss", "https://"),
            "feeds[0].url: expected an http(s):// or file:// URL",
        ),
        (FEED.replace('"World"', '""'), "feeds[0].name: expected 1-64 letters"),
        (FEED.replace('"World"', '" World"'), "feeds[0].name: expected 1-64 letters"),
        ('[storage]\npath = ""\n' + FEED, "storage.path: expected a file path"),
        ('[storage]\npath = "x.db"\n', "feeds: expected at least one [[feeds]] table"),
        ("feeds = 3\n", "feeds: expected at least one [[feeds]] table"),
        ("storage = 'x'\n" + FEED, "storage: expected a table"),
        ("feeds = [1]\n", "feeds[0]: expected a table"),
        ("[slack]\nmode = 'webhook'\n" + FEED, "slack.mode: expected 'socket' or 'http'"),
        ("[slack.commands]\nask = 'ask'\n" + FEED, "slack.commands.ask: expected a command like"),
        (
            "[slack.commands]\nask = '/q'\nquote = '/q'\n" + FEED,
            "slack.commands.ask: '/q' is already the quote command",
        ),
        ("[slack.commands]\nhelp = '/help'\n" + FEED, "slack.commands.help: unknown key"),
        ("[slack]\napi_url = 'slack.com'\n" + FEED, "slack.api_url: expected an http(s) URL"),
        ("[slack]\nhttp_port = 70000\n" + FEED, "slack.http_port: expected between 1 and 65535"),
        ("[discord]\ngateway_url = 'http://x'\n" + FEED, "discord.gateway_url: expected a ws"),
        ("[discord]\nguild_ids = ['1']\n" + FEED, "discord.guild_ids[0]: expected an integer id"),
        (
            FEED + '[[channels]]\nname = "a"\n[[channels]]\nname = "b"\n'
            'include = ["ok", "re:a("]\n',
            "channels[1].include[1]: invalid regular expression 'a(': missing )",
        ),
        (
            FEED + '[[channels]]\nname = "a"\nexclude = ["re:"]\n',
            "channels[0].exclude[0]: empty regular expression after 're:'",
        ),
        (
            FEED + '[[channels]]\nname = "a"\nexclude = ["re:x{2,1}"]\n',
            "channels[0].exclude[0]: invalid regular expression 'x{2,1}'",
        ),
        ("[[feeds]\nname = 1\n", "not valid TOML"),
        ('[[feeds]]\nname = "World"\nname = "Again"\n', "not valid TOML"),
    ],
)
def test_bad_config_gives_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_for(tmp_path, text)


def test_missing_file_and_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(tmp_path / "absent.toml")
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[[feeds]]\nname = "Caf\xe9"\n')
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(path)


def test_cli_prints_a_config_error_as_one_line_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, FEED + BERLN, "bad.toml")
    assert cli.main(["digest", "--config", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().splitlines() == [
        "newsbrief: config error: channels[1].timezone: unknown time zone 'Europe/Berln'"
    ]


def test_cli_subprocess_config_error_has_no_traceback(tmp_path: Path) -> None:
    bad = write(tmp_path, "[[feeds]\n", "bad.toml")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "newsbrief"), "digest", "--config", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsbrief: config error: ")
    assert "not valid TOML" in lines[0]


# -- secrets -------------------------------------------------------------------------------------
def test_secret_reads_only_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBRIEF_TEST_TOKEN", "xoxb-very-secret\n")
    assert secret("NEWSBRIEF_TEST_TOKEN") == "xoxb-very-secret"
    assert secret("ANY", {"ANY": "from-mapping"}) == "from-mapping"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_secret_names_the_variable_never_a_value(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-other-secret")
    if value is not None:
        monkeypatch.setenv("SLACK_BOT_TOKEN", value)
    with pytest.raises(ConfigError) as info:
        secret("SLACK_BOT_TOKEN")
    assert "SLACK_BOT_TOKEN" in str(info.value)
    assert "xapp" not in str(info.value) and "secret" in str(info.value)


def test_a_secret_in_the_file_is_refused(tmp_path: Path) -> None:
    # Tokens have no key in the file: only the names of environment variables.
    message = error_for(tmp_path, "[slack]\nbot_token = 'xoxb-123'\n" + FEED)
    assert message.startswith("slack.bot_token: unknown key")


# -- cron ----------------------------------------------------------------------------------------
def fire_days(expression: str, tz: str = "Europe/Berlin", count: int = 10) -> list[str]:
    trigger = cron_trigger(expression, tz)
    now = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo(tz))  # a Saturday
    days, previous = [], None
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, now)
        assert fire is not None
        days.append(fire.strftime("%a"))
        previous, now = fire, fire + timedelta(seconds=1)
    return days


def test_cron_weekdays_one_to_five_are_monday_to_friday() -> None:
    trigger = cron_trigger("0 8 * * 1-5", "Europe/Berlin")
    fire = trigger.get_next_fire_time(None, datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("UTC")))
    assert fire == datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # Monday 08:00
    assert fire.utcoffset() == timedelta(hours=1)
    assert fire_days("0 8 * * 1-5") == ["Mon", "Tue", "Wed", "Thu", "Fri"] * 2


@pytest.mark.parametrize(
    ("expression", "days"),
    [
        ("0 8 * * 0", {"Sun"}),
        ("0 8 * * 7", {"Sun"}),
        ("0 8 * * 6,0", {"Sat", "Sun"}),
        ("0 8 * * 5-7", {"Fri", "Sat", "Sun"}),
        ("0 8 * * 0-6", {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}),
        ("0 8 * * */2", {"Sun", "Tue", "Thu", "Sat"}),
        ("0 8 * * 1-5/2", {"Mon", "Wed", "Fri"}),
        ("0 8 * * MON-fri", {"Mon", "Tue", "Wed", "Thu", "Fri"}),
        ("0 8 * * sun-sat", {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}),
        ("0 8 * * 1", {"Mon"}),
        ("0 8 * * *", {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}),
    ],
)
def test_cron_day_of_week_as_cron_means_it(expression: str, days: set[str]) -> None:
    assert set(fire_days(expression, count=14)) == days


@pytest.mark.parametrize("expression", ["0 8 * * 8", "0 8 * * 5-1", "0 8 * * */0", "0 8 * * x"])
def test_bad_day_of_week_is_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        cron_trigger(expression, "UTC")


def test_channel_trigger_uses_the_channel_time_zone(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD))
    trigger = settings.channel("newsroom").trigger()
    fire = trigger.get_next_fire_time(None, datetime(2026, 7, 1, 0, 0, tzinfo=ZoneInfo("UTC")))
    assert fire == datetime(2026, 7, 1, 6, 0, tzinfo=ZoneInfo("UTC"))  # 08:00 CEST


# -- the example file ----------------------------------------------------------------------------
def test_example_config_loads(tmp_path: Path) -> None:
    settings = load_settings(EXAMPLE)
    assert isinstance(settings, Settings)
    assert {c.platform for c in settings.channels} >= {"slack", "console"}


def test_example_config_documents_every_key_the_parser_accepts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accepted: dict[str, tuple[str, ...]] = {}
    original = _Reader.allow_only

    def recording(self: _Reader, *keys: str) -> None:
        accepted[self.prefix] = keys
        original(self, *keys)

    monkeypatch.setattr(_Reader, "allow_only", recording)
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    parse_settings(data, base_dir=EXAMPLE.parent)

    # Every section the parser reads was visited, including [[feeds]], [[channels]], slack.commands.
    assert {"", "storage", "fetch", "summary", "slack", "slack.commands", "discord"} <= set(
        accepted
    )
    assert "feeds[0]" in accepted and "channels[0]" in accepted
    assert set(accepted["slack.commands"]) == set(COMMANDS)

    def table(prefix: str) -> dict:
        node: object = data
        for part in prefix.replace("]", "").replace("[", ".").split(".") if prefix else []:
            node = node[int(part)] if part.isdigit() else node[part]  # type: ignore[index]
        return node  # type: ignore[return-value]

    # A key that excludes one set in the example (storage.url and path) is shown commented out.
    text = EXAMPLE.read_text(encoding="utf-8")
    alternatives = {"storage": ("url", "password_env")}

    def shown(prefix: str, key: str) -> bool:
        if key in table(prefix):
            return True
        commented = re.search(rf"^# {key} = ", text, re.MULTILINE)
        return key in alternatives.get(prefix, ()) and commented is not None

    missing = []
    for prefix, keys in accepted.items():
        if prefix.startswith(("feeds[", "channels[")) and not prefix.endswith("[0]"):
            continue
        missing += [f"{prefix}.{k}".lstrip(".") for k in keys if not shown(prefix, k)]
    assert missing == []
    # Each key is explained by a comment.
    assert EXAMPLE.read_text(encoding="utf-8").count("#") > 40


# -- the default summary method has one name ------------------------------------------------------
def test_the_default_method_is_called_lederank_everywhere(tmp_path: Path) -> None:
    from bot.options import DEFAULT_METHOD
    from summarizers.methods import DEFAULT_METHOD as REGISTRY_DEFAULT

    assert DEFAULT_METHOD == REGISTRY_DEFAULT == "lederank"
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert example["summary"]["method"] == "lederank"
    summarize = cli.build_parser()._subparsers._group_actions[0].choices["summarize"]
    help_text = " ".join(summarize.format_help().split())
    assert "lederank (ours: the lede" in help_text and "default: ours" not in help_text
    settings = load_settings(write(tmp_path, "[summary]\nmethod = 'lederank'\n" + FEED))
    assert settings.summary.method is None  # the registry's default


def test_the_old_name_default_is_still_accepted_with_a_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(write(tmp_path, "[summary]\nmethod = 'default'\n" + FEED))
    assert settings.summary.method is None
    assert (
        "summary.method: 'default' is an old name for the default summary method, now called "
        "'lederank': write that" in caplog.text
    )


def test_cli_method_takes_the_same_names(tmp_path: Path, capsys) -> None:
    story = tmp_path / "s.txt"
    story.write_text(
        "Harbour bridge to be replaced\n\nThe harbour authority voted on Tuesday to replace the "
        "swing bridge. The new bridge will cost $31m and open in 2029, the authority said. "
        "Shipping firms had complained that the old bridge jammed open twice last winter.\n",
        encoding="utf-8",
    )
    assert cli.main(["summarize", str(story), "--method", "newsrank", "--sentences", "1"]) == 0
    assert cli.main(["summarize", str(story), "--method", "default", "--sentences", "1"]) == 0
    assert "--method: 'default' is an old name" in capsys.readouterr().err
