"""The app manifest and the README section agree with the code (no YAML parser needed)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.platforms.slack import DEFAULT_COMMAND_NAMES

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = (ROOT / "slack_manifest.yaml").read_text(encoding="utf-8")


def test_manifest_declares_every_default_command() -> None:
    declared = re.findall(r"^\s*- command: (\S+)$", MANIFEST, re.MULTILINE)
    assert sorted(declared) == sorted(DEFAULT_COMMAND_NAMES.values())


def test_manifest_scopes_events_and_socket_mode() -> None:
    scopes = re.search(r"bot:\n((?:\s+(?:#.*|- \S+)\n)+)", MANIFEST)
    assert scopes is not None
    assert re.findall(r"- (\S+)", scopes.group(1)) == [
        "app_mentions:read",
        "chat:write",
        "commands",
        "channels:history",
        "groups:history",
        "users:read",
    ]
    assert re.search(r"bot_events:\n\s+- app_mention\n", MANIFEST)
    assert "socket_mode_enabled: true" in MANIFEST


def test_docs_name_the_environment_variables() -> None:
    docs = (ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    for needle in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "slack_manifest"):
        assert needle in docs
