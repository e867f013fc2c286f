"""APScheduler jobs in the asyncio loop: one poll job per feed, one digest job per channel.

APScheduler's in-memory job store forgets what fired before a restart, so the store keeps each
channel's last handled digest time. On start, a digest time missed while the bot was down (within
`misfire_grace`) is posted once: not never (the store remembers it was due), not twice (the fire
time is recorded after posting, and each item is recorded as posted as it goes out).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import digest as digests
from bot.alerts import AlertPoster
from bot.channels import ChannelBook
from bot.clock import Clock, system_clock
from bot.config import ChannelSettings, Settings
from bot.feed_claims import FeedClaimer
from bot.feed_health import FeedHealth
from bot.ingest import Ingestor, PollReport
from bot.posting import DigestPoster
from bot.store import FeedRecord, Store
from bot.workers import Leadership, Role, SoleLeader

log = logging.getLogger(__name__)
DEFAULT_MISFIRE_GRACE = timedelta(hours=12)
RETENTION_EVERY = timedelta(hours=6)
JUST_POLLED = timedelta(seconds=30)  # a second poll request this soon is a duplicate
# Alert queues and feed health are also looked at this often (besides after each poll): retries
# after a failed post, a queue left by a restart.
ALERTS_EVERY = timedelta(minutes=1)
# With several workers (bot.workers): how often a poster checks whether it leads (a dead leader's
# successor takes over within this). Pollers claim feeds every [fetch] claim_every_seconds.
LEADER_EVERY = timedelta(seconds=10)


@contextmanager
def quiet_on_shutdown(what: str) -> Iterator[None]:
    """End a job cancelled by the bot stopping with one log line; APScheduler would log the
    CancelledError as a crash. Nothing is lost: an interrupted poll runs again on the next start,
    and an interrupted digest is not marked done, so the catch-up posts what is left."""
    try:
        yield
    except asyncio.CancelledError:
        log.info("%s: stopped by shutdown", what)


def last_fire_time(trigger: CronTrigger, *, after: datetime, now: datetime) -> datetime | None:
    """The latest time `trigger` fires in (after, now], or None."""
    latest = None
    fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest


class BotScheduler:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        ingestor: Ingestor,
        poster: DigestPoster,
        clock: Clock = system_clock,
        misfire_grace: timedelta = DEFAULT_MISFIRE_GRACE,
        alerts: AlertPoster | None = None,
        feed_health: FeedHealth | None = None,
        role: Role = Role.ALL,
        leader: Leadership | None = None,
        claimer: FeedClaimer | None = None,
    ) -> None:
        """`role`, `leader` and `claimer`: see bot.workers. Without a `claimer` the feeds are
        polled by one APScheduler job each (one process per database, the SQLite model)."""
        self.settings = settings
        self.store = store
        self.ingestor = ingestor
        self.poster = poster
        self.alerts = alerts
        self.feed_health = feed_health
        self.clock = clock
        self.misfire_grace = misfire_grace
        self.role = role
        self.leader = leader if leader is not None else SoleLeader()
        self.claimer = claimer
        # Its own in-memory job store: job stores are never shared between schedulers.
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._poll_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._digest_times: dict[str, tuple[str, str]] = {}  # job id -> (cron, timezone)

    @property
    def channels(self) -> ChannelBook:
        """The config file's channels and those set up in chat (read fresh each time)."""
        return ChannelBook(settings=self.settings, store=self.store)

    # -- missed digests -------------------------------------------------------------------------
    def missed_digests(self) -> list[tuple[ChannelSettings, datetime]]:
        """Channels whose digest time passed while the bot was down, with that (latest) time.

        A channel seen for the first time has missed nothing: its clock starts now.
        """
        now = self.clock()
        missed = []
        for channel in self.channels.all():
            if channel.alerts:
                continue  # no digest: its stories go out as they arrive
            last = self.store.last_fire(channel.name)
            if last is None:
                self.store.set_last_fire(channel.name, now)
                continue
            after = max(last, now - self.misfire_grace)
            fire = last_fire_time(channel.trigger(), after=after, now=now)
            if fire is not None:
                missed.append((channel, fire))
        return missed

    async def catch_up(self) -> int:
        """Post each missed digest once (coalesced: several missed times make one digest).

        The feeds that are due are polled first, so the late digest carries what they published
        while the bot was down, as the digest on time would have.
        """
        if not self.role.posts or not self.leader.is_leader():
            return 0  # the leader posts them
        missed = self.missed_digests()
        if missed and self.claimer is not None:
            await self.claimer.cycle()  # due feeds no other worker is polling
        elif missed and self.role.polls:
            due = [f.name for f in self.store.due_feeds(self.clock())]
            await asyncio.gather(*(self.poll_feed(name) for name in due))
        # Alerts queued before a restart (or while a platform refused them) go out now.
        self.request_alerts()
        for channel, fire in missed:
            log.info(
                "channel %s: digest of %s was missed while down; posting it now",
                channel.name,
                fire.isoformat(timespec="minutes"),
            )
            await self.run_digest(channel, fire)
        return len(missed)

    async def run_digest(self, channel: ChannelSettings, fire: datetime | None = None) -> None:
        fire = fire or self.clock()
        try:
            await self.poster.post(channel)
        except asyncio.CancelledError:
            raise  # unfinished: the catch-up after a restart posts the items still pending
        except BaseException:
            self.store.set_last_fire(channel.name, fire)
            raise
        self.store.set_last_fire(channel.name, fire)

    # -- jobs -----------------------------------------------------------------------------------
    async def poll_feed(self, name: str) -> None:
        # One poll of a feed at a time: the poll job and a catch-up may ask at once.
        async with self._poll_locks[name]:
            feed = self.store.feed(name)
            if feed is None or not feed.active:
                return
            now = self.clock()
            # Only a failing feed waits for its backoff. A healthy feed's next_poll_at is its last
            # poll + interval, which the interval job (started earlier, jitter >= 0) can reach a
            # few seconds early; skipping then would poll it only every other interval.
            if feed.failures and feed.next_poll_at is not None and feed.next_poll_at > now:
                log.debug("feed %s: backing off until %s", name, feed.next_poll_at)
                return
            if feed.last_fetch_at is not None and now - feed.last_fetch_at < JUST_POLLED:
                log.debug("feed %s: polled a moment ago", name)
                return
            report = await self.ingestor.poll_feed(feed)
        await self._after_poll(feed, report)

    async def _after_poll(self, feed: FeedRecord, report: PollReport | None) -> None:
        """Tell channels about a feed that started or stopped failing; queue new alerts."""
        if not self.posting:
            return  # the leader's alerts job does it within ALERTS_EVERY
        if self.feed_health is not None:
            await self.feed_health.check()
        if report is None or report.new or report.merged:
            self.request_alerts(feed_id=feed.id)

    @property
    def posting(self) -> bool:
        """This process posts (its role, and it was the leader at the last check)."""
        return self.role.posts and self.leader.leading

    def request_alerts(self, *, feed_id: int | None = None) -> None:
        """Start draining the alert queue of each alerts channel (that follows `feed_id`)."""
        if self.alerts is None or not self.posting:
            return
        for channel in self.channels.all():
            if not channel.alerts:
                continue
            if feed_id is not None:
                subscribed = self.store.subscribed_feed_ids(channel.name)
                if feed_id not in digests.channel_feed_ids(channel, self.store.feeds(), subscribed):
                    continue
            self.alerts.request(channel)

    async def _alerts_job(self) -> None:
        with quiet_on_shutdown("alerts check"):
            # Chat channels and chat feeds changed through another instance get their jobs here.
            self.sync_channel_jobs()
            self.sync_feed_jobs()
            if not self.leader.is_leader():
                return
            if self.feed_health is not None:
                await self.feed_health.check()
            self.request_alerts()

    async def _poll_job(self, name: str) -> None:
        with quiet_on_shutdown(f"poll of feed {name}"):
            await self.poll_feed(name)

    async def _digest_job(self, channel_name: str) -> None:
        if not self.role.posts or not self.leader.is_leader():
            log.debug("channel %s: the digest is the leader's to post", channel_name)
            return
        with quiet_on_shutdown(f"digest for {channel_name}"):
            channel = self.channels.named(channel_name)
            if channel is None or channel.alerts:  # removed or changed in chat meanwhile
                log.info("channel %s: no digest any more; its job is removed", channel_name)
                self.sync_channel_jobs()
                return
            await self.run_digest(channel, self.clock())

    async def _retention_job(self) -> None:
        if not self.leader.is_leader():
            return  # one process prunes
        removed = self.store.prune(
            older_than=self.clock() - timedelta(days=self.settings.storage.retention_days)
        )
        if removed:
            log.info("retention: removed %d old articles", removed)

    async def _claim_job(self) -> None:
        """A poller's cycle on a shared database: claim due feeds in batches and poll them, then
        look again `claim_every_seconds` after the cycle ended (a cycle may take longer than
        that; an interval job would pile up skipped runs)."""
        assert self.claimer is not None
        try:
            with quiet_on_shutdown("feed claims"):
                await self.claimer.cycle(after_batch=self._after_batch)
        finally:
            self._schedule_claims(timedelta(seconds=self.settings.fetch.claim_every_seconds))

    def _schedule_claims(self, delay: timedelta) -> None:
        self.scheduler.add_job(
            self._claim_job,
            DateTrigger(datetime.now(UTC) + delay),  # APScheduler runs on the real clock
            id="claim",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _after_batch(self, feeds: list[FeedRecord], _report: object) -> None:
        """Start the alerts of a batch's new stories. Failing-feed notices wait for the alerts
        job (every ALERTS_EVERY): a health check reads every feed's notices, too slow to run
        after each batch of thousands of feeds."""
        if feeds:
            self.request_alerts()

    async def _leader_job(self) -> None:
        """Check the leadership; a process that has just taken it over posts what was missed.
        The leader also drains the alert queues here: other workers' polls queue stories it
        does not hear of otherwise."""
        was = self.leader.leading
        if not self.leader.is_leader():
            return
        if not was:
            with quiet_on_shutdown("catch-up of a new leader"):
                await self.catch_up()
        self.request_alerts()

    def sync_feed_jobs(self) -> None:
        """One poll job per active feed; called at start and when chat adds/removes feeds.
        A poller that claims feeds (bot.workers) has one claim job instead; a poster none."""
        if self.claimer is not None or not self.role.polls:
            return
        wanted = {f"poll:{f.name}": f for f in self.store.feeds()}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("poll:") and job.id not in wanted:
                job.remove()
        now = self.clock()
        for job_id, feed in wanted.items():
            jitter = min(60, feed.poll_minutes * 6)  # seconds; spreads many feeds apart
            trigger = IntervalTrigger(minutes=feed.poll_minutes, jitter=jitter)
            job = self.scheduler.get_job(job_id)
            if job is not None:
                if job.trigger.interval != trigger.interval:  # poll_minutes changed
                    job.reschedule(trigger)
                continue
            # A feed polled shortly before a restart is not polled again at once.
            first = max(now, feed.next_poll_at) if feed.next_poll_at else now
            self.scheduler.add_job(
                self._poll_job,
                trigger,
                args=[feed.name],
                id=job_id,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=feed.poll_minutes * 60,
                next_run_time=first,
            )

    def sync_channel_jobs(self) -> None:
        """One digest job per digest channel, at its cron time in its time zone; called at start,
        when a chat command changes a channel, and every minute (another instance may have)."""
        if not self.role.posts:
            return
        wanted = {f"digest:{c.name}": c for c in self.channels.all() if not c.alerts}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:") and job.id not in wanted:
                job.remove()
                self._digest_times.pop(job.id, None)
        for job_id, channel in wanted.items():
            when = (channel.digest_cron, channel.timezone)
            job = self.scheduler.get_job(job_id)
            if job is not None:
                if self._digest_times.get(job_id) != when:
                    job.reschedule(channel.trigger())
                    self._digest_times[job_id] = when
                continue
            self.scheduler.add_job(
                self._digest_job,
                channel.trigger(),
                args=[channel.name],
                id=job_id,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(self.misfire_grace.total_seconds()),
            )
            self._digest_times[job_id] = when

    def start(self) -> None:
        if self.role.posts:
            self._start_posting()
        if self.claimer is not None and self.role.polls:
            self._schedule_claims(timedelta(0))
        self.sync_feed_jobs()
        self.scheduler.start()

    def _start_posting(self) -> None:
        self.sync_channel_jobs()
        self.scheduler.add_job(
            self._retention_job,
            IntervalTrigger(seconds=int(RETENTION_EVERY.total_seconds())),
            id="retention",
            next_run_time=self.clock(),
        )
        if self.alerts is not None or self.feed_health is not None:
            self.scheduler.add_job(
                self._alerts_job,
                IntervalTrigger(seconds=int(ALERTS_EVERY.total_seconds())),
                id="alerts",
                coalesce=True,
                max_instances=1,
            )
        if not isinstance(self.leader, SoleLeader):
            self.scheduler.add_job(
                self._leader_job,
                IntervalTrigger(seconds=int(LEADER_EVERY.total_seconds())),
                id="leader",
                coalesce=True,
                max_instances=1,
            )

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
