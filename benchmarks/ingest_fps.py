"""The fetch-parse-store part of newsbrief's pipeline, for the comparison with `reader`."""

from __future__ import annotations

from collections.abc import Mapping

from bot.analyze import Analysis
from bot.feeds import FeedEntry
from bot.ingest import Ingestor
from bot.store import FeedRecord
from bot.urls import canonical_url


class FetchParseStoreIngestor(Ingestor):
    """The part reader also does: fetch, parse, dedupe, store -- no page fetch, no analysis.

    The entry's own text is stored as is: no summary, no quotes, and no content fingerprints
    (the real pipeline computes those in its workers as part of the analysis; reader has no
    content dedupe either). Dedupe by guid and by canonical URL, the store transactions (group
    commit) and the full-text index stay: everything else is the real Ingestor.
    """

    async def _analyze(
        self, feed: FeedRecord, entry: FeedEntry, stored: Mapping[str, int] | None = None
    ) -> Analysis | None:
        url = canonical_url(entry.url) if entry.url else None
        if url and (
            url in stored if stored is not None else self.store.article_id_by_url(url) is not None
        ):
            return None
        return Analysis(
            title=entry.title or "",
            text=entry.text,
            summary=(),
            quotes=(),
            key_quote_count=0,
            content_hash=None,
            simhash=None,
        )
