"""Feeds with many numbered stories, and an App wired to a fixed clock, for backfill and alerts
tests. The stories are invented; story n is published n minutes after BASE, so a higher number is
newer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from stores import StoreBackend

from bot.app import App
from bot.config import Settings, parse_settings
from bot.models import Digest, Reply
from bot.platforms.base import ChatPlatform, CommandHandler, PlatformError, RecordPosted

BASE = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


_WORDS = (
    "bridge ferry library tram school clinic market harbour museum stadium park reservoir "
    "tunnel airport station theatre bakery orchard quarry lighthouse canal garden hospital "
    "archive chapel brewery foundry pier marina vineyard mill observatory warehouse depot "
    "courthouse arena gallery aquarium shelter greenhouse"
).split()
_PEOPLE = ("Mara Quint", "Tobias Wren", "Ilse Marrow", "Dev Okafor", "June Alder", "Rafe Holm")


def story_text(n: int, topic: str = "harbour", prefix: str = "s") -> str:
    """A few sentences unlike every other story's (the store folds near-duplicates together)."""
    seed = n + 97 * sum(map(ord, prefix))
    w = [_WORDS[(seed * k + k) % len(_WORDS)] for k in (1, 3, 5, 7, 11)]
    who = _PEOPLE[n % len(_PEOPLE)]
    return (
        f"The {w[0]} of Port Ellery will be rebuilt next to the old {w[1]}, the {topic} council "
        f"decided on Tuesday in vote number {n}. Work on the {w[2]} and the {w[3]} starts in "
        f"spring and costs {n + 10} million dollars. "
        f'"We will finish the {w[4]} before winter of year {2030 + n}," said councillor {who}. '
        f"Residents near the {w[1]} in district {prefix.upper()} have asked for it "
        f"since {1990 + n}."
    )


def rss(numbers: Iterable[int], *, prefix: str = "s", topic: str = "harbour") -> str:
    """An RSS feed whose item n has guid `{prefix}{n}` and is published n minutes after BASE."""
    items = "".join(
        f"<item><guid>{prefix}{n}</guid><link>https://news.example/{prefix}/{n}</link>"
        f"<title>{prefix.upper()} story {n}</title>"
        f"<pubDate>{format_datetime(BASE + timedelta(minutes=n))}</pubDate>"
        f"<description>{story_text(n, topic, prefix)}</description></item>"
        for n in numbers
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test</title>'
        f"<link>https://news.example/</link>{items}</channel></rss>"
    )


def settings(
    where: Path | StoreBackend,
    feeds: Mapping[str, str],
    channels: Iterable[Mapping[str, Any]],
    *,
    tags: Mapping[str, list[str]] | None = None,
    **sections: Any,
) -> Settings:
    """`where`: a folder for a SQLite file, or a database of either kind (tests/stores.py)."""
    storage = (
        where.storage_config()
        if isinstance(where, StoreBackend)
        else {"path": str(where / "nb.db")}
    )
    return parse_settings(
        {
            "storage": storage,
            "fetch": {"allow_private_urls": True},
            "feeds": [
                {"name": n, "url": u, "full_text": False, "tags": (tags or {}).get(n, [])}
                for n, u in feeds.items()
            ],
            "channels": list(channels),
            **sections,
        },
        base_dir=Path("/"),
    )


def make_app(settings: Settings, platforms: Mapping[str, ChatPlatform], clock: Clock) -> App:
    return App.from_settings(
        settings, platforms=dict(platforms), executor=ThreadPoolExecutor(2), clock=clock
    )


class RecordingPlatform(ChatPlatform):
    """Accepts every message and remembers it: digests, alerts and notices, in order."""

    name = "console"

    def __init__(self, name: str = "console") -> None:
        self.name = name
        self.digests: list[Digest] = []
        self.alerts: list[Digest] = []
        self.notices: list[tuple[str, str]] = []  # (target, text)
        self.refuse_after: int | None = None  # accept this many messages more, then refuse

    async def start(self, handler: CommandHandler) -> None:
        self.handler = handler

    async def stop(self) -> None:
        pass

    def _accept(self) -> None:
        if self.refuse_after is not None:
            if self.refuse_after <= 0:
                raise PlatformError("channel_not_found", hint="invite the bot", retryable=False)
            self.refuse_after -= 1

    async def post_digest(self, target: str, digest: Digest, record: RecordPosted) -> None:
        self._accept()
        self.digests.append(digest)
        await record(digest.items, f"digest-{len(self.digests)}")

    async def post_alert(self, target: str, alert: Digest, record: RecordPosted) -> None:
        self._accept()
        self.alerts.append(alert)
        await record(alert.items, f"alert-{len(self.alerts)}")

    async def post_notice(self, target: str, notice: Reply) -> None:
        self._accept()
        self.notices.append((target, notice.text))

    def alert_titles(self) -> list[str]:
        return [i.title for a in self.alerts for i in a.items]

    def titles(self, index: int = -1) -> list[str]:
        return [i.title for i in self.digests[index].items]


class MutableFeed:
    """An HTTP handler serving `body`, which the test changes between polls."""

    def __init__(self, body: str) -> None:
        self.body = body

    async def __call__(self, request: web.Request) -> web.Response:
        return web.Response(body=self.body.encode(), content_type="application/rss+xml")
