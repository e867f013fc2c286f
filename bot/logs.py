"""Logging set-up. Secrets read from the environment are masked in every log record."""

from __future__ import annotations

import logging
import os
import sys

from bot.config import Settings

MASK = "***"


def secret_env_names(settings: Settings) -> list[str]:
    names = [
        settings.slack.bot_token_env,
        settings.slack.app_token_env,
        settings.slack.signing_secret_env,
        settings.slack.client_secret_env,
        settings.discord.token_env,
    ]
    if settings.storage.url is not None:  # the Postgres password: libpq's variable or ours
        names.append(settings.storage.password_env or "PGPASSWORD")
    return names


class RedactSecrets(logging.Filter):
    """Replaces any secret value that appears in a log message (or its arguments) with ***."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        text = record.exc_text or ""
        for secret in self.secrets:
            message = message.replace(secret, MASK)
            text = text.replace(secret, MASK)
        record.msg, record.args, record.exc_text = message, None, text or None
        return True


def setup_logging(level: str, settings: Settings, *, stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    secrets = [os.environ.get(name, "") for name in secret_env_names(settings)]
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Third-party libraries are chatty at INFO; keep them at WARNING unless debugging.
    for noisy in (
        "apscheduler",
        "trafilatura",
        "slack_bolt",
        "slack_sdk",
        "discord",
        "asyncio",
        "htmldate",
        "courlan",
        "readability",
    ):
        logging.getLogger(noisy).setLevel(level if level == "DEBUG" else "WARNING")
