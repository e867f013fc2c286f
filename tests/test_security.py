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
