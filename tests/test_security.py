"""Secrets never reach logs or messages; `newsbrief doctor` checks tokens against the fakes."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from fakes.discord_server import BAD_TOKEN, FakeDiscord
from fakes.slack_server import FakeSlack

from bot.config import ConfigError, parse_settings, secret
from bot.doctor import run_checks
from bot.logs import RedactSecrets, setup_logging

SLACK_TOKEN = "xoxb-1234567890-secret-bot-token"
DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.secret.discord-token"


def settings_for(tmp_path: Path, slack_url: str, discord_url: str):
    return parse_settings(
        {
            "storage": {"path": str(tmp_path / "nb.db")},
            "feeds": [{"name": "F", "url": "https://feeds.example/f.xml"}],
            "channels": [
                {"name": "s", "platform": "slack", "target": "C1"},
                {"name": "d", "platform": "discord", "target": "123"},
            ],
            "slack": {"api_url": slack_url},
            "discord": {"api_url": discord_url},
        },
        base_dir=tmp_path,
    )


async def test_doctor_passes_with_working_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = await FakeSlack().start()
    async with FakeDiscord() as discord:
        monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
        monkeypatch.setenv("DISCORD_TOKEN", DISCORD_TOKEN)
        out = io.StringIO()
        status = await run_checks(settings_for(tmp_path, slack.api_url, discord.api_url), out=out)
    await slack.stop()
    lines = out.getvalue().splitlines()
    assert status == 0, lines
    assert [line.split(":")[0] for line in lines] == [
        "ok    config",
        "ok    database",
        "ok    slack token",
        "ok    discord token",
    ]


async def test_doctor_reports_bad_tokens_without_printing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    slack = await FakeSlack().start()
    async with FakeDiscord() as discord:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-invalid")
        monkeypatch.setenv("DISCORD_TOKEN", BAD_TOKEN)
        out = io.StringIO()
        with caplog.at_level(logging.DEBUG):
            status = await run_checks(
                settings_for(tmp_path, slack.api_url, discord.api_url), out=out
            )
    await slack.stop()
    text = out.getvalue()
    assert status == 1
    assert "FAIL  slack token: Slack refused SLACK_BOT_TOKEN: invalid_auth" in text
    assert "FAIL  discord token: Discord refused DISCORD_TOKEN (401)" in text
    assert BAD_TOKEN not in text + caplog.text


def test_missing_secret_names_the_variable_only() -> None:
    with pytest.raises(ConfigError) as info:
        secret("SLACK_BOT_TOKEN", environ={})
    assert str(info.value) == (
        "environment variable SLACK_BOT_TOKEN is not set (it holds a secret)"
    )


def test_log_filter_masks_secrets_in_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("test.secrets")
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets([SLACK_TOKEN, DISCORD_TOKEN]))
    logger.addHandler(handler)
    try:
        logger.warning("token is %s", SLACK_TOKEN)
        try:
            raise RuntimeError(f"Authorization: Bot {DISCORD_TOKEN}")
        except RuntimeError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
    logged = stream.getvalue()
    assert SLACK_TOKEN not in logged and DISCORD_TOKEN not in logged
    assert "token is ***" in logged and "Authorization: Bot ***" in logged


def test_setup_logging_masks_the_configured_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging(
            "DEBUG",
            settings_for(tmp_path, "https://slack.example/api/", "https://discord.example"),
            stream=stream,
        )
        logging.getLogger("bot.anything").debug("calling with %s", SLACK_TOKEN)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    assert "calling with ***" in stream.getvalue()
    assert SLACK_TOKEN not in stream.getvalue()


PASTED = [
    ("slack", "bot_token_env", "xoxb-1234567890-SECRET123"),
    ("slack", "signing_secret_env", "a3f14e45fceea167a5a36dedd4bea2543"),  # a hex secret
    ("discord", "token_env", "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gh7Yz1.SECRET123-discord"),
]


@pytest.mark.parametrize(("section", "key", "pasted"), PASTED)
def test_doctor_never_prints_a_token_pasted_into_an_env_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], section: str, key: str, pasted: str
) -> None:
    from bot.cli import main

    config = tmp_path / "nb.toml"
    config.write_text(
        f'[storage]\npath = "nb.db"\n[{section}]\n{key} = "{pasted}"\n'
        '[[feeds]]\nname = "F"\nurl = "https://feeds.example/f.xml"\n'
        f'[[channels]]\nname = "c"\nplatform = "{section}"\ntarget = "123"\n',
        encoding="utf-8",
    )
    assert main(["doctor", "--config", str(config)]) == 2
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert f"{section}.{key}: expected the name of an environment variable" in output
    assert pasted not in output and "SECRET123" not in output and "a3f14e45" not in output


def test_secret_never_echoes_a_token_given_as_the_variable_name() -> None:
    with pytest.raises(ConfigError) as info:
        secret("xoxb-1234567890-SECRET123", environ={})
    assert "SECRET123" not in str(info.value) and "looks like a token" in str(info.value)


async def test_doctor_masks_a_configured_secret_in_any_check_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error that carries the token (here the URL it failed to reach): the line masks it."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
    settings = parse_settings(
        {
            "storage": {"path": str(tmp_path / "nb.db")},
            "feeds": [{"name": "F", "url": "https://feeds.example/f.xml"}],
            "channels": [{"name": "s", "platform": "slack", "target": "C1"}],
            "slack": {"api_url": f"http://127.0.0.1:1/{SLACK_TOKEN}/"},  # nothing listens
        },
        base_dir=tmp_path,
    )
    out = io.StringIO()
    assert await run_checks(settings, out=out) == 1
    assert "FAIL  slack token: cannot reach" in out.getvalue()
    assert SLACK_TOKEN not in out.getvalue() and "***" in out.getvalue()
