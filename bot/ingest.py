"""Poll feeds: conditional fetch, parse, dedupe, full text, analysis, store.

Network I/O runs on the event loop; extraction and summarizing (CPU-bound) run in an executor,
normally a process pool, so both cores work and the loop stays free to answer commands.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from bot.analyze import Analysis, SummaryOptions, analyze_html_fragment, analyze_page
from bot.clock import Clock, system_clock
from bot.extract import ExtractError
from bot.feeds import FeedEntry, FeedError, parse_feed
from bot.net import Fetcher, FetchError
from bot.store import FeedRecord, NewArticle, SqliteStore
from bot.urls import canonical_url

log = logging.getLogger(__name__)
MAX_ENTRIES_PER_POLL = 200


@dataclass
class StageTimes:
    """Seconds spent per stage, summed over a poll cycle (for benchmarks and --verbose)."""

    fetch: float = 0.0
    parse: float = 0.0
    analyze: float = 0.0
    store: float = 0.0


@dataclass
class PollReport:
    feed: str
    new: int = 0
    merged: int = 0
    not_modified: bool = False
    error: str | None = None


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
    """Polls feeds into the store. `fetcher` is trusted: config feeds may be file:// or local."""

    def __init__(
        self,
        *,
        store: SqliteStore,
        fetcher: Fetcher,
        options: SummaryOptions,
        executor: Executor | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.options = options
        self.executor = executor
        self.clock = clock
        self.times = StageTimes()

    async def poll_due(
        self, *, progress: Callable[[PollReport], None] | None = None
    ) -> CycleReport:
        """Poll every feed that is due now (not backing off), concurrently."""
        return await self.poll(self.store.due_feeds(self.clock()), progress=progress)

    async def poll(
        self, feeds: Sequence[FeedRecord], *, progress: Callable[[PollReport], None] | None = None
    ) -> CycleReport:
        self.times = StageTimes()

        async def one(feed: FeedRecord) -> PollReport:
            report = await self.poll_feed(feed)
            if progress:
                progress(report)
            return report

        reports = await asyncio.gather(*(one(f) for f in feeds))
        return CycleReport(feeds=list(reports), times=self.times)

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
        response = await self.fetcher.get(
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
        parsed = parse_feed(response.body, url=response.url, content_type=response.content_type)
        self.times.parse += time.perf_counter() - started
        entries = parsed.entries[:MAX_ENTRIES_PER_POLL]
        fresh = [e for e in entries if not self.store.known_guid(feed.id, entry_guid(e))]
        analyses = await asyncio.gather(*(self._analyze(feed, e) for e in fresh))
        started = time.perf_counter()
        for entry, analysis in zip(fresh, analyses, strict=True):
            if self._store_entry(feed, entry, analysis):
                report.new += 1
            else:
                report.merged += 1
        self.store.record_fetch_success(
            feed.id,
            now=self.clock(),
            etag=response.etag,
            last_modified=response.last_modified,
            title=parsed.title,
        )
        self.times.store += time.perf_counter() - started
        if report.new or report.merged:
            log.info(
                "feed %s: %d new, %d already known from other feeds",
                feed.name,
                report.new,
                report.merged,
            )

    async def _analyze(self, feed: FeedRecord, entry: FeedEntry) -> Analysis | None:
        """Full text and analysis for one entry; None when the story is already stored."""
        url = canonical_url(entry.url) if entry.url else None
        if url and self.store.article_id_by_url(url) is not None:
            return None
        title = entry.title or ""
        html: bytes | None = None
        if feed.full_text and entry.is_teaser and entry.url:
            started = time.perf_counter()
            try:
                html = (await self.fetcher.get(entry.url)).body
            except FetchError as exc:
                log.warning(
                    "feed %s: article page %s: %s; using the feed's teaser",
                    feed.name,
                    entry.url,
                    exc.reason,
                )
            self.times.fetch += time.perf_counter() - started
        started = time.perf_counter()
        try:
            if html is not None:
                try:
                    return await self._run(
                        partial(
                            analyze_page,
                            html,
                            url=entry.url or "",
                            title=title,
                            options=self.options,
                        )
                    )
                except ExtractError as exc:
                    log.warning(
                        "feed %s: %s is not an article page (%s); using the teaser",
                        feed.name,
                        entry.url,
                        exc.reason,
                    )
            fragment = entry.content_html or entry.summary_html or entry.text
            return await self._run(
                partial(analyze_html_fragment, fragment, title=title, options=self.options)
            )
        finally:
            self.times.analyze += time.perf_counter() - started

    async def _run(self, job: Callable[[], Analysis]) -> Analysis:
        return await asyncio.get_running_loop().run_in_executor(self.executor, job)

    def _store_entry(self, feed: FeedRecord, entry: FeedEntry, analysis: Analysis | None) -> bool:
        """Store a new article, or attach this feed as one more source. True when new."""
        now = self.clock()
        guid = entry_guid(entry)
        url = entry.url or feed.url
        canonical = canonical_url(entry.url) if entry.url else None
        existing = self.store.article_id_by_url(canonical) if canonical else None
        if existing is None and analysis is not None:
            existing = self.store.duplicate_of(analysis.content_hash, analysis.simhash)
        if existing is not None:
            self.store.add_source(
                existing, feed_id=feed.id, guid=guid, url=url, title=entry.title or "", seen_at=now
            )
            return False
        assert analysis is not None
        self.store.add_article(
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
            ),
            seen_at=now,
        )
        return True


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
