"""`newsbrief digest`, `newsbrief run` and `newsbrief discord invite-url` as real processes,
configured for Discord and pointed at the fake Discord (config + DISCORD_TOKEN only)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakes.discord_server import (
    APP_ID,
    CHANNEL_ID,
    EPHEMERAL,
    FakeDiscord,
    InteractionLog,
    sent_embeds,
)

from bot.config import DEMO_DIR

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60  # generous: two shared cores, and each process imports the whole bot


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


def write_config(tmp_path: Path, fake: FakeDiscord) -> Path:
    shutil.copytree(DEMO_DIR / "feeds", tmp_path / "feeds")
    config = tmp_path / "newsbrief.toml"
    config.write_text(
        f"""
[storage]
path = "{tmp_path / "newsbrief.db"}"

[fetch]
workers = 1

[[feeds]]
name = "Herald World"
url = "file:feeds/world.xml"
full_text = false

[[feeds]]
name = "Herald Business"
url = "file:feeds/business.atom"
full_text = false

[[channels]]
name = "news"
platform = "discord"
target = "{CHANNEL_ID}"
timezone = "Europe/Berlin"
digest_cron = "0 8 * * *"

[discord]
api_url = "{fake.api_url}"
gateway_url = "{fake.gateway_url}"
""",
        encoding="utf-8",
    )
    return config


async def newsbrief(tmp_path: Path, *args: str) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "DISCORD_TOKEN": "cli-token",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def reply_of(fake: FakeDiscord, log: InteractionLog) -> tuple[dict[str, Any], bool]:
    await fake.wait_for(
        lambda: any(c["type"] == 4 for c in log.callbacks) or log.followups, TIMEOUT
    )
    if log.callbacks[0]["type"] == 4:
        data = log.callbacks[0]["data"]
        return data, bool((data.get("flags") or 0) & EPHEMERAL)
    return log.followups[0], log.followup_private[0]


async def test_cli_digest_run_and_invite_url_against_the_fake(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    config = str(write_config(tmp_path, fake))

    # `newsbrief digest`: polls the feeds, connects, posts the digest as embeds, exits
    code, out, err = await finish(await newsbrief(tmp_path, "digest", "--config", config))
    assert code == 0, err
    assert fake.identifies and fake.identifies[0]["token"] == "cli-token"
    assert fake.identifies[0]["intents"] == 1
    embeds = sent_embeds(fake.messages[CHANNEL_ID])
    assert embeds and embeds[0]["title"].startswith("1. ")
    assert list(fake.threads) == [int(fake.messages[CHANNEL_ID][0]["id"])]
    assert "cli-token" not in out + err

    # `newsbrief run`: connects, syncs the commands and answers them until SIGTERM
    process = await newsbrief(tmp_path, "run", "--config", config)
    try:
        await fake.wait_for(lambda: len(fake.identifies) == 2, TIMEOUT)
        await fake.wait_for(lambda: sum(c.method == "PUT" for c in fake.calls) == 2, TIMEOUT)
        assert sorted(c["name"] for c in fake.commands[None]) == [
            "ask",
            "digest",
            "feeds",
            "quote",
            "summarize",
        ]
        log = await fake.interaction("quote", [{"type": 3, "name": "query", "value": "Berg"}])
        quoted, private = await reply_of(fake, log)
        assert not private and "Tomas Berg" in json.dumps(quoted, ensure_ascii=False)
        log = await fake.interaction("digest")
        again, private = await reply_of(fake, log)
        assert private and again["content"] == "Nothing new since the last digest."
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    code, _, err = await finish(process)
    assert code == 0, err
    assert fake.unhandled == [] and fake.rejected == []

    # `newsbrief discord invite-url`: asks Discord for the application id with the token
    code, out, err = await finish(
        await newsbrief(tmp_path, "discord", "invite-url", "--config", config)
    )
    assert code == 0, err
    assert out.strip().startswith("https://discord.com/oauth2/authorize?")
    assert f"client_id={APP_ID}" in out and "scope=bot+applications.commands" in out


async def test_unreachable_gateway_is_one_line_and_a_failed_start(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    config = str(write_config(tmp_path, fake))
    fake.gateway_down = True
    code, out, err = await finish(await newsbrief(tmp_path, "run", "--config", config))
    assert code == 1
    assert fake.gateway_refused == 1 and fake.identifies == []
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and len(lines) == 1, err
    assert lines[0].startswith(
        f"newsbrief: Could not connect to the Discord gateway at {fake.gateway_url}"
    )
    assert "503" in lines[0] and "gateway_url" in lines[0]
