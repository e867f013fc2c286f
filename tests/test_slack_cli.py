"""`newsbrief run --once` and `newsbrief digest` through the real CLI, against the fake Slack.

The CLI owns its event loop (asyncio.run), so it runs in a worker thread while the fake Slack
serves from the test's loop. Tokens come from the environment, as in production.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.slack_server import FakeSlack, validate_blocks

from bot.cli import main
from bot.config import DEMO_DIR
from bot.store import SqliteStore

FEEDS = DEMO_DIR / "feeds"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    yield server
    await server.stop()


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The CLI configures logging for the whole process; put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("slack_sdk", "slack_bolt")}
    yield
    root.handlers[:], root.level = handlers, level
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(tmp_path: Path, fake: FakeSlack, mode: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[storage]
path = "{(tmp_path / "newsbrief.db").as_posix()}"

[fetch]
workers = 1

[[feeds]]
name = "Herald World"
url = "{(FEEDS / "world.xml").as_uri()}"
full_text = false

[[feeds]]
name = "Herald Business"
url = "{(FEEDS / "business.atom").as_uri()}"
full_text = false

[[channels]]
name = "news"
platform = "slack"
target = "C_NEWS"
digest_cron = "* * * * *"
timezone = "Europe/Berlin"
max_items = 20

[slack]
mode = "{mode}"
api_url = "{fake.api_url}"
http_host = "127.0.0.1"
http_port = {free_port()}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-from-env")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret-from-env")


@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_run_once_posts_the_missed_digest(
    tmp_path: Path, fake: FakeSlack, slack_env: None, mode: str
) -> None:
    config = write_config(tmp_path, fake, mode)
    store = SqliteStore(tmp_path / "newsbrief.db")
    store.set_last_fire("news", datetime.now(UTC) - timedelta(hours=1))  # a digest was missed
    store.close()

    code = await asyncio.to_thread(main, ["run", "--once", "--config", str(config)])

    assert code == 0
    posts = fake.accepted("chat.postMessage")
    assert posts and all(validate_blocks(p.blocks) is None for p in posts)
    assert posts[0].args["channel"] == "C_NEWS"
    assert posts[0].headers["authorization"] == "Bearer xoxb-from-env"
    if mode == "socket":
        opened = fake.calls_to("apps.connections.open")
        assert opened and opened[0].headers["authorization"] == "Bearer xapp-from-env"
    else:
        assert fake.calls_to("apps.connections.open") == []


async def test_digest_command_posts_now_and_reports_a_refusal(
    tmp_path: Path, fake: FakeSlack, slack_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, fake, "socket")
    fake.refuse["C_NEWS"] = "not_in_channel"
    code = await asyncio.to_thread(main, ["digest", "--config", str(config)])
    assert code == 1
    assert "not_in_channel" in capsys.readouterr().err
    assert fake.accepted("chat.postMessage") == []

    del fake.refuse["C_NEWS"]
    code = await asyncio.to_thread(main, ["digest", "--config", str(config)])
    assert code == 0
    assert fake.accepted("chat.postMessage")


async def test_a_refused_app_token_names_the_variable_the_config_uses(
    tmp_path: Path,
    fake: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config(tmp_path, fake, "socket")
    with config.open("a", encoding="utf-8") as extra:
        extra.write('bot_token_env = "NEWS_BOT_TOKEN"\napp_token_env = "NEWS_APP_TOKEN"\n')
    monkeypatch.setenv("NEWS_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("NEWS_APP_TOKEN", "xoxb-pasted-by-mistake")  # not an app-level token
    code = await asyncio.to_thread(main, ["run", "--once", "--config", str(config)])
    assert code == 1
    err = capsys.readouterr().err
    assert "invalid_auth" in err and "check NEWS_APP_TOKEN" in err
    assert "SLACK_APP_TOKEN" not in err
