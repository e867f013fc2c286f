"""Wire settings to the running parts: store, fetchers, executor, platforms, handlers, scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from bot.alerts import AlertPoster
from bot.clock import Clock, system_clock
from bot.commands import CommandHandlers
from bot.config import Settings
from bot.feed_claims import FeedClaimer, check_clock
from bot.feed_health import FeedHealth
from bot.ingest import Ingestor
from bot.net import Fetcher
from bot.parentwatch import exit_with
from bot.platforms.base import ChatPlatform
from bot.posting import DigestPoster
from bot.scheduler import BotScheduler
from bot.store import Store, open_store
from bot.workers import Leadership, Role, claims_feeds, leadership_for, worker_id

log = logging.getLogger(__name__)


def make_executor(workers: int) -> Executor:
    """Worker processes for extraction and summarizing (CPU-bound): both cores, free loop.

    `forkserver` because forking a process that runs threads (aiohttp's resolver) is unsafe.
    Each worker exits as soon as this process dies, even by SIGKILL (`bot.parentwatch`).
    """
    count = workers or os.cpu_count() or 1
    return ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=exit_with,
        initargs=(os.getpid(),),
    )


def build_platforms(settings: Settings, store: Store) -> dict[str, ChatPlatform]:
    """One platform instance per platform that a channel uses, or whose channels are set up in
    chat. Imports are lazy so a console-only setup never loads slack_bolt or discord."""
    wanted = {c.platform for c in settings.channels}
    wanted |= {p for p in ("slack", "discord") if settings.chat_channels(p)}
    platforms: dict[str, ChatPlatform] = {}
    if "console" in wanted:
        from bot.platforms.console import ConsolePlatform

        platforms["console"] = ConsolePlatform()
    if "slack" in wanted:
        from bot.platforms.factory import slack_platform

        platforms["slack"] = slack_platform(settings, store)
    if "discord" in wanted:
        from bot.platforms.factory import discord_platform

        platforms["discord"] = discord_platform(settings)
    return platforms


@dataclass
class App:
    settings: Settings
    store: Store
    feed_fetcher: Fetcher
    url_fetcher: Fetcher
    executor: Executor | None
    platforms: dict[str, ChatPlatform]
    clock: Clock = system_clock
    role: Role = Role.ALL
    ingestor: Ingestor = field(init=False)
    poster: DigestPoster = field(init=False)
    alerts: AlertPoster = field(init=False)
    feed_health: FeedHealth = field(init=False)
    handlers: CommandHandlers = field(init=False)
    scheduler: BotScheduler = field(init=False)
    leader: Leadership = field(init=False)

    def __post_init__(self) -> None:
        options = self.settings.summary
        self.store.sync_config_feeds(
            (f.name, f.url, f.poll_minutes, f.tags, f.full_text) for f in self.settings.feeds
        )
        self.ingestor = Ingestor(
            store=self.store,
            fetcher=self.feed_fetcher,
            guarded_fetcher=self.url_fetcher,
            options=options,
            feed_languages={f.name: f.language for f in self.settings.feeds if f.language},
            executor=self.executor,
            clock=self.clock,
        )
        self.poster = DigestPoster(store=self.store, platforms=self.platforms, clock=self.clock)
        self.alerts = AlertPoster(
            store=self.store, platforms=self.platforms, poster=self.poster, clock=self.clock
        )
        self.feed_health = FeedHealth(
            settings=self.settings, store=self.store, platforms=self.platforms, clock=self.clock
        )
        self.leader = leadership_for(self.store)
        claimer = None
        if claims_feeds(self.store):
            claimer = FeedClaimer(
                store=self.store,
                ingestor=self.ingestor,
                owner=worker_id(),
                # all of a batch is polled at once, so the lease only has to cover one poll
                batch=min(self.settings.fetch.concurrency, self.ingestor.feeds_in_flight),
                lease=timedelta(seconds=self.settings.fetch.claim_lease_seconds),
                clock=self.clock,
            )
            check_clock(self.store, claimer.lease)
        self.scheduler = BotScheduler(
            settings=self.settings,
            store=self.store,
            ingestor=self.ingestor,
            poster=self.poster,
            clock=self.clock,
            alerts=self.alerts,
            feed_health=self.feed_health,
            role=self.role,
            leader=self.leader,
            claimer=claimer,
        )
        self.handlers = CommandHandlers(
            settings=self.settings,
            store=self.store,
            poster=self.poster,
            url_fetcher=self.url_fetcher,
            options=options,
            executor=self.executor,
            clock=self.clock,
            feeds_changed=self.scheduler.sync_feed_jobs,
            channels_changed=self.scheduler.sync_channel_jobs,
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        platforms: dict[str, ChatPlatform] | None = None,
        executor: Executor | None = None,
        clock: Clock = system_clock,
        store: Store | None = None,
        role: Role = Role.ALL,
    ) -> App:
        """`store`: default, the configured database; a dry run passes an in-memory copy."""
        fetch = settings.fetch
        common = dict(
            timeout=fetch.timeout_seconds,
            max_bytes=fetch.max_bytes,
            max_redirects=fetch.max_redirects,
            concurrency=fetch.concurrency,
        )
        store = store if store is not None else open_store(settings.storage)
        return cls(
            settings=settings,
            store=store,
            # Only feeds written in the config are the operator's: they may be files or on the
            # intranet. Every other URL (chat, CLI, imported feeds, their pages) is guarded.
            feed_fetcher=Fetcher(allow_private=True, allow_file=True, **common),
            url_fetcher=Fetcher(allow_private=fetch.allow_private_urls, **common),
            executor=executor if executor is not None else make_executor(fetch.workers),
            platforms=platforms if platforms is not None else build_platforms(settings, store),
            clock=clock,
            role=role,
        )

    async def start_platforms(self) -> None:
        for platform in self.platforms.values():
            await platform.start(self.handlers)

    async def close(self) -> None:
        self.scheduler.shutdown()
        self.leader.close()
        await self.alerts.close()
        for platform in self.platforms.values():
            try:
                await platform.stop()
            except Exception:
                log.exception("stopping the %s platform failed", platform.name)
        await self.feed_fetcher.close()
        await self.url_fetcher.close()
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        self.store.close()

    async def run_forever(
        self, stop: asyncio.Event | None = None, *, schedule: bool = True
    ) -> None:
        """Serve until SIGINT/SIGTERM (or `stop` is set), then shut down cleanly.

        `schedule` False: answer commands only (no polls, digests, alerts or notices), for extra
        instances that share the database with one that runs the schedule."""
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not possible outside the main thread or on Windows; Ctrl-C still works there.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        if self.role.posts:
            await self.start_platforms()  # a poller does not chat
        if schedule:
            self.scheduler.start()
            await self.scheduler.catch_up()
        else:
            log.info("no schedule here: polls, digests and alerts run on another instance")
        log.info("role: %s", self.role)
        log.info(
            "newsbrief is running: %d feeds, %d channels",
            len(self.store.feeds()),
            len(self.scheduler.channels.all()),
        )
        await stop.wait()
        log.info("shutting down")

    async def run_once(self) -> None:
        """Poll every feed now (conditional requests), post any digest that is due and every
        queued alert, send due failing-feed notices, and return. On a shared database (Postgres)
        a feed another worker is polling right now is left to it."""
        await self.start_platforms()
        if self.scheduler.claimer is not None:
            # On a shared database every feed no other worker holds, each claimed first: a
            # worker polling meanwhile never fetches the same feed at the same time.
            await self.scheduler.claimer.cycle(every_feed=True)
        else:
            await self.ingestor.poll(self.store.feeds())
        await self.feed_health.check()
        await self.scheduler.catch_up()
        await self.alerts.wait_idle()
