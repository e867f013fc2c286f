"""TOML configuration -> validated, immutable settings.

Every problem is reported as one `ConfigError` naming the key path and what was expected, e.g.
``channels[1].timezone: unknown time zone 'Europe/Berln'``. Secrets never live in the file: the file
names environment variables, and `secret()` reads them when a platform starts.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from bot.filters import FilterError, compile_filter
from bot.options import DEFAULT_METHOD, SummaryOptions, method_name
from bot.templates import TemplateError, parse_template
from summarizers.base import UnsupportedLanguageError
from summarizers.languages import SUPPORTED_LANGUAGES, normalize_language

PLATFORMS = ("console", "slack", "discord")
MODES = ("digest", "alerts")
# A poll stores at most this many entries of a feed (ingest.MAX_ENTRIES_PER_POLL).
MAX_BACKFILL = 200
COMMANDS = ("summarize", "quote", "ask", "digest", "feeds")
INSTALLS = ("single", "oauth")
# The bot scopes newsbrief needs (slack_manifest.yaml lists the same, with the reason for each).
DEFAULT_SLACK_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "channels:history",
    "groups:history",
    "users:read",
)
DEMO_DIR = Path(__file__).parent / "data" / "demo"
_NAME_RE = re.compile(r"^[\w .,&'’:()/·—–-]{1,64}$")
_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """A config file that cannot be used; the message is meant for the user as is."""


@dataclass(frozen=True, slots=True)
class StorageSettings:
    """SQLite at `path` (the default), or Postgres at `url` (exactly one of the two is set)."""

    path: Path | None
    retention_days: int = 30
    url: str | None = None  # postgresql://user@host/db, never with a password
    password_env: str | None = None  # the variable holding the Postgres password, if any

    @property
    def location(self) -> str:
        """Where the data is, for messages (the URL holds no password: the config refuses one)."""
        return self.url if self.url is not None else str(self.path)


@dataclass(frozen=True, slots=True)
class FetchSettings:
    timeout_seconds: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    concurrency: int = 16
    workers: int = 0  # processes for extraction + summarizing; 0 = one per CPU core
    allow_private_urls: bool = False  # let URLs not from the config file reach private networks
    # Several workers on one Postgres (bot.feed_claims): claims are renewed while a poll runs; a
    # dead worker's feeds are another's after `claim_lease_seconds`; pollers claim every
    # `claim_every_seconds`.
    claim_lease_seconds: int = 300
    claim_every_seconds: int = 15


@dataclass(frozen=True, slots=True)
class FeedSettings:
    name: str
    url: str
    poll_minutes: int = 15
    tags: tuple[str, ...] = ()
    full_text: bool = True
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    name: str
    platform: str
    target: str
    feeds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    digest_cron: str = "0 8 * * 1-5"
    timezone: str = "UTC"
    max_items: int = 8
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    title: str | None = None
    item_template: str | None = None  # see bot.templates
    # "digest": a digest on `digest_cron`; "alerts": each new story as its own message, as it
    # arrives. A chat channel can have both: two [[channels]] entries with the same target.
    mode: str = "digest"
    # Stories of a newly followed feed's backlog that may still be posted here (newest first);
    # the rest are stored (for /quote and /ask) but never posted. Default: 0 for alerts,
    # max_items for digests.
    backfill: int = 8

    @property
    def alerts(self) -> bool:
        return self.mode == "alerts"

    def trigger(self) -> CronTrigger:
        return cron_trigger(self.digest_cron, self.timezone)


@dataclass(frozen=True, slots=True)
class SlackSettings:
    mode: str = "socket"
    api_url: str = "https://slack.com/api/"
    bot_token_env: str = "SLACK_BOT_TOKEN"
    app_token_env: str = "SLACK_APP_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    http_host: str = "0.0.0.0"
    http_port: int = 3000
    http_path: str = "/slack/events"
    admin_user_ids: tuple[str, ...] = ()
    commands: Mapping[str, str] = field(default_factory=dict)
    # "single": one workspace, the bot token from the environment. "oauth": any workspace can
    # install the app (/slack/install), its tokens kept in the database; needs mode = "http".
    install: str = "single"
    client_id_env: str = "SLACK_CLIENT_ID"
    client_secret_env: str = "SLACK_CLIENT_SECRET"
    scopes: tuple[str, ...] = DEFAULT_SLACK_SCOPES
    redirect_uri: str | None = None  # the public URL of redirect_uri_path, as the app has it
    install_path: str = "/slack/install"
    redirect_uri_path: str = "/slack/oauth_redirect"
    # Channels set up in chat (/feeds set ...), kept in the database; always on with oauth.
    chat_channels: bool = False

    @property
    def oauth(self) -> bool:
        return self.install == "oauth"


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    token_env: str = "DISCORD_TOKEN"
    api_url: str | None = None
    gateway_url: str | None = None  # only for test servers and gateway proxies
    guild_ids: tuple[int, ...] = ()
    shard_count: int | None = None
    # Channels set up in chat by Manage Server members (/feeds set ...), kept in the database.
    chat_channels: bool = False


@dataclass(frozen=True, slots=True)
class AlertSettings:
    # Tell the channels that follow a feed when it has failed this many polls in a row (and
    # again when it recovers); 0 = never.
    feed_failures: int = 3


@dataclass(frozen=True, slots=True)
class Settings:
    storage: StorageSettings
    feeds: tuple[FeedSettings, ...]
    channels: tuple[ChannelSettings, ...]
    fetch: FetchSettings = FetchSettings()
    summary: SummaryOptions = SummaryOptions()
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
    source: str = "<built-in demo>"
    alerts: AlertSettings = AlertSettings()

    def channel(self, name: str) -> ChannelSettings:
        for channel in self.channels:
            if channel.name == name:
                return channel
        known = ", ".join(c.name for c in self.channels)
        raise ConfigError(f"no channel named {name!r} (configured: {known})")

    def channel_for(self, platform: str, target: str) -> ChannelSettings | None:
        """The channel entry that commands typed in `target` belong to: its digest entry when
        the chat channel has both a digest and an alerts entry, else the one it has."""
        found = [c for c in self.channels if c.platform == platform and c.target == target]
        return next((c for c in found if not c.alerts), found[0] if found else None)

    def feed(self, name: str) -> FeedSettings | None:
        return next((f for f in self.feeds if f.name == name), None)

    def chat_channels(self, platform: str) -> bool:
        """True when channels of `platform` may be set up in chat (kept in the database)."""
        if platform == "slack":
            return self.slack.chat_channels or self.slack.oauth
        return platform == "discord" and self.discord.chat_channels


_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_TOKEN_PREFIX_RE = re.compile(r"^(xox[a-z]|xapp|xwfp)[-_]", re.IGNORECASE)


def looks_like_token(text: str) -> bool:
    """True when `text`, meant to be an environment variable's name, looks like a secret.

    Not a valid variable name (tokens carry dashes and dots), a Slack token prefix, or a long
    run of letters and digits without an underscore (a hex signing secret): such a text is
    never printed, since someone pasted the secret where its variable's name belongs.
    """
    value = text.strip()
    if not _ENV_NAME_RE.match(value) or _TOKEN_PREFIX_RE.match(value):
        return True
    return len(value) >= 20 and "_" not in value and any(c.isdigit() for c in value)


def secret(env_name: str, environ: Mapping[str, str] | None = None) -> str:
    """Read a secret from the environment; the error names the variable, never a value."""
    if looks_like_token(env_name):
        raise ConfigError(
            "a *_env setting holds something that looks like a token, not the name of an "
            "environment variable: put the token in the environment and name the variable"
        )
    value = (os.environ if environ is None else environ).get(env_name, "")
    if not value.strip():
        raise ConfigError(f"environment variable {env_name} is not set (it holds a secret)")
    return value.strip()  # a token pasted from a file often brings its newline along


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A 5-field crontab line as cron means it (day of week 0 or 7 = Sunday).

    APScheduler 3's `from_crontab` counts weekdays from Monday = 0, so `1-5` would mean Tue-Sat,
    and its names make `sun` the last day, so `0-6` or `sun-sat` would be an invalid range. The
    day-of-week field is therefore expanded here into the explicit list of day names.
    Cron fires when EITHER a restricted day of month OR a restricted day of week matches, while
    APScheduler needs both; a line restricting both is refused rather than silently misread.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError("expected 5 fields: minute hour day month day-of-week")
    minute, hour, day, month, dow = fields
    if day != "*" and dow != "*":
        raise ValueError(
            "restricting both day of month and day of week is not supported (cron would fire "
            "on either); use * for one of them"
        )
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_dow_field(dow),
        timezone=timezone,
    )


def _dow_field(field_text: str) -> str:
    """Cron's day-of-week field (0-7, Sunday = 0 or 7, names, ranges, steps, lists) ->
    APScheduler's comma list of day names."""
    if field_text == "*":
        return "*"
    days: set[int] = set()
    for part in field_text.split(","):
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) < 1:
                raise ValueError(f"day of week {part!r}: the step must be a positive number")
            step = int(step_text)
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            lo, _, hi = base.partition("-")
            first, last = _dow_number(lo), _dow_number(hi)
            if first > last:
                raise ValueError(f"day of week {part!r}: the range runs backwards")
        else:
            first = _dow_number(base)
            last = 6 if step_text else first
        days.update(d % 7 for d in range(first, last + 1, step))
    # APScheduler's names, listed Monday first.
    return ",".join(_DOW_NAMES[d] for d in (1, 2, 3, 4, 5, 6, 0) if d in days)


def _dow_number(text: str) -> int:
    name = text.strip().lower()
    if name in _DOW_NAMES[:7]:
        return _DOW_NAMES.index(name)
    if not name.isdigit():
        raise ValueError(f"day of week {text!r}: expected 0-7 or a day name like mon")
    index = int(name)
    if index > 7:
        raise ValueError(f"day of week {index} is out of range 0-7")
    return index


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("newsbrief", appauthor=False))


def load_settings(path: Path | str | None = None) -> Settings:
    """Load and validate a config file; with no path, the built-in demo configuration."""
    if path is None:
        data = _read_toml(DEMO_DIR / "config.toml")
        data.setdefault("storage", {}).setdefault("path", str(default_data_dir() / "demo.db"))
        return parse_settings(data, base_dir=DEMO_DIR, source="<built-in demo>")
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    return parse_settings(_read_toml(path), base_dir=path.resolve().parent, source=str(path))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def parse_settings(data: Mapping[str, Any], *, base_dir: Path, source: str = "") -> Settings:
    """Validate a parsed TOML document. `base_dir` anchors relative paths and feed files."""
    reader = _Reader(data, "")
    reader.allow_only(
        "storage", "fetch", "summary", "feeds", "channels", "slack", "discord", "alerts"
    )
    storage = _storage(reader.section("storage"), base_dir)
    feeds = tuple(_feed(r, base_dir) for r in reader.table_list("feeds", required=True))
    _unique([f.name for f in feeds], "feeds", "name")
    channels = tuple(_channel(r, feeds) for r in reader.table_list("channels"))
    _unique([c.name for c in channels], "channels", "name")
    _one_entry_per_mode(channels)
    slack = _slack(reader.section("slack"))
    if slack.oauth:
        for index, channel in enumerate(channels):
            if channel.platform == "slack":
                raise ConfigError(
                    f'channels[{index}].platform: with [slack] install = "oauth" Slack channels '
                    "are set up in chat (/feeds set in the channel), each with its own "
                    "workspace's token; this entry cannot say which workspace it belongs to"
                )
    settings = Settings(
        storage=storage,
        feeds=feeds,
        channels=channels,
        fetch=_fetch(reader.section("fetch")),
        summary=_summary(reader.section("summary")),
        slack=slack,
        discord=_discord(reader.section("discord")),
        source=source,
        alerts=_alerts(reader.section("alerts")),
    )
    return settings


def _one_entry_per_mode(channels: Sequence[ChannelSettings]) -> None:
    """A chat channel may have one digest entry and one alerts entry, not two of a kind (their
    commands and follow-ups could not tell them apart)."""
    seen: dict[tuple[str, str, str], str] = {}
    for index, channel in enumerate(channels):
        if channel.platform == "console":
            continue
        key = (channel.platform, channel.target, channel.mode)
        if key in seen:
            raise ConfigError(
                f"channels[{index}].target: {channel.target!r} already has a {channel.mode} "
                f"entry ({seen[key]!r}); a chat channel can have one digest and one alerts entry"
            )
        seen[key] = channel.name


def _alerts(r: _Reader) -> AlertSettings:
    r.allow_only("feed_failures")
    return AlertSettings(feed_failures=r.get("feed_failures", int, default=3, lo=0, hi=1000))


def _unique(names: list[str], table: str, key: str) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise ConfigError(f"{table}[{index}].{key}: duplicate name {name!r}")
        seen.add(name)


def _storage(r: _Reader, base_dir: Path) -> StorageSettings:
    r.allow_only("path", "url", "password_env", "retention_days")
    retention_days = r.get("retention_days", int, default=30, lo=1)
    if "url" in r.data:
        if "path" in r.data:
            raise ConfigError(
                f"{r.path('url')}: 'path' (SQLite) and 'url' (Postgres) cannot both be set; "
                "keep the one database you use"
            )
        password_env = None
        if "password_env" in r.data:
            password_env = _env_name(r, "password_env", "NEWSBRIEF_DB_PASSWORD")
        return StorageSettings(
            path=None,
            url=_database_url(r),
            password_env=password_env,
            retention_days=retention_days,
        )
    if "password_env" in r.data:
        raise ConfigError(f"{r.path('password_env')}: only used with a Postgres 'url'")
    raw = r.get(
        "path",
        str,
        default=str(default_data_dir() / "newsbrief.db"),
        check=lambda v: None if v.strip() else "expected a file path",
    )
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    return StorageSettings(path=path, retention_days=retention_days)


def _database_url(r: _Reader) -> str:
    """A postgresql:// URL without a password (the value is not shown if it has one)."""
    where = r.path("url")
    url = r.data["url"]
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{where}: expected a postgresql:// URL")
    url = url.strip()
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        raise ConfigError(f"{where}: not a valid URL (not shown)") from None
    in_query = any(p.split("=", 1)[0] == "password" for p in parts.query.split("&"))
    if password is not None or in_query:
        raise ConfigError(
            f"{where}: the URL holds a password (not shown); keep it out of the file: set "
            "PGPASSWORD or use ~/.pgpass, or name the variable holding it in "
            "storage.password_env"
        )
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(f"{where}: expected a postgresql:// URL, got {url!r}")
    return url


def _fetch(r: _Reader) -> FetchSettings:
    r.allow_only(
        "timeout_seconds",
        "max_bytes",
        "max_redirects",
        "concurrency",
        "workers",
        "allow_private_urls",
        "claim_lease_seconds",
        "claim_every_seconds",
    )
    return FetchSettings(
        timeout_seconds=r.get("timeout_seconds", float, default=20.0, lo=0.1),
        max_bytes=r.get("max_bytes", int, default=5_000_000, lo=1024),
        max_redirects=r.get("max_redirects", int, default=5, lo=0, hi=20),
        concurrency=r.get("concurrency", int, default=16, lo=1, hi=512),
        workers=r.get("workers", int, default=0, lo=0, hi=64),
        allow_private_urls=r.get("allow_private_urls", bool, default=False),
        claim_lease_seconds=r.get("claim_lease_seconds", int, default=300, lo=2, hi=86_400),
        claim_every_seconds=r.get("claim_every_seconds", int, default=15, lo=1, hi=3600),
    )


def _summary(r: _Reader) -> SummaryOptions:
    r.allow_only("sentences", "method", "max_chars", "quotes", "language", "max_text_chars")
    method = method_name(r.get("method", str, default=DEFAULT_METHOD), where=r.path("method"))
    if method != DEFAULT_METHOD:
        from summarizers.methods import AVAILABLE_METHODS

        if method not in AVAILABLE_METHODS:
            raise ConfigError(
                f"{r.path('method')}: expected one of {', '.join(AVAILABLE_METHODS)}, "
                f"got {method!r}"
            )
    return SummaryOptions(
        sentences=r.get("sentences", int, default=3, lo=1, hi=10),
        method=None if method == DEFAULT_METHOD else method,
        max_chars=r.get("max_chars", int, default=700, lo=80),
        quotes=r.get("quotes", int, default=1, lo=0, hi=5),
        language=r.get("language", str, default="english", check=_check_language),
        max_text_chars=r.get("max_text_chars", int, default=100_000, lo=2_000, hi=200_000),
    )


def _feed(r: _Reader, base_dir: Path) -> FeedSettings:
    r.allow_only("name", "url", "poll_minutes", "tags", "full_text", "language")
    name = r.get("name", str, required=True, check=_check_name)
    url = r.get("url", str, required=True)
    if url.startswith("file:") and not url.startswith("file://"):
        # `file:feeds/world.xml` is relative to the config file's folder.
        url = (base_dir / url[5:]).resolve().as_uri()
    elif not re.match(r"^(https?://[^/?#\s]+|file://)\S*$", url, re.IGNORECASE):
        raise ConfigError(f"{r.path('url')}: expected an http(s):// or file:// URL, got {url!r}")
    return FeedSettings(
        name=name,
        url=url,
        poll_minutes=r.get("poll_minutes", int, default=15, lo=1, hi=7 * 24 * 60),
        tags=r.get_list("tags"),
        full_text=r.get("full_text", bool, default=True),
        language=r.get("language", str, default=None, check=_check_language),
    )


def _channel(r: _Reader, feeds: Sequence[FeedSettings]) -> ChannelSettings:
    r.allow_only(
        "name",
        "platform",
        "target",
        "feeds",
        "tags",
        "digest_cron",
        "timezone",
        "max_items",
        "include",
        "exclude",
        "title",
        "item_template",
        "mode",
        "backfill",
    )
    name = r.get("name", str, required=True, check=_check_name)
    platform = r.get("platform", str, default="console")
    if platform not in PLATFORMS:
        raise ConfigError(
            f"{r.path('platform')}: expected one of {', '.join(PLATFORMS)}, got {platform!r}"
        )
    target = r.get("target", str, default="")
    if platform != "console" and not target:
        raise ConfigError(f"{r.path('target')}: a {platform} channel needs its channel id")
    if platform == "discord" and not target.isdigit():
        raise ConfigError(
            f"{r.path('target')}: expected a Discord channel id (digits, from Copy Channel ID), "
            f"got {target!r}"
        )
    if platform == "slack" and (target.startswith("#") or re.search(r"\s", target)):
        raise ConfigError(
            f"{r.path('target')}: expected a Slack channel id like C0123ABCDEF, not a channel "
            f"name, got {target!r}"
        )
    feed_names = r.get_list("feeds")
    for index, feed in enumerate(feed_names):
        if feed not in {f.name for f in feeds}:
            raise ConfigError(f"{r.path('feeds')}[{index}]: unknown feed {feed!r}")
    tags = r.get_list("tags")
    known_tags = {t for f in feeds for t in f.tags}
    for index, tag in enumerate(tags):
        if tag not in known_tags:
            raise ConfigError(
                f"{r.path('tags')}[{index}]: no feed has the tag {tag!r} "
                f"(feed tags: {', '.join(sorted(known_tags)) or 'none'})"
            )
    timezone = r.get("timezone", str, default="UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder: OSError
        raise ConfigError(f"{r.path('timezone')}: unknown time zone {timezone!r}") from None
    cron = r.get("digest_cron", str, default="0 8 * * 1-5")
    try:
        cron_trigger(cron, timezone)
    except ValueError as exc:
        raise ConfigError(
            f"{r.path('digest_cron')}: invalid cron expression {cron!r}: {exc}"
        ) from None
    mode = r.get("mode", str, default="digest")
    if mode not in MODES:
        raise ConfigError(f"{r.path('mode')}: expected one of {', '.join(MODES)}, got {mode!r}")
    max_items = r.get("max_items", int, default=8, lo=1, hi=50)
    backfill = r.get("backfill", int, default=None, lo=0, hi=MAX_BACKFILL)
    if backfill is None:
        backfill = 0 if mode == "alerts" else max_items
    return ChannelSettings(
        name=name,
        platform=platform,
        target=target,
        feeds=feed_names,
        tags=tags,
        digest_cron=cron,
        timezone=timezone,
        max_items=max_items,
        include=_filter_list(r, "include"),
        exclude=_filter_list(r, "exclude"),
        title=r.get("title", str, default=None),
        item_template=_item_template(r),
        mode=mode,
        backfill=backfill,
    )


def chat_channel_settings(
    *,
    name: str,
    platform: str,
    target: str,
    values: Mapping[str, Any],
    feeds: Sequence[FeedSettings],
) -> ChannelSettings:
    """A channel set up in chat (kept in the database) from its [[channels]] keys: the same checks
    as the config file's entries, and errors name the key as typed (``timezone: unknown time
    zone 'Europe/Berln'``). `name` is the store's key for it, not a config-file name."""
    data = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
    data.update(name="chat channel", platform=platform, target=target)
    return replace(_channel(_Reader(data, ""), feeds), name=name)


def _item_template(r: _Reader) -> str | None:
    """A channel's item template, checked now so a bad placeholder names its key."""
    text = r.get("item_template", str, default=None)
    if text is None:
        return None
    try:
        parse_template(text)
    except TemplateError as exc:
        raise ConfigError(f"{r.path('item_template')}: {exc}") from None
    return text


def _filter_list(r: _Reader, key: str) -> tuple[str, ...]:
    """include/exclude: phrases or `re:` patterns, each compiled now so a bad one names its key."""
    entries = r.get_list(key)
    for index, entry in enumerate(entries):
        try:
            compile_filter(entry)
        except FilterError as exc:
            raise ConfigError(f"{r.path(key)}[{index}]: {exc}") from None
    return entries


def _slack(r: _Reader) -> SlackSettings:
    r.allow_only(
        "mode",
        "api_url",
        "bot_token_env",
        "app_token_env",
        "signing_secret_env",
        "http_host",
        "http_port",
        "http_path",
        "admin_user_ids",
        "commands",
        "install",
        "client_id_env",
        "client_secret_env",
        "scopes",
        "redirect_uri",
        "install_path",
        "redirect_uri_path",
        "chat_channels",
    )
    mode = r.get("mode", str, default="socket")
    if mode not in ("socket", "http"):
        raise ConfigError(f"{r.path('mode')}: expected 'socket' or 'http', got {mode!r}")
    install = r.get("install", str, default="single")
    if install not in INSTALLS:
        raise ConfigError(f"{r.path('install')}: expected 'single' or 'oauth', got {install!r}")
    if install == "oauth" and mode != "http":
        raise ConfigError(
            f"{r.path('install')}: 'oauth' (many workspaces) needs mode = \"http\": Slack "
            "sends each workspace's requests to the app's public URL"
        )
    scopes = r.get_list("scopes") or DEFAULT_SLACK_SCOPES
    commands_reader = r.section("commands")
    commands_reader.allow_only(*COMMANDS)
    commands = {
        c: commands_reader.get(c, str, default=f"/{c}", check=_check_slash) for c in COMMANDS
    }
    _unique_values(commands, commands_reader)
    api_url = r.get("api_url", str, default="https://slack.com/api/", check=_check_http_url)
    if not api_url.endswith("/"):
        api_url += "/"
    return SlackSettings(
        mode=mode,
        api_url=api_url,
        bot_token_env=_env_name(r, "bot_token_env", "SLACK_BOT_TOKEN"),
        app_token_env=_env_name(r, "app_token_env", "SLACK_APP_TOKEN"),
        signing_secret_env=_env_name(r, "signing_secret_env", "SLACK_SIGNING_SECRET"),
        http_host=r.get("http_host", str, default="0.0.0.0"),
        http_port=r.get("http_port", int, default=3000, lo=1, hi=65535),
        http_path=r.get("http_path", str, default="/slack/events", check=_check_http_path),
        admin_user_ids=r.get_list("admin_user_ids"),
        commands=MappingProxyType(commands),
        install=install,
        client_id_env=_env_name(r, "client_id_env", "SLACK_CLIENT_ID"),
        client_secret_env=_env_name(r, "client_secret_env", "SLACK_CLIENT_SECRET"),
        scopes=scopes,
        redirect_uri=r.get("redirect_uri", str, default=None, check=_check_http_url),
        install_path=r.get("install_path", str, default="/slack/install", check=_check_http_path),
        redirect_uri_path=r.get(
            "redirect_uri_path", str, default="/slack/oauth_redirect", check=_check_http_path
        ),
        chat_channels=r.get("chat_channels", bool, default=False),
    )


def _discord(r: _Reader) -> DiscordSettings:
    r.allow_only("token_env", "api_url", "gateway_url", "guild_ids", "shard_count", "chat_channels")
    guild_ids = r.get("guild_ids", list, default=[])
    for index, guild in enumerate(guild_ids):
        if not isinstance(guild, int) or isinstance(guild, bool):
            raise ConfigError(f"{r.path('guild_ids')}[{index}]: expected an integer id")
    return DiscordSettings(
        token_env=_env_name(r, "token_env", "DISCORD_TOKEN"),
        api_url=r.get("api_url", str, default=None, check=_check_http_url),
        gateway_url=r.get("gateway_url", str, default=None, check=_check_ws_url),
        guild_ids=tuple(guild_ids),
        shard_count=r.get("shard_count", int, default=None, lo=1),
        chat_channels=r.get("chat_channels", bool, default=False),
    )


def _env_name(r: _Reader, key: str, default: str) -> str:
    """The name of the environment variable holding a secret. A value that looks like the
    secret itself is refused without being shown."""
    if key in r.data and isinstance(r.data[key], str) and looks_like_token(r.data[key]):
        raise ConfigError(
            f"{r.path(key)}: expected the name of an environment variable (like {default}), "
            "but this looks like a token itself (not shown): put the token in the environment "
            "and write the variable's name here"
        )
    return r.get(key, str, default=default).strip()


def _check_name(value: str) -> str | None:
    if _NAME_RE.match(value) and value == value.strip():
        return None
    return "expected 1-64 letters, digits, spaces or .,&'’:()/·—–-_"


def _check_language(value: str) -> str | None:
    try:
        normalize_language(value)
    except UnsupportedLanguageError:
        return f"expected a supported language ({', '.join(SUPPORTED_LANGUAGES)})"
    return None


def _check_http_url(value: str) -> str | None:
    parts = urlsplit(value)
    return None if parts.scheme in ("http", "https") and parts.netloc else "expected an http(s) URL"


def _check_ws_url(value: str) -> str | None:
    parts = urlsplit(value)
    return None if parts.scheme in ("ws", "wss") and parts.netloc else "expected a ws(s):// URL"


def _check_http_path(value: str) -> str | None:
    return None if value.startswith("/") else "expected a path starting with /"


def _unique_values(commands: Mapping[str, str], r: _Reader) -> None:
    seen: dict[str, str] = {}
    for name, slash in commands.items():
        if slash in seen:
            raise ConfigError(
                f"{r.path(name)}: {slash!r} is already the {seen[slash]} command; "
                "expected a different command name"
            )
        seen[slash] = name


def _check_slash(value: str) -> str | None:
    return None if re.match(r"^/[a-z0-9_-]{1,31}$", value) else "expected a command like /summarize"


_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "a list",
}


class _Reader:
    """Typed access to one TOML table that reports errors with their key path."""

    def __init__(self, data: Any, prefix: str) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{prefix or 'config'}: expected a table")
        self.data = data
        self.prefix = prefix

    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def allow_only(self, *keys: str) -> None:
        for key in self.data:
            if key not in keys:
                raise ConfigError(
                    f"{self.path(key)}: unknown key (expected one of: {', '.join(keys)})"
                )

    def section(self, key: str) -> _Reader:
        return _Reader(self.data.get(key, {}), self.path(key))

    def table_list(self, key: str, required: bool = False) -> list[_Reader]:
        items = self.data.get(key, [])
        if not isinstance(items, list) or (required and not items):
            raise ConfigError(f"{self.path(key)}: expected at least one [[{key}]] table")
        return [_Reader(item, f"{self.path(key)}[{i}]") for i, item in enumerate(items)]

    def get(
        self,
        key: str,
        kind: type,
        *,
        default: Any = None,
        required: bool = False,
        lo: float | None = None,
        hi: float | None = None,
        check: Callable[[Any], str | None] | None = None,
    ) -> Any:
        if key not in self.data:
            if required:
                raise ConfigError(f"{self.path(key)}: missing ({_TYPE_NAMES[kind]} is required)")
            return default
        value = self.data[key]
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if kind is float and ok and not math.isfinite(value):
            ok = False
        if not ok:
            raise ConfigError(f"{self.path(key)}: expected {_TYPE_NAMES[kind]}, got {value!r}")
        if lo is not None and value < lo or hi is not None and value > hi:
            bounds = f"at least {lo}" if hi is None else f"between {lo} and {hi}"
            raise ConfigError(f"{self.path(key)}: expected {bounds}, got {value!r}")
        if check is not None and (problem := check(value)):
            raise ConfigError(f"{self.path(key)}: {problem}, got {value!r}")
        return value

    def get_list(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, default=[])
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{self.path(key)}[{index}]: expected a non-empty string")
        return tuple(v.strip() for v in values)
