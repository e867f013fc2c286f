"""Poll feeds: conditional fetch, parse, dedupe, full text, analysis, store.

Network I/O runs on the event loop; feed parsing, extraction and summarizing (CPU-bound) run in
an executor, normally a process pool, so both cores work and the loop stays free to answer
commands. A cycle keeps a bounded number of feeds and of analyses in flight, so memory stays flat
however many feeds there are. Feeds are stored in a thread (SQLite releases the GIL), one
transaction at a time, so the loop is never held by a burst of writes; feeds that finish while a
transaction is being written share the next one (group commit). A feed's entries and its new
ETag are always in the same transaction, so a crash loses or repeats nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TypeVar
from urllib.parse import urlsplit

from bot.analyze import Analysis, SummaryOptions, analyze_page, analyze_text
from bot.clock import Clock, system_clock
from bot.extract import ExtractError
from bot.feeds import FeedEntry, FeedError, ParsedFeed, parse_feed
from bot.group_commit import GroupCommit
from bot.jobs import timed
from bot.net import PAGE_ACCEPT, Fetcher, FetchError, Response
from bot.store import FeedRecord, NewArticle, Store
from bot.urls import canonical_url

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ENTRIES_PER_POLL = 200
#: Feeds polled at the same time in a cycle (fetch, parse, analysis, store).
FEEDS_IN_FLIGHT = 32
#: Entries whose page fetch + analysis may be under way at once (bounds pages held in memory;
#: a few per worker process keep the workers busy).
ANALYSES_IN_FLIGHT = 16
#: Finished feeds stored in one transaction at most (bounds how long the store's lock is held).
FEEDS_PER_TRANSACTION = 16


@dataclass
class StageTimes:
    """Seconds per stage over a poll cycle (for benchmarks and --verbose).

    `fetch`, `parse` and `analyze` are summed over concurrent tasks: each task's latency, waiting
    for a connection or a worker included, so under concurrency they exceed the cycle's wall
    time. `fetch_busy` and `analyze_busy` are the wall time during which at least one fetch
    (analysis) was under way. `parse_cpu` and `analyze_cpu` are the CPU seconds the executor
    spent on them (thread time, measured where the job ran). `store` is the wall time of the
    store's transactions, written one at a time in a thread.
    """

    fetch: float = 0.0
    parse: float = 0.0
    analyze: float = 0.0
    store: float = 0.0
    fetch_busy: float = 0.0
    analyze_busy: float = 0.0
    parse_cpu: float = 0.0
    analyze_cpu: float = 0.0


class _Busy:
    """Wall time during which at least one holder is inside (`with busy: ...`)."""

    def __init__(self) -> None:
        self.active = 0
        self.since = 0.0
        self.total = 0.0

    def __enter__(self) -> None:
        if self.active == 0:
            self.since = time.perf_counter()
        self.active += 1

    def __exit__(self, *_: object) -> None:
        self.active -= 1
        if self.active == 0:
            self.total += time.perf_counter() - self.since


@dataclass(frozen=True, slots=True)
class _StoreJob:
    """A polled feed, ready to be stored."""

    feed: FeedRecord
    entries: Sequence[FeedEntry]
    analyses: Sequence[Analysis | None]
    report: PollReport
    response: Response
    title: str | None


@dataclass
class PollReport:
    feed: str
    new: int = 0
    merged: int = 0
    not_modified: bool = False
    error: str | None = None
    skipped: bool = False  # not fetched: `may_fetch` said no (a claim that ran out)


@dataclass
class CycleReport:
    feeds: list[PollReport] = field(default_factory=list)
    times: StageTimes = field(default_factory=StageTimes)

    @property
    def new(self) -> int:
        return sum(r.new for r in self.feeds)

    @property
    def failed(self) -> list[PollReport]:
        return [r for r in self.feeds if r.error]


class Ingestor:
    """Polls feeds into the store.

    `fetcher` is trusted: it is used only for feeds written in the config file (which may be
    files or on the intranet) and for their article pages on the feed's own host. Everything
    else goes through `guarded_fetcher`, which must refuse private addresses unless the config
    allows them: feeds added in chat or imported (a feed that checked out as public when it was
    added may redirect to an intranet host later), all their article pages, and pages on
    another host than their feed (a feed must not steer the bot to 169.254.169.254). The
    fetcher checks every poll and every redirect hop.
    """

    def __init__(
        self,
        *,
        store: Store,
        fetcher: Fetcher,
        guarded_fetcher: Fetcher,
        options: SummaryOptions,
        feed_languages: Mapping[str, str] | None = None,
        executor: Executor | None = None,
        clock: Clock = system_clock,
        feeds_in_flight: int = FEEDS_IN_FLIGHT,
        analyses_in_flight: int = ANALYSES_IN_FLIGHT,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.guarded_fetcher = guarded_fetcher
        self.options = options
        self.feed_languages = dict(feed_languages or {})  # feed name -> its articles' language
        self.executor = executor
        self.clock = clock
        self.feeds_in_flight = max(1, feeds_in_flight)
        self.analyses_in_flight = max(1, analyses_in_flight)
        self.times = StageTimes()
        self._new_cycle_state()

    def _new_cycle_state(self) -> None:
        self._fetch_busy = _Busy()
        self._analyze_busy = _Busy()
        self._analysis_slots = asyncio.Semaphore(self.analyses_in_flight)
        self._writer: GroupCommit[_StoreJob] = GroupCommit(
            self._store_feeds, max_group=FEEDS_PER_TRANSACTION
        )

    async def poll_due(
        self, *, progress: Callable[[PollReport], None] | None = None
    ) -> CycleReport:
        """Poll every feed that is due now (not backing off), concurrently."""
        return await self.poll(self.store.due_feeds(self.clock()), progress=progress)

    async def poll(
        self,
        feeds: Sequence[FeedRecord],
        *,
        progress: Callable[[PollReport], None] | None = None,
        may_fetch: Callable[[FeedRecord], bool] | None = None,
    ) -> CycleReport:
        """Poll these feeds concurrently. `may_fetch` is asked right before each fetch (a
        worker's claim on the feed is still held); a feed it refuses is reported skipped."""
        self.times = StageTimes()
        self._new_cycle_state()
        reports: list[PollReport | None] = [None] * len(feeds)
        pending = iter(enumerate(feeds))

        async def worker() -> None:
            # A fixed number of workers pull feeds: a bounded amount of work in flight.
            for index, feed in pending:
                if may_fetch is not None and not may_fetch(feed):
                    reports[index] = PollReport(feed=feed.name, skipped=True)
                    continue
                report = await self.poll_feed(feed)
                reports[index] = report
                if progress:
                    progress(report)

        await asyncio.gather(*(worker() for _ in range(min(self.feeds_in_flight, len(feeds)))))
        self.times.fetch_busy = self._fetch_busy.total
        self.times.analyze_busy = self._analyze_busy.total
        self.times.store = self._writer.seconds
        return CycleReport(feeds=[r for r in reports if r is not None], times=self.times)

    async def poll_feed(self, feed: FeedRecord) -> PollReport:
        """Poll one feed. Never raises for feed trouble: it is recorded and backed off."""
        report = PollReport(feed=feed.name)
        try:
            await self._poll(feed, report)
        except (FetchError, FeedError) as exc:
            report.error = exc.reason
        except Exception as exc:  # one broken feed must never stop the others
            log.exception("feed %s: unexpected error", feed.name)
            report.error = f"internal error ({type(exc).__name__})"
        if report.error:
            retry_at = self.store.record_fetch_failure(
                feed.id, now=self.clock(), error=report.error
            )
            log.warning(
                "feed %s: %s (failure %d in a row; next try %s)",
                feed.name,
                report.error,
                (self.store.feed_by_id(feed.id) or feed).failures,
                retry_at.isoformat(timespec="minutes"),
            )
        return report

    async def _poll(self, feed: FeedRecord, report: PollReport) -> None:
        started = time.perf_counter()
        with self._fetch_busy:
            response = await self._fetcher_for_feed(feed).get(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
        self.times.fetch += time.perf_counter() - started
        if response.not_modified:
            report.not_modified = True
            self.store.record_fetch_success(
                feed.id,
                now=self.clock(),
                etag=feed.etag,
                last_modified=feed.last_modified,
                title=None,
            )
            return
        started = time.perf_counter()
        parsed, cpu = await self._run_timed(
            partial(parse_feed, response.body, url=response.url, content_type=response.content_type)
        )
        assert isinstance(parsed, ParsedFeed)
        self.times.parse += time.perf_counter() - started
        self.times.parse_cpu += cpu
        entries = parsed.entries[:MAX_ENTRIES_PER_POLL]
        known = self.store.known_guids(feed.id, [entry_guid(e) for e in entries])
        fresh = [e for e in entries if entry_guid(e) not in known]
        # Stories already stored (from another feed): one query for the feed, not one per entry.
        stored = self.store.article_ids_by_url(canonical_url(e.url) for e in fresh if e.url)
        analyses = await asyncio.gather(*(self._analyze(feed, e, stored) for e in fresh))
        # Stored in a thread: SQLite (full-text indexing included) runs without the GIL, so the
        # loop keeps answering meanwhile. The store's lock keeps other writers out until commit.
        await self._writer.submit(_StoreJob(feed, fresh, analyses, report, response, parsed.title))
        if report.new or report.merged:
            log.info(
                "feed %s: %d new, %d already known from other feeds",
                feed.name,
                report.new,
                report.merged,
            )

    async def _analyze(
        self, feed: FeedRecord, entry: FeedEntry, stored: Mapping[str, int] | None = None
    ) -> Analysis | None:
        """Full text and analysis for one entry; None when the story is already stored.

        `stored`: canonical URLs known to be stored (`article_ids_by_url`); looked up if None.
        """
        if _already_stored(self.store, entry, stored):
            return None
        async with self._analysis_slots:
            with self._analyze_busy:
                analysis = await self._fetch_and_analyze(feed, entry)
        if analysis.cut_from is not None:
            log.info(
                "feed %s: %s: only the first %d of its %d characters were analysed and stored "
                "([summary] max_text_chars)",
                feed.name,
                entry.url or analysis.title,
                len(analysis.text),
                analysis.cut_from,
            )
        return analysis

    async def _fetch_and_analyze(self, feed: FeedRecord, entry: FeedEntry) -> Analysis:
        title = entry.title or ""
        html: bytes | None = None
        if feed.full_text and entry.is_teaser and entry.url:
            started = time.perf_counter()
            try:
                with self._fetch_busy:
                    page = await self._fetcher_for_page(feed, entry.url).get(
                        entry.url, accept=PAGE_ACCEPT
                    )
                    html = page.body
            except FetchError as exc:
                log.warning(
                    "feed %s: article page %s: %s; using the feed's teaser",
                    feed.name,
                    entry.url,
                    exc.reason,
                )
            self.times.fetch += time.perf_counter() - started
        started = time.perf_counter()
        options = self._options_for(feed)
        try:
            if html is not None:
                try:
                    return await self._run(
                        partial(
                            analyze_page,
                            html,
                            url=entry.url or "",
                            title=title,
                            options=options,
                        )
                    )
                except ExtractError as exc:
                    log.warning(
                        "feed %s: %s is not an article page (%s); using the teaser",
                        feed.name,
                        entry.url,
                        exc.reason,
                    )
            # The entry's plain text, already made by parse_feed (the fuller of content and
            # summary; the feed's raw HTML is never analyzed or rendered again).
            return await self._run(partial(analyze_text, entry.text, title=title, options=options))
        finally:
            self.times.analyze += time.perf_counter() - started

    def _options_for(self, feed: FeedRecord) -> SummaryOptions:
        language = self.feed_languages.get(feed.name)
        return replace(self.options, language=language) if language else self.options

    def _fetcher_for_feed(self, feed: FeedRecord) -> Fetcher:
        """Only a feed written in the config file is trusted (see the class docstring)."""
        return self.fetcher if feed.origin == "config" else self.guarded_fetcher

    def _fetcher_for_page(self, feed: FeedRecord, url: str) -> Fetcher:
        """The trusted fetcher only for a config feed's page on the feed's own host (or a
        bundled file)."""
        if feed.origin != "config":
            return self.guarded_fetcher
        feed_parts, page_parts = urlsplit(feed.url), urlsplit(url)
        same_origin = (feed_parts.scheme, feed_parts.netloc) == (
            page_parts.scheme,
            page_parts.netloc,
        )
        return self.fetcher if same_origin else self.guarded_fetcher

    async def _run(self, job: Callable[[], Analysis]) -> Analysis:
        result, cpu = await self._run_timed(job)
        self.times.analyze_cpu += cpu
        return result

    async def _run_timed(self, job: Callable[[], T]) -> tuple[T, float]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, partial(timed, job))

    def _store_feeds(self, jobs: Sequence[_StoreJob]) -> list[BaseException | None]:
        """Store several feeds in one transaction; each feed's own failure is returned for it.

        A feed that fails keeps what it stored before the failure, exactly as if it had been
        stored alone (every write is a savepoint), and its ETag is not saved. If the transaction
        itself is lost, this raises: nothing of the group is stored.
        """
        errors: list[BaseException | None] = []
        with self.store.batch():
            for job in jobs:
                try:
                    self._store_feed(job)
                except Exception as exc:
                    if not self.store.in_transaction:  # SQLite rolled the whole group back
                        raise
                    errors.append(exc)
                else:
                    errors.append(None)
        return errors

    def _store_feed(self, job: _StoreJob) -> None:
        feed, report = job.feed, job.report
        with self.store.batch():
            # One query for the whole feed; updated as this feed's own entries are stored.
            stored = self.store.article_ids_by_url(
                canonical_url(e.url) for e in job.entries if e.url
            )
            for entry, analysis in zip(job.entries, job.analyses, strict=True):
                if self._store_entry(feed, entry, analysis, stored):
                    report.new += 1
                else:
                    report.merged += 1
            self.store.record_fetch_success(
                feed.id,
                now=self.clock(),
                etag=job.response.etag,
                last_modified=job.response.last_modified,
                title=job.title,
            )

    def _store_entry(
        self,
        feed: FeedRecord,
        entry: FeedEntry,
        analysis: Analysis | None,
        stored: dict[str, int] | None = None,
    ) -> bool:
        """Store a new article, or attach this feed as one more source. True when new.

        `stored` ({canonical URL: id}, from `article_ids_by_url` in the same transaction) saves
        a query per entry; the new article is added to it."""
        now = self.clock()
        guid = entry_guid(entry)
        url = entry.url or feed.url
        canonical = canonical_url(entry.url) if entry.url else None
        if stored is None:
            existing = self.store.article_id_by_url(canonical) if canonical else None
        else:
            existing = stored.get(canonical) if canonical else None
        if existing is None and analysis is not None:
            existing = self.store.duplicate_of(analysis.content_hash, analysis.simhash)
        if existing is not None:
            self.store.add_source(
                existing, feed_id=feed.id, guid=guid, url=url, title=entry.title or "", seen_at=now
            )
            return False
        assert analysis is not None
        article_id = self.store.add_article(
            NewArticle(
                feed_id=feed.id,
                guid=guid,
                title=analysis.title,
                url=url,
                canonical_url=canonical,
                published_at=published_at(entry.published, now),
                text=analysis.text,
                summary=analysis.summary,
                quotes=analysis.quotes,
                key_quote_count=analysis.key_quote_count,
                content_hash=analysis.content_hash,
                simhash=analysis.simhash,
                image=entry.image or analysis.image,  # the feed's own picture first
            ),
            seen_at=now,
        )
        if stored is not None and canonical:
            stored[canonical] = article_id
        return True


def _already_stored(store: Store, entry: FeedEntry, stored: Mapping[str, int] | None) -> bool:
    url = canonical_url(entry.url) if entry.url else None
    if not url:
        return False
    return url in stored if stored is not None else store.article_id_by_url(url) is not None


def entry_guid(entry: FeedEntry) -> str:
    if entry.guid:
        return entry.guid
    if entry.url:
        return entry.url
    digest = hashlib.blake2b(f"{entry.title}\n{entry.text}".encode(), digest_size=12)
    return "sha:" + digest.hexdigest()


def published_at(published: datetime | None, now: datetime) -> datetime:
    """A missing date is 'now'; a date in the future is clamped to now so it cannot pin the top."""
    if published is None or published > now:
        return now
    return published
